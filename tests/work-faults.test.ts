import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWorkFailure, WorkFailure, type WorkFailureKind } from '../src/work/failure.js';
import { createWorkPool, type FaultTestPool, taskTimeLimitMs, type WorkPool } from '../src/work/pool.js';
import { inWorker } from '../src/work/task.js';
import { keepWorkerFlags, workerExecArgv } from '../src/work/worker-flags.js';

const ROOT = join(import.meta.dirname, '..');

/** Polls `check` until it returns a value other than null/false, or fails after `timeoutMs`. */
async function until<T>(check: () => T | null | false, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** The rejection of `promise`, which must be a WorkFailure of `kind`. */
async function failure(promise: Promise<unknown>, kind: WorkFailureKind): Promise<WorkFailure> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected a ${kind} failure, got a result: ${JSON.stringify(value)}`);
    },
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WorkFailure);
  if (!isWorkFailure(error)) throw error;
  expect(error.kind).toBe(kind);
  expect(error.message).toBe(error.reason);
  expect(error.reason).toMatch(/^[a-z].{20,}[^.]$/); // one plain sentence
  return error;
}

/** The pool has `size` live workers (none of them `gone`), and a normal task succeeds on it. */
async function expectRecovered(pool: WorkPool, gone?: number): Promise<void> {
  await until(
    () => {
      const { threads, perWorker } = pool.stats();
      return (
        threads === pool.size && perWorker.length === pool.size && !perWorker.some((w) => w.threadId === gone)
      );
    },
    5_000,
    `${pool.size} live workers`,
  );
  const results = await Promise.all(Array.from({ length: pool.size }, () => pool.run('sleep', 20)));
  for (const result of results) {
    expect(result.kind).toBe('sleep');
    expect(result.elapsedMs).toBeGreaterThanOrEqual(20);
    expect(result.threadId).toBeGreaterThan(0);
    expect(result.threadId).not.toBe(gone);
  }
  const stats = pool.stats();
  expect(stats.threads).toBe(pool.size);
  expect(stats.queueSize).toBe(0);
  expect(stats.perWorker).toHaveLength(pool.size);
}

const unhandled: unknown[] = [];
const warnings: Error[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
const onWarning = (warning: Error): void => {
  if (warning.name === 'LoopLabWorkPool') warnings.push(warning);
};

describe('work pool faults', () => {
  const errors: Error[] = [];
  let pool: FaultTestPool;

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('warning', onWarning);
    pool = createWorkPool(2, { allowFaults: true, timeoutMarginMs: 300, onError: (e) => errors.push(e) });
    // Let both workers boot (tsx compiles the task module) before timing anything.
    await Promise.all([pool.run('sleep', 1), pool.run('sleep', 1)]);
  });

  afterAll(async () => {
    await pool?.close();
    process.off('unhandledRejection', onUnhandled);
    process.off('warning', onWarning);
  });

  it('a task that throws: "threw", and the same worker carries on', async () => {
    const before = pool.stats().completed;
    const error = await failure(pool.runFault({ fault: 'throw', message: 'bad input 42' }), 'threw');
    expect(error.reason).toBe(
      'the work threw an error on its worker thread (bad input 42); the worker caught it and carries on',
    );
    expect(error.replaced).toBe(false);
    expect(error.task).toEqual({ kind: 'fault:throw', ms: 1 });
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).message).toBe('bad input 42');
    // The worker lived: it is still in the pool.
    expect(error.threadId).toBeGreaterThan(0);
    expect(pool.stats().perWorker.map((w) => w.threadId)).toContain(error.threadId);
    expect(pool.stats().completed).toBe(before + 1);
    await expectRecovered(pool);
  });

  it('bad work arguments come back as "threw" too', async () => {
    const error = await failure(pool.run('bogus' as never, 10), 'threw');
    expect(error.reason).toMatch(/Unknown work kind "bogus"/);
    expect(error.task).toEqual({ kind: 'bogus', ms: 10 });
  });

  it('a worker that calls process.exit: "worker-exited" with the code, and it is replaced', async () => {
    const error = await failure(pool.runFault({ fault: 'exit', code: 7 }), 'worker-exited');
    expect(error.exitCode).toBe(7);
    expect(error.reason).toBe('the worker thread exited (code 7) in the middle of the task and was replaced');
    expect(error.replaced).toBe(true);
    expect(pool.stats().threads).toBe(2); // the replacement is already counted
    await expectRecovered(pool, error.threadId);
  });

  it('a worker that crashes under a task: "worker-exited" naming the crash, and it is replaced', async () => {
    const error = await failure(pool.runFault({ fault: 'crash', message: 'kaboom' }), 'worker-exited');
    expect(error.exitCode).toBeUndefined();
    expect(error.reason).toBe(
      'the worker thread crashed (kaboom) in the middle of the task and was replaced',
    );
    expect(error.threadId).toBeGreaterThan(0);
    await expectRecovered(pool, error.threadId);
  });

  it('a worker that crashes while idle is reported to onError (no warning, nothing thrown) and replaced', async () => {
    const seen = errors.length;
    const result = await pool.runFault({ fault: 'crash-when-idle', afterMs: 30, message: 'late kaboom' });
    expect(result.threadId).toBeGreaterThan(0);
    const reported = await until(() => errors[seen] ?? null, 5_000, 'onError');
    expect(reported).toBeInstanceOf(WorkFailure);
    const idle = reported as WorkFailure;
    expect(idle.kind).toBe('worker-exited');
    expect(idle.task).toBeUndefined();
    expect(idle.reason).toBe('a worker thread crashed (late kaboom) while idle and was replaced');
    expect(errors).toHaveLength(seen + 1);
    await expectRecovered(pool, result.threadId);
  });

  it('a runaway task is stopped at its time limit and its worker replaced within a few seconds', async () => {
    const limit = taskTimeLimitMs(100, { timeoutMarginMs: 300 });
    expect(limit).toBe(400);
    const start = performance.now();
    const error = await failure(pool.runFault({ fault: 'runaway', ms: 100 }), 'timed-out');
    const took = performance.now() - start;
    expect(took).toBeGreaterThanOrEqual(limit - 5);
    expect(took).toBeLessThan(limit + 2_000);
    expect(error.limit).toBe(400);
    expect(error.unit).toBe('ms');
    expect(error.reason).toBe(
      'the task was still running after 0.40 s, its time limit for 100 ms of work, so its worker thread was stopped and replaced',
    );
    expect(error.threadId).toBeGreaterThan(0);
    const replacedAt = performance.now();
    await expectRecovered(pool, error.threadId);
    expect(performance.now() - replacedAt).toBeLessThan(5_000);
  });

  it('the time limit runs from the start on the worker, not while the task waits in the queue', async () => {
    // Both workers busy for 500 ms; the third task waits ~500 ms, longer than its own 400 ms limit.
    const busy = [pool.run('sleep', 500), pool.run('sleep', 500)];
    const queued = pool.run('sleep', 100);
    await sleep(50);
    expect(pool.stats().queueSize).toBe(1);
    const results = await Promise.all([...busy, queued]);
    expect(results[2]!.elapsedMs).toBeGreaterThanOrEqual(100);
  });

  it('a result that arrives while the main thread is blocked past the limit is not a time-out', async () => {
    // Limit 600 ms (300 + max(300, 300)). The task finishes at ~300 ms, but the main thread is stuck
    // until ~1000 ms, so the limit's timer and the result are both due when it gets free. The block
    // runs in a check-phase callback (like a command handler in an I/O callback): the next loop
    // iteration runs the due timer *before* the poll phase delivers the result. The result wins.
    const task = pool.run('sleep', 300);
    await sleep(100); // the task has started and its timer is armed
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        const end = performance.now() + 900;
        while (performance.now() < end) {
          // block the main thread
        }
        resolve();
      }),
    );
    const result = await task;
    expect(result.elapsedMs).toBeGreaterThanOrEqual(300);
    expect(pool.stats().threads).toBe(2);
  });

  it("the caller's own abort is piscina's AbortError, not a WorkFailure", async () => {
    const controller = new AbortController();
    const running = pool.run('sleep', 2_000, controller.signal);
    await sleep(100);
    controller.abort();
    const error = await running.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('AbortError');
    expect(isWorkFailure(error)).toBe(false);
    await expectRecovered(pool);
  });

  it('stats keep counting across the faults, and nothing escaped', async () => {
    const stats = pool.stats();
    expect(stats.threads).toBe(2);
    expect(stats.completed).toBeGreaterThanOrEqual(20);
    expect(stats.utilization).toBeGreaterThanOrEqual(0);
    expect(stats.utilization).toBeLessThanOrEqual(1);
    const window = pool.resetWindow();
    expect(window.tasks).toBeGreaterThanOrEqual(10);
    await sleep(50);
    expect(unhandled).toEqual([]);
    expect(warnings).toEqual([]);
    expect(errors).toHaveLength(1); // only the idle crash: every other fault went to its task
  });
});

describe('work pool memory limit', () => {
  let pool: FaultTestPool | undefined;
  afterAll(async () => {
    await pool?.close();
  });

  it('a task that allocates past the heap limit: "out-of-memory" with the limit, and the pool recovers', async () => {
    const errors: Error[] = [];
    pool = createWorkPool(1, {
      allowFaults: true,
      maxOldGenerationSizeMb: 32,
      onError: (e) => errors.push(e),
    });
    await pool.run('sleep', 1);
    const error = await failure(pool.runFault({ fault: 'allocate' }), 'out-of-memory');
    expect(error.limit).toBe(32);
    expect(error.unit).toBe('MB');
    expect(error.reason).toBe('the worker thread ran out of memory (limit 32 MB) and was replaced');
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ERR_WORKER_OUT_OF_MEMORY');
    await expectRecovered(pool, error.threadId);
    // The real work fits comfortably in the same limit.
    const json = await pool.run('json', 100);
    expect(json.units).toBeGreaterThanOrEqual(1);
    expect(errors).toEqual([]);
  });
});

describe('fault injection is for test pools only', () => {
  it('a normal pool has no runFault', async () => {
    const pool = createWorkPool(1);
    try {
      expect('runFault' in pool).toBe(false);
    } finally {
      await pool.close();
    }
  });

  it("a worker outside a fault pool refuses a fault like bad input (the worker's own gate)", () => {
    const reply = inWorker({ id: 1, fault: { fault: 'throw', message: 'must not run' } });
    expect(reply).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/allowFaults: true/) },
    });
  });

  it('the limits are sane by default', () => {
    expect(taskTimeLimitMs(4_000)).toBe(14_000);
    expect(taskTimeLimitMs(60_000)).toBe(120_000);
    expect(taskTimeLimitMs(600_000)).toBe(660_000); // the cap: MAX_WORK_MS + 60 s
    expect(taskTimeLimitMs(500, { maxTaskMs: 1_000 })).toBe(1_000);
  });
});

describe('worker execArgv', () => {
  it('keeps loaders and conditions, drops per-process and V8 flags', () => {
    expect(
      keepWorkerFlags([
        '--max-old-space-size=512',
        '--trace-gc',
        '--title',
        'looplab',
        '--conditions',
        'development',
        '--require',
        '/x/preflight.cjs',
        '--import=file:///x/loader.mjs',
        '--enable-source-maps',
        '--stack-trace-limit=50',
        '--no-warnings',
        '--import',
        'tsx',
      ]),
    ).toEqual([
      '--conditions',
      'development',
      '--require',
      '/x/preflight.cjs',
      '--import=file:///x/loader.mjs',
      '--enable-source-maps',
      '--no-warnings',
      '--import',
      'tsx',
    ]);
  });

  it("inherits (undefined) when the worker would get exactly the parent's execArgv", () => {
    expect(
      workerExecArgv(['--trace-gc', '--import', 'tsx'], ['--trace-gc', '--import', 'tsx']),
    ).toBeUndefined();
    expect(workerExecArgv(['--trace-gc', '--import', 'tsx'], ['--trace-gc'])).toEqual(['--import', 'tsx']);
  });

  describe('the pool and the watchdog start under node --max-old-space-size=512 --trace-gc', () => {
    const exec = promisify(execFile);
    const dir = mkdtempSync(join(tmpdir(), 'looplab-execargv-'));
    const tsxRoot = new URL('.', pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json')));
    const script = (registerTsx: boolean): string => {
      const file = join(dir, registerTsx ? 'register.mjs' : 'plain.mjs');
      const url = (path: string): string => JSON.stringify(pathToFileURL(join(ROOT, path)).href);
      writeFileSync(
        file,
        [
          registerTsx
            ? `const { register } = await import(${JSON.stringify(new URL('dist/esm/api/index.mjs', tsxRoot).href)}); register();`
            : '',
          `const { createWorkPool } = await import(${url('src/work/pool.ts')});`,
          `const { Watchdog } = await import(${url('src/measure/watchdog.ts')});`,
          'const pool = createWorkPool(1);',
          'const result = await pool.run("cpu", 20);',
          `const watchdog = new Watchdog({ logFile: ${JSON.stringify(join(dir, 'watchdog.log'))} });`,
          'await watchdog.start();',
          'await watchdog.stop();',
          'await pool.close();',
          'console.log("RESULT " + JSON.stringify({ execArgv: process.execArgv, result }));',
        ].join('\n'),
      );
      return file;
    };

    const runChild = async (args: string[]) => {
      const { stdout, stderr } = await exec(process.execPath, args, {
        cwd: ROOT,
        timeout: 30_000,
        maxBuffer: 32 * 1024 * 1024,
      });
      expect(stderr).not.toMatch(/ERR_WORKER_INVALID_EXEC_ARGV/);
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (!line)
        throw new Error(`no result from the child:\n${stdout.slice(-2_000)}\n${stderr.slice(-2_000)}`);
      return JSON.parse(line.slice('RESULT '.length)) as {
        execArgv: string[];
        result: { kind: string; elapsedMs: number; threadId: number };
      };
    };

    it('with --import tsx (the worker inherits the execArgv)', async () => {
      const out = await runChild([
        '--max-old-space-size=512',
        '--trace-gc',
        '--import',
        'tsx',
        script(false),
      ]);
      expect(out.execArgv).toContain('--max-old-space-size=512');
      expect(out.result.kind).toBe('cpu');
      expect(out.result.elapsedMs).toBeGreaterThanOrEqual(20);
      expect(out.result.threadId).toBeGreaterThan(0);
    });

    it('with tsx registered in code (the worker gets the loader plus the flags it accepts)', async () => {
      const out = await runChild(['--max-old-space-size=512', '--trace-gc', script(true)]);
      expect(out.execArgv).toEqual(['--max-old-space-size=512', '--trace-gc']);
      expect(out.result.kind).toBe('cpu');
      expect(out.result.elapsedMs).toBeGreaterThanOrEqual(20);
      expect(out.result.threadId).toBeGreaterThan(0);
      expect(existsSync(join(dir, 'watchdog.log'))).toBe(true); // the watchdog thread started and opened it
    });
  });
});
