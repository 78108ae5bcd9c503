import type { DemoOutcome } from '../demos/outcome.js';
import { INTERACTION_TOKEN_LIFETIME_MS } from '../discord/facts.js';
import type { DelaySample, DelayStats } from '../measure/loop-delay.js';
import type { Blocker, HoldSpan } from '../measure/main-thread.js';
import type { RateLimitHit } from '../measure/rest-observer.js';
import type { TraceMarks } from '../measure/trace.js';
import type { WindowUtilization } from '../measure/utilization.js';
import type { CommandRun } from '../router/run.js';

export type Verdict =
  /** About to answer (the report travels in the first response). */
  | 'answering'
  /** Deferred earlier; this report edits the reply. */
  | 'deferred'
  /** The first response was refused: the 3 s deadline had passed. */
  | 'expired'
  /** The edit came after the 15-minute token lifetime. */
  | 'edit-expired'
  /** Another process acknowledged the interaction first. */
  | 'acked-elsewhere';

/** Everything a report says, measured once, so the embed, the chart and the log agree. */
export interface ReportFacts {
  outcome: DemoOutcome;
  verdict: Verdict;
  user: { id: string; name: string };
  marks: TraceMarks;
  now: number;
  /** created → first response (confirmed, or now when answering). */
  firstResponseMs: number;
  /** created → report (total time the user waited for the result). */
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
  /** ± how well the clock offset to Discord is known (ms). */
  clockUncertaintyMs: number;
  /** How many first responses this process sent (1 + a 40060 means another process answered). */
  initialResponsesSent: number;
  /** Until when a deferred reply can still be edited (our clock). */
  editableUntil: number;
}

export function gatherFacts(run: CommandRun, outcome: DemoOutcome, verdict: Verdict): ReportFacts {
  const { trace, ctx } = run;
  const marks = { ...trace.marks };
  const now = Date.now();
  const ackAt = verdict === 'answering' ? now : (marks.ackConfirmed ?? marks.expiredAt ?? now);
  const spans = ctx.ledger.spans(marks.created, now);
  const ownSpans = spans.filter((s) => s.interactionId === trace.interactionId);
  return {
    outcome,
    verdict,
    user: { id: run.interaction.user.id, name: run.interaction.user.username },
    marks,
    now,
    firstResponseMs: ackAt - marks.created,
    totalMs: now - marks.created,
    ageOnArrivalMs: trace.ageOnArrival,
    clockOffsetMs: trace.clockOffsetMs,
    loop: ctx.recorder.stats(marks.created, now),
    delaySamples: ctx.recorder.chartSamples(marks.created - 200, now),
    workLoop:
      marks.workStart !== undefined && marks.workEnd !== undefined
        ? ctx.recorder.stats(marks.workStart, marks.workEnd)
        : null,
    blockers: ctx.ledger.blockersOf(trace.interactionId, marks.created, now),
    ownSpans,
    ownHeldMs: ownSpans.reduce((t, s) => t + (s.end - s.start), 0),
    stallsSeen: ctx.watchdog.sightings(marks.created, now).map((s) => s.seenAt),
    utilization: ctx.utilization.window(marks.created, now),
    restQueueMs: restQueueMs(run),
    rateLimits: ctx.rest.rateLimitsOf(trace.interactionId),
    clockUncertaintyMs: Math.min(ctx.clock.uncertaintyMs, 1_000),
    initialResponsesSent: run.respond.initialResponsesSent,
    editableUntil: marks.created + INTERACTION_TOKEN_LIFETIME_MS,
  };
}

function restQueueMs(run: CommandRun): number | null {
  const sent = run.ctx.rest.callbackTiming(run.trace.interactionId)?.sentAt;
  const asked = run.trace.marks.ackSent;
  return sent !== undefined && asked !== undefined ? Math.max(0, sent - asked) : null;
}
