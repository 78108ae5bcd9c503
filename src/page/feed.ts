/**
 * The classroom page's view of the sandbox, built on the sandbox's thread from the sandbox's own
 * records only (what Discord's side sees of any bot), plus — when LoopLab runs in this process —
 * the heartbeat its main thread beats into shared memory and the numbers it posts.
 */
import {
  type APIApplicationCommandOption,
  type APIEmbed,
  type APIMessageTopLevelComponent,
  ApplicationCommandOptionType,
  ButtonStyle,
  ComponentType,
} from 'discord-api-types/v10';
import { ErrorCode, MessageFlag } from '../discord/facts.js';
import type { InteractionRecord } from '../sandbox/interaction-store.js';
import type { RunningSandbox } from '../sandbox/server.js';
import type { StoredMessage } from '../sandbox/stored.js';
import type {
  BotStats,
  PageButton,
  PageChannel,
  PageCommand,
  PageEmbed,
  PageInteraction,
  PageLive,
  PageMessage,
  PageOption,
} from './protocol.js';
import { HEARTBEAT_MS, HEARTBEAT_SLOTS, HOLDER_LABEL_BYTES } from './protocol.js';

/** How much of the channel the page shows. */
const SHOWN_MESSAGES = 60;
const SHOWN_INTERACTIONS = 60;
/** The live chart: 60 s, one point per 250 ms. */
export const SERIES_POINT_MS = 250;
const SERIES_POINTS = 240;
/** Two answers closer than this, both after waiting this long: the bot's loop looks blocked. */
const BUNCH_MS = 250;
const SILENCE_MS = 1_000;
/** How long an unanswered interaction keeps the "no answer yet" hint up. */
const WAITING_HINT_MS = 30_000;
/** Bot numbers older than this are not shown as current. */
const STATS_STALE_MS = 5_000;

const OPTION_TYPES: Partial<Record<number, string>> = {
  [ApplicationCommandOptionType.Subcommand]: 'subcommand',
  [ApplicationCommandOptionType.SubcommandGroup]: 'group',
  [ApplicationCommandOptionType.String]: 'string',
  [ApplicationCommandOptionType.Integer]: 'integer',
  [ApplicationCommandOptionType.Boolean]: 'boolean',
  [ApplicationCommandOptionType.Number]: 'number',
  [ApplicationCommandOptionType.User]: 'user',
};

export class PageFeed {
  readonly #series: Array<[number, number]> = [];
  #bucketStart = Date.now();
  #bucketMax = 0;
  #stats: BotStats | null = null;
  readonly #beat: BigInt64Array | null;
  readonly #label: Uint8Array | null;
  readonly #decoder = new TextDecoder();

  constructor(
    private readonly sandbox: RunningSandbox,
    heartbeat: SharedArrayBuffer | null,
  ) {
    this.#beat = heartbeat ? new BigInt64Array(heartbeat, 0, HEARTBEAT_SLOTS) : null;
    this.#label = heartbeat ? new Uint8Array(heartbeat, HEARTBEAT_SLOTS * 8, HOLDER_LABEL_BYTES) : null;
  }

  /** The bot posted its numbers (it can only do so while its loop runs). */
  botStats(stats: BotStats): void {
    this.#stats = stats;
  }

