/**
 * Charts are shed under a burst, never the answer, and the report says so (step 9): the real bot,
 * a burst of /io reports at once on the sandbox. Every interaction is answered with its numbers;
 * each report carries its chart or a note that it was shed; none is left silently without.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHARTS_AT_ONCE, CHARTS_WAITING } from '../src/report/charts/png.js';
import { CHART_SHED_NOTE } from '../src/router/deliver.js';
import type { MessageView } from '../src/sandbox/views.js';
import { type LoopLab, startLoopLab } from './support/looplab.js';
import { until } from './support/tiny-bot.js';

let lab: LoopLab;

beforeAll(async () => {
  lab = await startLoopLab({ env: { MAX_CONCURRENT_DEMOS: '1000', LOG_LEVEL: 'info' } });
});

afterAll(async () => {
  await lab?.stop();
});

const footer = (m: MessageView) => m.embeds[0]?.footer?.text ?? '';
const done = (m: MessageView | undefined) =>
  m !== undefined && (m.attachments.length > 0 || footer(m).includes(CHART_SHED_NOTE));

describe('a burst of reports with charts', () => {
  it('answers every one; the charts it cannot draw in time are shed, and those reports say so', async () => {
    // More reports at once than the chart thread renders and queues (2 + 16).
    const burst = (CHARTS_AT_ONCE + CHARTS_WAITING) * 4;
    // Two scenarios at once (the sandbox takes up to 50 steps in one).
    const half = (from: number) =>
      lab.api.scenario(
        Array.from({ length: burst / 2 }, (_, i) => ({
          afterMs: 0,
          user: `shed${from + i}`,
          command: 'io',
          options: { ms: 1 },
        })),
      );
    const sent = (await Promise.all([half(0), half(burst / 2)])).flat();
    const views = await Promise.all(sent.map((s) => lab.api.waitSettled(s.id, 20_000)));
    expect(views.map((v) => v.status)).toEqual(views.map(() => 'deferred'));
    // The edits with a chart (or its note) land after the words: wait for every report's last edit.
    const final = await until(
      async () => {
        const now = await Promise.all(sent.map((s) => lab.api.interaction(s.id)));
        return now.every((v) => done(v.messages[0])) ? now : null;
      },
      20_000,
      'every report with its chart or the shed note',
    );
    const reports = final.map((v) => v.messages[0] as MessageView);
    // The answer is never shed: every report has its numbers.
    for (const r of reports) expect(r.embeds[0]?.fields?.length ?? 0).toBeGreaterThan(0);
    const shed = reports.filter((r) => footer(r).includes(CHART_SHED_NOTE));
    const drawn = reports.filter((r) => r.attachments.length > 0);
    expect(shed.length).toBeGreaterThan(0);
    expect(drawn.length).toBeGreaterThanOrEqual(CHARTS_AT_ONCE + CHARTS_WAITING);
    expect(shed.length + drawn.length).toBe(burst);
    // A shed report carries no attachment, and its footer keeps what it said before.
    for (const r of shed) {
      expect(r.attachments).toEqual([]);
      expect(footer(r)).toMatch(/^A deferred reply can be edited for 15 minutes .* · No chart this time/);
    }
    expect(lab.logs.filter((l) => l.msg === 'could not render the picture').length).toBe(shed.length);
  }, 60_000);
});
