/**
 * PNG timelines for demo reports: main-thread event-loop delay over an interaction's window, with
 * marks (created / ack / 3 s deadline / done) and shaded spans where something held the main thread.
 * `compareSvg` draws several modes side by side on one shared axis.
 *
 * Everything here builds SVG strings synchronously (cheap: a few hundred elements at most); only
 * `renderPng` does heavy work, and it runs on libuv's thread pool via resvg-js `renderAsync`.
 */
import { delimiter } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type ResvgRenderOptions, renderAsync } from '@resvg/resvg-js';
import { INITIAL_RESPONSE_DEADLINE_MS } from '../discord/facts.js';

export interface TimelineMark {
  at: number;
  label: string;
  kind: 'created' | 'received' | 'ack' | 'deadline' | 'done' | 'failed' | 'stall';
}

export interface TimelineSpan {
  start: number;
  end: number;
  label: string;
  kind: 'self' | 'other' | 'worker' | 'yield' | 'io';
}

export interface TimelineInput {
  title: string;
  /** Window start, ms since epoch. */
  start: number;
  /** The time axis's 0 (e.g. the interaction's creation); default `start`. */
  origin?: number;
  /** Window end, ms since epoch. */
  end: number;
  /** Loop-delay samples: `at` = when the sample was taken, `delayMs` = how late the loop was. */
  delaySamples: ReadonlyArray<{ at: number; delayMs: number }>;
  marks: ReadonlyArray<TimelineMark>;
  spans: ReadonlyArray<TimelineSpan>;
}

export const CHART_WIDTH = 800;
export const CHART_HEIGHT = 300;

/** Palette tuned for Discord's dark theme. Exported so tests can look for exact pixels. */
export const COLORS = {
  background: '#2b2d31',
  plot: '#232428',
  grid: '#383a40',
  axis: '#4e5058',
  text: '#dbdee1',
  muted: '#949ba4',
  deadline: '#f23f43',
  self: '#f0b232',
  other: '#eb459e',
  worker: '#1abc9c',
  yield: '#9b84ee',
  io: '#5865f2',
  delay: '#00a8fc',
  created: '#b5bac1',
  received: '#c9cdfb',
  ack: '#57f287',
  done: '#ffffff',
  failed: '#ff8a3d',
  stall: '#fee75c',
} as const;

const FONT_FAMILY = 'DejaVu Sans, sans-serif';
/** Rough average glyph advance of DejaVu Sans, as a fraction of the font size (used to avoid overlaps). */
const CHAR_WIDTH = 0.6;

const SPAN_KIND_NAME: Record<TimelineSpan['kind'], string> = {
  self: 'this command',
  other: 'other command',
  worker: 'worker thread',
  yield: 'yielding',
  io: 'awaiting I/O',
};

const MARK_DEFAULT_LABEL: Record<TimelineMark['kind'], string> = {
  created: 'created',
  received: 'received',
  ack: 'ack',
  deadline: '3 s deadline',
  done: 'done',
  failed: 'failed',
  stall: 'stall',
};

/** Lower number = placed first when mark labels compete for room. */
const MARK_PRIORITY: Record<TimelineMark['kind'], number> = {
  deadline: 0,
  failed: 1,
  ack: 2,
  done: 3,
  created: 4,
  received: 5,
  stall: 6,
};

// ---------------------------------------------------------------------------------------------
// Small helpers

/** Escapes text for XML and drops characters XML 1.0 forbids (which would make resvg reject the SVG). */
export function escapeXml(text: string): string {
  return Array.from(text)
    .filter((ch) => {
      const code = ch.codePointAt(0) ?? 0;
      return (
        (code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) &&
        code !== 0xfffe &&
        code !== 0xffff
      );
    })
    .join('')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Trims text to at most `max` characters, ending in an ellipsis when cut. */
function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  if (max <= 1) return chars.slice(0, Math.max(0, max)).join('');
  return `${chars.slice(0, max - 1).join('')}…`;
}

function textWidth(text: string, fontSize: number): number {
  return Array.from(text).length * fontSize * CHAR_WIDTH;
}

/** Coordinates with one decimal keep the SVG short. */
function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function clamp(value: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, value));
}

/** Centre of the pixel column that `x` rounds to: 1-2 px vertical lines drawn here stay crisp. */
function pixelCenter(x: number): number {
  return Math.round(x) + 0.5;
}

/** A "nice" tick step (1, 2 or 5 × 10^k) giving at most `maxTicks` intervals over `range`. */
function niceStep(range: number, maxTicks: number): number {
  const raw = range / Math.max(1, maxTicks);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) {
    if (m * mag >= raw - 1e-12) return m * mag;
  }
  return 10 * mag;
}

