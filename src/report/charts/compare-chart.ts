/** /compare's picture: one lane per strategy on a shared axis, main thread above, off thread below. */
import { INITIAL_RESPONSE_DEADLINE_MS } from '../../discord/facts.js';
import { timeAxis } from './axis.js';
import {
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
  truncate,
} from './svg.js';

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
