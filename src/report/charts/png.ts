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
