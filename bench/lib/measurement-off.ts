/**
 * "Measurement off" for the bench's bot processes: LoopLab has no switch for it (see the bench
 * README), so this file turns its measurement machinery off from the outside, before the bot is
 * built. What goes:
 * - the loop-delay recorder's 10 ms timer, the utilisation sampler's 100 ms timer and the stall
 *   watchdog thread with its heartbeats (Measurements.start/stop do nothing);
 * - the main-thread ledger (hold() runs the work without recording a span) and the watchdog's holder;
 * - the REST observer's wrapper around every request (wrap() hands makeRequest back unchanged);
 * - promise-owner tracking (the async hook main.ts installs): the caller simply does not install it.
 * What stays: the router, the trace marks, the classroom policy, and the report itself, built from
 * a snapshot of empty histories (so the doctor runs, on nothing). Charts are switched separately.
 */
import { MainThreadLedger } from '../../src/measure/main-thread.js';
import { Measurements } from '../../src/measure/measurements.js';
import { RestObserver } from '../../src/measure/rest-observer.js';
import { Watchdog } from '../../src/measure/watchdog.js';

export function turnMeasurementOff(): string[] {
  Measurements.prototype.start = async () => {};
  Measurements.prototype.stop = async () => {};
  MainThreadLedger.prototype.hold = <T>(_holder: unknown, fn: () => T): T => fn();
  Watchdog.prototype.setHolder = () => {};
  Watchdog.prototype.beat = () => {};
  (RestObserver.prototype as { wrap: (makeRequest: unknown) => unknown }).wrap = (makeRequest) => makeRequest;
  return [
    'loop-delay recorder',
    'utilisation sampler',
    'watchdog thread',
    'ledger',
    'REST observer',
    'promise owners',
  ];
}
