import type { Client } from 'discord.js';
import type { Config } from '../config/env.js';
import type { Logger } from '../log/logger.js';
import type { ClockOffsetEstimator } from '../measure/clock-offset.js';
import type { LoopDelayRecorder } from '../measure/loop-delay.js';
import type { Holder, MainThreadLedger } from '../measure/main-thread.js';
import type { RestObserver } from '../measure/rest-observer.js';
import type { UtilizationRecorder } from '../measure/utilization.js';
import type { Watchdog } from '../measure/watchdog.js';
import type { WorkPool } from '../work/pool.js';

/** A demo that is running now (for /lag, the watchdog and caps). */
export type InFlightDemo = Holder & { startedAt: number };

/** What every command and report can use; built once when the bot starts. */
export interface BotContext {
  config: Config;
  logger: Logger;
  client: Client;
  recorder: LoopDelayRecorder;
  utilization: UtilizationRecorder;
  ledger: MainThreadLedger;
  pool: WorkPool;
  clock: ClockOffsetEstimator;
  rest: RestObserver;
  watchdog: Watchdog;
  inFlight: Map<string, InFlightDemo>;
  /** Recent first responses Discord accepted (newest last), e.g. to count who was answered during a demo. */
  acks: Array<{ at: number; interactionId: string }>;
  startedAt: number;
}
