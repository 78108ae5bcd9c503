/**
 * `npm run bench [-- --quick] [-- --cpu-prof] [-- --out FILE]`: LoopLab's performance figures,
 * each measured side by side in one run as a ratio against an anchor measured in the same run (the
 * machines are shared and noisy; a ratio survives that, an absolute number does not).
 *
 * The real bot (createBot, commands/, real discord.js) and a bare discord.js bot (bench/bare-bot.ts)
 * each run in their own process (bench/lib/bot-child.ts), each against its own copy of LoopLab's
 * sandbox on a thread of this process (bench/lib/sandbox-entry.ts). Load is open-loop: interactions
 * are created at a set rate whatever the bot does, as Discord's users would.
 *
 * Standard error: a progress bar. Standard output: the table (figure, measured, target, pass/miss).
 * JSON: bench-results/latest.json (and a dated copy). Exit code 0 when every figure was measured
 * (misses included: the bench reports, CI asserts nothing about speed); 1 when a section crashed.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import {
  DEFAULT_COOLDOWN_MS,
  DEFAULT_MAIN_THREAD_BUDGET_MS,
  DEFAULT_MAX_CONCURRENT_DEMOS,
} from '../src/config/env.js';
import { workerScript } from '../src/lib/worker-file.js';
import { runWork } from '../src/work/kinds.js';
import { createWorkPool } from '../src/work/pool.js';
import { type BotChild, spawnBot } from './lib/child.js';
import type { Usage } from './lib/child-protocol.js';
import { drain, openLoop, type Payload, runStep, type StepStats, templateFor, userPool } from './lib/load.js';
import { treeCpuMs, treeRss } from './lib/proc.js';
import { Progress } from './lib/progress.js';
import { type BenchSandbox, startBenchSandbox } from './lib/sandbox.js';
import { type ScalingRun, scalingRun } from './lib/scaling.js';
import { median, round, sleep, summary } from './lib/stats.js';
import { formatTable, mb, ms, pct, type Row, ratio, row } from './lib/table.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const cpuProf = args.includes('--cpu-prof');
const outArg = args.indexOf('--out');
const outFile = resolve(ROOT, outArg !== -1 ? (args[outArg + 1] ?? '') : 'bench-results/latest.json');
const only = (() => {
  const at = args.indexOf('--only');
  return at === -1 ? null : new Set((args[at + 1] ?? '').split(','));
})();
const profileDir = cpuProf ? join(dirname(outFile), 'profiles') : null;

/** Durations and rates of each section, full vs --quick (under 60 s in all). */
const plan = quick
  ? {
      rounds: 2,
      routerRate: 100,
      routerMs: 500,
      ladder: [100, 1_000],
      chartLadder: [50, 150],
      stepMs: 400,
      drainMs: 3_200,
      offloadTasks: 20,
      noops: 300,
      measureRate: 100,
      measureMs: 800,
      starts: 1,
      idleMs: 1_500,
      leakRate: 500,
      leak: [500, 1_500],
      scaleBurst: 40,
    }
  : {
      rounds: 3,
      routerRate: 100,
      routerMs: 2_000,
      ladder: [100, 250, 500, 1_000, 1_500, 2_000],
      chartLadder: [25, 50, 100, 150, 200, 300],
      stepMs: 3_000,
      drainMs: 8_000,
      offloadTasks: 40,
      noops: 2_000,
      measureRate: 100,
      measureMs: 3_000,
      starts: 3,
      idleMs: 5_000,
      leakRate: 1_000,
      leak: [1_000, 5_000],
      scaleBurst: 40,
    };

const rows: Row[] = [];
const raw: Record<string, unknown> = {};
const failures: string[] = [];
const want = (name: string) => only === null || only.has(name);
const progress = new Progress(
  [
    1, // start the rigs
    want('router') ? 1 : 0,
    want('throughput') ? plan.ladder.length * 2 + plan.chartLadder.length : 0,
    want('burst') ? 3 : 0,
    want('offload') ? 2 : 0,
    want('measurement') && !quick ? 2 : 0,
    want('footprint') ? plan.starts * 2 + 2 : 0,
    want('scaling') ? 2 : 0,
  ].reduce((a, b) => a + b, 0),
);

interface Rig {
  sandbox: BenchSandbox;
  bot: BotChild;
  templates: Record<string, Payload>;
  users: Payload[];
}

