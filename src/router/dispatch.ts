import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatInputCommandInteraction, Interaction, MessageComponentInteraction } from 'discord.js';
import type { Ticket } from '../classroom/policy.js';
import { resolveSettings } from '../classroom/settings.js';
import type { BotContext, InteractionOutcome } from '../contracts/context.js';
import type { CommandResult, CommandRun, ResponseSession } from '../contracts/run.js';
import { CommandLimits } from '../discord/facts.js';
import { type GivenOption, parseArgs } from '../discord/options.js';
import type { Logger } from '../log/logger.js';
import { runAs } from '../measure/attribution.js';
import type { Holder } from '../measure/main-thread.js';
import { InteractionTrace } from '../measure/trace.js';
import type { ComponentRegistry } from './components.js';
import { effectiveDefinition } from './define.js';
import { type Delivery, deliver } from './deliver.js';
import { startProgress } from './progress.js';
import type { CommandRegistry } from './registry.js';
import { Responder } from './respond.js';

type CommandInteraction = ChatInputCommandInteraction | MessageComponentInteraction;

const ephemeral = (content: string): CommandResult => ({
  type: 'message',
  message: { content, ephemeral: true },
});

const APOLOGY =
  'Sorry, something went wrong on my side while running that. It has been logged; please try again in a moment.';
const RESTARTING = 'LoopLab is restarting, try again in a moment.';
const RESTARTED =
  'LoopLab restarted before this finished, so there is no result to show. Please run the command again in a moment.';

export interface Dispatcher {
  (interaction: Interaction): Promise<void>;
  /**
   * Stops admitting (new interactions are told the bot is restarting), waits up to `graceMs` for
   * the ones in flight, then tells each one still waiting that the bot restarted. Resolves when
   * nothing is left in flight.
   */
  drain(graceMs: number): Promise<{ finished: number; interrupted: number }>;
  /** Interactions being handled now. */
  readonly active: number;
}

/** What a demo may ask of its interaction, answered by the responder. */
function sessionFor(responder: Responder, log: Logger): ResponseSession {
  return {
    get state() {
      return responder.state;
    },
    defer: () => responder.defer(),
    progress: (what, expectedMs, options) => startProgress(responder, log, what, expectedMs, options),
  };
}

/**
 * The single dispatch point: every interaction enters here, is looked up in the registry, checked
 * (arguments, cooldowns, caps), run, and — whatever happens — answered or explained through the
 * one delivery pipeline. A handler that throws is logged with the interaction id and the user gets
 * an ephemeral apology; the bot keeps running.
 */
