/**
 * The raw piscina anchor of the offload figure: the same work function LoopLab's worker runs
 * (runWork), with none of LoopLab's pool around it (no task-started message, no time limit, no
 * reply envelope).
 */
import { runWork, type WorkKind, type WorkResult } from '../../src/work/kinds.js';

export default function rawTask(input: { kind: WorkKind; ms: number } | null): WorkResult | null {
  if (input === null) return null;
  return runWork(input.kind, input.ms);
}