async function rig(
  label: string,
  kind: 'looplab' | 'bare',
  options: { env?: Record<string, string>; measurement?: 'on' | 'off'; charts?: 'on' | 'off' } = {},
): Promise<Rig> {
  const t0 = performance.now();
  const sandbox = await startBenchSandbox();
  const t1 = performance.now();
  const bot = await spawnBot({
    kind,
    sandbox,
    label,
    cpuProfDir: profileDir,
    ...(options.env ? { env: options.env } : {}),
    ...(options.measurement ? { measurement: options.measurement } : {}),
    ...(options.charts ? { charts: options.charts } : {}),
  });
  const t2 = performance.now();
  const templates: Record<string, Payload> = {
    ping: await templateFor(sandbox, 'ping'),
    io: await templateFor(sandbox, 'io', { ms: 1 }),
  };
  if (kind === 'looplab') {
    templates.nonblock = await templateFor(sandbox, 'nonblock', { ms: 50 });
    templates.block = await templateFor(sandbox, 'block', { ms: 50 });
  }
  // The templates' own demos started a cooldown for "bench-template"; the load uses other users.
  await bot.logs(true);
  const rigs = (raw.rigs ?? {}) as Record<string, unknown>;
  rigs[label] = {
    sandboxMs: round(t1 - t0),
    botReadyMs: round(t2 - t1),
    templatesMs: round(performance.now() - t2),
    info: bot.info,
  };
  raw.rigs = rigs;
  return { sandbox, bot, templates, users: userPool(templates.ping as Payload, 50_000, label) };
}

/** Settings that let one process take all the load: no per-person or per-server limits. */
const OPEN = { COOLDOWN_MS: '0', MAX_CONCURRENT_DEMOS: '1000', MAIN_THREAD_BUDGET_MS: '60000' };

async function section(name: string, fn: () => Promise<void>): Promise<void> {
  if (!want(name)) return;
  try {
    await fn();
  } catch (error) {
    failures.push(`${name}: ${(error as Error).stack ?? String(error)}`);
    rows.push(row(name, `${name}: the section crashed`, (error as Error).message.slice(0, 80), '', false));
  }
}

const step = (r: Rig, template: string, rate: number, durationMs: number, drainMs = plan.drainMs) =>
  runStep(r, r.templates[template] as Payload, r.users, rate, durationMs, drainMs);

// 1. Router overhead ------------------------------------------------------------------------------
async function router(looplab: Rig, bare: Rig) {
  progress.step('1 router: /ping through LoopLab vs a bare discord.js handler');
  const l: StepStats[] = [];
  const b: StepStats[] = [];
  // Warm-up (JIT, connection pools, caches), not counted; then A B B A … so drift hits both alike.
  await step(looplab, 'ping', plan.routerRate, 300);
  await step(bare, 'ping', plan.routerRate, 300);
  for (let i = 0; i < plan.rounds; i++) {
    const order = i % 2 === 0 ? ([looplab, bare] as const) : ([bare, looplab] as const);
    for (const r of order)
      (r === looplab ? l : b).push(await step(r, 'ping', plan.routerRate, plan.routerMs));
  }
  const p50 = median(l.map((s) => s.ack.p50)) / median(b.map((s) => s.ack.p50));
  const p99 = median(l.map((s) => s.ack.p99)) / median(b.map((s) => s.ack.p99));
  raw.router = { looplab: l, bare: b };
  const lp50 = median(l.map((s) => s.ack.p50));
  const bp50 = median(b.map((s) => s.ack.p50));
  const lp99 = median(l.map((s) => s.ack.p99));
  const bp99 = median(b.map((s) => s.ack.p99));
  rows.push(
    row(
      '1',
      'router overhead: ack p50, LoopLab ÷ bare',
      `${ratio(p50)} (${ms(lp50, 2)} vs ${ms(bp50, 2)})`,
      '≤ 1.2×',
      p50 <= 1.2,
    ),
    row(
      '1',
      'router overhead: ack p99, LoopLab ÷ bare',
      `${ratio(p99)} (${ms(lp99, 2)} vs ${ms(bp99, 2)})`,
      '≤ 1.2×',
      p99 <= 1.2,
    ),
  );
}

