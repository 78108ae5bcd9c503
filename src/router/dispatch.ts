import {
  type ChatInputCommandInteraction,
  type Interaction,
  type InteractionReplyOptions,
  type MessageComponentInteraction,
  MessageFlags,
} from 'discord.js';
import type { BotContext } from '../bot/context.js';
import type { Holder } from '../measure/main-thread.js';
import { InteractionTrace } from '../measure/trace.js';
import type { ComponentRegistry } from './components.js';
import { effectiveDefinition, parseArgs } from './define.js';
import { Guards } from './guards.js';
import type { CommandRegistry } from './registry.js';
import { isApiError, Responder } from './respond.js';
import type { CommandRun } from './run.js';

const ephemeral = (content: string): InteractionReplyOptions => ({ content, flags: MessageFlags.Ephemeral });

/**
 * The single dispatch point: every interaction enters here, is looked up in the registry, checked
 * (arguments, cooldowns, caps), run, and — whatever happens — answered or explained. A handler
 * that throws is logged with the interaction id and the user gets an ephemeral apology; the bot
 * keeps running.
 */
export function createDispatcher(ctx: BotContext, commands: CommandRegistry, components: ComponentRegistry) {
  const guards = new Guards(ctx.config);

  async function onChatInput(
    interaction: ChatInputCommandInteraction,
    trace: InteractionTrace,
  ): Promise<void> {
    const respond = new Responder(interaction, trace);
    const log = ctx.logger.child({
      interactionId: interaction.id,
      command: interaction.commandName,
      userId: interaction.user.id,
    });
    const command = commands.get(interaction.commandName);
    if (!command) {
      log.warn('unknown command');
      await respond.reply(
        ephemeral(
          `I don't know \`/${interaction.commandName}\`. It may come from an older version of LoopLab whose commands are still cached by Discord. Try \`/explain\` to see what I can do.`,
        ),
      );
      return;
    }
    const definition = effectiveDefinition(command.definition, ctx.config.maxBlockMs);
    const parsed = parseArgs(definition, interaction.options.data);
    if (!parsed.ok) {
      log.info({ problem: parsed.problem }, 'rejected arguments');
      await respond.reply(ephemeral(`That didn't work: ${parsed.problem}`));
      return;
    }
    const shown = Object.values(parsed.args).filter((v) => v !== undefined);
    const holder: Holder = {
      interactionId: interaction.id,
      command: interaction.commandName,
      user: interaction.user.username,
      userId: interaction.user.id,
      label: [`/${interaction.commandName}`, ...shown].join(' '),
    };
    if (command.demo) {
      const refusal = guards.admit(holder, ctx.inFlight);
      if (refusal) {
        log.info({ refusal }, 'demo refused by a guard');
        await respond.reply(ephemeral(refusal));
        return;
      }
      ctx.inFlight.set(interaction.id, {
        interactionId: interaction.id,
        label: holder.label,
        user: holder.user,
        userId: holder.userId,
        startedAt: Date.now(),
      });
    }
    const run: CommandRun = { interaction, args: parsed.args, ctx, trace, respond, holder, log };
    trace.mark('handlerStart');
    try {
      await command.execute(run as CommandRun<never>);
    } catch (error) {
      log.error({ err: error }, 'command failed');
      await apologise(interaction, respond, log);
    } finally {
      ctx.inFlight.delete(interaction.id);
    }
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
    const respond = new Responder(interaction, trace);
    try {
      const handled = await components.handle(interaction, { ctx, trace, respond, log, commands });
      if (!handled) {
        await respond.reply(
          ephemeral(
            'This button belongs to an older LoopLab message or another app, so I can’t act on it. Run the command again to get fresh buttons.',
          ),
        );
      }
    } catch (error) {
      log.error({ err: error }, 'component handler failed');
      await apologise(interaction, respond, log);
    }
  }

  return async function dispatch(interaction: Interaction): Promise<void> {
    const received = Date.now();
    const trace = new InteractionTrace(interaction.id, received, ctx.clock.offsetMs);
    try {
      if (interaction.isChatInputCommand()) await onChatInput(interaction, trace);
      else if (interaction.isMessageComponent()) await onComponent(interaction, trace);
      else if (interaction.isAutocomplete()) await interaction.respond([]);
    } catch (error) {
      // Last resort: never let one interaction's failure reach the event emitter.
      ctx.logger.error({ err: error, interactionId: interaction.id }, 'interaction dispatch failed');
    }
  };
}

async function apologise(
  interaction: ChatInputCommandInteraction | MessageComponentInteraction,
  respond: Responder,
  log: BotContext['logger'],
): Promise<void> {
  const text =
    'Sorry, something went wrong on my side while running that. It has been logged; please try again in a moment.';
  try {
    if (respond.state === 'pending') await respond.reply(ephemeral(text));
    else if (respond.state === 'deferred' || respond.state === 'replied')
      await interaction.followUp(ephemeral(text));
  } catch (error) {
    if (!isApiError(error, 10062) && !isApiError(error, 50027))
      log.warn({ err: error }, 'could not send the apology');
  }
}
