import { INTERACTION_TOKEN_LIFETIME_MS } from '../discord/facts.js';
import type { DelaySample, DelayStats } from './loop-delay.js';
import type { Blocker, HoldSpan } from './main-thread.js';
import type { Measurements } from './measurements.js';
import type { RateLimitHit, ServerErrorHit } from './rest-observer.js';
import type { InteractionTrace, TraceMarks } from './trace.js';
import type { WindowUtilization } from './utilization.js';

/** How the interaction's response stands when the snapshot is taken. */
export type Verdict =
  /** About to answer (the report travels in the first response). */
  | 'answering'
  /** Deferred earlier; the report edits the reply. */
  | 'deferred'
  /** The first response was refused: the 3 s deadline had passed. */
  | 'expired'
  /** The edit came after the 15-minute token lifetime. */
  | 'edit-expired'
  /** Another process acknowledged the interaction first. */
  | 'acked-elsewhere';

/** What the responder knows about the interaction's responses (plain data, no discord.js). */
export interface ResponseFacts {
  verdict: Verdict;
  /** How many first responses this process sent (1 + a 40060 means another process answered). */
  initialResponsesSent: number;
}

/** Everything measured about one interaction, once, so a report's embed, chart and log agree. */
export interface InteractionSnapshot extends ResponseFacts {
  interactionId: string;
  user: { id: string; name: string };
  marks: TraceMarks;
  now: number;
  /** created → first response (confirmed, or now when answering). */
  firstResponseMs: number;
  /** created → now (total time the user waited for the result). */
  totalMs: number;
  ageOnArrivalMs: number;
  clockOffsetMs: number;
  loop: DelayStats;
  delaySamples: DelaySample[];
  /** Loop delay while this command's own work ran (workStart → workEnd), if it did. */
  workLoop: DelayStats | null;
  /** Other interactions that held the main thread while this one waited. */
  blockers: Blocker[];
  /** This interaction's own main-thread spans. */
  ownSpans: HoldSpan[];
  ownHeldMs: number;
  /** When the watchdog thread first saw a main-thread stall in this window (it runs while the loop is stuck). */
  stallsSeen: number[];
  /** Main-thread event-loop utilisation and process CPU over the window. */
  utilization: WindowUtilization;
  /** How long the first response waited in @discordjs/rest's queue before going on the wire. */
  restQueueMs: number | null;
  rateLimits: RateLimitHit[];
  /** 5xx answers to this interaction's requests, which @discordjs/rest retried. */
  serverErrors: ServerErrorHit[];
  /** ± how well the clock offset to Discord is known (ms, at most 1 s). */
  clockUncertaintyMs: number;
  /** Until when a deferred reply can still be edited (our clock). */
  editableUntil: number;
}

/** Reads one interaction's window out of every history. */
export function snapshotInteraction(
  m: Measurements,
  trace: InteractionTrace,
  user: { id: string; name: string },
  response: ResponseFacts,
  now = Date.now(),
): InteractionSnapshot {
  const marks = { ...trace.marks };
  const { verdict } = response;
  const ackAt = verdict === 'answering' ? now : (marks.ackConfirmed ?? marks.expiredAt ?? now);
  const ownSpans = m.ledger.spans(marks.created, now).filter((s) => s.interactionId === trace.interactionId);
  const sentAt = m.rest.callbackTiming(trace.interactionId)?.sentAt;
  return {
    ...response,
    interactionId: trace.interactionId,
    user,
    marks,
    now,
    firstResponseMs: ackAt - marks.created,
    totalMs: now - marks.created,
    ageOnArrivalMs: trace.ageOnArrival,
    clockOffsetMs: trace.clockOffsetMs,
    loop: m.recorder.stats(marks.created, now),
    delaySamples: m.recorder.chartSamples(marks.created - 200, now),
    workLoop:
      marks.workStart !== undefined && marks.workEnd !== undefined
        ? m.recorder.stats(marks.workStart, marks.workEnd)
        : null,
    blockers: m.ledger.blockersOf(trace.interactionId, marks.created, now),
    ownSpans,
    ownHeldMs: ownSpans.reduce((t, s) => t + (s.end - s.start), 0),
    stallsSeen: m.watchdog.sightings(marks.created, now).map((s) => s.seenAt),
    utilization: m.utilization.window(marks.created, now),
    restQueueMs:
      sentAt !== undefined && marks.ackSent !== undefined ? Math.max(0, sentAt - marks.ackSent) : null,
    rateLimits: m.rest.rateLimitsOf(trace.interactionId),
    serverErrors: m.rest.serverErrorsOf(trace.interactionId),
    clockUncertaintyMs: Math.min(m.clock.uncertaintyMs, 1_000),
    editableUntil: marks.created + INTERACTION_TOKEN_LIFETIME_MS,
  };
}
