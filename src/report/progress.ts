import type { CompareEntry } from '../demos/compare.js';
import { seconds } from '../lib/format.js';

/** The line a long demo's deferred reply shows while the work runs. */
export function progressLine(what: string, elapsedMs: number, expectedMs: number): string {
  return `⏳ ${what}: ${seconds(elapsedMs)} of about ${seconds(expectedMs)}. This message keeps updating because the event loop is free.`;
}

/** /compare's line between two rows. */
export function compareProgressLine(
  entry: CompareEntry,
  index: number,
  strategies: readonly string[],
): string {
  const next = strategies[index + 1];
  return `⏳ Comparing: **${entry.strategy}** done in ${seconds(entry.durationMs)} (${index + 1} of ${strategies.length})${
    next ? `; now **${next}**…` : '.'
  }`;
}
