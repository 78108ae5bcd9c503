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
// A sanity bound (the picture follows the reply, so it never spends the 3 s): how fast a chart
// renders is measured in `npm run bench`, side by side, not asserted here on a shared machine.
const RENDER_BUDGET_MS = 1_000;

function hexToRgb(hex: string): [number, number, number] {
  const v = Number.parseInt(hex.slice(1), 16);
  return [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
}

/** What `hex` drawn at `opacity` over `under` looks like, as a hex colour. */
function blend(hex: string, under: string, opacity: number): string {
  const top = hexToRgb(hex);
  const bottom = hexToRgb(under);
  return `#${top
    .map((c, i) => Math.round(c * opacity + bottom[i]! * (1 - opacity)))
    .map((c) => c.toString(16).padStart(2, '0'))
    .join('')}`;
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
    const images: PNG[] = [];
    for (const svg of [empty, huge]) {
      const { png, renderMs } = await renderPng(svg);
      expect(renderMs).toBeLessThan(RENDER_BUDGET_MS);
      const img = decode(png);
      expect([img.width, img.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
      images.push(img);
    }
    const [emptyImg, hugeImg] = images as [PNG, PNG];
    // The empty chart: a bare plot, no deadline line anywhere in it.
    const emptyLayout = timelineLayout({
      title: '',
      start: T,
      end: T + 50,
      delaySamples: [],
      marks: [],
      spans: [],
    });
    const midY = Math.round((emptyLayout.plotTop + emptyLayout.plotBottom) / 2);
    expect(
      matches(emptyImg, Math.round((emptyLayout.plotLeft + emptyLayout.plotRight) / 2), midY, COLORS.plot),
    ).toBe(true);
    for (let x = Math.ceil(emptyLayout.plotLeft); x < emptyLayout.plotRight; x += 7)
      expect(matchingRows(emptyImg, x, emptyLayout.plotTop, emptyLayout.plotBottom, COLORS.deadline)).toEqual(
        [],
      );
    // The huge one: the span clipped to the window fills its ribbon lane from end to end.
    const hugeLayout = timelineLayout({
      title: 'long',
      start: T,
      end: T + 20 * 60_000,
      delaySamples: [],
      marks: [],
      spans: [{ start: T - 1000, end: T + 30 * 60_000, label: 'spin', kind: 'other' }],
    });
    expect(hugeLayout.ribbonLanes).toBe(1);
    const barY = Math.round(hugeLayout.ribbonTop + 7);
    const bar = blend(COLORS.other, COLORS.background, 0.85);
    for (const f of [0.2, 0.5, 0.8, 0.99]) {
      const x = Math.round(hugeLayout.plotLeft + f * (hugeLayout.plotRight - hugeLayout.plotLeft));
      expect(matches(hugeImg, x, barY, bar), `ribbon at ${f}`).toBe(true);
    }
    // …and not beyond it (the plot's right margin stays background).
    expect(matches(hugeImg, Math.round(hugeLayout.plotRight) + 6, barY, bar)).toBe(false);
  });

  it('keeps the event loop turning while rendering (the raster work runs off the main thread)', async () => {
    // A dense 20-minute window: enough drawing that a render on the main thread would show.
    const dense: Array<{ at: number; delayMs: number }> = [];
    for (let at = T; at <= T + 20 * 60_000; at += 20) dense.push({ at, delayMs: (at / 20) % 97 });
    const svg = timelineSvg({
      title: 'dense',
      start: T,
      end: T + 20 * 60_000,
      delaySamples: dense,
      marks: [],
      spans: [],
    });
    let ticks = 0;
    let spinning = true;
    const spin = (): void => {
      ticks++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    const { renderMs } = await renderPng(svg);
    spinning = false;
    // Each turn of the loop takes microseconds: a render done on the main thread allows no turn at
    // all before it resolves (measured: 0), one done on libuv's pool allows thousands (measured:
    // ~13 000 in 43 ms). 10 leaves room for a busy machine that starves this thread.
    expect(renderMs).toBeGreaterThan(1);
    expect(
      ticks,
      `${ticks} turns of the loop in ${renderMs.toFixed(1)} ms of rendering`,
    ).toBeGreaterThanOrEqual(10);
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

  it('handles no rows: an empty plot that says so', async () => {
    const svg = compareSvg('nothing', []);
    expect(svg).toContain('no runs');
    const img = decode((await renderPng(svg)).png);
    const layout = compareLayout([]);
    expect([img.width, img.height]).toEqual([CHART_WIDTH, layout.height]);
    // The plot is drawn (its own colour well left of the centred text), and the text is in it.
    const midY = Math.round((layout.plotTop + layout.plotBottom) / 2);
    expect(matches(img, Math.round(layout.plotLeft + 10), midY, COLORS.plot)).toBe(true);
    let textPixels = 0;
    const centre = (layout.plotLeft + layout.plotRight) / 2;
    for (let x = Math.round(centre - 40); x < centre + 40; x++)
      textPixels += matchingRows(img, x, midY - 10, midY + 10, COLORS.muted).length;
    expect(textPixels).toBeGreaterThan(20);
  });
});

describe('fontOptions', () => {
  it('uses system fonts with DejaVu Sans, plus font files from LOOPLAB_FONT_FILE', () => {
    expect(fontOptions({})).toEqual({ loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' });
    expect(fontOptions({ LOOPLAB_FONT_FILE: '/fonts/Inter.ttf' }).fontFiles).toEqual(['/fonts/Inter.ttf']);
    expect(fontOptions({ LOOPLAB_FONT_FILE: '/a.ttf,/b.txt' }).fontFiles).toEqual(['/a.ttf']);
  });
});