  /** How long the bot's main thread has been silent beyond its beat, now; null without a shared heartbeat. */
  stallMs(now = Date.now()): number | null {
    if (!this.#beat) return null;
    const last = Number(Atomics.load(this.#beat, 0));
    if (last === 0) return null;
    return Math.max(0, now - last - HEARTBEAT_MS);
  }

  /** Who holds the bot's main thread now, by its own word (null: nobody, or no shared heartbeat). */
  holder(): string | null {
    if (!this.#beat || !this.#label) return null;
    const length = Number(Atomics.load(this.#beat, 1));
    if (length <= 0) return null;
    return this.#decoder.decode(this.#label.slice(0, Math.min(length, HOLDER_LABEL_BYTES)));
  }

  /** Called often (every 50 ms) on the sandbox's thread: keeps the 60 s series of the stall. */
  sample(now = Date.now()): void {
    const stall = this.stallMs(now);
    if (stall === null) return;
    this.#bucketMax = Math.max(this.#bucketMax, stall);
    if (now - this.#bucketStart >= SERIES_POINT_MS) {
      this.#series.push([this.#bucketStart + SERIES_POINT_MS, this.#bucketMax]);
      if (this.#series.length > SERIES_POINTS) this.#series.splice(0, this.#series.length - SERIES_POINTS);
      this.#bucketStart = now;
      this.#bucketMax = stall;
    }
  }

  channel(): PageChannel {
    const { world, interactions } = this.sandbox;
    const messages = (world.messages.inChannel(world.channelId) ?? [])
      .filter((m) => !m.deleted)
      .slice(-SHOWN_MESSAGES)
      .map((m) => this.#message(m));
    const records = interactions
      .recent(SHOWN_INTERACTIONS * 2)
      .filter((r) => r.channelId === world.channelId && !r.raw)
      .slice(-SHOWN_INTERACTIONS);
    for (const r of records) interactions.expireIfLate(r);
    return {
      type: 'channel',
      botName: world.bot.username,
      channelName: world.channelName,
      guildName: world.guildName,
      commands: [...world.guildCommands.values(), ...world.globalCommands.values()]
        .filter((c) => c.type === undefined || c.type === 1)
        .map(
          (c): PageCommand => ({
            name: c.name,
            description: c.description,
            options: (c.options ?? []).map(pageOption),
          }),
        ),
      messages,
      interactions: records.map((r) => this.#interaction(r)),
    };
  }

  live(): PageLive {
    const { world, interactions, gateway, clock } = this.sandbox;
    const now = clock.now();
    const real = Date.now();
    const records = interactions.recent(SHOWN_INTERACTIONS).filter((r) => !r.raw);
    for (const r of records) interactions.expireIfLate(r);
    const inFlight = records
      .filter((r) => !interactions.isSettled(r))
      .map((r) => ({
        id: r.id,
        user: r.user.username,
        label: labelOf(r),
        status: r.status,
        deadlineInMs: r.status === 'pending' ? r.deadlineAt - now : 0,
      }));
    const fresh = this.#stats && real - this.#stats.at < STATS_STALE_MS ? this.#stats : null;
    const { type: _t, ...stats } = fresh ?? { type: null };
    const stall = this.stallMs(real);
    return {
      type: 'live',
      now,
      bot: {
        name: world.bot.username,
        connected: gateway.connectedSessions > 0,
        inProcess: this.#beat !== null,
        libraries: gateway.connectedLibraries,
      },
      stallMs: stall,
      holder: this.holder(),
      delaySeries: this.#series.map(([at, ms]) => [real - at, ms] as [number, number]),
      stats: fresh ? (stats as Omit<BotStats, 'type'>) : null,
      statsAgeMs: fresh ? real - fresh.at : null,
      inFlight,
      hint: blockedHint(records, now),
    };
  }

  #message(m: StoredMessage): PageMessage {
    const { world } = this.sandbox;
    const byName = new Map(m.attachments.map((a) => [a.filename, world.attachmentUrl(a)]));
    const inEmbeds = new Set<string>();
    const embeds = m.embeds.map((e) => pageEmbed(e, byName, inEmbeds));
    return {
      id: m.id,
      author: m.author.username,
      bot: m.author.bot === true,
      content: mentionsAsNames(m.content, m.mentions),
      embeds,
      images: m.attachments
        .filter((a) => a.contentType.startsWith('image/') && !inEmbeds.has(a.filename))
        .map((a) => ({ url: world.attachmentUrl(a), filename: a.filename })),
      buttons: buttonsOf(m.components),
      ephemeral: (m.flags & MessageFlag.Ephemeral) !== 0,
      loading: (m.flags & MessageFlag.Loading) !== 0,
      createdAt: m.createdAt,
      editedAt: m.editedAt,
      edits: m.edits.values().length,
      interactionId: m.interactionId,
    };
  }

  #interaction(r: InteractionRecord): PageInteraction {
    const original = r.originalMessageId ? this.sandbox.world.messages.get(r.originalMessageId) : undefined;
    return {
      id: r.id,
      user: r.user.username,
      label: labelOf(r),
      kind: r.command ? 'command' : r.customId ? 'component' : 'other',
      status: r.status,
      createdAt: r.createdAt,
      deadlineAt: r.deadlineAt,
      dispatchedAt: r.deliveredAt,
      respondedAt: r.ackedElsewhere ? null : r.ackedAt,
      callbackType: r.callbackType,
      failedAt: r.failedAt,
      refusals: r.refusals.values().map((x) => ({
        at: x.at,
        code: x.code,
        message:
          x.code === ErrorCode.UnknownInteraction
            ? `${x.code} Unknown interaction: the answer came too late`
            : `${x.code || x.status} ${x.message}`,
      })),
      edits: original && r.sourceMessageId !== original.id ? original.edits.values() : [],
      originalMessageId: r.originalMessageId,
    };
  }
}

function labelOf(r: InteractionRecord): string {
  if (r.command) {
    const options = Object.entries(r.options).map(([k, v]) => ` ${k}:${v}`);
    return `/${r.command}${options.join('')}`;
  }
  if (r.customId) return 'pressed a button';
  return 'an interaction';
}

/** Two answers (or late, refused answers) bunched together after each waited: a blocked loop's signature. */
export function blockedHint(records: readonly InteractionRecord[], now: number): string | null {
  // Delivered, and nothing back yet (not even a late answer): still silent, past its deadline too.
  const waiting = records.find(
    (r) =>
      (r.status === 'pending' || r.status === 'failed') &&
      r.ackedAt === null &&
      r.refusals.values().length === 0 &&
      r.deliveredAt !== null &&
      now - r.createdAt >= SILENCE_MS &&
      now - r.createdAt < WAITING_HINT_MS,
  );
  if (waiting) {
    return `No answer yet to ${waiting.user.username}'s ${labelOf(waiting)} after ${fmtS(now - waiting.createdAt)}: the bot's event loop looks blocked.`;
  }
  const answers = records
    .flatMap((r) => {
      const times = r.refusals
        .values()
        .filter((x) => x.code === ErrorCode.UnknownInteraction)
        .map((x) => x.at);
      if (r.ackedAt !== null && !r.ackedElsewhere) times.push(r.ackedAt);
      const first = Math.min(...times);
      return Number.isFinite(first) ? [{ r, at: first }] : [];
    })
    .filter((a) => a.at - a.r.createdAt >= SILENCE_MS && now - a.at < 60_000)
    .sort((a, b) => a.at - b.at);
  for (let i = answers.length - 1; i > 0; i--) {
    const a = answers[i - 1]!;
    const b = answers[i]!;
    if (b.at - a.at <= BUNCH_MS) {
      return `${a.r.user.username}'s and ${b.r.user.username}'s answers arrived together (${Math.round(b.at - a.at)} ms apart) after ${fmtS(a.at - a.r.createdAt)} of silence: the bot's event loop looked blocked.`;
    }
  }
  return null;
}

function fmtS(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function pageOption(o: APIApplicationCommandOption): PageOption {
  const raw = o as APIApplicationCommandOption & {
    required?: boolean;
    min_value?: number;
    max_value?: number;
    min_length?: number;
    max_length?: number;
    choices?: Array<{ name: string; value: string | number }>;
    options?: APIApplicationCommandOption[];
  };
  return {
    name: o.name,
    description: o.description,
    type: OPTION_TYPES[o.type] ?? 'string',
    required: raw.required === true,
    ...(raw.min_value !== undefined ? { min: raw.min_value } : {}),
    ...(raw.max_value !== undefined ? { max: raw.max_value } : {}),
    ...(raw.choices ? { choices: raw.choices.map((c) => ({ name: c.name, value: c.value })) } : {}),
    ...(raw.options ? { options: raw.options.map(pageOption) } : {}),
  };
}

function pageEmbed(e: APIEmbed, files: Map<string, string>, used: Set<string>): PageEmbed {
  let image: string | undefined;
  const url = e.image?.url;
  if (url?.startsWith('attachment://')) {
    const name = url.slice('attachment://'.length);
    image = files.get(name);
    if (image) used.add(name);
  } else if (url && /^(https?:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]|\/(?!\/))/.test(url)) image = url;
  return {
    ...(e.title ? { title: e.title } : {}),
    ...(e.description ? { description: e.description } : {}),
    ...(e.color !== undefined ? { color: e.color } : {}),
    fields: (e.fields ?? []).map((f) => ({ name: f.name, value: f.value, inline: f.inline === true })),
    ...(e.footer?.text ? { footer: e.footer.text } : {}),
    ...(image ? { image } : {}),
  };
}

const BUTTON_STYLES: Partial<Record<number, string>> = {
  [ButtonStyle.Primary]: 'primary',
  [ButtonStyle.Secondary]: 'secondary',
  [ButtonStyle.Success]: 'success',
  [ButtonStyle.Danger]: 'danger',
  [ButtonStyle.Link]: 'link',
};

function buttonsOf(components: readonly APIMessageTopLevelComponent[]): PageButton[][] {
  return components
    .filter((row) => row.type === ComponentType.ActionRow)
    .map((row) =>
      ('components' in row ? (row.components as unknown[]) : [])
        .map((c) => c as Record<string, unknown>)
        .filter((c) => c.type === ComponentType.Button)
        .map((c) => ({
          customId: typeof c.custom_id === 'string' ? c.custom_id : null,
          label: String(c.label ?? (isObject(c.emoji) ? (c.emoji.name ?? '') : '')),
          style: BUTTON_STYLES[Number(c.style)] ?? 'secondary',
          disabled: c.disabled === true,
          // Only web links: a page never follows a bot's javascript: or data: URL.
          url: typeof c.url === 'string' && /^https?:\/\//i.test(c.url) ? c.url : null,
        })),
    )
    .filter((row) => row.length > 0);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function mentionsAsNames(content: string, mentions: StoredMessage['mentions']): string {
  const names = new Map(mentions.map((u) => [u.id, u.username]));
  return content.replace(/<@!?(\d+)>/g, (whole, id: string) => {
    const name = names.get(id);
    return name ? `@${name}` : whole;
  });
}
