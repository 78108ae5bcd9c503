/** The time axis and the tick arithmetic both charts use. */
import { COLORS, n, pixelCenter, text } from './svg.js';

/** A "nice" tick step (1, 2 or 5 × 10^k) giving at most `maxTicks` intervals over `range`. */
export function niceStep(range: number, maxTicks: number): number {
  const raw = range / Math.max(1, maxTicks);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) {
    if (m * mag >= raw - 1e-12) return m * mag;
  }
  return 10 * mag;
}

export function decimalsFor(step: number): number {
  return step >= 1 ? 0 : Math.min(6, Math.ceil(-Math.log10(step) - 1e-9));
}

export function formatSeconds(seconds: number, step: number): string {
  return `${seconds.toFixed(decimalsFor(step))} s`;
}

export function formatDelayTick(ms: number, step: number): string {
  if (ms >= 10_000) return `${n(ms / 1000)}k`;
  return ms.toFixed(decimalsFor(step));
}

/**
 * X axis ticks: vertical grid lines over [top, bottom] and labels at `labelY`. `x` maps an axis
 * value (ms) to pixels; the axis shows values from `fromMs` to `fromMs + spanMs` (a timeline's
 * 0 is the interaction's creation, so the left edge may be slightly negative).
 */
export function timeAxis(
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