// 2. Sustained throughput ------------------------------------------------------------------------
const ackOk = (s: StepStats) => s.failed === 0 && s.acked === s.n && s.n > 0 && s.ack.p99 < 50 && s.drained;
const reportsOk = (s: StepStats) => ackOk(s) && s.reports === s.n;

async function throughput(open: Rig, bare: Rig) {
  const l: StepStats[] = [];
  const b: StepStats[] = [];
  // Up the ladder; a bot that failed a rung (acks late or lost) skips the rungs above it.
  const failedAt = { l: false, b: false, c: false };
  for (const rate of plan.ladder) {
    progress.step(`2 throughput: /io ms:1 at ${rate}/s, text reports (LoopLab)`);
    await open.bot.charts({ mode: 'off' });
    if (!failedAt.l) {
      const s = await step(open, 'io', rate, plan.stepMs);
      l.push(s);
      failedAt.l = !ackOk(s);
    }
    progress.step(`2 throughput: /io ms:1 at ${rate}/s (bare discord.js)`);
    if (!failedAt.b) {
      const s = await step(bare, 'io', rate, plan.stepMs);
      b.push(s);
      failedAt.b = !ackOk(s);
    }
  }
  const c: StepStats[] = [];
  await open.bot.charts({ mode: 'on', reset: true });
  for (const rate of plan.chartLadder) {
    progress.step(`2 throughput: /io ms:1 at ${rate}/s, reports with charts (LoopLab)`);
    if (failedAt.c) continue;
    const s = await step(open, 'io', rate, plan.stepMs);
    c.push(s);
    failedAt.c = !ackOk(s);
  }
  raw.throughput = { looplab: l, bare: b, charts: c, ladder: plan.ladder, chartLadder: plan.chartLadder };
  const best = (list: StepStats[], ok: (s: StepStats) => boolean) =>
    list.reduce((top, s) => (ok(s) ? Math.max(top, s.offered) : top), 0);
  const acks = best(l, ackOk);
  const reports = best(l, reportsOk);
  const bareBest = best(b, reportsOk);
  const charted = best(c, (s) => reportsOk(s) && s.withFile === s.n);
  const top = plan.ladder[plan.ladder.length - 1] ?? 0;
  const at = (list: StepStats[], rate: number) => list.find((s) => s.offered === rate);
  // CPU per interaction compared at the highest rate both bots ran.
  const common = l.map((s) => s.offered).filter((r) => at(b, r) !== undefined);
  const cpuRate = common[common.length - 1] ?? 0;
  const l1000 = at(l, cpuRate);
  const b1000 = at(b, cpuRate);
  const bareAcks = best(b, ackOk);
  const fig = (n: number) =>
    n === 0 ? 'below the first rung' : `≥ ${n}/s${n === top ? ' (top of the ladder)' : ''}`;
  const lastC = c[c.length - 1];
  rows.push(
    row('2', 'acks sustained (p99 < 50 ms, nothing failing)', fig(acks), '≥ 1000/s', acks >= 1_000, {
      p99ByRate: l.map((s) => [s.offered, s.ack.p99, s.failed]),
    }),
    row('2', 'full text reports delivered', fig(reports), '≥ 1000/s', reports >= 1_000, {
      reportsByRate: l.map((s) => [s.offered, s.reports, s.n, s.reportRate]),
    }),
    row('2', 'reports with charts', fig(charted), '≥ 150/s', charted >= 150, {
      byRate: c.map((s) => [s.offered, s.reports, s.withFile, s.n, s.ack.p99]),
    }),
    row(
      '2',
      'above it: reports without a chart (shed)',
      lastC ? `${lastC.reports - lastC.withFile} of ${lastC.n} at ${lastC.offered}/s` : 'n/a',
    ),
    row(
      '2',
      'bare discord.js, same sandbox: acks / full reports',
      `${fig(bareAcks)} / ${fig(bareBest)}`,
      '',
      null,
      { reportsByRate: b.map((s) => [s.offered, s.reports, s.n, s.reportRate, s.ack.p99]) },
    ),
    row(
      '2',
      `CPU per interaction at ${cpuRate}/s, LoopLab ÷ bare`,
      `${ratio((l1000?.cpuMsPerInteraction ?? Number.NaN) / (b1000?.cpuMsPerInteraction ?? Number.NaN))} (${ms(l1000?.cpuMsPerInteraction, 3)} vs ${ms(b1000?.cpuMsPerInteraction, 3)})`,
    ),
  );
}

