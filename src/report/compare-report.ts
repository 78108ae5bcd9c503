import { type APIEmbed, AttachmentBuilder } from 'discord.js';
import type { CompareEntry } from '../demos/compare.js';
import { INITIAL_RESPONSE_DEADLINE_MS } from '../discord/facts.js';
import { WORK_DESCRIPTIONS, type WorkKind } from '../work/kinds.js';
import { Colors } from './demo-embed.js';
import { ms, seconds } from './format.js';
import { compareSvg, renderPng } from './timeline.js';

export const COMPARE_CHART = 'compare.png';

const MEANING: Record<string, string> = {
  block: 'answers only after the work: everyone waits, and past 3 s the token dies',
  nonblock: 'answers at once, the work runs on a worker thread',
  io: 'answers at once, awaits real async I/O; the thread is free meanwhile',
  yield: 'answers at once, works in slices and lets others run in between',
};

/** One fixed-width table a learner reads in a glance. */
export function compareTable(entries: readonly CompareEntry[]): string {
  const header = ['strategy', 'first answer', 'done', 'loop max', 'others'];
  const rows = entries.map((e) => [
    e.strategy,
    `${ms(e.firstAnswerMs)}${e.firstAnswerMs > INITIAL_RESPONSE_DEADLINE_MS ? ' ✗' : ''}`,
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

export async function compareReport(
  label: string,
  kind: WorkKind,
  workMs: number,
  entries: readonly CompareEntry[],
): Promise<{ embeds: APIEmbed[]; files: AttachmentBuilder[] }> {
  const chart = await renderPng(compareSvg(`${label}: the same ${kind} work, four ways`, entries)).catch(
    () => null,
  );
  const block = entries.find((e) => e.strategy === 'block');
  const verdict = block
    ? block.firstAnswerMs > INITIAL_RESPONSE_DEADLINE_MS
      ? `Blocking would have **missed Discord’s 3 s deadline** (first answer after ${ms(block.firstAnswerMs)}) and held everyone for ${seconds(block.loopDelayMaxMs)}.`
      : `Blocking answered after ${ms(block.firstAnswerMs)} and held everyone else for ${seconds(block.loopDelayMaxMs)}; the others answered at once.`
    : '';
  const embed: APIEmbed = {
    title: `${label}: ${ms(workMs)} of ${kind} work, compared`,
    description: [
      `Work: ${WORK_DESCRIPTIONS[kind]}.`,
      compareTable(entries),
      verdict,
      entries.map((e) => `• **${e.strategy}**: ${MEANING[e.strategy] ?? ''}`).join('\n'),
      'The same work either way: only *where* it runs and *when* the answer goes out change. → `/explain topic:threads-async-goroutines`',
    ]
      .filter(Boolean)
      .join('\n'),
    color: Colors.info,
  };
  if (chart) embed.image = { url: `attachment://${COMPARE_CHART}` };
  return { embeds: [embed], files: chart ? [new AttachmentBuilder(chart.png, { name: COMPARE_CHART })] : [] };
}
