import {
  type ApplicationCommandOptionType,
  type ChatInputCommandInteraction,
  type Interaction,
  type InteractionReplyOptions,
  type MessageComponentInteraction,
  MessageFlags,
} from 'discord.js';
import type { BotContext } from '../bot/context.js';
import { parseArgs } from '../discord/options.js';
import type { Logger } from '../log/logger.js';
import type { Holder } from '../measure/main-thread.js';
import { InteractionTrace } from '../measure/trace.js';
import type { ComponentRegistry } from './components.js';
import { effectiveDefinition } from './define.js';
import { Guards } from './guards.js';
import type { CommandRegistry } from './registry.js';
import { Responder } from './respond.js';
import type { CommandInteraction, CommandRun } from './run.js';

const ephemeral = (content: string): InteractionReplyOptions => ({ content, flags: MessageFlags.Ephemeral });

type RawOption = { name: string; type: number; value?: unknown };

/**
 * The single dispatch point: every interaction enters here, is looked up in the registry, checked
 * (arguments, cooldowns, caps), run, and — whatever happens — answered or explained. A handler
 * that throws is logged with the interaction id and the user gets an ephemeral apology; the bot
 * keeps running.
 */
export function createDispatcher(ctx: BotContext, commands: CommandRegistry, components: ComponentRegistry) {
  const guards = new Guards(ctx.config);
  const responderFor = (interaction: CommandInteraction, trace: InteractionTrace) =>
    new Responder(interaction, trace, (at) => {
      ctx.acks.push({ at, interactionId: interaction.id });
      if (ctx.acks.length > 1_000) ctx.acks.shift();
    });

  /** Runs command `name` for `interaction` (a slash command or a "try it" button). */
  async function runCommand(
    interaction: CommandInteraction,
    name: string,
    options: readonly RawOption[],
    trace: InteractionTrace,
    respond: Responder,
    log: Logger,
  ): Promise<void> {
    const command = commands.get(name);
    if (!command) {
      log.warn('unknown command');
      await respond.reply(
        ephemeral(
          `I don't know \`/${name}\`. It may come from an older version of LoopLab whose commands are still cached by Discord. Try \`/explain\` to see what I can do.`,
        ),
      );
      return;
    }
    const definition = effectiveDefinition(command.definition, ctx.config.maxBlockMs);
    const parsed = parseArgs(definition, options);
    if (!parsed.ok) {
      log.info({ problem: parsed.problem }, 'rejected arguments');
      await respond.reply(ephemeral(`That didn't work: ${parsed.problem}`));
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
        await respond.reply(ephemeral(refusal));
        return;
      }
      ctx.inFlight.set(interaction.id, { ...holder, startedAt: Date.now() });
    }
    const run: CommandRun = { interaction, args: parsed.args, ctx, trace, respond, holder, log };
    trace.mark('handlerStart');
    try {
      await command.execute(run as CommandRun<never>);
    } catch (error) {
      log.error({ err: error }, 'command failed');
      await apologise(respond, log);
    } finally {
      ctx.inFlight.delete(interaction.id);
    }
  }

  async function onChatInput(
    interaction: ChatInputCommandInteraction,
    trace: InteractionTrace,
  ): Promise<void> {
    const log = ctx.logger.child({
      interactionId: interaction.id,
      command: interaction.commandName,
      userId: interaction.user.id,
    });
    const respond = responderFor(interaction, trace);
    await runCommand(interaction, interaction.commandName, interaction.options.data, trace, respond, log);
  }

  async function onComponent(
    interaction: MessageComponentInteraction,
    trace: InteractionTrace,
  ): Promise<void> {
    const log = ctx.logger.child({
      interactionId: interaction.id,
      customId: interaction.customId,
      userId: interaction.user.id,
    });
    const respond = responderFor(interaction, trace);
    try {
      const handled = await components.handle(interaction, {
        ctx,
        trace,
        respond,
        log,
        commands,
        runCommand: (name, options) =>
          runCommand(
            interaction,
            name,
            toRawOptions(name, options),
            trace,
            respond,
            log.child({ command: name }),
          ),
      });
      if (!handled) {
        await respond.reply(
          ephemeral(
            'This button belongs to an older LoopLab message or another app, so I can’t act on it. Run the command again to get fresh buttons.',
          ),
        );
      }
    } catch (error) {
      log.error({ err: error }, 'component handler failed');
      await apologise(respond, log);
    }
  }

  function toRawOptions(name: string, options: Record<string, string | number | boolean>): RawOption[] {
    const definition = commands.get(name)?.definition;
    return Object.entries(options).map(([key, value]) => ({
      name: key,
      type: (definition?.options?.find((o) => o.name === key)?.type ?? 3) as ApplicationCommandOptionType,
      value,
    }));
  }

  return async function dispatch(interaction: Interaction): Promise<void> {
    const received = Date.now();
    try {
      const trace = new InteractionTrace(interaction.id, received, ctx.clock.correctionMs);
      if (interaction.isChatInputCommand()) await onChatInput(interaction, trace);
      else if (interaction.isMessageComponent()) await onComponent(interaction, trace);
      else if (interaction.isAutocomplete()) await interaction.respond([]);
    } catch (error) {
      // Last resort: never let one interaction's failure reach the event emitter.
      ctx.logger.error({ err: error, interactionId: interaction.id }, 'interaction dispatch failed');
    }
  };
}

async function apologise(respond: Responder, log: Logger): Promise<void> {
  const text =
    'Sorry, something went wrong on my side while running that. It has been logged; please try again in a moment.';
  try {
    if (respond.state === 'pending') await respond.reply(ephemeral(text));
    // A deferred reply is replaced by the apology (a follow-up would leave "thinking…" forever).
    else if (respond.state === 'deferred')
      await respond.edit({ content: text, embeds: [], attachments: [], components: [] });
    else if (respond.state === 'replied') await respond.followUp(ephemeral(text));
  } catch (error) {
    log.warn({ err: error }, 'could not send the apology');
  }
}
