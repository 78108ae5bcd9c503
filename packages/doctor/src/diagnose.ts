import { DiscordCode, INITIAL_RESPONSE_DEADLINE_MS, INTERACTION_TOKEN_LIFETIME_MS } from './facts.js';
import type { Blocker as LedgerBlocker } from './main-thread.js';

export type Cause =
  | 'acked-elsewhere'
  | 'answered-twice'
  | 'token-lifetime'
  | 'held-by-other'
  | 'own-work'
  | 'arrived-late'
  | 'rest-queue'
  | 'slow-response';

/** Another interaction's handler that held the main thread while this one waited (what the ledger's blockersOf() gives). */
export type Blocker = Pick<LedgerBlocker, 'interactionId' | 'command' | 'userId' | 'user' | 'heldMs'>;

/** What was measured about one interaction's first response (times: ms since the Unix epoch, our clock). */
export interface ResponseFacts {
  interactionId: string;
  command: string;
  userId: string;
  user: string;
  /** When Discord created it (its snowflake, corrected by the measured clock offset). */
  created: number;
  /** When its gateway event reached this process. */
  received: number;
  /** When discord.js handed it to the bot's `interactionCreate` listeners. */
  handlerStart: number;
  /** When the bot asked for its first response (reply, deferReply, update, showModal…). */
  firstQueuedAt?: number;
  /** When @discordjs/rest put it on the wire (after its queue). */
  firstSentAt?: number;
  /** When Discord's answer came back. */
  firstAnsweredAt?: number;
  /** How many first responses this process asked for (1 + a 40060: another process answered). */
  responsesSent: number;
  /** Main-thread time of this interaction's own code before its first response went out. */
  ownHeldMs: number;
  blockers: Blocker[];
  clockUncertaintyMs: number;
  /** Limits @discordjs/rest waited for while the first response was queued. */
  rateLimits: Array<{ route: string; retryAfterMs: number; global: boolean }>;
  /** 5xx answers to its first response, which @discordjs/rest retried. */
  serverErrors?: Array<{ route: string; status: number }>;
}

export type Outcome =
  /** Discord accepted the first response. */
  | { kind: 'accepted' }
  /** Refused with 10062: it came after the 3 s window. */
  | { kind: 'expired' }
  /** Refused with 40060. */
  | { kind: 'already-acknowledged' }
  /** An edit or follow-up refused with 50027, `at` (our clock). */
  | {
      kind: 'edit-expired';
      at: number;
      /** How old the interaction was by Discord's clock when it refused the edit (offset corrected). */
      ageMs: number;
    };

export interface Diagnosis {
  cause: Cause;
  /** 'error': the interaction failed; 'warn': it worked but came close, or another copy answered. */
  level: 'warn' | 'error';
  /** A first response that Discord accepted, but after the close-call threshold. */
  closeCall: boolean;
  /** One sentence with the numbers. */
  text: string;
  /** The fix, in one sentence. */
  fix: string;
  interactionId: string;
  command: string;
  user: string;
  userId: string;
  /** created → Discord's answer to the first response (ms). */
  firstResponseMs: number | null;
  ageOnArrivalMs: number;
  handlerToResponseMs: number | null;
  ownHeldMs: number;
  restQueueMs: number | null;
  heldByOthersMs: number;
  at: number;
}

/** Age on arrival above this (beyond the clock's uncertainty) means the network or host was slow. */
export const LATE_ARRIVAL_MS = 1_000;
/** A first response accepted after this long since the command is a close call (the default). */
export const CLOSE_CALL_MS = 2_000;
/** Time in @discordjs/rest's queue above this is worth naming. */
export const SLOW_QUEUE_MS = 250;

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const msText = (ms: number) => `${Math.round(ms)} ms`;
const minutes = (ms: number) => (ms >= 120_000 ? `${(ms / 60_000).toFixed(1)} minutes` : s(ms));

/**
 * Names why an interaction failed or came close, from what was measured, most specific first:
 * another process answered first (40060 after one response: two copies running), the 15-minute
 * window (50027), another interaction's handler held the thread, its own handler's work before the
 * first response, it arrived late, the REST queue or a rate limit. Null when it was on time.
 */
