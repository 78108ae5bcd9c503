import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { CPU_SCOPE, threadCpuMs, UtilizationRecorder } from '../src/measure/utilization.js';

/**
 * Node 20 reached end of life on 2026-04-30. LoopLab says which lines it supports (engines, README),
 * the image uses an LTS one, CI tests it (.ci/node-lts.sh), and where a newer Node measures better
 * (process.threadCpuUsage(): the main thread's own CPU time) LoopLab uses it.
 */
const ROOT = join(import.meta.dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
const major = Number(process.versions.node.split('.')[0]);
const [maj, min] = process.versions.node.split('.').map(Number) as [number, number];

describe('supported Node lines', () => {
  it('engines names the LTS lines, the one in the image among them; CI tests it', () => {
    expect(engines.split('||').map((r) => r.trim())).toEqual(['20.x', '22.x', '24.x', '26.x']);
    const base = /^FROM node:(\d+)-slim/m.exec(read('Dockerfile'))![1]!;
    expect(engines).toContain(`${base}.x`);
    expect(read('.ci/run')).toMatch(new RegExp(`node-lts\\.sh .* ${base}\\b`));
    expect(engines).toContain(`${major}.x`); // the Node running this test is one of them
  });
});

describe('main-thread CPU time', () => {
  it(`is the main thread's own on Node >= 23.9, the process's before (here: ${CPU_SCOPE})`, () => {
    const hasThreadClock = maj > 23 || (maj === 23 && min >= 9);
    expect(CPU_SCOPE).toBe(hasThreadClock ? 'thread' : 'process');
    expect(threadCpuMs() === null).toBe(!hasThreadClock);
    const recorder = new UtilizationRecorder();
    expect(recorder.window(Date.now() - 1000).cpuScope).toBe(CPU_SCOPE);
  });

  it('does not count a busy worker thread as main-thread CPU where Node can tell them apart', async () => {
    const recorder = new UtilizationRecorder(20);
    recorder.start();
    const start = Date.now();
    // Busy until the worker has burnt 400 ms of CPU (not of wall time: a loaded machine gives less).
    const worker = new Worker(
      'const s = process.cpuUsage(); const spent = () => { const d = process.cpuUsage(s); return (d.user + d.system) / 1000; }; while (spent() < 400) {}',
      { eval: true },
    );
    await new Promise((resolve) => worker.once('exit', resolve));
    const u = recorder.window(start, Date.now());
    recorder.stop();
    expect(u.wallMs).toBeGreaterThan(350);
    if (CPU_SCOPE === 'thread') expect(u.cpuMs).toBeLessThan(200);
    else expect(u.cpuMs).toBeGreaterThan(300); // Node 20: the worker's 400 ms are in the process total
  });
});
