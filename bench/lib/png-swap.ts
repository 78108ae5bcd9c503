/**
 * Stands in for src/report/charts/png.ts inside the bench's bot processes (see swap-hooks.mjs):
 * everything is the real module's, except renderPng, which
 * - with charts 'on' calls the real renderPng and times it: the whole call, and the part that runs
 *   synchronously on the main thread (resvg's RenderedImage.asPng(), timed through its prototype);
 * - with charts 'off' returns no picture, so the report goes out as text only (deliver.ts sends a
 *   message without its picture when rendering gives nothing): the switch LoopLab does not have.
 */
import { performance } from 'node:perf_hooks';
import { renderAsync } from '@resvg/resvg-js';
import { renderPng as realRenderPng } from '../../src/report/charts/png.js';

export * from '../../src/report/charts/png.js';

export interface ChartStats {
  mode: 'on' | 'off';
  rendered: number;
  skipped: number;
  /** Sum of the whole renderPng() calls (queueing on libuv's pool included), ms. */
  wallMs: number;
  /** Sum of asPng() (synchronous, on the calling thread), ms. */
  encodeMs: number;
}

const key = Symbol.for('looplab.bench.charts');
type Holder = { [key]?: ChartStats };
const holder = globalThis as Holder;
holder[key] ??= { mode: 'on', rendered: 0, skipped: 0, wallMs: 0, encodeMs: 0 };

export function chartStats(): ChartStats {
  return holder[key] as ChartStats;
}

let patched = false;
async function patchEncoder(): Promise<void> {
  if (patched) return;
  patched = true;
  const probe = await renderAsync('<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>');
  const proto = Object.getPrototypeOf(probe) as { asPng: (this: unknown) => Buffer };
  const asPng = proto.asPng;
  proto.asPng = function timedAsPng(this: unknown) {
    const started = performance.now();
    try {
      return asPng.call(this);
    } finally {
      chartStats().encodeMs += performance.now() - started;
    }
  };
}

export async function renderPng(svg: string): Promise<{ png: Buffer; renderMs: number }> {
  const stats = chartStats();
  if (stats.mode === 'off') {
    stats.skipped += 1;
    return { png: null as unknown as Buffer, renderMs: 0 };
  }
  await patchEncoder();
  const started = performance.now();
  const result = await realRenderPng(svg);
  stats.wallMs += performance.now() - started;
  stats.rendered += 1;
  return result;
}