// 3. Classroom burst -----------------------------------------------------------------------------
async function burst(looplab: Rig) {
  // The bot started with no per-person or per-server limits (for the throughput); the class gets
  // LoopLab's defaults, set as a teacher would, through /classroom.
  const set = await looplab.sandbox.client.invoke({
    user: 'teacher',
    teacher: true,
    command: 'classroom set',
    options: {
      cooldown_s: DEFAULT_COOLDOWN_MS / 1000,
      budget_s: DEFAULT_MAIN_THREAD_BUDGET_MS / 1000,
      concurrent: DEFAULT_MAX_CONCURRENT_DEMOS,
    },
  });
  if (set.status === 'failed') throw new Error('/classroom set failed');
  // Two classes of 30, so the second burst meets no cooldown left by the first.
  const classes = [0, 1].map((c) =>
    userPool(looplab.templates.ping as Payload, 30, `student${c}-`).map((u, i) => ({
      ...u,
      id: String(310_000_000_000_000_000n + BigInt(c * 100 + i)),
    })),
  );
  progress.step('3 burst: idle loop-delay floor');
  await looplab.bot.loopStart();
  await sleep(quick ? 700 : 1_500);
  const floor = await looplab.bot.loopStop();
  const one = async (command: 'nonblock' | 'block', students: Payload[]) => {
    await looplab.sandbox.forget();
    await looplab.bot.logs(true);
    await looplab.bot.loopStart();
    const sent = await openLoop(looplab.sandbox, looplab.templates[command] as Payload, students, 150, 1_000);
    const drained = await drain(looplab.sandbox, sent.ids.length, plan.drainMs + 2_000);
    const loop = await looplab.bot.loopStop();
    const timings = await looplab.sandbox.timings(sent.ids, true);
    const list = [...timings.values()].filter((t) => t !== null);
    const acked = list.filter((t) => t.acked !== null && t.acked - t.created <= 3_000).length;
    const expired = list.filter((t) => t.failed !== null).length;
    const ack = summary(list.filter((t) => t.acked !== null).map((t) => (t.acked as number) - t.created));
    const logs = await looplab.bot.logs(true);
    return {
      n: list.length,
      acked,
      expired,
      ack,
      loop,
      drained,
      refusals: logs.refusals,
      outcomes: logs.outcomes,
    };
  };
  progress.step('3 burst: 30 students × 5 /nonblock ms:50 within 1 s');
  const nb = await one('nonblock', classes[0] as Payload[]);
  progress.step('3 burst: the same as /block ms:50');
  const bl = await one('block', classes[1] as Payload[]);
  raw.burst = { floor, nonblock: nb, block: bl };
  const share = nb.acked / Math.max(1, nb.n);
  const loopRatio = nb.loop.p99 / Math.max(floor.p99, 0.001);
  const refused = (r: Record<string, number>) =>
    Object.entries(r)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ') || 'none';
  rows.push(
    row(
      '3',
      'burst /nonblock: share acked within 3 s',
      `${pct(share)} (${nb.acked}/${nb.n})`,
      '100 %',
      share === 1,
    ),
    row('3', 'burst /nonblock: ack p50 / p99', `${ms(nb.ack.p50, 2)} / ${ms(nb.ack.p99, 2)}`),
    row(
      '3',
      'burst /nonblock: loop delay p99 ÷ idle floor',
      `${ratio(loopRatio)} (${ms(nb.loop.p99, 2)} vs ${ms(floor.p99, 2)})`,
      '≤ 2×',
      loopRatio <= 2,
    ),
    row('3', 'burst /nonblock: refused by the policy', refused(nb.refusals)),
    row(
      '3',
      'burst /block: share expired (10062)',
      `${pct(bl.expired / Math.max(1, bl.n))} (${bl.expired}/${bl.n})`,
    ),
    row('3', 'burst /block: refused by the policy', refused(bl.refusals)),
  );
}

