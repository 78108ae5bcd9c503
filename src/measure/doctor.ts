import {
  type Cause,
  CLOSE_CALL_MS,
  diagnose as diagnoseResponse,
  LATE_ARRIVAL_MS,
  type Outcome,
  type ResponseFacts,
  SLOW_QUEUE_MS,
} from '@looplab/doctor';
import { ErrorCode, INITIAL_RESPONSE_DEADLINE_MS } from '../discord/facts.js';
import { ms, seconds } from '../lib/format.js';
import type { InteractionSnapshot, Verdict } from './snapshot.js';

export type { Cause };
export { CLOSE_CALL_MS, LATE_ARRIVAL_MS, SLOW_QUEUE_MS };

export interface Diagnosis {
  cause: Cause;
  /** One sentence with the numbers, worded for the report a learner reads in Discord. */
  text: string;
}

/**
 * The doctor in LoopLab's reports: @looplab/doctor decides the cause from what was measured (the
 * same decision, thresholds and order every bot that installs the package gets, most specific
 * first); this adapter hands it one interaction's snapshot and words the answer for Discord, with
 * the demo's own labels. Null when the response was comfortably on time.
 */
export function diagnose(facts: InteractionSnapshot): Diagnosis | null {
  const decided = diagnoseResponse(responseFacts(facts), outcomeOf(facts), CLOSE_CALL_MS, facts.now);
  return decided ? { cause: decided.cause, text: words(decided.cause, facts) } : null;
}

/** The snapshot as the package's facts: the same moments, on the same clock. */
function responseFacts(f: InteractionSnapshot): ResponseFacts {
  const { created, handlerStart, ackSent } = f.marks;
  const received = created + f.ageOnArrivalMs;
  return {
    interactionId: f.interactionId,
    command: '',
    userId: f.user.id,
    user: f.user.name,
    created,
    received,
    handlerStart: handlerStart ?? received,
    firstQueuedAt: ackSent,
    firstSentAt: ackSent !== undefined && f.restQueueMs !== null ? ackSent + f.restQueueMs : undefined,
    // While answering, the report travels in the first response: "now" is when it goes.
    firstAnsweredAt: created + f.firstResponseMs,
    responsesSent: f.initialResponsesSent,
    ownHeldMs: f.ownHeldMs,
    blockers: f.blockers,
    clockUncertaintyMs: f.clockUncertaintyMs,
    rateLimits: f.rateLimits,
    serverErrors: f.serverErrors.filter((e) => e.route.endsWith('/callback')),
  };
}

const OUTCOMES: Record<Verdict, (f: InteractionSnapshot) => Outcome> = {
  answering: () => ({ kind: 'accepted' }),
  deferred: () => ({ kind: 'accepted' }),
  expired: () => ({ kind: 'expired' }),
  'acked-elsewhere': () => ({ kind: 'already-acknowledged' }),
  'edit-expired': (f) => ({ kind: 'edit-expired', at: f.now, ageMs: f.totalMs }),
};

function outcomeOf(f: InteractionSnapshot): Outcome {
  return OUTCOMES[f.verdict](f);
}

/** The report's sentence for each cause (Discord markdown; the numbers from the snapshot). */
function words(cause: Cause, f: InteractionSnapshot): string {
  switch (cause) {
    case 'acked-elsewhere':
      return `another process answered first: this process sent one response and Discord refused it as already acknowledged (${ErrorCode.InteractionAlreadyAcknowledged}), so two copies of the bot are running with this token.`;
    case 'answered-twice':
      return `this process answered twice; Discord keeps only the first response (${ErrorCode.InteractionAlreadyAcknowledged}).`;
    case 'token-lifetime': {
      const since = f.marks.ackConfirmed ?? f.marks.created;
      return `the edit came ${seconds(f.now - since)} after the first response (${seconds(f.totalMs)} after the command); interaction tokens work for 15 minutes, so Discord refused it (${ErrorCode.InvalidWebhookToken}).`;
    }
    case 'held-by-other': {
      const [top] = f.blockers;
      const others = f.blockers.length > 1 ? ` (and ${f.blockers.length - 1} more)` : '';
      return `the bot’s event loop was held by **${top?.user}**’s \`${top?.label}\` for **${seconds(top?.heldMs ?? 0)}**${others} while your command waited.`;
    }
    case 'own-work': {
      const { handlerStart, ackSent } = f.marks;
      const beforeAck = handlerStart !== undefined && ackSent !== undefined ? ackSent - handlerStart : 0;
      return `this command’s own work ran on the main thread for **${seconds(Math.max(f.ownHeldMs, beforeAck))}** before it sent its first response (no \`deferReply()\` first).`;
    }
    case 'arrived-late':
      return `it reached the bot ${ms(f.ageOnArrivalMs)} after Discord created it (clock offset corrected): the network or the host was slow, not the code.`;
    case 'rest-queue': {
      const limited = f.rateLimits[0];
      const failed = f.serverErrors.filter((e) => e.route.endsWith('/callback'));
      const why = limited
        ? ` (Discord answered 429 on ${limited.route} and asked it to wait ${ms(limited.retryAfterMs)})`
        : failed.length > 0
          ? ` (Discord answered ${failed.map((e) => e.status).join(', ')} on ${failed[0]?.route} and @discordjs/rest retried)`
          : '';
      return `the first response waited ${ms(f.restQueueMs ?? 0)} in @discordjs/rest’s queue${why}.`;
    }
    case 'slow-response':
      return f.firstResponseMs > INITIAL_RESPONSE_DEADLINE_MS
        ? `the first response took ${ms(f.firstResponseMs)}, past Discord’s ${ms(INITIAL_RESPONSE_DEADLINE_MS)}.`
        : `the first response took ${ms(f.firstResponseMs)}, ${ms(INITIAL_RESPONSE_DEADLINE_MS - f.firstResponseMs)} inside Discord’s ${ms(INITIAL_RESPONSE_DEADLINE_MS)}.`;
  }
}
