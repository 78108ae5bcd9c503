import type { DemoOutcome } from '../contracts/outcome.js';
import type { CommandRun } from '../contracts/run.js';
import { isWorkFailure } from '../work/failure.js';
import type { WorkKind } from '../work/kinds.js';

/**
 * Strategy 2 — defer and offload: answers Discord at once ("thinking…"), then runs the same work
 * on a worker thread from the pool. The main thread only waits for a message, so the event loop
 * stays free for everyone.
 */
export async function deferAndOffload(run: CommandRun, kind: WorkKind, ms: number): Promise<DemoOutcome> {
  const base = { strategy: 'nonblock', label: run.holder.label, kind, requestedMs: ms } as const;
  if (!(await run.session.defer())) return { ...base, skipped: true };
  run.trace.mark('workStart');
  const progress = run.session.progress(`running ${kind} work on a worker thread`, ms);
  try {
    const work = await run.ctx.pool.run(kind, ms).finally(() => progress.stop());
    return { ...base, work };
  } catch (error) {
    // A worker's fault is part of the story, told in plain words; anything else is a bug.
    if (!isWorkFailure(error)) throw error;
    run.log.warn({ err: error, failure: error.kind }, 'the work failed on its worker thread');
    return { ...base, failure: { kind: error.kind, reason: error.reason } };
  } finally {
    run.trace.mark('workEnd');
  }
}