// 4. Offload ------------------------------------------------------------------------------------
async function offload() {
  const threads = Math.max(1, Math.min(availableParallelism(), 2));
  progress.step(`4 offload: ${plan.offloadTasks} × 50 ms inline vs LoopLab's pool (${threads} threads)`);
  const pool = createWorkPool(threads);
  const script = workerScript(new URL('./lib/raw-task.ts', import.meta.url).href, 'raw-task');
  const piscina = new Piscina({
    filename: script.filename,
    execArgv: script.execArgv,
    minThreads: threads,
    maxThreads: threads,
    atomics: 'disabled',
  });
  try {
    // Warm both pools (worker start, module load, JIT) before timing anything.
    await Promise.all(Array.from({ length: threads * 4 }, () => pool.run('cpu', 1)));
    await Promise.all(Array.from({ length: threads * 4 }, () => piscina.run({ kind: 'cpu', ms: 1 })));
    const h = monitorEventLoopDelay({ resolution: 1 });
    let t0 = performance.now();
    h.enable();
    for (let i = 0; i < plan.offloadTasks; i++) {
      runWork('cpu', 50);
      await new Promise((r) => setImmediate(r));
    }
    const inlineMs = performance.now() - t0;
    h.disable();
    const inlineP99 = h.percentile(99) / 1e6;
    h.reset();
    h.enable();
    t0 = performance.now();
    await Promise.all(Array.from({ length: plan.offloadTasks }, () => pool.run('cpu', 50)));
    const poolMs = performance.now() - t0;
    h.disable();
    const poolP99 = h.percentile(99) / 1e6;
    const efficiency = inlineMs / poolMs / threads;
    progress.step('4 offload: the shortest task through LoopLab vs raw piscina');
    // One at a time (a round trip each), alternating in blocks so drift hits both alike.
    const looplabRt: number[] = [];
    const rawRt: number[] = [];
    const rawNoop: number[] = [];
    for (let block = 0; block < 10; block++) {
      for (let i = 0; i < plan.noops / 10; i++) {
        let s = performance.now();
        await pool.run('cpu', 1);
        looplabRt.push(performance.now() - s);
        s = performance.now();
        await piscina.run({ kind: 'cpu', ms: 1 });
        rawRt.push(performance.now() - s);
        s = performance.now();
        await piscina.run(null);
        rawNoop.push(performance.now() - s);
      }
    }
    const lp = median(looplabRt);
    const rp = median(rawRt);
    const np = median(rawNoop);
    const rt = lp / rp;
    raw.offload = { threads, inlineMs, poolMs, inlineP99, poolP99, looplabRt: lp, rawRt: rp, rawNoop: np };
    rows.push(
      row(
        '4',
        `offload: speed-up ÷ threads (${plan.offloadTasks} × 50 ms, ${threads} threads)`,
        `${ratio(efficiency)} (${(inlineMs / 1000).toFixed(2)} s inline vs ${(poolMs / 1000).toFixed(2)} s)`,
        '≥ 0.9',
        efficiency >= 0.9,
      ),
      row('4', 'offload: main-thread loop delay p99, inline vs pool', `${ms(inlineP99)} vs ${ms(poolP99)}`),
      row(
        '4',
        'offload path: 1 ms task, LoopLab ÷ raw piscina',
        `${ratio(rt)} (${ms(lp, 3)} vs ${ms(rp, 3)}; overhead ${((lp - rp) * 1000).toFixed(0)} µs)`,
        '≤ 1.3×',
        rt <= 1.3,
      ),
      row('4', 'raw piscina no-op round trip (anchor)', `${(np * 1000).toFixed(0)} µs`),
    );
  } finally {
    await pool.close();
    await piscina.destroy();
  }
}