function decimalsFor(step: number): number {
  return step >= 1 ? 0 : Math.min(6, Math.ceil(-Math.log10(step) - 1e-9));
}

function formatSeconds(seconds: number, step: number): string {
  return `${seconds.toFixed(decimalsFor(step))} s`;
}

function formatDelayTick(ms: number, step: number): string {
  if (ms >= 10_000) return `${n(ms / 1000)}k`;
  return ms.toFixed(decimalsFor(step));
}

/** "12 ms", "3012 ms", "12.3 s", "4 min" — for short annotations. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (ms < 10) return `${Math.round(ms * 10) / 10} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms / 6_000) / 10} min`;
}

interface TextOpts {
  size?: number;
  fill?: string;
  anchor?: 'start' | 'middle' | 'end';
  weight?: 'bold';
  /** Draw a background-coloured outline behind the glyphs so text stays legible over the plot. */
  halo?: string;
}

function text(x: number, y: number, content: string, opts: TextOpts = {}): string {
  const attrs = [`x="${n(x)}"`, `y="${n(y)}"`, `font-size="${opts.size ?? 11}"`];
  attrs.push(`fill="${opts.fill ?? COLORS.text}"`);
  if (opts.anchor && opts.anchor !== 'start') attrs.push(`text-anchor="${opts.anchor}"`);
  if (opts.weight) attrs.push(`font-weight="${opts.weight}"`);
  if (opts.halo) {
    attrs.push(
      `stroke="${opts.halo}"`,
      'stroke-width="3"',
      'stroke-linejoin="round"',
      'paint-order="stroke"',
    );
  }
  return `<text ${attrs.join(' ')}>${escapeXml(content)}</text>`;
}

function svgOpen(width: number, height: number): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}">` +
    `<rect width="${width}" height="${height}" fill="${COLORS.background}"/>`
  );
}

interface LegendItem {
  label: string;
  color: string;
  /** 'box' = filled swatch, 'line' = dashed vertical stroke, 'tick' = short solid stroke */
  shape: 'box' | 'line' | 'tick';
}

const LEGEND_FONT = 11;
const TITLE_FONT = 14;
/** Bold glyphs run a little wider than regular ones. */
const TITLE_CHAR_WIDTH = TITLE_FONT * CHAR_WIDTH * 1.08;

function legendItemWidth(item: LegendItem): number {
  return 14 + textWidth(item.label, LEGEND_FONT) + 12;
}

/** Header title, truncated so it leaves room for a legend of `legendItems` (but keeps at least ~24 chars). */
function headerTitle(title: string, legendItems: ReadonlyArray<LegendItem>): { svg: string; right: number } {
  const legendW = legendItems.reduce((sum, it) => sum + legendItemWidth(it), 0);
  const room = Math.max(24 * TITLE_CHAR_WIDTH, CHART_WIDTH - 32 - legendW - 8);
  const shown = truncate(title, Math.floor(room / TITLE_CHAR_WIDTH));
  return {
    svg: text(16, 22, shown, { size: TITLE_FONT, weight: 'bold' }),
    right: 16 + Array.from(shown).length * TITLE_CHAR_WIDTH,
  };
}

/** Right-aligned legend ending at `right`; drops trailing items that would run left of `minX`. */
function legend(items: ReadonlyArray<LegendItem>, right: number, y: number, minX: number): string {
  const size = LEGEND_FONT;
  const widths = items.map(legendItemWidth);
  let keep = items.length;
  while (keep > 0 && widths.slice(0, keep).reduce((a, b) => a + b, 0) > right - minX) keep--;
  const out: string[] = [];
  let x = right - widths.slice(0, keep).reduce((a, b) => a + b, 0) + 12;
  for (let i = 0; i < keep; i++) {
    const it = items[i]!;
    if (it.shape === 'box') {
      out.push(`<rect x="${n(x)}" y="${n(y - 9)}" width="10" height="10" rx="2" fill="${it.color}"/>`);
    } else {
      const dash = it.shape === 'line' ? ' stroke-dasharray="3 2"' : '';
      out.push(
        `<line x1="${n(x + 5)}" y1="${n(y - 10)}" x2="${n(x + 5)}" y2="${n(y + 1)}" stroke="${it.color}" stroke-width="2"${dash}/>`,
      );
    }
    out.push(text(x + 14, y, it.label, { size, fill: COLORS.muted }));
    x += widths[i]!;
  }
  return out.join('');
}

