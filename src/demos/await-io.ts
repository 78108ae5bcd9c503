import { pbkdf2 } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { DemoOutcome, IoResult } from '../contracts/outcome.js';
import type { CommandRun } from '../contracts/run.js';

export const IO_KINDS = ['timer', 'fs', 'crypto', 'zlib'] as const;
export type IoKind = (typeof IO_KINDS)[number];

export const IO_DESCRIPTIONS: Record<IoKind, string> = {
  timer: 'a timer (setTimeout from node:timers/promises)',
  fs: 'file reads with fs.promises (libuv thread pool)',
  crypto: 'crypto.pbkdf2 with a callback (libuv thread pool)',
  zlib: 'zlib.gzip with a callback (libuv thread pool)',
};

const pbkdf2Async = promisify(pbkdf2);
const gzipAsync = promisify(gzip);
const PAYLOAD = Buffer.alloc(256 * 1024, 'LoopLab async I/O payload. ');

/** Awaits real asynchronous work of `kind` for about `ms`; the main thread stays free meanwhile. */
export async function awaitIoFor(kind: IoKind, ms: number): Promise<IoResult> {
  const start = performance.now();
  const left = () => ms - (performance.now() - start);
  let operations = 0;
  switch (kind) {
    case 'timer':
      await sleep(ms);
      operations = 1;
      return { kind, operations, elapsedMs: performance.now() - start, detail: `one timer of ${ms} ms` };
    case 'fs': {
      const dir = await mkdtemp(join(tmpdir(), 'looplab-io-'));
      const file = join(dir, 'payload.bin');
      try {
        await writeFile(file, PAYLOAD);
        while (left() > 0) {
          await readFile(file);
          operations += 1;
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      return {
        kind,
        operations,
        elapsedMs: performance.now() - start,
        detail: `${operations} reads of 256 KiB`,
      };
    }
    case 'crypto':
      while (left() > 0) {
        await pbkdf2Async('looplab', 'salt', 5_000, 32, 'sha256');
        operations += 1;
      }
      return {
        kind,
        operations,
        elapsedMs: performance.now() - start,
        detail: `${operations} pbkdf2 hashes`,
      };
    case 'zlib':
      while (left() > 0) {
        await gzipAsync(PAYLOAD);
        operations += 1;
      }
      return {
        kind,
        operations,
        elapsedMs: performance.now() - start,
        detail: `${operations} gzips of 256 KiB`,
      };
  }
}

/**
 * Strategy 3 — await real I/O: defers, then awaits asynchronous work. While it waits, the thread
 * is back in the event loop serving everyone else.
 */
export async function deferAndAwaitIo(run: CommandRun, kind: IoKind, ms: number): Promise<DemoOutcome> {
  const base = { strategy: 'io', label: run.holder.label, kind, requestedMs: ms } as const;
  if (!(await run.session.defer())) return { ...base, skipped: true };
  run.trace.mark('workStart');
  const progress = run.session.progress(`awaiting ${kind} I/O`, ms);
  const io = await awaitIoFor(kind, ms).finally(() => progress.stop());
  run.trace.mark('workEnd');
  return { ...base, io };
}