export function diagnose(
  facts: ResponseFacts,
  outcome: Outcome,
  closeCallMs = CLOSE_CALL_MS,
  now = Date.now(),
): Diagnosis | null {
  const answeredAt = facts.firstAnsweredAt ?? now;
  const firstResponseMs = facts.firstAnsweredAt !== undefined ? answeredAt - facts.created : null;
  const restQueueMs =
    facts.firstSentAt !== undefined && facts.firstQueuedAt !== undefined
      ? Math.max(0, facts.firstSentAt - facts.firstQueuedAt)
      : null;
  const heldByOthersMs = facts.blockers.reduce((t, b) => t + b.heldMs, 0);
  const base = {
    interactionId: facts.interactionId,
    command: facts.command,
    user: facts.user,
    userId: facts.userId,
    firstResponseMs,
    ageOnArrivalMs: facts.received - facts.created,
    handlerToResponseMs: facts.firstQueuedAt !== undefined ? facts.firstQueuedAt - facts.handlerStart : null,
    ownHeldMs: Math.round(facts.ownHeldMs),
    restQueueMs,
    heldByOthersMs: Math.round(heldByOthersMs),
    at: now,
  };
  const cmd = `\`/${facts.command}\``;
  if (outcome.kind === 'already-acknowledged') {
    return facts.responsesSent <= 1
      ? {
          ...base,
          cause: 'acked-elsewhere',
          level: 'warn',
          closeCall: false,
          text: `another process answered ${cmd} first: this process sent one response and Discord refused it as already acknowledged (${DiscordCode.InteractionAlreadyAcknowledged}), so two copies of the bot are running with this token`,
          fix: 'Stop the other copy (another terminal, server, container or host logged in with this token) so that one process answers each interaction.',
        }
      : {
          ...base,
          cause: 'answered-twice',
          level: 'warn',
          closeCall: false,
          text: `${cmd} was answered ${facts.responsesSent} times by this process; Discord keeps only the first response (${DiscordCode.InteractionAlreadyAcknowledged})`,
          fix: 'After reply() or deferReply(), use editReply() or followUp() instead of replying again.',
        };
  }
  if (outcome.kind === 'edit-expired') {
    return {
      ...base,
      cause: 'token-lifetime',
      level: 'error',
      closeCall: false,
      text: `${cmd}'s edit came ${minutes(outcome.ageMs)} after the command; interaction tokens work for ${INTERACTION_TOKEN_LIFETIME_MS / 60_000} minutes, so Discord refused it (${DiscordCode.InvalidWebhookToken})`,
      fix: 'Finish the work within 15 minutes of the command, or post a normal channel message instead of editing the reply.',
    };
  }
  const waited = (facts.firstSentAt ?? answeredAt) - facts.created;
  const expired = outcome.kind === 'expired';
  if (!expired && (firstResponseMs === null || firstResponseMs <= closeCallMs)) return null;
  const level = expired ? 'error' : 'warn';
  const lead = expired
    ? `${cmd} failed ("This interaction failed"): its first response reached Discord ${s(answeredAt - facts.created)} after the command, past Discord's ${s(INITIAL_RESPONSE_DEADLINE_MS)} (${DiscordCode.UnknownInteraction}): `
    : `close call: ${cmd}'s first response came ${s(firstResponseMs ?? 0)} after the command, ${s(INITIAL_RESPONSE_DEADLINE_MS - (firstResponseMs ?? 0))} before Discord's ${s(INITIAL_RESPONSE_DEADLINE_MS)} limit: `;
  const common = { ...base, level, closeCall: !expired } as const;

  const top = [...facts.blockers].sort((a, b) => b.heldMs - a.heldMs)[0];
  if (top && heldByOthersMs >= waited / 3) {
    const others = facts.blockers.length > 1 ? ` (and ${facts.blockers.length - 1} more)` : '';
    return {
      ...common,
      cause: 'held-by-other',
      text: `${lead}the event loop was held by ${top.user}'s \`/${top.command}\` handler for ${s(top.heldMs)}${others} while it waited`,
      fix: `Move /${top.command}'s blocking work off the main thread (a worker thread) or split it with awaits, so one command cannot hold everyone's.`,
    };
  }
  const beforeResponse = base.handlerToResponseMs ?? 0;
  if (facts.ownHeldMs >= waited / 3 || beforeResponse >= waited / 2) {
    const held = facts.ownHeldMs >= waited / 3;
    return {
      ...common,
      cause: 'own-work',
      text: held
        ? `${lead}its own handler's work held the main thread for ${s(facts.ownHeldMs)} before the first response (no deferReply() first)`
        : `${lead}its own handler spent ${s(beforeResponse)} before the first response (no deferReply() first)`,
      fix: held
        ? 'Call await interaction.deferReply() first, then do the work (in a worker thread if it is CPU-bound) and editReply() with the result.'
        : 'Call await interaction.deferReply() before the slow part, then editReply() with the result.',
    };
  }
  if (base.ageOnArrivalMs - Math.min(facts.clockUncertaintyMs, 1_000) > LATE_ARRIVAL_MS) {
    return {
      ...common,
      cause: 'arrived-late',
      text: `${lead}it reached the bot ${msText(base.ageOnArrivalMs)} after Discord created it (clock offset corrected): the network or the host was slow, not the handler`,
      fix: "Check the host's network, load and clock (NTP); call deferReply() first thing to keep the most of the 3 s.",
    };
  }
  if ((restQueueMs ?? 0) > SLOW_QUEUE_MS) {
    const limited = facts.rateLimits[0];
    const failed = facts.serverErrors ?? [];
    const why = limited
      ? ` (a rate limit on ${limited.route}${limited.global ? ', global' : ''}: wait ${msText(limited.retryAfterMs)})`
      : failed.length > 0
        ? ` (Discord answered ${failed.map((e) => e.status).join(', ')} on ${failed[0]?.route} and @discordjs/rest retried)`
        : '';
    return {
      ...common,
      cause: 'rest-queue',
      text: `${lead}the first response waited ${msText(restQueueMs ?? 0)} in @discordjs/rest's queue${why}`,
      fix: 'Send fewer requests before answering (answer first, then do the other requests), so the response is not queued behind a rate limit.',
    };
  }
  return {
    ...common,
    cause: 'slow-response',
    text: `${lead}it took ${msText(waited)} before the first response went out`,
    fix: 'Call await interaction.deferReply() as soon as the handler starts.',
  };
}
