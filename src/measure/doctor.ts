import { ErrorCode, INITIAL_RESPONSE_DEADLINE_MS } from '../discord/facts.js';
import { ms, seconds } from '../lib/format.js';
import type { InteractionSnapshot } from './snapshot.js';

/** A first response later than this is a close call worth explaining. */
export const CLOSE_CALL_MS = 2_000;
/** Age on arrival above this (beyond the clock's uncertainty) means the network or host was slow. */
export const LATE_ARRIVAL_MS = 1_000;
/** Time in @discordjs/rest's queue above this is worth naming. */
export const SLOW_QUEUE_MS = 250;

export type Cause =
  | 'acked-elsewhere'
  | 'token-lifetime'
  | 'held-by-other'
  | 'own-work'
  | 'arrived-late'
  | 'rest-queue'
  | 'slow-response';

export interface Diagnosis {
  cause: Cause;
  /** One sentence with the numbers. */
  text: string;
}

/**
 * The doctor: names why an interaction failed or came close (first response after 2 s), from what
 * was measured, most specific first. Null when the response was comfortably on time.
 */
export function diagnose(facts: InteractionSnapshot): Diagnosis | null {
  if (facts.verdict === 'acked-elsewhere') {
    return facts.initialResponsesSent <= 1
      ? {
          cause: 'acked-elsewhere',
          text: `another process answered first: this process sent one response and Discord refused it as already acknowledged (${ErrorCode.InteractionAlreadyAcknowledged}), so two copies of the bot are running with this token.`,
        }
      : {
          cause: 'acked-elsewhere',
          text: `this process answered twice; Discord keeps only the first response (${ErrorCode.InteractionAlreadyAcknowledged}).`,
        };
  }
  if (facts.verdict === 'edit-expired') {
    const since = facts.marks.ackConfirmed ?? facts.marks.created;
    return {
      cause: 'token-lifetime',
      text: `the edit came ${seconds(facts.now - since)} after the first response (${seconds(facts.totalMs)} after the command); interaction tokens work for 15 minutes, so Discord refused it (${ErrorCode.InvalidWebhookToken}).`,
    };
  }
  const waited = facts.firstResponseMs;
  if (facts.verdict !== 'expired' && waited <= CLOSE_CALL_MS) return null;

  const heldByOthers = facts.blockers.reduce((t, b) => t + b.heldMs, 0);
  const top = facts.blockers[0];
  if (top && heldByOthers >= waited / 3) {
    const others = facts.blockers.length > 1 ? ` (and ${facts.blockers.length - 1} more)` : '';
    return {
      cause: 'held-by-other',
      text: `the bot’s event loop was held by **${top.user}**’s \`${top.label}\` for **${seconds(top.heldMs)}**${others} while your command waited.`,
    };
  }
  const { handlerStart, ackSent } = facts.marks;
  const beforeAck = handlerStart !== undefined && ackSent !== undefined ? ackSent - handlerStart : 0;
  if (facts.ownHeldMs >= waited / 3 || beforeAck >= waited / 2) {
    return {
      cause: 'own-work',
      text: `this command’s own work ran on the main thread for **${seconds(Math.max(facts.ownHeldMs, beforeAck))}** before it sent its first response (no \`deferReply()\` first).`,
    };
  }
  if (facts.ageOnArrivalMs - facts.clockUncertaintyMs > LATE_ARRIVAL_MS) {
    return {
      cause: 'arrived-late',
      text: `it reached the bot ${ms(facts.ageOnArrivalMs)} after Discord created it (clock offset corrected): the network or the host was slow, not the code.`,
    };
  }
  const limited = facts.rateLimits[0];
  const failed = facts.serverErrors.filter((e) => e.route.endsWith('/callback'));
  if ((facts.restQueueMs ?? 0) > SLOW_QUEUE_MS) {
    const why = limited
      ? ` (Discord answered 429 on ${limited.route} and asked it to wait ${ms(limited.retryAfterMs)})`
      : failed.length > 0
        ? ` (Discord answered ${failed.map((e) => e.status).join(', ')} on ${failed[0]?.route} and @discordjs/rest retried)`
        : '';
    return {
      cause: 'rest-queue',
      text: `the first response waited ${ms(facts.restQueueMs ?? 0)} in @discordjs/rest’s queue${why}.`,
    };
  }
  return {
    cause: 'slow-response',
    text: `the first response took ${ms(waited)}, past Discord’s ${ms(INITIAL_RESPONSE_DEADLINE_MS)}.`,
  };
}