// 5. Measurement cost ----------------------------------------------------------------------------
async function measurement(on: Rig, off: Rig) {
  progress.step("5 measurement: the same load with LoopLab's measurement on vs off (text reports)");
  const a: StepStats[] = [];
  const b: StepStats[] = [];
  await on.bot.charts({ mode: 'off' });
  await off.bot.charts({ mode: 'off' });
  for (let i = 0; i < plan.rounds; i++) {
    a.push(await step(on, 'io', plan.measureRate, plan.measureMs));
    b.push(await step(off, 'io', plan.measureRate, plan.measureMs));
  }
  const cpuOn = median(a.map((s) => s.cpuMsPerInteraction ?? Number.NaN));
  const cpuOff = median(b.map((s) => s.cpuMsPerInteraction ?? Number.NaN));
  progress.step('5 measurement: chart render time, on the main thread vs off it');
  await on.bot.charts({ mode: 'on', reset: true });
  const before: Usage = await on.bot.usage();
  const charted = await step(on, 'io', 50, quick ? 600 : 2_000);
  const after: Usage = await on.bot.usage();
  const stats = await on.bot.charts({ reset: true });
  const perChart = stats.rendered > 0 ? stats.wallMs / stats.rendered : Number.NaN;
  const onMain = stats.rendered > 0 ? stats.encodeMs / stats.rendered : Number.NaN;
  const cpuCharted = charted.cpuMsPerInteraction ?? Number.NaN;
  raw.measurement = { on: a, off: b, charted, chartStats: stats, before, after, offParts: off.bot.info.off };
  rows.push(
    row(
      '5',
      'measurement cost: CPU per interaction, on ÷ off (no charts)',
      `${ratio(cpuOn / cpuOff)} (${ms(cpuOn, 3)} vs ${ms(cpuOff, 3)})`,
      '≤ 1.05×',
      cpuOn / cpuOff <= 1.05,
    ),
    row(
      '5',
      'chart: render per chart (off the main thread) / on it',
      `${ms(perChart - onMain, 2)} / ${ms(onMain, 2)}`,
    ),
    row('5', 'CPU per interaction with a chart', ms(cpuCharted, 3)),
  );
}

// 6. Footprint ------------------------------------------------------------------------------------
interface Started {
  child: ChildProcess;
  readyMs: number;
}

async function startMain(argv: string[]): Promise<Started> {
  const dataDir = mkdtempSync(join(tmpdir(), 'looplab-bench-start-'));
  const t0 = performance.now();
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    env: {
      ...process.env,
      DISCORD_TOKEN: '',
      SANDBOX_PORT: '0',
      METRICS_PORT: '0',
      LOG_FORMAT: 'json',
      DATA_DIR: dataDir,
      NODE_OPTIONS: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err = (err + chunk.toString()).slice(-4_000);
  });
  const readyMs = await new Promise<number>((resolvePromise, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no banner after 30 s: ${err || out.slice(-2000)}`)),
      30_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-8_000);
      if (out.includes('Press Ctrl+C to stop')) {
        clearTimeout(timer);
        resolvePromise(performance.now() - t0);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before ready: ${err || out.slice(-2000)}`));
    });
  });
  return { child, readyMs };
}

async function stopMain(s: Started) {
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  const timer = setTimeout(() => s.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function buildIsFresh(): boolean {
  const main = join(ROOT, 'dist/main.js');
  if (!existsSync(main)) return false;
  const builtAt = statSync(main).mtimeMs;
  const newest = (dir: string): number => {
    let top = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) top = Math.max(top, newest(path));
      else if (entry.name.endsWith('.ts')) top = Math.max(top, statSync(path).mtimeMs);
    }
    return top;
  };
  return newest(join(ROOT, 'src')) <= builtAt && newest(join(ROOT, 'commands')) <= builtAt;
}

