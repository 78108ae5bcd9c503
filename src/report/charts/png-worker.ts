/**
 * The chart thread: rasterises an SVG (resvg's renderAsync, on libuv's pool) and encodes the PNG
 * (RenderedImage.asPng(), synchronous) here, off the bot's main thread. Started by png.ts.
 */
import { parentPort } from 'node:worker_threads';
import { type ResvgRenderOptions, renderAsync } from '@resvg/resvg-js';

export interface PngJob {
  id: number;
  svg: string;
  font: NonNullable<ResvgRenderOptions['font']>;
}

export type PngAnswer = { id: number; png: Uint8Array } | { id: number; error: string };

const port = parentPort;
port?.on('message', async (job: PngJob) => {
  try {
    const image = await renderAsync(job.svg, { font: job.font, fitTo: { mode: 'original' } });
    const png = image.asPng();
    port.postMessage({ id: job.id, png } satisfies PngAnswer);
  } catch (error) {
    port.postMessage({ id: job.id, error: (error as Error).message } satisfies PngAnswer);
  }
});
port?.postMessage('ready');
