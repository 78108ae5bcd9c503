import { seconds } from '../lib/format.js';
import type { DelayStats } from './loop-delay.js';
import type { Measurements } from './measurements.js';
import type { WindowUtilization } from './utilization.js';

/** /lag's verdict thresholds (the README states them). Over the last 10 s: */
export const LagThresholds = {
  /** A single stall this long means the loop was blocked. */
  blockedMaxMs: 1_000,
  /** p99 delay this high, or a max this high, means the loop is delayed. */
  delayedP99Ms: 100,
  delayedMaxMs: 200,
  /** Main-thread utilisation this high means it is saturated even without long stalls. */
  busyElu: 0.9,
  /** Warn when the clocks differ by more than this. */
  clockWarnMs: 2_000,
} as const;

export type LagVerdict = 'healthy' | 'loop delayed' | 'loop blocked';

export function lagVerdict(last10s: DelayStats, elu: number): { verdict: LagVerdict; advice: string } {
  if (last10s.max >= LagThresholds.blockedMaxMs) {
    return {
      verdict: 'loop blocked',
      advice: `Something held the main thread for ${seconds(last10s.max)}: every command, timer and heartbeat waited. Move synchronous work to a worker (/nonblock), await real I/O (/io), or slice it (/yield).`,
    };
  }
  if (
    last10s.p99 >= LagThresholds.delayedP99Ms ||
    last10s.max >= LagThresholds.delayedMaxMs ||
    elu >= LagThresholds.busyElu
  ) {
    return {
      verdict: 'loop delayed',
      advice:
        'The loop is slow to come back to pending work. Look for long synchronous steps (big JSON, sync fs, crypto *Sync, regexes) and offload or slice them.',
    };
  }
  return {
    verdict: 'healthy',
    advice: 'The event loop answers promptly: nothing is holding the main thread.',
  };
}

/** The event loop's health now: what /lag shows (and, later, the classroom page and /healthz). */
export interface LoopHealth {
  now: number;
  last10s: DelayStats;
  last60s: DelayStats;
  elu10s: WindowUtilization;
  elu60s: WindowUtilization;
  clock: { offsetMs: number; uncertaintyMs: number; samples: number };
  verdict: LagVerdict;
  advice: string;
}

export function loopHealth(m: Measurements, now = Date.now()): LoopHealth {
  const last10s = m.recorder.stats(now - 10_000, now);
  const elu10s = m.utilization.window(now - 10_000, now);
  return {
    now,
    last10s,
    last60s: m.recorder.stats(now - 60_000, now),
    elu10s,
    elu60s: m.utilization.window(now - 60_000, now),
    clock: { offsetMs: m.clock.offsetMs, uncertaintyMs: m.clock.uncertaintyMs, samples: m.clock.samples },
    ...lagVerdict(last10s, elu10s.elu),
  };
}