/**
 * X axis ticks: vertical grid lines over [top, bottom] and labels at `labelY`. `x` maps an axis
 * value (ms) to pixels; the axis shows values from `fromMs` to `fromMs + spanMs` (a timeline's
 * 0 is the interaction's creation, so the left edge may be slightly negative).
 */
function timeAxis(
  x: (ms: number) => number,
  spanMs: number,
  left: number,
  right: number,
  top: number,
  bottom: number,
  labelY: number,
  fromMs = 0,
): string {
  const stepS = niceStep(spanMs / 1000, Math.max(2, Math.floor((right - left) / 90)));
  const out: string[] = [];
  const first = Math.ceil(fromMs / 1000 / stepS - 1e-9);
  for (let i = 0; ; i++) {
    const s = (first + i) * stepS;
    if (s * 1000 > fromMs + spanMs + 1e-6) break;
    const px = pixelCenter(x(s * 1000));
    if (px > right + 1) break;
    if (px < left - 1) continue;
    if (i > 0 || px > left + 1) {
      out.push(
        `<line x1="${n(px)}" y1="${n(top)}" x2="${n(px)}" y2="${n(bottom)}" stroke="${COLORS.grid}" stroke-width="1"/>`,
      );
    }
    const atEdge = px <= left + 1;
    const anchor = atEdge ? 'start' : px > right - 20 ? 'end' : 'middle';
    out.push(text(atEdge ? left : px, labelY, formatSeconds(s, stepS), { fill: COLORS.muted, anchor }));
  }
  return out.join('');
}

// ---------------------------------------------------------------------------------------------
// Timeline

const MAX_SPAN_LANES = 2;
const SPAN_LANE_HEIGHT = 16;

interface LanedSpan {
  span: TimelineSpan;
  lane: number;
  start: number;
  end: number;
}

/** Clamps spans to the window, drops empty ones, and assigns ribbon lanes so overlaps stack. */
function layoutSpans(
  input: TimelineInput,
  start: number,
  end: number,
): { laned: LanedSpan[]; lanes: number } {
  const clipped = input.spans
    .map((span) => ({ span, start: Math.max(start, span.start), end: Math.min(end, span.end) }))
    .filter((s) => Number.isFinite(s.start) && Number.isFinite(s.end) && s.end > s.start)
    .sort((a, b) => a.start - b.start);
  const laneEnds: number[] = [];
  const laned: LanedSpan[] = [];
  for (const s of clipped) {
    let lane = laneEnds.findIndex((e) => e <= s.start);
    if (lane === -1) lane = laneEnds.length < MAX_SPAN_LANES ? laneEnds.length : MAX_SPAN_LANES - 1;
    laneEnds[lane] = Math.max(laneEnds[lane] ?? -Infinity, s.end);
    laned.push({ ...s, lane });
  }
  return { laned, lanes: laneEnds.length };
}

function windowOf(input: TimelineInput): { start: number; end: number } {
  const start = Number.isFinite(input.start) ? input.start : 0;
  const end = Number.isFinite(input.end) && input.end > start ? input.end : start + 1;
  return { start, end };
}

/** The drawing area shared by both charts, in pixels. */
export interface PlotBox {
  width: number;
  height: number;
  plotLeft: number;
  plotRight: number;
  plotTop: number;
  plotBottom: number;
}

export interface TimelineLayout extends PlotBox {
  /** Top of the span ribbon under the plot (equals plotBottom when there are no spans). */
  ribbonTop: number;
  /** Number of ribbon lanes (0 when no span falls inside the window). */
  ribbonLanes: number;
  /** Window actually drawn (end > start guaranteed). */
  start: number;
  end: number;
  /** Top of the delay axis, ms. */
  delayMax: number;
  delayStep: number;
  /** Epoch ms → x pixel (not clamped). */
  x(at: number): number;
  /** Delay ms → y pixel (clamped to the plot). */
  y(delayMs: number): number;
}

export function timelineLayout(input: TimelineInput): TimelineLayout {
  const { start, end } = windowOf(input);
  const { lanes } = layoutSpans(input, start, end);
  const plotLeft = 62;
  const plotRight = CHART_WIDTH - 16;
  const plotTop = 50;
  const ribbonHeight = lanes > 0 ? 4 + lanes * SPAN_LANE_HEIGHT : 0;
  const plotBottom = CHART_HEIGHT - 28 - ribbonHeight;
  let maxDelay = 0;
  for (const s of input.delaySamples) {
    if (s.at >= start && s.at <= end && Number.isFinite(s.delayMs)) maxDelay = Math.max(maxDelay, s.delayMs);
  }
  // A floor of 50 ms keeps an idle loop's 1-2 ms jitter looking like what it is: nothing.
  // 8% headroom leaves room for the peak label above the tallest step.
  const top = Math.max(maxDelay * 1.08, 50);
  const delayStep = niceStep(top, 5);
  const delayMax = Math.max(delayStep, Math.ceil(top / delayStep - 1e-9) * delayStep);
  const scaleX = (plotRight - plotLeft) / (end - start);
  const scaleY = (plotBottom - plotTop) / delayMax;
  return {
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    plotLeft,
    plotRight,
    plotTop,
    plotBottom,
    ribbonTop: plotBottom + 4,
    ribbonLanes: lanes,
    start,
    end,
    delayMax,
    delayStep,
    x: (at: number) => plotLeft + (at - start) * scaleX,
    y: (delayMs: number) => plotBottom - clamp(delayMs, 0, delayMax) * scaleY,
  };
}

