import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { workerScript } from '../src/lib/worker-file.js';
import { runWork, WORK_DESCRIPTIONS, WORK_KINDS, type WorkResult } from '../src/work/kinds.js';
import { createWorkPool, type WorkPool } from '../src/work/pool.js';
import task from '../src/work/task.js';

describe('runWork', () => {
  const results = new Map<string, WorkResult>();

  for (const kind of WORK_KINDS) {
    it(`${kind} runs for about 200 ms`, () => {
      const start = performance.now();
      const result = runWork(kind, 200);
      const wall = performance.now() - start;
      results.set(kind, result);
      expect(wall).toBeGreaterThanOrEqual(190);
      expect(wall).toBeLessThan(700); // generous: the first run of a kind also builds its data
      expect(result.kind).toBe(kind);
      expect(result.requestedMs).toBe(200);
      expect(result.elapsedMs).toBeGreaterThanOrEqual(190);
      expect(result.elapsedMs).toBeLessThanOrEqual(wall + 1);
      expect(result.units).toBeGreaterThanOrEqual(1);
      expect(result.threadId).toBe(0);
      expect(WORK_DESCRIPTIONS[kind].length).toBeGreaterThan(0);
    });
  }

  it('sleep leaves the CPU idle while cpu keeps it busy', () => {
    const sleep = results.get('sleep') ?? runWork('sleep', 200);
    const cpu = results.get('cpu') ?? runWork('cpu', 200);
    expect(sleep.cpuMs).toBeLessThan(50);
    // Busy vs idle, by a wide margin even when a shared machine gives the busy loop little CPU.
    expect(cpu.cpuMs).toBeGreaterThan(sleep.cpuMs * 5 + 10);
  });

  it('regex reports the input length', () => {
    const regex = results.get('regex') ?? runWork('regex', 200);
    expect(regex.detail).toMatch(/\d+ chars/);
  });

  it('rejects bad arguments', () => {
    expect(() => runWork('nope' as never, 10)).toThrow(/Unknown work kind/);
    expect(() => runWork('cpu', 0)).toThrow(RangeError);
  });
});

describe('task', () => {
  it('runs the work and stamps its start time', () => {
    const before = performance.timeOrigin + performance.now();
    const result = task({ kind: 'sleep', ms: 20 });
    expect(result.elapsedMs).toBeGreaterThanOrEqual(20);
    expect(result.startedAt).toBeGreaterThanOrEqual(before - 1);
    expect(result.startedAt).toBeLessThan(before + 20);
  });

  it('rejects an unknown kind and a non-finite ms', () => {
    expect(() => task({ kind: 'bogus' as never, ms: 10 })).toThrow(/Unknown work kind "bogus"/);
    expect(() => task({ kind: 'cpu', ms: Number.NaN })).toThrow(/finite number/);
    expect(() => task({ kind: 'cpu', ms: '10' as never })).toThrow(/finite number/);
  });
});

describe('workerScript', () => {
  it('picks the .ts file plus a tsx loader from a .ts module, once', () => {
    const script = workerScript('file:///app/src/work/pool.ts', 'task');
    expect(script.filename).toBe('/app/src/work/task.ts');
    expect(script.execArgv.filter((arg) => arg === '--import').length).toBeGreaterThanOrEqual(1);
    expect(script.execArgv.some((arg) => /tsx/.test(arg))).toBe(true);
  });

  it('does not add tsx twice when the parent already runs under it', () => {
    const saved = [...process.execArgv];
    process.execArgv.push('--import', 'tsx');
    try {
      const script = workerScript('file:///app/src/work/pool.ts', 'task');
      expect(script.execArgv).toEqual(process.execArgv);
    } finally {
      process.execArgv.splice(0, process.execArgv.length, ...saved);
    }
  });

  it('picks the .js file from a compiled module', () => {
    const script = workerScript('file:///app/dist/work/pool.js', 'task');
    expect(script.filename).toBe('/app/dist/work/task.js');
    expect(script.execArgv).toEqual(process.execArgv);
  });
});

describe('work pool', () => {
  let pool: WorkPool | undefined;
  afterAll(async () => {
    await pool?.close();
  });

  it('runs work off the main thread while the main loop keeps ticking', async () => {
    pool = createWorkPool(2);
    expect(pool.size).toBe(2);
    // Let the workers boot (tsx compiles the task module) so the run below measures the work.
    await Promise.all([pool.run('sleep', 1), pool.run('sleep', 1)]);
    pool.resetWindow();

    let ticks = 0;
    const interval = setInterval(() => {
      ticks++;
    }, 10);
    const start = performance.now();
    const results = await Promise.all([pool.run('cpu', 300), pool.run('cpu', 300)]);
    const wall = performance.now() - start;
    clearInterval(interval);

    expect(ticks).toBeGreaterThanOrEqual(15);
    expect(wall).toBeLessThan(1_500);
    for (const result of results) {
      expect(result.kind).toBe('cpu');
      expect(result.elapsedMs).toBeGreaterThanOrEqual(290);
      expect(result.threadId).toBeGreaterThan(0);
      expect(result).not.toHaveProperty('startedAt');
    }
    expect(new Set(results.map((r) => r.threadId)).size).toBe(2);

    const stats = pool.stats();
    expect(stats.threads).toBe(2);
    expect(stats.queueSize).toBe(0);
    expect(stats.completed).toBe(4);
    expect(stats.perWorker).toHaveLength(2);
    expect(stats.utilization).toBeGreaterThan(0.3);
    expect(stats.utilization).toBeLessThanOrEqual(1);
    for (const worker of stats.perWorker) {
      expect(worker.utilization).toBeGreaterThan(0.3);
      expect(worker.utilization).toBeLessThanOrEqual(1);
    }

    const window = pool.resetWindow();
    expect(window.tasks).toBe(2);
    expect(window.runMs.max).toBeGreaterThanOrEqual(290);
    expect(window.runMs.mean).toBeGreaterThanOrEqual(290);
    expect(window.runMs.p99).toBe(window.runMs.max);
    expect(window.waitMs.mean).toBeGreaterThanOrEqual(0);
    expect(window.waitMs.max).toBeLessThan(200);
    expect(pool.resetWindow()).toEqual({
      waitMs: { mean: 0, p99: 0, max: 0 },
      runMs: { mean: 0, p99: 0, max: 0 },
      tasks: 0,
    });
  });

  it('rejects bad input from the worker and survives it', async () => {
    if (!pool) throw new Error('pool not created');
    await expect(pool.run('bogus' as never, 10)).rejects.toThrow(/Unknown work kind/);
    await expect(pool.run('bogus' as never, 10)).rejects.toMatchObject({ kind: 'threw', replaced: false });
    const result = await pool.run('sleep', 5);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(5);
  });

  it('close() resolves', async () => {
    if (!pool) throw new Error('pool not created');
    await expect(pool.close()).resolves.toBeUndefined();
    pool = undefined;
  });
});
