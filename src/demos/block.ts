import type { DemoOutcome } from '../contracts/outcome.js';
import type { CommandRun } from '../contracts/run.js';
import { runWork, type WorkKind } from '../work/kinds.js';

/**
 * Strategy 1 — block: does the work synchronously on the main thread, and only then tries to
 * answer. While it runs, nothing else in this process runs: not other users' commands, not the
 * gateway heartbeat, not timers.
 */
export function blockMainThread(run: CommandRun, kind: WorkKind, ms: number): DemoOutcome {
  run.trace.mark('workStart');
  const work = run.ctx.measure.ledger.hold(run.holder, () => runWork(kind, ms));
  run.trace.mark('workEnd');
  return { strategy: 'block', label: run.holder.label, kind, requestedMs: ms, work };
}