/**
 * Step segments for the delay plot, in pixels. A sample taken at `at` with delay `d` says the loop
 * could not run for about `d` ms before `at`; its value is drawn over (previous sample, at].
 * Dense inputs (long windows) are reduced to one max per pixel column.
 */
function delaySegments(
  input: TimelineInput,
  layout: TimelineLayout,
): {
  segments: Array<{ x0: number; x1: number; y: number }>;
  peak: { from: number; to: number; delayMs: number } | null;
} {
  const samples = input.delaySamples
    .filter((s) => Number.isFinite(s.at) && Number.isFinite(s.delayMs))
    .slice()
    .sort((a, b) => a.at - b.at);
  const { start, end, plotLeft, plotRight } = layout;
  let peak: { from: number; to: number; delayMs: number } | null = null;
  const raw: Array<{ from: number; to: number; d: number }> = [];
  let prevAt: number | null = null;
  for (const s of samples) {
    const d = Math.max(0, s.delayMs);
    const from = prevAt ?? s.at - d;
    prevAt = s.at;
    if (s.at < start || from > end) continue;
    const r = { from: Math.max(start, from), to: Math.min(end, s.at), d };
    raw.push(r);
    if (!peak || d > peak.delayMs) peak = { from: r.from, to: r.to, delayMs: d };
  }
  const width = Math.max(1, Math.round(plotRight - plotLeft));
  if (raw.length <= width * 2) {
    return {
      segments: raw.map((r) => ({ x0: layout.x(r.from), x1: layout.x(r.to), y: layout.y(r.d) })),
      peak,
    };
  }
  const cols = new Float64Array(width).fill(-1);
  for (const r of raw) {
    const c0 = clamp(Math.floor(layout.x(r.from) - plotLeft), 0, width - 1);
    const c1 = clamp(Math.ceil(layout.x(r.to) - plotLeft) - 1, c0, width - 1);
    for (let c = c0; c <= c1; c++) cols[c] = Math.max(cols[c]!, r.d);
  }
  const segments: Array<{ x0: number; x1: number; y: number }> = [];
  for (let c = 0; c < width; c++) {
    const d = cols[c]!;
    if (d < 0) continue;
    const last = segments[segments.length - 1];
    const y = layout.y(d);
    if (last && last.x1 === plotLeft + c && last.y === y) last.x1 = plotLeft + c + 1;
    else segments.push({ x0: plotLeft + c, x1: plotLeft + c + 1, y });
  }
  return { segments, peak };
}

function delayPath(segments: ReadonlyArray<{ x0: number; x1: number; y: number }>, base: number): string {
  const parts: string[] = [];
  let prevX1: number | null = null;
  for (const s of segments) {
    if (prevX1 === null) parts.push(`M${n(s.x0)} ${n(base)}`);
    else if (s.x0 > prevX1 + 0.05) parts.push(`L${n(prevX1)} ${n(base)}L${n(s.x0)} ${n(base)}`);
    parts.push(`L${n(s.x0)} ${n(s.y)}L${n(s.x1)} ${n(s.y)}`);
    prevX1 = s.x1;
  }
  if (prevX1 !== null) parts.push(`L${n(prevX1)} ${n(base)}Z`);
  return parts.join('');
}

