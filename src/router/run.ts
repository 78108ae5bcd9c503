import type { ChatInputCommandInteraction, MessageComponentInteraction } from 'discord.js';
import type { BotContext } from '../bot/context.js';
import type { Logger } from '../log/logger.js';
import type { Holder } from '../measure/main-thread.js';
import type { InteractionTrace } from '../measure/trace.js';
import type { Responder } from './respond.js';

/** What starts a command: the slash command itself, or a "try it" button that runs one. */
export type CommandInteraction = ChatInputCommandInteraction | MessageComponentInteraction;

/** One execution of a slash command: everything a command's `execute` needs. */
export interface CommandRun<Args = Record<string, unknown>> {
  interaction: CommandInteraction;
  args: Args;
  ctx: BotContext;
  trace: InteractionTrace;
  respond: Responder;
  /** Who this run is, for the main-thread ledger ("/block 2000 (cpu) by alice"). */
  holder: Holder;
  log: Logger;
}
