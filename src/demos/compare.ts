import { setTimeout as sleep } from 'node:timers/promises';
import type { Strategy } from '../contracts/outcome.js';
import type { CommandRun } from '../contracts/run.js';
import { INITIAL_RESPONSE_DEADLINE_MS } from '../discord/facts.js';
import { runWork, type WorkKind } from '../work/kinds.js';
import { awaitIoFor, type IoKind } from './await-io.js';
import { runSliced } from './yield.js';

/** The asynchronous twin of each kind of synchronous work, for the io row. */
export const IO_TWIN: Record<WorkKind, IoKind> = {
  cpu: 'timer',
  crypto: 'crypto',
  fs: 'fs',
  json: 'timer',
  sleep: 'timer',
  regex: 'timer',
};

/**
 * One row. `ackMs` is when this strategy's first answer would have reached Discord, counted from
 * the command's creation: the real defer for the deferring strategies, and "when the handler
 * started + the work" for block.
 */
export interface CompareEntry {
  strategy: Strategy;
  label: string;
  durationMs: number;
  /** When this strategy's first answer would have reached Discord (null: never). */
  ackMs: number | null;
  /** That answer would have come after the 3 s deadline. */
  failed: boolean;
  /** Spans (ms since the row's start) the main thread was busy with this row's work. */
  mainThreadBusy: Array<{ start: number; end: number }>;
  /** The main-thread work ran in slices, yielding between them. */
  sliced: boolean;
  /** Spans the work ran off the main thread (a worker, or awaited I/O). */
  offThread: Array<{ start: number; end: number }>;
  loopDelayMaxMs: number;
  /** Could other commands run meanwhile (loop delay stayed under 50 ms)? */
  othersServed: boolean;
}

export const DEFAULT_SLICE_MS = 10;

/**
 * Runs the same work the ways LoopLab teaches, one after the other, and measures each: when the
 * first answer could go out, when the work was done, and how late the event loop got meanwhile.
 * The caller has already deferred, so the comparison itself never risks the 3 s deadline.
 */
export async function compareStrategies(
  run: CommandRun,
  kind: WorkKind,
  ms: number,
  strategies: readonly Strategy[],
  /** Told after each row, e.g. to show progress. */
  onRow: (entry: CompareEntry, index: number) => Promise<unknown> = async () => {},
): Promise<CompareEntry[]> {
  const { measure, pool } = run.ctx;
  const { created, ackSent, ackConfirmed } = run.trace.marks;
  const handlerReadyMs = (ackSent ?? Date.now()) - created;
  const deferMs = (ackConfirmed ?? Date.now()) - created;
  const entries: CompareEntry[] = [];
  for (const strategy of strategies) {
    await sleep(30); // let the loop-delay recorder settle between rows
    const start = Date.now();
    const busy: Array<{ start: number; end: number }> = [];
    const off: Array<{ start: number; end: number }> = [];
    let firstAnswerMs = deferMs;
    switch (strategy) {
      case 'block': {
        const holder = { ...run.holder, label: `${run.holder.label} (block row)` };
        measure.ledger.hold(holder, () => runWork(kind, ms));
        busy.push({ start: 0, end: Date.now() - start });
        firstAnswerMs = handlerReadyMs + (Date.now() - start);
        break;
      }
      case 'nonblock':
        await pool.run(kind, ms);
        off.push({ start: 0, end: Date.now() - start });
        break;
      case 'io':
        await awaitIoFor(IO_TWIN[kind], ms);
        off.push({ start: 0, end: Date.now() - start });
        break;
      case 'yield': {
        const holder = { ...run.holder, label: `${run.holder.label} (yield row)` };
        const result = await runSliced(measure.ledger, holder, kind, ms, DEFAULT_SLICE_MS);
        for (const s of result.sliceSpans) busy.push({ start: s.start - start, end: s.end - start });
        break;
      }
    }
    const durationMs = Date.now() - start;
    await sleep(20); // the recorder's next tick records a stall that just ended
    const loopDelayMaxMs = measure.recorder.stats(start, Date.now()).max;
    entries.push({
      strategy,
      label: strategy,
      durationMs,
      ackMs: firstAnswerMs,
      failed: firstAnswerMs > INITIAL_RESPONSE_DEADLINE_MS,
      mainThreadBusy: mergeSpans(busy),
      sliced: strategy === 'yield',
      offThread: off,
      loopDelayMaxMs,
      othersServed: loopDelayMaxMs < 50,
    });
    await onRow(entries.at(-1)!, entries.length - 1);
  }
  return entries;
}

/** Joins spans closer than 3 ms, so thousands of slices draw as a few readable bands. */
function mergeSpans(spans: Array<{ start: number; end: number }>): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  for (const s of spans) {
    const last = out.at(-1);
    if (last && s.start - last.end < 3) last.end = s.end;
    else out.push({ ...s });
  }
  return out;
}