export function timelineSvg(input: TimelineInput): string {
  const L = timelineLayout(input);
  const { plotLeft, plotRight, plotTop, plotBottom, start, end } = L;
  const out: string[] = [svgOpen(CHART_WIDTH, CHART_HEIGHT)];
  const { laned } = layoutSpans(input, start, end);

  // Header: title left, legend right.
  const present = new Set(laned.map((s) => s.span.kind));
  const kinds = (['self', 'other', 'worker', 'yield', 'io'] as const).filter((k) => present.has(k));
  const legendItems: LegendItem[] = [
    { label: 'loop delay', color: COLORS.delay, shape: 'box' },
    ...kinds.map((k): LegendItem => ({ label: SPAN_KIND_NAME[k], color: COLORS[k], shape: 'box' })),
  ];
  const header = headerTitle(input.title, legendItems);
  out.push(header.svg, legend(legendItems, CHART_WIDTH - 16, 22, header.right + 12));

  // Plot panel, y grid and axis labels.
  out.push(
    `<rect x="${plotLeft}" y="${plotTop}" width="${plotRight - plotLeft}" height="${n(plotBottom - plotTop)}" fill="${COLORS.plot}"/>`,
  );
  for (let v = 0; v <= L.delayMax + 1e-9; v += L.delayStep) {
    const py = Math.round(L.y(v)) + 0.5;
    if (v > 0) {
      out.push(
        `<line x1="${plotLeft}" y1="${n(py)}" x2="${plotRight}" y2="${n(py)}" stroke="${COLORS.grid}" stroke-width="1"/>`,
      );
    }
    out.push(
      text(plotLeft - 6, py + 4, formatDelayTick(v, L.delayStep), { fill: COLORS.muted, anchor: 'end' }),
    );
  }
  const midY = (plotTop + plotBottom) / 2;
  out.push(
    `<text x="16" y="${n(midY)}" font-size="11" fill="${COLORS.muted}" text-anchor="middle" ` +
      `transform="rotate(-90 16 ${n(midY)})">loop delay (ms)</text>`,
  );
  const origin = Number.isFinite(input.origin) ? (input.origin as number) : start;
  out.push(
    timeAxis(
      (ms) => L.x(origin + ms),
      end - start,
      plotLeft,
      plotRight,
      plotTop,
      plotBottom,
      290,
      start - origin,
    ),
  );

  // Spans: faint full-height shading in the plot, plus a labelled bar in the ribbon below it.
  for (const s of laned) {
    const x0 = L.x(s.start);
    const w = Math.max(1, L.x(s.end) - x0);
    out.push(
      `<rect x="${n(x0)}" y="${plotTop}" width="${n(w)}" height="${n(plotBottom - plotTop)}" fill="${COLORS[s.span.kind]}" fill-opacity="0.14"/>`,
    );
  }
  for (const s of laned) {
    const x0 = L.x(s.start);
    const w = Math.max(1, L.x(s.end) - x0);
    const y = L.ribbonTop + s.lane * SPAN_LANE_HEIGHT;
    out.push(
      `<rect x="${n(x0)}" y="${n(y)}" width="${n(w)}" height="${SPAN_LANE_HEIGHT - 2}" rx="2" fill="${COLORS[s.span.kind]}" fill-opacity="0.85"/>`,
    );
    const label = s.span.label || SPAN_KIND_NAME[s.span.kind];
    const fits = Math.floor((w - 8) / (10 * CHAR_WIDTH));
    if (fits >= 3) {
      out.push(text(x0 + 4, y + 11, truncate(label, fits), { size: 10, fill: '#111214', weight: 'bold' }));
    } else if (x0 + w + 4 + textWidth(label, 10) < plotRight) {
      out.push(text(x0 + w + 4, y + 11, truncate(label, 24), { size: 10, fill: COLORS[s.span.kind] }));
    }
  }

  // Loop delay: step area, clipped to the plot.
  const { segments, peak } = delaySegments(input, L);
  if (segments.length > 0) {
    const d = delayPath(segments, plotBottom);
    out.push(
      `<clipPath id="plot"><rect x="${plotLeft}" y="${plotTop}" width="${plotRight - plotLeft}" height="${n(plotBottom - plotTop)}"/></clipPath>`,
      `<path d="${d}" fill="${COLORS.delay}" fill-opacity="0.3" stroke="${COLORS.delay}" stroke-width="1.5" stroke-linejoin="round" clip-path="url(#plot)"/>`,
    );
  } else {
    out.push(
      text((plotLeft + plotRight) / 2, (plotTop + plotBottom) / 2, 'no loop-delay samples', {
        fill: COLORS.muted,
        anchor: 'middle',
      }),
    );
  }
  out.push(
    `<line x1="${plotLeft}" y1="${n(plotBottom + 0.5)}" x2="${plotRight}" y2="${n(plotBottom + 0.5)}" stroke="${COLORS.axis}" stroke-width="1"/>`,
  );

  // Marks: vertical lines over the plot (drawn last so they sit on top), labels placed by priority.
  const inWindow = input.marks.filter((m) => Number.isFinite(m.at) && m.at >= start && m.at <= end);
  const labelBoxes: Array<{ row: number; x0: number; x1: number }> = [];
  const labels: string[] = [];
  const placeLabel = (m: TimelineMark, px: number): void => {
    const content = truncate(m.label || MARK_DEFAULT_LABEL[m.kind], 22);
    const size = m.kind === 'deadline' ? 11 : 10;
    const w = textWidth(content, size) + (m.kind === 'deadline' ? 6 : 4);
    // Row 0 sits above the plot (centred on the line); row 1 just inside the plot top (right of the line).
    const candidates = [
      { row: 0, x0: clamp(px - w / 2, plotLeft - 40, CHART_WIDTH - 4 - w), y: plotTop - 6 },
      {
        row: 1,
        x0: px + 4 + w <= plotRight - 2 ? px + 4 : Math.max(plotLeft + 2, px - 4 - w),
        y: plotTop + 13,
      },
    ];
    for (const c of candidates) {
      const box = { row: c.row, x0: c.x0, x1: c.x0 + w };
      if (labelBoxes.some((b) => b.row === box.row && b.x0 < box.x1 + 6 && box.x0 < b.x1 + 6)) continue;
      labelBoxes.push(box);
      const weight = m.kind === 'deadline' ? 'bold' : undefined;
      const halo = c.row === 1 ? COLORS.plot : undefined;
      labels.push(
        text(c.x0, c.y, content, {
          size,
          fill: COLORS[m.kind],
          ...(weight && { weight }),
          ...(halo && { halo }),
        }),
      );
      return;
    }
  };
  const byPriority = [...inWindow].sort(
    (a, b) => MARK_PRIORITY[a.kind] - MARK_PRIORITY[b.kind] || a.at - b.at,
  );
  // Draw low-priority lines first so the deadline ends up on top.
  for (const m of [...byPriority].reverse()) {
    const px = pixelCenter(L.x(m.at));
    if (m.kind === 'deadline') {
      out.push(
        `<line x1="${n(px)}" y1="${plotTop}" x2="${n(px)}" y2="${n(plotBottom)}" stroke="${COLORS.deadline}" stroke-width="2" stroke-dasharray="7 4"/>`,
      );
    } else {
      const width = m.kind === 'stall' ? 1 : 1.5;
      const opacity = m.kind === 'created' || m.kind === 'received' ? ' stroke-opacity="0.8"' : '';
      out.push(
        `<line x1="${n(px)}" y1="${plotTop}" x2="${n(px)}" y2="${n(plotBottom)}" stroke="${COLORS[m.kind]}" stroke-width="${width}"${opacity}/>`,
      );
    }
  }
  for (const m of byPriority) placeLabel(m, pixelCenter(L.x(m.at)));
  // A deadline after the window still matters: point at it.
  const lateDeadline = input.marks.find((m) => m.kind === 'deadline' && Number.isFinite(m.at) && m.at > end);
  if (lateDeadline && !inWindow.some((m) => m.kind === 'deadline')) {
    const at = (lateDeadline.at - origin) / 1000;
    const content = `${lateDeadline.label || MARK_DEFAULT_LABEL.deadline} at ${at.toFixed(at < 10 ? 1 : 0)} s →`;
    const w = textWidth(content, 10);
    for (const [row, y] of [
      [0, plotTop - 6],
      [1, plotTop + 13],
    ] as const) {
      if (labelBoxes.some((b) => b.row === row && b.x1 + 6 > plotRight - 2 - w)) continue;
      labels.push(
        text(plotRight - 2, y, content, {
          size: 10,
          fill: COLORS.deadline,
          anchor: 'end',
          ...(row === 1 && { halo: COLORS.plot }),
        }),
      );
      break;
    }
  }
  out.push(...labels);

  // Peak annotation over the tallest step.
  if (peak && peak.delayMs >= L.delayMax * 0.1) {
    const px = clamp((L.x(peak.from) + L.x(peak.to)) / 2, plotLeft + 40, plotRight - 40);
    const py = Math.max(plotTop + 28, L.y(peak.delayMs) - 5);
    out.push(
      text(px, py, `peak ${formatMs(peak.delayMs)}`, {
        size: 10,
        fill: COLORS.text,
        anchor: 'middle',
        halo: COLORS.plot,
      }),
    );
  }

  out.push('</svg>');
  return out.join('');
}

