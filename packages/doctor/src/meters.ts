/**
 * The doctor's measurement parts, for a bot that wants the numbers without the doctor's hooks
 * (LoopLab builds its reports on these): bounded histories, the loop-delay recorder, utilisation,
 * the clock offset to Discord, the REST observer and the main-thread ledger. Nothing here imports
 * discord.js or starts a timer until asked to.
 */
export { BoundedMap, type Bounds, TimeWindow } from './bounded.js';
export { ClockOffsetEstimator } from './clock-offset.js';
export { HISTORY_MS, historyBounds } from './history.js';
export { INITIAL_RESPONSE_DEADLINE_MS, INTERACTION_TOKEN_LIFETIME_MS, tokenlessPath } from './limits.js';
export { type DelaySample, type DelayStats, LoopDelayRecorder, summarise } from './loop-delay.js';
export { type Blocker, type Holder, type HoldSpan, MainThreadLedger } from './main-thread.js';
export {
  type CallbackTiming,
  type RateLimitHit,
  RestObserver,
  type ServerErrorHit,
} from './rest-observer.js';
export {
  CPU_SCOPE,
  type CpuScope,
  threadCpuMs,
  UtilizationRecorder,
  type WindowUtilization,
} from './utilization.js';
