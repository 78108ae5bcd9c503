import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { type ResvgRenderOptions, renderAsync } from '@resvg/resvg-js';
import { startWorker } from '../../lib/worker-file.js';
import type { PngAnswer, PngJob } from './png-worker.js';

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
  // The chart thread starts now, at the bot's start, rather than on the first demo's report.
  chartWorker();
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
 * Charts rendered at once. Each render holds resvg's font database and one of libuv's four pool
 * threads (which /io's fs and crypto work needs too); unbounded, a burst of reports at a few
 * hundred a second queued renders without end and grew the process by gigabytes.
 */
export const CHARTS_AT_ONCE = 2;
/** Charts that may wait for a turn; past that a chart is shed: its message goes without it. */
export const CHARTS_WAITING = 16;

/** A chart not drawn because too many were waiting (the words of its message still go out). */
export class ChartShedError extends Error {
  override readonly name = 'ChartShedError';

  constructor(message: string) {
    super(message);
    // Shed under load, logged each time: a formatted stack (source-mapped) would cost more than the chart.
    Object.defineProperty(this, 'stack', { value: `ChartShedError: ${message}`, configurable: true });
  }
}

let rendering = 0;
const waiting: Array<() => void> = [];

async function takeTurn(): Promise<void> {
  if (rendering < CHARTS_AT_ONCE) {
    rendering += 1;
    return;
  }
  if (waiting.length >= CHARTS_WAITING) {
    throw new ChartShedError(
      `chart shed: ${CHARTS_AT_ONCE} charts rendering and ${waiting.length} waiting (the bot is busy; the message goes without its picture)`,
    );
  }
  // The finishing render hands its turn over: `rendering` stays as it is.
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function endTurn(): void {
  const next = waiting.shift();
  if (next) next();
  else rendering -= 1;
}

/**
 * The chart thread (png-worker.ts), started on the first render and unref'd (it never keeps the
 * process alive). If it cannot start or dies, rendering falls back to this thread.
 */
let chartThread: {
  worker: Worker;
  /** Resolves once the thread runs (its start, a one-off, is not part of any render's time). */
  online: Promise<void>;
  pending: Map<number, { resolve: (png: Buffer) => void; reject: (error: Error) => void }>;
} | null = null;
let chartThreadFailed = false;
let nextJob = 0;

function chartWorker(): NonNullable<typeof chartThread> | null {
  if (chartThread || chartThreadFailed) return chartThread;
  let worker: Worker;
  try {
    worker = startWorker(import.meta.url, 'png-worker', { name: 'looplab-charts' });
  } catch {
    chartThreadFailed = true;
    return null;
  }
  worker.unref();
  const thread = {
    worker,
    online: new Promise<void>((resolve) => {
      worker.once('message', () => resolve());
      worker.once('exit', () => resolve());
    }),
    pending: new Map<number, { resolve: (png: Buffer) => void; reject: (error: Error) => void }>(),
  };
  worker.on('message', (answer: PngAnswer | 'ready') => {
    if (answer === 'ready') return;
    const job = thread.pending.get(answer.id);
    thread.pending.delete(answer.id);
    if (!job) return;
    if ('png' in answer)
      job.resolve(Buffer.from(answer.png.buffer, answer.png.byteOffset, answer.png.byteLength));
    else job.reject(new Error(answer.error));
  });
  const fail = (error: Error) => {
    if (chartThread === thread) chartThread = null;
    for (const job of thread.pending.values()) job.reject(error);
    thread.pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the chart thread exited (code ${code})`)));
  chartThread = thread;
  return thread;
}

async function renderHere(svg: string): Promise<Buffer> {
  const image = await renderAsync(svg, { font: renderFont(), fitTo: { mode: 'original' } });
  return image.asPng();
}

/**
 * Rasterises an SVG on the chart thread: parsing, font loading and rendering on libuv's pool
 * (`renderAsync`), and the PNG encoding (~2-3 ms at 800×300, synchronous) on that thread, so
 * the bot's main thread spends nothing but passing the SVG and the PNG. At most
 * {@link CHARTS_AT_ONCE} render at once; past {@link CHARTS_WAITING} waiting it throws a
 * {@link ChartShedError} (renderMs counts from the chart's turn, not the wait for it).
 */
export async function renderPng(svg: string): Promise<{ png: Buffer; renderMs: number }> {
  const thread = chartWorker();
  await thread?.online;
  await takeTurn();
  try {
    const started = performance.now();
    let png: Buffer;
    if (!thread || chartThread !== thread) png = await renderHere(svg);
    else {
      const id = nextJob++;
      png = await new Promise<Buffer>((resolve, reject) => {
        thread.pending.set(id, { resolve, reject });
        thread.worker.postMessage({ id, svg, font: renderFont() } satisfies PngJob);
      });
    }
    return { png, renderMs: performance.now() - started };
  } finally {
    endTurn();
  }
}

/** Stops the chart thread (tests, shutdown); the next render starts it again. */
export async function closeChartThread(): Promise<void> {
  const thread = chartThread;
  chartThread = null;
  if (thread) await thread.worker.terminate();
}