// ---------------------------------------------------------------------------------------------
// Compare

/** One mode's run; all times are ms relative to the row's own start. */
export interface CompareRow {
  label: string;
  durationMs: number;
  ackMs: number | null;
  failed: boolean;
  mainThreadBusy: ReadonlyArray<{ start: number; end: number }>;
  /** The main-thread work ran in slices, yielding between them (drawn in the yield colour). */
  sliced?: boolean;
  offThread: ReadonlyArray<{ start: number; end: number }>;
  loopDelayMaxMs: number;
}

export interface CompareLayout extends PlotBox {
  laneHeight: number;
  /** Axis end, ms: max(longest row, 3500). */
  maxMs: number;
  laneTop(index: number): number;
  /** ms since a row's start → x pixel (not clamped). */
  x(ms: number): number;
}

const COMPARE_MIN_AXIS_MS = INITIAL_RESPONSE_DEADLINE_MS + 500;

export function compareLayout(rows: ReadonlyArray<CompareRow>): CompareLayout {
  let maxMs = COMPARE_MIN_AXIS_MS;
  for (const r of rows) {
    const ends = [
      r.durationMs,
      r.ackMs ?? 0,
      ...r.mainThreadBusy.map((s) => s.end),
      ...r.offThread.map((s) => s.end),
    ];
    for (const e of ends) if (Number.isFinite(e)) maxMs = Math.max(maxMs, e);
  }
  const plotLeft = 132;
  const plotRight = 668;
  const plotTop = 50;
  const count = Math.max(1, rows.length);
  const laneHeight = clamp(Math.floor((CHART_HEIGHT - plotTop - 30) / count), 38, 74);
  const plotBottom = plotTop + count * laneHeight;
  const height = Math.max(CHART_HEIGHT, plotBottom + 30);
  const scale = (plotRight - plotLeft) / maxMs;
  return {
    width: CHART_WIDTH,
    height,
    plotLeft,
    plotRight,
    plotTop,
    plotBottom,
    laneHeight,
    maxMs,
    laneTop: (i: number) => plotTop + i * laneHeight,
    x: (ms: number) => plotLeft + ms * scale,
  };
}

