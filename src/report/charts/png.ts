import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type ResvgRenderOptions, renderAsync } from '@resvg/resvg-js';

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
  const system = (env.LOOPLAB_SYSTEM_FONTS ?? '').trim().toLowerCase();
  return {
    // LOOPLAB_SYSTEM_FONTS=off: only the files named (a reproducible image, or a test of no font).
    loadSystemFonts: !['0', 'false', 'no', 'off'].includes(system),
    defaultFontFamily: 'DejaVu Sans',
    ...(fontFiles.length > 0 && { fontFiles }),
  };
}

/**
 * Where distributions put DejaVu Sans (Debian/Ubuntu's fonts-dejavu-core, Fedora/Alpine, Arch). Used
 * when the system-font lookup finds nothing: resvg reads /etc/fonts/fonts.conf to find system
 * fonts, and a slim image with fonts-dejavu-core has the files but not that file.
 */
export const KNOWN_FONT_FILES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf',
];

/** Font files added to every render after prepareFonts() found that the configured fonts draw no text. */
let fallbackFontFiles: string[] = [];

function renderFont(): NonNullable<ResvgRenderOptions['font']> {
  const font = fontOptions();
  if (fallbackFontFiles.length === 0) return font;
  return { ...font, fontFiles: [...(font.fontFiles ?? []), ...fallbackFontFiles] };
}

const PROBE_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="32">' +
  '<text x="4" y="24" font-family="DejaVu Sans, sans-serif" font-size="20" fill="#ffffff">LoopLab 123</text></svg>';

/** How many pixels a line of text covers when rendered with `font`: 0 means no font loaded. */
export async function textPixels(font: NonNullable<ResvgRenderOptions['font']>): Promise<number> {
  const image = await renderAsync(PROBE_SVG, { font, fitTo: { mode: 'original' } });
  const rgba = image.pixels;
  let covered = 0;
  for (let i = 3; i < rgba.length; i += 4) if ((rgba[i] ?? 0) > 0) covered++;
  return covered;
}

export interface FontCheck {
  /** The charts will have text. */
  ok: boolean;
  /** Font files LoopLab fell back to because the configured ones drew nothing (empty if none). */
  fallback: string[];
  /** Font files given through LOOPLAB_FONT_FILE. */
  configured: string[];
}

/**
 * Checks at start that chart text renders (an image with no font draws every label as nothing, and
 * says nothing). If the system fonts draw no text and LOOPLAB_FONT_FILE names none, falls back to a
 * DejaVu file found in the usual places (files the operator named are never replaced silently);
 * `ok: false` means no text at all: the caller warns.
 */
export async function prepareFonts(
  env: NodeJS.ProcessEnv = process.env,
  candidates: readonly string[] = KNOWN_FONT_FILES,
): Promise<FontCheck> {
  const font = fontOptions(env);
  const configured = font.fontFiles ?? [];
  fallbackFontFiles = [];
  if ((await textPixels(font)) > 0) return { ok: true, fallback: [], configured };
  if (configured.length > 0) return { ok: false, fallback: [], configured };
  const found = candidates.filter((file) => existsSync(file));
  if (found.length > 0 && (await textPixels({ ...font, fontFiles: [...configured, ...found] })) > 0) {
    fallbackFontFiles = found;
    return { ok: true, fallback: found, configured };
  }
  return { ok: false, fallback: [], configured };
}

/**
 * Rasterises an SVG. Parsing, font loading and rendering run on libuv's thread pool (`renderAsync`);
 * only PNG encoding of the result (~1-2 ms at 800×300) happens on the calling thread.
 */
export async function renderPng(svg: string): Promise<{ png: Buffer; renderMs: number }> {
  const started = performance.now();
  const image = await renderAsync(svg, { font: renderFont(), fitTo: { mode: 'original' } });
  const png = image.asPng();
  return { png, renderMs: performance.now() - started };
}
