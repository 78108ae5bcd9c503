import type { APIActionRowComponent, APIComponentInMessageActionRow, APIEmbed } from 'discord-api-types/v10';
import type { Logger } from '../log/logger.js';
import type { Holder } from '../measure/main-thread.js';
import type { InteractionTrace } from '../measure/trace.js';
import type { BotContext } from './context.js';
import type { DemoOutcome } from './outcome.js';

/** A file to attach (a PNG chart). */
export interface OutgoingFile {
  name: string;
  data: Buffer;
}

/** A message as plain data: what a report or a lesson produces and the router sends. */
export interface OutgoingMessage {
  content?: string;
  embeds?: APIEmbed[];
  components?: APIActionRowComponent<APIComponentInMessageActionRow>[];
  files?: OutgoingFile[];
  /** Only the user sees it (replies only: Discord fixes this at the first response). */
  ephemeral?: boolean;
}

/**
 * A picture that follows its message: the router sends the words first when the 3 s clock is
 * still running, then edits the picture in as the first embed's image.
 */
export interface Picture {
  name: string;
  render(): Promise<Buffer>;
}

/** Where a response stands with Discord. */
export type ResponseState =
  | 'pending'
  | 'replied'
  | 'deferred'
  | 'expired'
  | 'acked-elsewhere'
  | 'edit-expired';

export interface Progress {
  /** Shows one line now (e.g. between /compare's rows), in order with the periodic ones. */
  note(line: string): void;
  /** Stops the updates and waits for any edit in flight, so the report's edit comes last. */
  stop(): Promise<void>;
}

/**
 * What a demo may ask of the interaction while it runs. The router implements it and owns every
 * send: demos ask, they never talk to Discord themselves.
 */
export interface ResponseSession {
  readonly state: ResponseState;
  /** The first response: "LoopLab is thinking…". False when Discord refused it (token dead, or answered elsewhere). */
  defer(): Promise<boolean>;
  /**
   * Edits the deferred reply while long work keeps the event loop free: every 2.5 s for work of
   * 5 s or more (`periodic`), and whatever `note()` says; nothing for short work.
   */
  progress(what: string, expectedMs: number, options?: { periodic?: boolean }): Progress;
}

/** One execution of a slash command: everything a command's `execute` needs. */
export interface CommandRun<Args = Record<string, unknown>> {
  args: Args;
  ctx: BotContext;
  trace: InteractionTrace;
  session: ResponseSession;
  /** Who this run is, for the main-thread ledger ("/block 2000 cpu" by alice). */
  holder: Holder;
  user: { id: string; name: string };
  channelId: string | null;
  guildId: string | null;
  /** The member's permissions in this channel (a bit set), or null outside a guild. */
  memberPermissions: bigint | null;
  log: Logger;
}

/**
 * What a command or a button hands back to the router, which sends it the way Discord still
 * allows: as the first response, as an edit of the deferred reply, or (a report whose token died)
 * as a channel message that explains why.
 */
export type CommandResult =
  /** A demo's measured report: the router takes the snapshot, the report writes it. */
  | { type: 'report'; outcome: DemoOutcome }
  /** A message (reply, or edit of the deferred reply), optionally with a picture that follows. */
  | { type: 'message'; message: OutgoingMessage; picture?: Picture }
  /** A button's answer: replaces the message the button is on. */
  | { type: 'update'; message: OutgoingMessage }
  /** A message that changes: the first frame is the reply, each next one an edit (awaited in turn). */
  | { type: 'live'; frames: AsyncIterable<OutgoingMessage> }
  /** Nothing more to send (the token died before the command could answer). */
  | { type: 'none' };

/** What a button hands back: any command result, or "run this command" (a lesson's "try it"). */
export type ComponentResult =
  | CommandResult
  | { type: 'run'; command: string; options: Record<string, string | number | boolean> };

/** A button press on one of our messages. */
export interface ComponentRun {
  ctx: BotContext;
  trace: InteractionTrace;
  user: { id: string; name: string };
  log: Logger;
  isButton: boolean;
}

export interface ComponentHandler {
  /** The first part after the prefix, e.g. "explain" in "ll1:explain:page:blocking". */
  name: string;
  /** Null when the id's remaining parts are not valid for this handler (stale or forged). */
  handle(parts: string[], run: ComponentRun): Promise<ComponentResult | null>;
}