export function compareSvg(title: string, rows: ReadonlyArray<CompareRow>): string {
  const L = compareLayout(rows);
  const { plotLeft, plotRight, plotTop, plotBottom, laneHeight, maxMs } = L;
  const out: string[] = [svgOpen(L.width, L.height)];
  const clampX = (ms: number) => clamp(L.x(ms), plotLeft, plotRight);

  const legendItems: LegendItem[] = [
    { label: 'main thread busy', color: COLORS.self, shape: 'box' },
    ...(rows.some((r) => r.sliced)
      ? [{ label: 'in slices', color: COLORS.yield, shape: 'box' as const }]
      : []),
    { label: 'off thread', color: COLORS.worker, shape: 'box' },
    { label: 'ack', color: COLORS.ack, shape: 'tick' },
  ];
  const header = headerTitle(title, legendItems);
  out.push(header.svg, legend(legendItems, CHART_WIDTH - 16, 22, header.right + 12));
  out.push(
    `<rect x="${plotLeft}" y="${plotTop}" width="${plotRight - plotLeft}" height="${plotBottom - plotTop}" fill="${COLORS.plot}"/>`,
  );
  out.push(timeAxis(L.x, maxMs, plotLeft, plotRight, plotTop, plotBottom, plotBottom + 18));

  if (rows.length === 0) {
    out.push(
      text((plotLeft + plotRight) / 2, (plotTop + plotBottom) / 2 + 4, 'no runs', {
        fill: COLORS.muted,
        anchor: 'middle',
      }),
    );
  }

  const trackH = Math.max(8, Math.round(laneHeight * 0.24));
  rows.forEach((row, i) => {
    const top = L.laneTop(i);
    const mid = top + laneHeight / 2;
    if (i > 0) {
      out.push(
        `<line x1="16" y1="${top + 0.5}" x2="${CHART_WIDTH - 16}" y2="${top + 0.5}" stroke="${COLORS.axis}" stroke-width="1"/>`,
      );
    }
    // Left column: mode name and total time. Right column: ack time (or failure) and worst loop delay.
    out.push(text(16, mid - 2, truncate(row.label, 14), { size: 13, weight: 'bold' }));
    out.push(text(16, mid + 13, `took ${formatMs(row.durationMs)}`, { size: 10, fill: COLORS.muted }));
    const statX = plotRight + 12;
    if (row.failed) {
      out.push(text(statX, mid - 2, '✗ failed', { size: 12, weight: 'bold', fill: COLORS.deadline }));
    } else if (row.ackMs !== null) {
      out.push(text(statX, mid - 2, `ack ${formatMs(row.ackMs)}`, { size: 12, fill: COLORS.ack }));
    } else {
      out.push(text(statX, mid - 2, 'no ack', { size: 12, fill: COLORS.muted }));
    }
    out.push(
      text(statX, mid + 13, `max lag ${formatMs(row.loopDelayMaxMs)}`, { size: 10, fill: COLORS.muted }),
    );

    // Two tracks: main thread above, off thread below.
    const mainY = mid - trackH - 2;
    const offY = mid + 2;
    const runEnd = clampX(Math.max(0, row.durationMs));
    out.push(
      `<rect x="${plotLeft}" y="${n(mainY)}" width="${n(runEnd - plotLeft)}" height="${n(trackH * 2 + 4)}" fill="${COLORS.grid}" fill-opacity="0.6"/>`,
    );
    const bar = (spans: ReadonlyArray<{ start: number; end: number }>, y: number, color: string) => {
      for (const s of spans) {
        if (!Number.isFinite(s.start) || !Number.isFinite(s.end) || s.end <= s.start) continue;
        const x0 = clampX(s.start);
        const w = Math.max(1.5, clampX(s.end) - x0);
        out.push(
          `<rect x="${n(x0)}" y="${n(y)}" width="${n(w)}" height="${trackH}" rx="2" fill="${color}"/>`,
        );
      }
    };
    bar(row.mainThreadBusy, mainY, row.sliced ? COLORS.yield : COLORS.self);
    bar(row.offThread, offY, COLORS.worker);
    // End of run.
    if (row.durationMs > 0 && row.durationMs <= maxMs) {
      const ex = pixelCenter(L.x(row.durationMs));
      out.push(
        `<line x1="${n(ex)}" y1="${n(mainY - 3)}" x2="${n(ex)}" y2="${n(offY + trackH + 3)}" stroke="${COLORS.muted}" stroke-width="1"/>`,
      );
    }
    if (row.ackMs !== null && Number.isFinite(row.ackMs)) {
      const ax = pixelCenter(clampX(row.ackMs));
      out.push(
        `<line x1="${n(ax)}" y1="${n(top + 5)}" x2="${n(ax)}" y2="${n(top + laneHeight - 5)}" stroke="${COLORS.ack}" stroke-width="2.5"/>`,
        `<path d="M${n(ax - 4)} ${n(top + 3)}L${n(ax + 4)} ${n(top + 3)}L${n(ax)} ${n(top + 8)}Z" fill="${COLORS.ack}"/>`,
      );
    }
  });

  // Deadline across every lane, on top.
  const dx = pixelCenter(L.x(INITIAL_RESPONSE_DEADLINE_MS));
  out.push(
    `<line x1="${n(dx)}" y1="${plotTop}" x2="${n(dx)}" y2="${plotBottom}" stroke="${COLORS.deadline}" stroke-width="2" stroke-dasharray="7 4"/>`,
    text(dx, plotTop - 6, '3 s deadline', {
      size: 11,
      weight: 'bold',
      fill: COLORS.deadline,
      anchor: 'middle',
    }),
  );
  rows.forEach((row, i) => {
    if (!row.failed) return;
    const cy = L.laneTop(i) + laneHeight / 2;
    out.push(
      `<circle cx="${n(dx)}" cy="${n(cy)}" r="8" fill="${COLORS.deadline}"/>`,
      text(dx, cy + 4.5, '✗', { size: 12, weight: 'bold', fill: '#ffffff', anchor: 'middle' }),
    );
  });

  out.push('</svg>');
  return out.join('');
}

