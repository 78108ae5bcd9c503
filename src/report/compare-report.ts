import type { APIEmbed } from 'discord-api-types/v10';
import type { OutgoingMessage, Picture } from '../contracts/run.js';
import { type CompareEntry, DEFAULT_SLICE_MS } from '../demos/compare.js';
import { INITIAL_RESPONSE_DEADLINE_MS } from '../discord/facts.js';
import { ms, seconds } from '../lib/format.js';
import { WORK_DESCRIPTIONS, type WorkKind } from '../work/kinds.js';
import { compareSvg } from './charts/compare-chart.js';
import { renderPng } from './charts/png.js';
import { Colors } from './demo-embed.js';

export const COMPARE_CHART = 'compare.png';

/** What each row shows, in words generated from its own numbers. */
export function rowMeaning(e: CompareEntry): string {
  const first = `first answer after ${ms(e.ackMs ?? 0)}`;
  const loop = `loop delay max ${ms(e.loopDelayMaxMs)}`;
  switch (e.strategy) {
    case 'block':
      return `does the work on the main thread and answers only after it: ${first}${e.failed ? ', **past the 3 s deadline**: the token would die' : ''}; ${e.othersServed ? 'short enough that others barely noticed' : 'everyone else waited'} (${loop}).`;
    case 'nonblock':
      return `defers (${first}) and runs the work on a worker thread (${loop}).`;
    case 'io':
      return `defers (${first}) and awaits real async I/O; the thread is free meanwhile (${loop}).`;
    case 'yield':
      return `defers (${first}) and works in ~${DEFAULT_SLICE_MS} ms slices on the main thread, letting others run in between (${loop}).`;
  }
}

/** One fixed-width table a learner reads in a glance. */
export function compareTable(entries: readonly CompareEntry[]): string {
  const header = ['strategy', 'first answer', 'done', 'loop max', 'others'];
  const rows = entries.map((e) => [
    e.strategy,
    `${ms(e.ackMs ?? 0)}${e.failed ? ' ✗' : ''}`,
    seconds(e.durationMs),
    ms(e.loopDelayMaxMs),
    e.othersServed ? 'served' : 'waited',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return ['```', line(header), ...rows.map(line), '```'].join('\n');
}

/** /compare's answer: the table, the verdict and a line per strategy (the picture follows). */
export function compareMessage(
  label: string,
  kind: WorkKind,
  workMs: number,
  entries: readonly CompareEntry[],
): OutgoingMessage {
  const block = entries.find((e) => e.strategy === 'block');
  const others = entries.filter((e) => e.strategy !== 'block');
  const slowestDefer = others.length ? Math.max(...others.map((e) => e.ackMs ?? 0)) : 0;
  const verdict = block
    ? `${
        block.failed
          ? `Blocking would have **missed Discord’s ${ms(INITIAL_RESPONSE_DEADLINE_MS)} deadline** (first answer after ${ms(block.ackMs ?? 0)})`
          : `Blocking would have answered after ${ms(block.ackMs ?? 0)}`
      } and held everyone else for ${seconds(block.loopDelayMaxMs)}${others.length ? `; the other strategies answered within ${ms(slowestDefer)}.` : '.'}`
    : '';
  const embed: APIEmbed = {
    title: `${label}: ${ms(workMs)} of ${kind} work, compared`,
    description: [
      `Work: ${WORK_DESCRIPTIONS[kind]}.`,
      compareTable(entries),
      verdict,
      entries.map((e) => `• **${e.strategy}** ${rowMeaning(e)}`).join('\n'),
      'The same work either way: only *where* it runs and *when* the answer goes out change. → `/explain topic:threads-async-goroutines`',
    ]
      .filter(Boolean)
      .join('\n'),
    color: Colors.info,
  };
  return { content: '', embeds: [embed] }; // content '' replaces the progress line
}

/** The lanes of the comparison, one per strategy. */
export function comparePicture(label: string, kind: WorkKind, entries: readonly CompareEntry[]): Picture {
  return {
    name: COMPARE_CHART,
    render: async () => (await renderPng(compareSvg(`${label} · ${kind}`, entries))).png,
  };
}
