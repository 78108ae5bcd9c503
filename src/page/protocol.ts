/**
 * What the classroom page's live feed carries (server → browser, over Server-Sent Events) and what
 * the bot's main thread tells the sandbox's thread about itself (when LoopLab is the bot in-process).
 * Plain data only: the browser bundle imports these types, nothing else of the server.
 */

/** One registered command option, as the composer offers it. */
export interface PageOption {
  name: string;
  description: string;
  /** The option's kind, by name (the page needs no Discord numbers). */
  type: string;
  required: boolean;
  min?: number;
  max?: number;
  choices?: Array<{ name: string; value: string | number }>;
  options?: PageOption[];
}

export interface PageCommand {
  name: string;
  description: string;
  options: PageOption[];
}

export interface PageButton {
  customId: string | null;
  label: string;
  /** primary, secondary, success, danger or link. */
  style: string;
  disabled: boolean;
  url: string | null;
}

export interface PageEmbed {
  title?: string;
  description?: string;
  color?: number;
  fields: Array<{ name: string; value: string; inline: boolean }>;
  footer?: string;
  /** Resolved to a URL the page can load (an `attachment://` image points at the stored file). */
  image?: string;
}

export interface PageMessage {
  id: string;
  author: string;
  bot: boolean;
  content: string;
  embeds: PageEmbed[];
  /** Images attached and not shown inside an embed. */
  images: Array<{ url: string; filename: string }>;
  buttons: PageButton[][];
  ephemeral: boolean;
  /** Discord's "loading" flag: a deferred reply not edited yet ("… is thinking…"). */
  loading: boolean;
  createdAt: number;
  editedAt: number | null;
  edits: number;
  interactionId: string | null;
}

/** What Discord's side saw of one interaction, from the sandbox's own records only. */
export interface PageInteraction {
  id: string;
  user: string;
  /** "/block ms:4000", or "pressed a button". */
  label: string;
  kind: 'command' | 'component' | 'other';
  status: 'pending' | 'replied' | 'deferred' | 'failed';
  createdAt: number;
  deadlineAt: number;
  /** INTERACTION_CREATE written to the bot's connection. */
  dispatchedAt: number | null;
  /** The first response (reply or defer) accepted. */
  respondedAt: number | null;
  callbackType: number | null;
  failedAt: number | null;
  /** A response that came too late (10062) or was refused, when it arrived. */
  refusals: Array<{ at: number; code: number; message: string }>;
  /** Times the original response was edited (sandbox clock). */
  edits: number[];
  originalMessageId: string | null;
}

export interface PageChannel {
  type: 'channel';
  botName: string;
  channelName: string;
  guildName: string;
  commands: PageCommand[];
  messages: PageMessage[];
  interactions: PageInteraction[];
}

/** The bot's main thread, in its own words (posted every half second when it can post at all). */
export interface BotStats {
  type: 'bot-stats';
  at: number;
  loopDelay10s: { p50: number; p99: number; max: number };
  elu10s: number;
  pool: {
    threads: number;
    queueSize: number;
    utilization: number;
    completed: number;
    /** Over the pool tasks of the last minute (at most the last 100): mean queue wait and run, ms. */
    recent: { tasks: number; waitMs: number; runMs: number };
  } | null;
  settings: Array<{ name: string; value: string; source: string }> | null;
}

export interface PageLive {
  type: 'live';
  /** The sandbox's clock ("Discord's"), ms. */
  now: number;
  bot: {
    name: string;
    /** Gateway sessions connected to the sandbox right now. */
    connected: boolean;
    /** LoopLab itself, in this process: its main thread's own numbers are below. */
    inProcess: boolean;
    /** The connected client libraries, as they named themselves at IDENTIFY ("discord.js", "discord.py"…). */
    libraries: string[];
  };
  /** How long the bot's main thread has not beaten, now (ms), or null (no heartbeat shared: another process). */
  stallMs: number | null;
  /** Who holds the bot's main thread right now ("running /block 4000 by alice"), when it says. */
  holder: string | null;
  /** Main-thread delay over the last 60 s, one point per 250 ms: [age before now in ms, delay ms]. */
  delaySeries: Array<[number, number]>;
  stats: Omit<BotStats, 'type'> | null;
  /** How long ago the bot's main thread posted `stats` (it cannot while it is blocked). */
  statsAgeMs: number | null;
  /** Interactions not settled yet. */
  inFlight: Array<{ id: string; user: string; label: string; status: string; deadlineInMs: number }>;
  /** From Discord's side only: responses bunched after a silence. */
  hint: string | null;
}

export type PageEvent = PageChannel | PageLive;

/**
 * The shared heartbeat: BigInt64 slot 0 is the bot main thread's last beat (Date.now()), slot 1 the
 * length of the label of who holds the main thread (0: nobody), then the label as UTF-8.
 */
export const HEARTBEAT_SLOTS = 2;
export const HOLDER_LABEL_BYTES = 200;
export const HEARTBEAT_BYTES = HEARTBEAT_SLOTS * 8 + HOLDER_LABEL_BYTES;
/** How often the bot's main thread beats into the shared memory. */
export const HEARTBEAT_MS = 50;
