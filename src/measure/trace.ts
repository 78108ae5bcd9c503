import { snowflakeTime } from '../discord/snowflake.js';

/** The moments of one interaction's life, in this machine's clock (ms since the Unix epoch). */
export interface TraceMarks {
  /** When Discord created it (snowflake time, corrected by the estimated clock offset). */
  created: number;
  /** When our code first saw it (the router's first line). */
  received: number;
  handlerStart?: number;
  ackSent?: number;
  ackConfirmed?: number;
  workStart?: number;
  workEnd?: number;
  finalSent?: number;
  finalConfirmed?: number;
  /** When the first response was refused as too late (10062). */
  expiredAt?: number;
}

export class InteractionTrace {
  readonly marks: TraceMarks;
  /** Discord's creation time as its own clock has it (uncorrected). */
  readonly createdByDiscord: number;

  constructor(
    readonly interactionId: string,
    received: number,
    /** Discord's clock minus ours, in ms (see ClockOffsetEstimator). */
    readonly clockOffsetMs = 0,
  ) {
    this.createdByDiscord = snowflakeTime(interactionId);
    // Nothing arrives before it was created: if the clock estimate says so, it is off by that much.
    this.marks = { created: Math.min(this.createdByDiscord - clockOffsetMs, received), received };
  }

  mark(name: Exclude<keyof TraceMarks, 'created' | 'received'>, at = Date.now()): number {
    this.marks[name] = at;
    return at;
  }

  /** ms from creation to `at` (default now). */
  age(at = Date.now()): number {
    return at - this.marks.created;
  }

  /** How old the interaction was when our code first saw it: network, host, or a busy loop. */
  get ageOnArrival(): number {
    return this.marks.received - this.marks.created;
  }
}
