import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { type CompareRow, compareLayout, compareSvg } from '../src/report/charts/compare-chart.js';
import { fontOptions, renderPng } from '../src/report/charts/png.js';
import { CHART_HEIGHT, CHART_WIDTH, COLORS } from '../src/report/charts/svg.js';
import { type TimelineInput, timelineLayout, timelineSvg } from '../src/report/charts/timeline-chart.js';

const T = 1_700_000_000_000;
const RENDER_BUDGET_MS = 200;

function hexToRgb(hex: string): [number, number, number] {
  const v = Number.parseInt(hex.slice(1), 16);
  return [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
}

function decode(png: Buffer): PNG {
  return PNG.sync.read(png);
}

function matches(img: PNG, x: number, y: number, hex: string, tolerance = 12): boolean {
  const [r, g, b] = hexToRgb(hex);
  const i = (img.width * y + x) * 4;
  return (
    Math.abs(img.data[i]! - r) <= tolerance &&
    Math.abs(img.data[i + 1]! - g) <= tolerance &&
    Math.abs(img.data[i + 2]! - b) <= tolerance
  );
}

/** Rows y in [top, bottom) of column x whose pixel is `hex` (within tolerance). */
function matchingRows(img: PNG, x: number, top: number, bottom: number, hex: string): number[] {
  const rows: number[] = [];
  for (let y = Math.ceil(top); y < Math.floor(bottom); y++) if (matches(img, x, y, hex)) rows.push(y);
  return rows;
}

/** The deadline line is dashed: expect it on most of the column, spread over top, middle and bottom. */
function expectDeadlineColumn(img: PNG, x: number, top: number, bottom: number): void {
  const rows = matchingRows(img, x, top + 1, bottom - 1, COLORS.deadline);
  const height = bottom - top - 2;
  expect(rows.length).toBeGreaterThan(height * 0.4);
  const third = height / 3;
  expect(rows.some((y) => y < top + third)).toBe(true);
  expect(rows.some((y) => y >= top + third && y < top + 2 * third)).toBe(true);
  expect(rows.some((y) => y >= top + 2 * third)).toBe(true);
}

function blockTimeline(): TimelineInput {
  const delaySamples: Array<{ at: number; delayMs: number }> = [];
  for (let at = T; at <= T + 5000; at += 50) {
    if (at > T && at < T + 4000) continue; // the loop was blocked: no samples until the block ends
    delaySamples.push({ at, delayMs: at === T + 4000 ? 3985 : 1 + (at % 3) });
  }
  return {
    title: '/block 4000 ms — <alice> & "friends"',
    start: T,
    end: T + 5000,
    delaySamples,
    marks: [
      { at: T, label: 'created', kind: 'created' },
      { at: T + 3000, label: '3 s deadline', kind: 'deadline' },
      { at: T + 4000, label: 'done', kind: 'done' },
    ],
    spans: [{ start: T, end: T + 4000, label: 'your /block', kind: 'self' }],
  };
}

function compareRows(): CompareRow[] {
  return [
    {
      label: 'block',
      durationMs: 4000,
      ackMs: null,
      failed: true,
      mainThreadBusy: [{ start: 0, end: 4000 }],
      offThread: [],
      loopDelayMaxMs: 3990,
    },
    {
      label: 'nonblock',
      durationMs: 4080,
      ackMs: 12,
      failed: false,
      mainThreadBusy: [{ start: 0, end: 3 }],
      offThread: [{ start: 5, end: 4060 }],
      loopDelayMaxMs: 4,
    },
    {
      label: 'io',
      durationMs: 4020,
      ackMs: 9,
      failed: false,
      mainThreadBusy: [{ start: 0, end: 2 }],
      offThread: [{ start: 4, end: 4010 }],
      loopDelayMaxMs: 2,
    },
  ];
}

describe('timelineSvg + renderPng', () => {
  it('draws the 3 s deadline as a full-height line at x(created + 3000)', async () => {
    const input = blockTimeline();
    const svg = timelineSvg(input);
    expect(svg).toContain('3 s deadline');
    expect(svg).toContain('&lt;alice&gt; &amp; &quot;friends&quot;');
    expect(svg).not.toContain('<alice>');

    const { png, renderMs } = await renderPng(svg);
    writeFileSync(join(tmpdir(), 'looplab-timeline-test.png'), png);
    expect(renderMs).toBeLessThan(RENDER_BUDGET_MS);

    const img = decode(png);
    expect(img.width).toBe(CHART_WIDTH);
    expect(img.height).toBe(CHART_HEIGHT);

    const layout = timelineLayout(input);
    expect(layout.plotLeft).toBeLessThan(layout.plotRight);
    expect(layout.plotTop).toBeLessThan(layout.plotBottom);
    expectDeadlineColumn(img, Math.round(layout.x(T + 3000)), layout.plotTop, layout.plotBottom);

    const away = Math.round(layout.x(T + 500));
    expect(matchingRows(img, away, layout.plotTop, layout.plotBottom, COLORS.deadline)).toEqual([]);
  });

  it('renders empty, tiny (50 ms) and huge (20 min) windows, and ignores marks outside the window', async () => {
    const empty = timelineSvg({
      title: 'bell\u0007',
      start: T,
      end: T + 50,
      delaySamples: [],
      marks: [],
      spans: [],
    });
    expect(empty).not.toContain('\u0007'); // XML forbids it; resvg would reject the whole SVG
    const dense: Array<{ at: number; delayMs: number }> = [];
    for (let at = T; at <= T + 20 * 60_000; at += 20)
      dense.push({ at, delayMs: at % 60_000 === 0 ? 900 : 1 });
    const huge = timelineSvg({
      title: 'long',
      start: T,
      end: T + 20 * 60_000,
      delaySamples: dense,
      marks: [
        { at: T - 10_000, label: 'before', kind: 'stall' },
        { at: T + 3000, label: '3 s deadline', kind: 'deadline' },
        { at: T + 30 * 60_000, label: 'after', kind: 'done' },
      ],
      spans: [{ start: T - 1000, end: T + 30 * 60_000, label: 'spin', kind: 'other' }],
    });
    expect(huge).not.toContain('before');
    expect(huge).not.toContain('after');
    expect(huge.length).toBeLessThan(60_000); // dense samples are reduced per pixel column
    for (const svg of [empty, huge]) {
      const { png, renderMs } = await renderPng(svg);
      expect(renderMs).toBeLessThan(RENDER_BUDGET_MS);
      const img = decode(png);
      expect([img.width, img.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
    }
  });

  it('keeps the event loop turning while rendering', async () => {
    let ticks = 0;
    let spinning = true;
    const spin = (): void => {
      ticks++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    await renderPng(timelineSvg(blockTimeline()));
    spinning = false;
    expect(ticks).toBeGreaterThan(0);
  });
});

describe('compareSvg', () => {
  it('draws the deadline at compareLayout.x(3000) across all lanes', async () => {
    const rows = compareRows();
    const svg = compareSvg('/compare 4000 ms', rows);
    expect(svg).toContain('3 s deadline');
    expect(svg).toContain('failed');
    expect(svg).toContain('nonblock');

    const { png, renderMs } = await renderPng(svg);
    writeFileSync(join(tmpdir(), 'looplab-compare-test.png'), png);
    expect(renderMs).toBeLessThan(RENDER_BUDGET_MS);

    const img = decode(png);
    const layout = compareLayout(rows);
    expect(img.width).toBe(CHART_WIDTH);
    expect(img.height).toBe(layout.height);
    expect(layout.x(0)).toBe(layout.plotLeft);
    expect(layout.maxMs).toBeGreaterThanOrEqual(4080);

    expectDeadlineColumn(img, Math.round(layout.x(3000)), layout.plotTop, layout.plotBottom);
    for (let i = 0; i < rows.length; i++) {
      const top = layout.laneTop(i);
      const inLane = matchingRows(
        img,
        Math.round(layout.x(3000)),
        top,
        top + layout.laneHeight,
        COLORS.deadline,
      );
      expect(inLane.length).toBeGreaterThan(0);
    }

    const away = Math.round(layout.x(500));
    expect(matchingRows(img, away, layout.plotTop, layout.plotBottom, COLORS.deadline)).toEqual([]);
    // block's lane shows main-thread busy at 0.5 s; nonblock's lane shows off-thread work there.
    const lane = (i: number) => [layout.laneTop(i), layout.laneTop(i) + layout.laneHeight] as const;
    expect(matchingRows(img, away, ...lane(0), COLORS.self).length).toBeGreaterThan(0);
    expect(matchingRows(img, away, ...lane(1), COLORS.worker).length).toBeGreaterThan(0);
    expect(matchingRows(img, away, ...lane(1), COLORS.self)).toEqual([]);
  });

  it('handles no rows', async () => {
    const { png } = await renderPng(compareSvg('nothing', []));
    expect(decode(png).width).toBe(CHART_WIDTH);
  });
});

describe('fontOptions', () => {
  it('uses system fonts with DejaVu Sans, plus font files from LOOPLAB_FONT_FILE', () => {
    expect(fontOptions({})).toEqual({ loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' });
    expect(fontOptions({ LOOPLAB_FONT_FILE: '/fonts/Inter.ttf' }).fontFiles).toEqual(['/fonts/Inter.ttf']);
    expect(fontOptions({ LOOPLAB_FONT_FILE: '/a.ttf,/b.txt' }).fontFiles).toEqual(['/a.ttf']);
  });
});
