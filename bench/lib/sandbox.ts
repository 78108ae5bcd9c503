/** Starts the bench's sandbox thread (see sandbox-entry.ts) and talks to it. */
import type { EventLoopUtilization } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../src/lib/worker-file.js';
import { SandboxClient } from '../../src/sandbox/client.js';
import type { SandboxInfo, SandboxOptions } from '../../src/sandbox/server.js';
import type { Timing } from './sandbox-protocol.js';

export type { Timing } from './sandbox-protocol.js';

export interface Counters {
  created: number;
  acked: number;
  settled: number;
  failed: number;
  edited: number;
  files: number;
}

export interface BenchSandbox extends SandboxInfo {
  client: SandboxClient;
  /** Timings of these interactions (all recorded ones when absent); `forget` drops them after. */
  timings(ids?: readonly string[], forget?: boolean): Promise<Map<string, Timing | null>>;
  /** Resolves once the interaction is acked / settled / carries a file (or failed, or after timeoutMs). */
  wait(id: string, until: 'ack' | 'settled' | 'file', timeoutMs?: number): Promise<Timing | null>;
  /** The INTERACTION_CREATE payload the sandbox built for `id` (a template for raw batches). */
  payload(id: string): Promise<Record<string, unknown> | null>;
  forget(): Promise<void>;
  /** Counts over every recorded interaction (since the last forget). */
  counters(): Promise<Counters>;
  /** The sandbox thread's event-loop utilisation (since start, or relative to `since`). */
  elu(since?: EventLoopUtilization): EventLoopUtilization;
  close(): Promise<void>;
}

/** Default 200 000: a full bench section at 4 000/s stays far below it. */
export async function startBenchSandbox(
  options: SandboxOptions = {},
  maxInteractions = 200_000,
): Promise<BenchSandbox> {
  const worker: Worker = startWorker(import.meta.url, 'sandbox-entry', {
    workerData: { options, maxInteractions },
  });
  const first = await new Promise<{ type: string; info?: SandboxInfo; message?: string }>((resolve) => {
    worker.once('message', resolve);
    worker.once('error', (error) => resolve({ type: 'error', message: error.message }));
  });
  if (first.type !== 'ready' || !first.info) {
    await worker.terminate();
    throw new Error(`the bench sandbox could not start: ${first.message}`);
  }
  const info = first.info;
  let ref = 0;
  const pending = new Map<number, (value: unknown) => void>();
  worker.on('message', (message: { type: string; ref: number; value: unknown }) => {
    if (message.type !== 'answer') return;
    pending.get(message.ref)?.(message.value);
    pending.delete(message.ref);
  });
  const ask = <T>(type: string, fields: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve) => {
      ref += 1;
      pending.set(ref, resolve as (value: unknown) => void);
      worker.postMessage({ type, ref, ...fields });
    });
  let closed = false;
  return {
    ...info,
    client: new SandboxClient(info.baseUrl),
    async timings(ids, forget = false) {
      const list = await ask<Array<[string, Timing | null]>>('timings', { ids, forget });
      return new Map(list);
    },
    wait(id, until, timeoutMs = 5_000) {
      return ask<Timing | null>('wait', { id, until, timeoutMs });
    },
    payload(id) {
      return ask<Record<string, unknown> | null>('payload', { id });
    },
    counters() {
      return ask<Counters>('counters');
    },
    async forget() {
      await ask('forget');
    },
    elu(since) {
      return since
        ? worker.performance.eventLoopUtilization(since)
        : worker.performance.eventLoopUtilization();
    },
    async close() {
      if (closed) return;
      closed = true;
      const timer = setTimeout(() => void worker.terminate(), 3_000);
      await Promise.race([ask('close'), new Promise((r) => worker.once('exit', r))]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}