// ---------------------------------------------------------------------------------------------
// Rendering

/**
 * Font options for resvg. System fonts plus any font files listed in `LOOPLAB_FONT_FILE`
 * (path-delimiter or comma separated), so a slim Docker image can ship one .ttf. When DejaVu Sans is
 * missing, resvg-js falls back to the first listed file's family for every generic family.
 */
export function fontOptions(env: NodeJS.ProcessEnv = process.env): NonNullable<ResvgRenderOptions['font']> {
  const fontFiles = (env.LOOPLAB_FONT_FILE ?? '')
    .split(new RegExp(`[,${delimiter === ';' ? ';' : ':'}]`))
    .map((p) => p.trim())
    .filter((p) => /\.(ttf|otf|ttc)$/i.test(p));
  return {
    loadSystemFonts: true,
    defaultFontFamily: 'DejaVu Sans',
    ...(fontFiles.length > 0 && { fontFiles }),
  };
}

/**
 * Rasterises an SVG. Parsing, font loading and rendering run on libuv's thread pool (`renderAsync`);
 * only PNG encoding of the result (~1-2 ms at 800×300) happens on the calling thread.
 */
export async function renderPng(svg: string): Promise<{ png: Buffer; renderMs: number }> {
  const started = performance.now();
  const image = await renderAsync(svg, { font: fontOptions(), fitTo: { mode: 'original' } });
  const png = image.asPng();
  return { png, renderMs: performance.now() - started };
}
