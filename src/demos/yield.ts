import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { DemoOutcome } from '../contracts/outcome.js';
import type { CommandRun } from '../contracts/run.js';
import type { Holder, MainThreadLedger } from '../measure/main-thread.js';
import { runWork, type WorkKind, type WorkResult } from '../work/kinds.js';

export interface SlicedResult {
  work: WorkResult;
  slices: number;
  longestSliceMs: number;
  sliceSpans: Array<{ start: number; end: number }>;
}

/**
 * Cooperative multitasking: the work in slices of about `sliceMs`, handing control back to the
 * event loop between slices with `await setImmediate()` — Python's `await asyncio.sleep(0)`.
 * (`await Promise.resolve()` would not do: microtasks run before the loop gets a turn.)
 */
export async function runSliced(
  ledger: MainThreadLedger,
  holder: Holder,
  kind: WorkKind,
  ms: number,
  sliceMs: number,
): Promise<SlicedResult> {
  let remaining = ms;
  let units = 0;
  let cpuMs = 0;
  let elapsedMs = 0;
  let longestSliceMs = 0;
  let detail: string | undefined;
  const sliceSpans: Array<{ start: number; end: number }> = [];
  while (remaining >= 1) {
    const start = Date.now();
    const slice = ledger.hold(holder, () => runWork(kind, Math.max(1, Math.min(sliceMs, remaining))));
    sliceSpans.push({ start, end: Date.now() });
    remaining -= slice.elapsedMs;
    units += slice.units;
    cpuMs += slice.cpuMs;
    elapsedMs += slice.elapsedMs;
    longestSliceMs = Math.max(longestSliceMs, slice.elapsedMs);
    detail = slice.detail ?? detail;
    await yieldToLoop();
  }
  return {
    work: { kind, requestedMs: ms, elapsedMs, units, cpuMs, threadId: 0, detail },
    slices: sliceSpans.length,
    longestSliceMs,
    sliceSpans,
  };
}

/**
 * Strategy 4 — yield: (optionally) defers, then does the work in slices on the main thread,
 * yielding between them. Others stay answered; with `defer` off, this command's own 3 s still runs out.
 */
export async function sliceAndYield(
  run: CommandRun,
  kind: WorkKind,
  ms: number,
  sliceMs: number,
  defer: boolean,
): Promise<DemoOutcome> {
  const base = { strategy: 'yield', label: run.holder.label, kind, requestedMs: ms } as const;
  if (defer && !(await run.session.defer())) return { ...base, skipped: true };
  const start = run.trace.mark('workStart');
  const progress = run.session.progress(`working in ${sliceMs} ms slices on the main thread`, ms);
  const result = await runSliced(run.ctx.measure.ledger, run.holder, kind, ms, sliceMs).finally(() =>
    progress.stop(),
  );
  const end = run.trace.mark('workEnd');
  const othersAnswered = run.ctx.measure.acksBetween(start, end, run.trace.interactionId).length;
  return {
    ...base,
    work: result.work,
    slices: { count: result.slices, longestMs: result.longestSliceMs, sliceMs, othersAnswered },
  };
}