async function footprint(open: Rig) {
  let built = 'dist/ up to date';
  const distExists = existsSync(join(ROOT, 'dist/main.js'));
  if (quick && distExists && !buildIsFresh()) {
    // --quick keeps under a minute: it times the build that is there (run `npm run build` first).
    built = 'dist/ older than src/ (--quick does not rebuild)';
    progress.step('6 footprint: dist/ is older than src/; --quick times it as it is');
  } else if (!buildIsFresh()) {
    progress.step('6 footprint: npm run build (dist/ is older than src/)');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    built = 'built now';
  } else progress.step('6 footprint: dist/ is up to date');
  const compiled: number[] = [];
  const tsx: number[] = [];
  let idle: { rss: number; cpuMsPerS: number; byPid: Array<{ name: string; rss: number }> } | null = null;
  for (let i = 0; i < plan.starts; i++) {
    progress.step(`6 footprint: cold start, compiled build (${i + 1}/${plan.starts})`);
    const s = await startMain(['--enable-source-maps', 'dist/main.js']);
    compiled.push(s.readyMs);
    if (i === plan.starts - 1) {
      progress.step('6 footprint: idle RSS and CPU of the compiled bot');
      // Idle means settled: the loop-delay recorder slows down after 5 s without an interaction.
      await sleep(6_000);
      const pid = s.child.pid as number;
      const c0 = treeCpuMs(pid);
      const t0 = performance.now();
      await sleep(plan.idleMs);
      const cpu = treeCpuMs(pid) - c0;
      const seconds = (performance.now() - t0) / 1000;
      const rss = treeRss(pid);
      idle = {
        rss: rss.total,
        cpuMsPerS: cpu / seconds,
        byPid: rss.byPid.map(({ name, rss: r }) => ({ name, rss: r })),
      };
    }
    await stopMain(s);
    progress.step(`6 footprint: cold start, npm start's tsx (${i + 1}/${plan.starts})`);
    const t = await startMain(['--import', 'tsx', 'src/main.ts']);
    tsx.push(t.readyMs);
    await stopMain(t);
  }
  progress.step('6 footprint: RSS and heap after interactions (leak check)');
  await open.bot.charts({ mode: 'off' });
  const base = await open.bot.gc();
  const marks: Array<{ after: number; rss: number; heapUsed: number }> = [];
  let done = 0;
  for (const target of plan.leak) {
    const n = target - done;
    const sent = await openLoop(
      open.sandbox,
      open.templates.io as Payload,
      open.users,
      plan.leakRate,
      (n * 1000) / plan.leakRate,
    );
    await drain(open.sandbox, sent.ids.length, plan.drainMs + 4_000);
    await open.sandbox.forget();
    done = target;
    const u = await open.bot.gc();
    marks.push({ after: target, rss: u.rss, heapUsed: u.heapUsed });
  }
  const startMs = median(compiled);
  const first = marks[0];
  const last = marks[marks.length - 1];
  const growthPer =
    first && last ? (last.heapUsed - first.heapUsed) / (last.after - first.after) : Number.NaN;
  raw.footprint = {
    built,
    compiled,
    tsx,
    idle,
    leak: { base: { rss: base.rss, heapUsed: base.heapUsed }, marks },
  };
  rows.push(
    row(
      '6',
      'start to ready, compiled (node dist/main.js)',
      `${ms(startMs, 0)}${built.startsWith('dist/ older') ? ' (dist/ older than src/)' : ''}`,
      '≤ 1000 ms',
      startMs <= 1_000,
      { compiled },
    ),
    row('6', "start to ready, npm start's tsx", ms(median(tsx), 0), '', null, { tsx }),
    row(
      '6',
      'idle RSS (bot + its sandbox thread)',
      idle ? mb(idle.rss) : 'n/a',
      '≤ 120 MB',
      idle ? idle.rss <= 120 * 1024 * 1024 : false,
    ),
    row(
      '6',
      'idle CPU',
      idle ? `${idle.cpuMsPerS.toFixed(2)} ms/s` : 'n/a',
      '≤ 1 ms/s',
      idle ? idle.cpuMsPerS <= 1 : false,
    ),
    ...marks.map((m) =>
      row(
        '6',
        `RSS / heap after ${m.after} interactions`,
        `${mb(m.rss)} / ${(m.heapUsed / 1024 / 1024).toFixed(1)} MB`,
      ),
    ),
    row(
      '6',
      `heap growth ${first?.after}→${last?.after} (leak check)`,
      `${(growthPer / 1024).toFixed(2)} KB per interaction`,
      '≤ 0.25 KB',
      growthPer <= 256,
    ),
  );
}

