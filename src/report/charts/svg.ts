/**
 * The SVG vocabulary both charts share: the palette, text with a halo, the header with its legend,
 * and small geometry helpers. Everything builds strings synchronously (cheap: a few hundred
 * elements at most); only ./png.ts does heavy work, off the main thread.
 */

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
export const CHAR_WIDTH = 0.6;

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
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  if (max <= 1) return chars.slice(0, Math.max(0, max)).join('');
  return `${chars.slice(0, max - 1).join('')}…`;
}

export function textWidth(text: string, fontSize: number): number {
  return Array.from(text).length * fontSize * CHAR_WIDTH;
}

/** Coordinates with one decimal keep the SVG short. */
export function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

export function clamp(value: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, value));
}

/** Centre of the pixel column that `x` rounds to: 1-2 px vertical lines drawn here stay crisp. */
export function pixelCenter(x: number): number {
  return Math.round(x) + 0.5;
}

/** "12 ms", "3012 ms", "12.3 s", "4 min" — for short annotations. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (ms < 10) return `${Math.round(ms * 10) / 10} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms / 6_000) / 10} min`;
}

export interface TextOpts {
  size?: number;
  fill?: string;
  anchor?: 'start' | 'middle' | 'end';
  weight?: 'bold';
  /** Draw a background-coloured outline behind the glyphs so text stays legible over the plot. */
  halo?: string;
}

export function text(x: number, y: number, content: string, opts: TextOpts = {}): string {
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

export function svgOpen(width: number, height: number): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}">` +
    `<rect width="${width}" height="${height}" fill="${COLORS.background}"/>`
  );
}

export interface LegendItem {
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
export function headerTitle(
  title: string,
  legendItems: ReadonlyArray<LegendItem>,
): { svg: string; right: number } {
  const legendW = legendItems.reduce((sum, it) => sum + legendItemWidth(it), 0);
  const room = Math.max(24 * TITLE_CHAR_WIDTH, CHART_WIDTH - 32 - legendW - 8);
  const shown = truncate(title, Math.floor(room / TITLE_CHAR_WIDTH));
  return {
    svg: text(16, 22, shown, { size: TITLE_FONT, weight: 'bold' }),
    right: 16 + Array.from(shown).length * TITLE_CHAR_WIDTH,
  };
}

/** Right-aligned legend ending at `right`; drops trailing items that would run left of `minX`. */
export function legend(items: ReadonlyArray<LegendItem>, right: number, y: number, minX: number): string {
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

/** The drawing area shared by both charts, in pixels. */
export interface PlotBox {
  width: number;
  height: number;
  plotLeft: number;
  plotRight: number;
  plotTop: number;
  plotBottom: number;
}
