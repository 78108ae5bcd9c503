import type { ChatInputCommandInteraction, Interaction, MessageComponentInteraction } from 'discord.js';
import type { BotContext } from '../contracts/context.js';
import type { CommandResult, CommandRun, ResponseSession } from '../contracts/run.js';
import { type GivenOption, parseArgs } from '../discord/options.js';
import type { Logger } from '../log/logger.js';
import type { Holder } from '../measure/main-thread.js';
import { InteractionTrace } from '../measure/trace.js';
import type { ComponentRegistry } from './components.js';
import { effectiveDefinition } from './define.js';
import { type Delivery, deliver } from './deliver.js';
import { Guards } from './guards.js';
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
export function createDispatcher(ctx: BotContext, commands: CommandRegistry, components: ComponentRegistry) {
  const guards = new Guards(ctx.config);
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
      await send(
        ephemeral(
          `I don't know \`/${name}\`. It may come from an older version of LoopLab whose commands are still cached by Discord. Try \`/explain\` to see what I can do.`,
        ),
        delivery,
      );
      return;
    }
    const definition = effectiveDefinition(command.definition, ctx.config.maxBlockMs);
    const parsed = parseArgs(definition, options);
    if (!parsed.ok) {
      log.info({ problem: parsed.problem }, 'rejected arguments');
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
    if (command.demo) {
      const refusal = guards.admit(holder, ctx.inFlight);
      if (refusal) {
        log.info({ refusal }, 'demo refused by a guard');
        await send(ephemeral(refusal), delivery);
        return;
      }
      ctx.inFlight.set(interaction.id, { ...holder, startedAt: Date.now() });
    }
    const run: CommandRun = {
      args: parsed.args,
      ctx,
      trace,
      session: sessionFor(delivery.responder, log),
      holder,
      user: delivery.user,
      channelId: delivery.channelId,
      guildId: interaction.guildId ?? null,
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
      // The work is over: its slot frees now, not when its report has been delivered.
      ctx.inFlight.delete(interaction.id);
    }
    await send(result, delivery);
  }

  async function onChatInput(interaction: ChatInputCommandInteraction, trace: InteractionTrace) {
    const log = ctx.logger.child({
      interactionId: interaction.id,
      command: interaction.commandName,
      userId: interaction.user.id,
    });
    const delivery = deliveryFor(interaction, trace, responderFor(interaction, trace), log);
    await runCommand(interaction, interaction.commandName, interaction.options.data, trace, delivery);
  }

  async function onComponent(interaction: MessageComponentInteraction, trace: InteractionTrace) {
    const log = ctx.logger.child({
      interactionId: interaction.id,
      customId: interaction.customId,
      userId: interaction.user.id,
    });
    const delivery = deliveryFor(interaction, trace, responderFor(interaction, trace), log);
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

  return async function dispatch(interaction: Interaction): Promise<void> {
    const received = Date.now();
    try {
      const trace = new InteractionTrace(interaction.id, received, ctx.measure.clock.correctionMs);
      if (interaction.isChatInputCommand()) await onChatInput(interaction, trace);
      else if (interaction.isMessageComponent()) await onComponent(interaction, trace);
      else if (interaction.isAutocomplete()) await interaction.respond([]);
    } catch (error) {
      // Last resort: never let one interaction's failure reach the event emitter.
      ctx.logger.error({ err: error, interactionId: interaction.id }, 'interaction dispatch failed');
    }
  };
}

/** The apology, sent the way the response's state still allows. */
async function apologise({ responder, log }: Delivery): Promise<void> {
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
