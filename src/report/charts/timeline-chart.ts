/**
 * A report's timeline: main-thread event-loop delay over an interaction's window, with marks
 * (created / ack / 3 s deadline / done) and shaded spans where something held the main thread.
 */
import { formatDelayTick, niceStep, timeAxis } from './axis.js';
import {
  CHAR_WIDTH,
  CHART_HEIGHT,
  CHART_WIDTH,
  COLORS,
  clamp,
  formatMs,
  headerTitle,
  type LegendItem,
  legend,
  n,
  type PlotBox,
  pixelCenter,
  svgOpen,
  text,
  textWidth,
  truncate,
} from './svg.js';

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
  peak: DelayPeak | null;
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

/** The tallest step of the delay plot. */
interface DelayPeak {
  from: number;
  to: number;
  delayMs: number;
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

/** The header: title left, a legend of what the picture shows right. */
function headerLayer(input: TimelineInput, laned: readonly LanedSpan[]): string[] {
  const out: string[] = [];
  const present = new Set(laned.map((s) => s.span.kind));
  const kinds = (['self', 'other', 'worker', 'yield', 'io'] as const).filter((k) => present.has(k));
  const legendItems: LegendItem[] = [
    { label: 'loop delay', color: COLORS.delay, shape: 'box' },
    ...kinds.map((k): LegendItem => ({ label: SPAN_KIND_NAME[k], color: COLORS[k], shape: 'box' })),
  ];
  const header = headerTitle(input.title, legendItems);
  out.push(header.svg, legend(legendItems, CHART_WIDTH - 16, 22, header.right + 12));
  return out;
}

/** The plot panel, the delay grid with its labels and the time axis. */
function plotLayer(input: TimelineInput, L: TimelineLayout): string[] {
  const { plotLeft, plotRight, plotTop, plotBottom, start, end } = L;
  const out: string[] = [];
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
  return out;
}

/** Spans: faint full-height shading in the plot, plus a labelled bar in the ribbon below it. */
function spanLayer(laned: readonly LanedSpan[], L: TimelineLayout): string[] {
  const { plotRight, plotTop, plotBottom } = L;
  const out: string[] = [];
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
  return out;
}

/** Loop delay: a step area, clipped to the plot; returns the peak for its label. */
function delayLayer(input: TimelineInput, L: TimelineLayout): { out: string[]; peak: DelayPeak | null } {
  const { plotLeft, plotRight, plotTop, plotBottom } = L;
  const out: string[] = [];
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
  return { out, peak };
}

/** Marks: vertical lines over the plot (drawn last so they sit on top), labels placed by priority. */
function markLayer(input: TimelineInput, L: TimelineLayout): string[] {
  const { plotLeft, plotRight, plotTop, plotBottom, start, end } = L;
  const origin = Number.isFinite(input.origin) ? (input.origin as number) : start;
  const out: string[] = [];
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
  return out;
}

/** The peak's value over the tallest step. */
function peakLayer(peak: DelayPeak | null, L: TimelineLayout): string[] {
  const { plotLeft, plotRight, plotTop } = L;
  const out: string[] = [];
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
  return out;
}

export function timelineSvg(input: TimelineInput): string {
  const L = timelineLayout(input);
  const { laned } = layoutSpans(input, L.start, L.end);
  const delay = delayLayer(input, L);
  return [
    svgOpen(CHART_WIDTH, CHART_HEIGHT),
    ...headerLayer(input, laned),
    ...plotLayer(input, L),
    ...spanLayer(laned, L),
    ...delay.out,
    ...markLayer(input, L),
    ...peakLayer(delay.peak, L),
    '</svg>',
  ].join('');
}
