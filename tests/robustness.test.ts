import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLORS } from '../src/report/charts/svg.js';
import { timelineLayout } from '../src/report/charts/timeline-chart.js';
import { embedText, type LoopLab, startLoopLab } from './support/looplab.js';
import { until } from './support/tiny-bot.js';

describe('a Discord stand-in that takes no uploads', () => {
  let lab: LoopLab;
  beforeAll(async () => {
    lab = await startLoopLab({ sandbox: { acceptUploads: false } });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('still delivers every report and explanation, without the pictures', async () => {
    const report = await lab.api.invoke({ user: 'alice', command: 'nonblock', options: { ms: 100 } });
    expect(embedText(report.messages[0]!)).toMatch(/Deferred in/);
    expect(report.messages[0]!.attachments).toEqual([]);
    const failed = await lab.api.invoke({ user: 'bob', command: 'block', options: { ms: 3_200 } });
    expect(failed.status).toBe('failed');
    const note = await lab.api.waitForMessage(lab.channelId, (m) =>
      m.content.includes(`<@${failed.userId}>`),
    );
    expect(note.content).toMatch(/expired/);
    expect(note.embeds).toHaveLength(1);
    expect(note.attachments).toEqual([]);
    await until(() => lab.logs.some((l) => /sending it without/.test(l.msg)));
  });
});

describe("a real report's picture", () => {
  let lab: LoopLab;
  beforeAll(async () => {
    lab = await startLoopLab();
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('draws the 3 s deadline where 3 s after creation falls on its time axis', async () => {
    const view = await lab.api.invoke({ user: 'carol', command: 'nonblock', options: { ms: 4_000 } });
    const message = view.messages[0]!;
    const png = PNG.sync.read(await lab.api.attachment(message.attachments[0]!.url));
    expect([png.width, png.height]).toEqual([800, 300]);
    // Columns where the deadline colour runs down much of the plot: the dashed deadline line.
    const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(COLORS.deadline.slice(i, i + 2), 16));
    const columns: number[] = [];
    for (let x = 0; x < png.width; x++) {
      let hits = 0;
      for (let y = 40; y < 260; y++) {
        const i = (png.width * y + x) << 2;
        if (
          Math.abs(png.data[i]! - r!) + Math.abs(png.data[i + 1]! - g!) + Math.abs(png.data[i + 2]! - b!) <
          40
        )
          hits++;
      }
      if (hits > 60) columns.push(x);
    }
    expect(columns.length).toBeGreaterThan(0);
    expect(columns.length).toBeLessThan(6); // one line, a few pixels wide at most
    // The window runs from 150 ms before creation to 150 ms after the report; the plot spans the
    // same pixels as the helper's layout. The line sits 3150 ms into a window of (report + 300) ms.
    // The report's own total ("then done in 4.03 s") is where its window ends, +150 ms.
    const totalMs = Number(/then done in \*\*([\d.]+) s\*\*/.exec(embedText(message))![1]) * 1000;
    const windowMs = Math.max(totalMs, 3_300) + 300;
    const fraction = 3_150 / windowMs;
    const { plotLeft, plotRight } = timelineLayout({
      title: '',
      start: 0,
      end: 1,
      delaySamples: [],
      marks: [],
      spans: [],
    });
    const plotted = (columns[0]! - plotLeft) / (plotRight - plotLeft);
    expect(Math.abs(plotted - fraction)).toBeLessThan(0.03);
  });

  it('shows progress on long offloaded work, then replaces it with the report', async () => {
    const { id } = await lab.api.send({ user: 'dave', command: 'nonblock', options: { ms: 6_000 } });
    const progress = await until(async () => {
      const v = await lab.api.interaction(id);
      const m = v.messages[0];
      return m?.content.startsWith('⏳') ? m : null;
    }, 8_000);
    expect(progress.content).toMatch(/running cpu work on a worker thread: \d\.\d\d s of about 6\.00 s/);
    expect(progress.embeds).toEqual([]);
    const done = await until(async () => {
      const m = (await lab.api.interaction(id)).messages[0];
      return m && m.embeds.length > 0 ? m : null;
    }, 10_000);
    expect(done.content).toBe('');
    expect(embedText(done)).toMatch(/then done in \*\*6\.\d\d s\*\*/);
    expect(done.edits.length).toBeGreaterThanOrEqual(3); // two progress lines, then the report
  });
});