export function createDispatcher(
  ctx: BotContext,
  commands: CommandRegistry,
  components: ComponentRegistry,
): Dispatcher {
  /** Every interaction being handled, so a shutdown can finish or answer each one. */
  const active = new Map<string, { responder: Responder; done: Promise<void> }>();
  let closing = false;
  const responderFor = (interaction: CommandInteraction, trace: InteractionTrace) =>
    new Responder(interaction, trace, (at) => ctx.measure.recordAck(interaction.id, at));

  const deliveryFor = (
    interaction: CommandInteraction,
    trace: InteractionTrace,
    responder: Responder,
    log: Logger,
  ): Delivery => ({
    ctx,
    responder,
    trace,
    user: { id: interaction.user.id, name: interaction.user.username },
    channelId: interaction.channelId ?? null,
    log,
    end: {},
  });

  /** Sends a result; a failure to send is logged and apologised for, never thrown. */
  async function send(result: CommandResult, delivery: Delivery): Promise<void> {
    try {
      await deliver(result, delivery);
    } catch (error) {
      delivery.log.error({ err: error }, 'could not deliver the answer');
      await apologise(delivery);
    }
  }

  /** Runs command `name` for `interaction` (a slash command or a "try it" button). */
  async function runCommand(
    interaction: CommandInteraction,
    name: string,
    options: readonly GivenOption[],
    trace: InteractionTrace,
    delivery: Delivery,
  ): Promise<void> {
    const { log } = delivery;
    const command = commands.get(name);
    if (!command) {
      log.warn('unknown command');
      delivery.end.refused = true;
      await send(
        ephemeral(
          `I don't know \`/${name.slice(0, CommandLimits.name)}\`. It may come from an older version of LoopLab whose commands are still cached by Discord. Try \`/explain\` to see what I can do.`,
        ),
        delivery,
      );
      return;
    }
    const definition = effectiveDefinition(command.definition, ctx.config.maxBlockMs);
    const parsed = parseArgs(definition, options);
    if (!parsed.ok) {
      log.info({ problem: parsed.problem }, 'rejected arguments');
      delivery.end.refused = true;
      await send(ephemeral(`That didn't work: ${parsed.problem}`), delivery);
      return;
    }
    const shown = Object.values(parsed.args).filter((v) => v !== undefined);
    const holder: Holder = {
      interactionId: interaction.id,
      command: name,
      user: interaction.user.username,
      userId: interaction.user.id,
      label: [`/${name}`, ...shown].join(' '),
    };
    const guildId = interaction.guildId ?? null;
    let ticket: Ticket | null = null;
    if (command.demo) {
      const settings = await ctx.classroom.settings(guildId).catch((error) => {
        // A store that stopped answering must not cost anyone their interaction: the operator's
        // settings apply until it is back.
        log.error({ err: error }, 'could not read the classroom settings; using the operator defaults');
        return resolveSettings(ctx.config, {});
      });
      const ms = parsed.args.ms;
      const admission = ctx.classroom.policy.admit(
        {
          guildId,
          userId: holder.userId,
          userName: holder.user,
          label: holder.label,
          ...(typeof ms === 'number' ? { ms } : {}),
          mainThreadMs: command.mainThreadMs?.(parsed.args as never) ?? 0,
        },
        settings,
      );
      if (!admission.ok) {
        log.info(
          { refusal: admission.kind, reason: admission.reason },
          'demo refused by the classroom policy',
        );
        delivery.end.refused = true;
        await send(ephemeral(admission.reason), delivery);
        return;
      }
      ticket = admission.ticket;
      ctx.inFlight.set(interaction.id, { ...holder, startedAt: Date.now(), guildId });
    }
    const run: CommandRun = {
      args: parsed.args,
      ctx,
      trace,
      session: sessionFor(delivery.responder, log),
      holder,
      user: delivery.user,
      channelId: delivery.channelId,
      guildId,
      memberPermissions: interaction.memberPermissions?.bitfield ?? null,
      log,
    };
    trace.mark('handlerStart');
    let result: CommandResult;
    try {
      result = await command.execute(run as CommandRun<never>);
    } catch (error) {
      log.error({ err: error }, 'command failed');
      await apologise(delivery);
      return;
    } finally {
      // The work is over: its slot frees and the person's cooldown starts now, not when the
      // report has been delivered.
      ctx.inFlight.delete(interaction.id);
      if (ticket) ctx.classroom.policy.finish(ticket);
    }
    await send(result, delivery);
  }

  async function onChatInput(interaction: ChatInputCommandInteraction, delivery: Delivery) {
    const { trace } = delivery;
    await runCommand(interaction, interaction.commandName, interaction.options.data, trace, delivery);
  }

  async function onComponent(interaction: MessageComponentInteraction, delivery: Delivery) {
    const { trace, log } = delivery;
    let result: Awaited<ReturnType<ComponentRegistry['handle']>>;
    try {
      result = await components.handle(interaction.customId, {
        ctx,
        trace,
        user: delivery.user,
        log,
        isButton: interaction.isButton(),
      });
    } catch (error) {
      log.error({ err: error }, 'component handler failed');
      await apologise(delivery);
      return;
    }
    if (!result) {
      delivery.end.refused = true;
      await send(
        ephemeral(
          'This button belongs to an older LoopLab message or another app, so I can’t act on it. Run the command again to get fresh buttons.',
        ),
        delivery,
      );
    } else if (result.type === 'run') {
      const definition = commands.get(result.command)?.definition;
      const options = Object.entries(result.options).map(([name, value]) => ({
        name,
        type: definition?.options?.find((o) => o.name === name)?.type,
        value,
      }));
      await runCommand(interaction, result.command, options, trace, {
        ...delivery,
        log: log.child({ command: result.command }),
      });
    } else {
      await send(result, delivery);
    }
  }

  async function handle(interaction: CommandInteraction, trace: InteractionTrace): Promise<void> {
    const log = ctx.logger.child({
      interactionId: interaction.id,
      ...(interaction.isChatInputCommand()
        ? { command: interaction.commandName }
        : { customId: interaction.customId }),
      userId: interaction.user.id,
    });
    const responder = responderFor(interaction, trace);
    const delivery = deliveryFor(interaction, trace, responder, log);
    const command = interaction.isChatInputCommand() ? interaction.commandName : 'component';
    try {
      if (closing) {
        log.info('refused: shutting down');
        delivery.end.refused = true;
        await send(ephemeral(RESTARTING), delivery);
        return;
      }
      const done = interaction.isChatInputCommand()
        ? onChatInput(interaction, delivery)
        : onComponent(interaction as MessageComponentInteraction, delivery);
      active.set(interaction.id, { responder, done });
      try {
        await done;
      } finally {
        active.delete(interaction.id);
      }
    } finally {
      const outcome = outcomeOf(delivery);
      const { created, ackConfirmed } = trace.marks;
      const firstResponseMs = ackConfirmed !== undefined ? ackConfirmed - created : null;
      ctx.telemetry.interaction({ command, outcome, firstResponseMs });
      log.info({ outcome, firstResponseMs }, `interaction ${outcome}`);
    }
  }

  const dispatch = async function dispatch(interaction: Interaction): Promise<void> {
    const received = Date.now();
    try {
      const trace = new InteractionTrace(interaction.id, received, ctx.measure.clock.correctionMs);
      const owner = {
        interactionId: interaction.id,
        command: interaction.isCommand() ? interaction.commandName : 'component',
        userId: interaction.user.id,
      };
      await runAs(owner, async () => {
        if (interaction.isChatInputCommand() || interaction.isMessageComponent())
          await handle(interaction, trace);
        else if (interaction.isAutocomplete()) await interaction.respond([]);
      });
    } catch (error) {
      // Last resort: never let one interaction's failure reach the event emitter.
      ctx.logger.error({ err: error, interactionId: interaction.id }, 'interaction dispatch failed');
    }
  } as Dispatcher;

  dispatch.drain = async (graceMs) => {
    closing = true;
    const waiting = [...active.values()];
    const settled = Promise.allSettled(waiting.map((a) => a.done));
    await Promise.race([settled, sleep(graceMs)]);
    const left = [...active.values()];
    await Promise.allSettled(
      left.map(async ({ responder }) => {
        // Whatever the command does next is not sent: it would only confuse the message below.
        if (responder.state === 'deferred')
          await responder.seal({ content: RESTARTED, embeds: [], files: [] });
        else if (responder.state === 'pending')
          await responder.seal({ content: RESTARTING, ephemeral: true });
        else responder.seal();
      }),
    );
    return { finished: waiting.length - left.length, interrupted: left.length };
  };
  Object.defineProperty(dispatch, 'active', { get: () => active.size });
  return dispatch;
}

/** How an interaction ended, from what the responder saw and what the pipeline noted. */
function outcomeOf({ responder, end }: Delivery): InteractionOutcome {
  if (end.failed) return 'failed';
  switch (responder.state) {
    case 'expired':
      return 'expired';
    case 'edit-expired':
      return 'edit-expired';
    case 'acked-elsewhere':
      return 'acked-elsewhere';
    case 'pending':
      return 'failed';
    default:
      if (end.refused) return 'refused';
      return responder.state === 'deferred' ? 'deferred' : 'answered';
  }
}

/** The apology, sent the way the response's state still allows. */
async function apologise({ responder, log, end }: Delivery): Promise<void> {
  end.failed = true;
  try {
    if (responder.state === 'pending') await responder.reply({ content: APOLOGY, ephemeral: true });
    // A deferred reply is replaced by the apology (a follow-up would leave "thinking…" forever).
    else if (responder.state === 'deferred')
      await responder.edit({ content: APOLOGY, embeds: [], components: [], files: [] });
    else if (responder.state === 'replied') await responder.followUp({ content: APOLOGY, ephemeral: true });
  } catch (error) {
    log.warn({ err: error }, 'could not send the apology');
  }
}