// ------------------------------------------------------------------------------------------------
// 7. Scaling ---------------------------------------------------------------------------------------
async function scaling() {
  // "Up to the cores": as many shard processes as this machine has cores (at least 2, to compare).
  const n = Math.max(2, Math.min(availableParallelism(), 4));
  const argv = buildIsFresh() ? ['dist/main.js'] : ['--import', 'tsx', 'src/main.ts'];
  const blockMs = 50;
  const runs: ScalingRun[] = [];
  for (const processes of [1, n]) {
    progress.step(
      `7 scaling: ${processes === 1 ? 'one process' : `${processes} shard processes`}, ${plan.scaleBurst} × /block ${blockMs} ms over 4 guilds`,
    );
    runs.push(
      await scalingRun({
        root: ROOT,
        argv,
        processes,
        interactions: plan.scaleBurst,
        blockMs,
        spreadMs: 200,
        env: OPEN,
      }),
    );
  }
  const [one, many] = runs as [ScalingRun, ScalingRun];
  const speedup = many.perSecond / one.perSecond;
  const target = 0.8 * n;
  const all = runs.every((r) => r.answered === r.interactions);
  raw.scaling = { shards: n, blockMs, program: argv.join(' '), runs };
  rows.push(
    row(
      '7',
      `scaling: ${n} shard processes vs 1, /block ${blockMs} ms burst over 4 guilds (throughput ratio)`,
      `${one.perSecond.toFixed(1)}/s vs ${many.perSecond.toFixed(1)}/s = ${ratio(speedup)}`,
      `≥ ${target.toFixed(1)}× (0.8 × ${n})`,
      all && speedup >= target,
      { speedup, runs },
    ),
    row(
      '7',
      'scaling: answered / sent (1 process · N processes)',
      `${one.answered}/${one.interactions} · ${many.answered}/${many.interactions}`,
      'all',
      all,
    ),
    row(
      '7',
      'scaling: start to ready (1 process · N processes)',
      `${ms(one.startMs, 0)} · ${ms(many.startMs, 0)}`,
    ),
  );
}

async function main() {
  const startedAt = new Date();
  const rigs: Rig[] = [];
  try {
    progress.step(
      `starting the bots: LoopLab, bare discord.js${want('measurement') && !quick ? ', LoopLab with its measurement off' : ''}`,
    );
    // --quick measures the cost of measurement only in a full run (one bot process fewer to start).
    const withOff = want('measurement') && !quick;
    const [looplab, bare, off] = await Promise.all([
      rig('looplab', 'looplab', { env: OPEN }),
      rig('bare', 'bare'),
      withOff ? rig('looplab-off', 'looplab', { env: OPEN, measurement: 'off', charts: 'off' }) : null,
    ]);
    rigs.push(looplab, bare, ...(off ? [off] : []));
    // Each bot stops once its sections are done: an idle bot's timers are load on the others.
    const retire = async (r: Rig) => {
      await r.bot.stop().catch(() => {});
      await r.sandbox.close().catch(() => {});
      rigs.splice(rigs.indexOf(r), 1);
    };
    await section('router', () => router(looplab, bare));
    await section('throughput', () => throughput(looplab, bare));
    await retire(bare);
    if (off) {
      await section('measurement', () => measurement(looplab, off));
      await retire(off);
    } else if (want('measurement')) {
      rows.push(
        row('5', 'measurement cost: on ÷ off', 'measured in a full run (npm run bench)', '≤ 1.05×', null),
      );
    }
    await section('offload', offload);
    await section('footprint', () => footprint(looplab));
    // Last: it puts the classroom policy back to its defaults on this bot's server.
    await section('burst', () => burst(looplab));
    await section('scaling', scaling);
  } finally {
    await Promise.all(rigs.map((r) => r.bot.stop().catch(() => {})));
    await Promise.all(rigs.map((r) => r.sandbox.close().catch(() => {})));
  }
  progress.done();
  const seconds = (Date.now() - startedAt.getTime()) / 1000;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const header = `LoopLab bench${quick ? ' --quick' : ''} · ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC · node ${process.version} · ${availableParallelism()} × ${cpu} · ${seconds.toFixed(1)} s`;
  console.log(header);
  console.log(formatTable(rows));
  const misses = rows.filter((r) => r.pass === false).length;
  const passes = rows.filter((r) => r.pass === true).length;
  console.log(
    `${passes} pass, ${misses} miss${failures.length ? `, ${failures.length} section(s) crashed` : ''}`,
  );
  mkdirSync(dirname(outFile), { recursive: true });
  const json = {
    startedAt: startedAt.toISOString(),
    quick,
    seconds: round(seconds, 1),
    node: process.version,
    cpus: availableParallelism(),
    cpu,
    rows,
    raw,
    failures,
  };
  writeFileSync(outFile, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(
    join(dirname(outFile), `${startedAt.toISOString().replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`),
    `${JSON.stringify(json, null, 2)}\n`,
  );
  console.log(
    `results: ${relative(process.cwd(), outFile)}${profileDir ? ` · CPU profiles: ${relative(process.cwd(), profileDir)}` : ''}`,
  );
  for (const failure of failures) console.error(`\n${failure}`);
  process.exitCode = failures.length > 0 ? 1 : 0;
}

await main();
