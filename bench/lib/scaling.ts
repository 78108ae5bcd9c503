/**
 * Step 9's scaling row (step 10's shards): the same multi-guild burst of main-thread work against
 * LoopLab as one process and as N shard processes under its ShardingManager (`SHARD_COUNT=N`, what
 * `npm start` runs), on one sandbox that hosts 4 guilds and recommends N shards. Each /block holds
 * its process's main thread, so one process does them one after another and N processes N at a
 * time, as far as the cores let them: the ratio of the two throughputs is what sharding buys.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type SandboxThread, startSandboxThread } from '../../src/sandbox/thread.js';

export interface ScalingRun {
  processes: number;
  interactions: number;
  /** Answered with the demo's report (not failed, not refused). */
  answered: number;
  /** First interaction created → last one settled (ms). */
  spanMs: number;
  /** answered ÷ span (per second). */
  perSecond: number;
  /** The bot's start to "ready" (every shard process ready, or the single one connected), ms. */
  startMs: number;
}

export interface ScalingOptions {
  root: string;
  /** The program: ['dist/main.js'] or ['--import', 'tsx', 'src/main.ts']. */
  argv: string[];
  processes: number;
  interactions: number;
  blockMs: number;
  /** The whole burst is sent within this long. */
  spreadMs: number;
  env: Record<string, string>;
}

const GUILDS = 4;

async function startLoopLab(
  options: ScalingOptions,
  sandbox: SandboxThread,
): Promise<{ child: ChildProcess; dir: string; startMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'looplab-bench-scaling-'));
  const sharded = options.processes > 1;
  const t0 = performance.now();
  const child = spawn(process.execPath, options.argv, {
    cwd: options.root,
    env: {
      ...process.env,
      ...options.env,
      DISCORD_TOKEN: sandbox.botToken,
      DISCORD_API_URL: sandbox.apiUrl,
      SHARD_COUNT: sharded ? String(options.processes) : '',
      METRICS_PORT: '0',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      POOL_SIZE: '1',
      DATA_DIR: join(dir, 'data'),
      NODE_OPTIONS: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const ready = sharded ? '"msg":"every shard process is ready"' : '"msg":"LoopLab is connected"';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready after 60 s: ${out.slice(-2_000)}`)), 60_000);
    const onData = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-16_000);
      if (out.includes(ready) && out.includes('slash commands registered')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before ready: ${out.slice(-2_000)}`));
    });
  });
  return { child, dir, startMs: performance.now() - t0 };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 12_000);
  await exited;
  clearTimeout(timer);
}

/** One configuration: start the sandbox and the bot, send the burst, wait for every answer. */
export async function scalingRun(options: ScalingOptions): Promise<ScalingRun> {
  // Identify buckets of their own (max_concurrency as large bots have): the shards start together.
  const sandbox = await startSandboxThread({
    shards: Math.max(options.processes, 1),
    guilds: GUILDS,
    maxConcurrency: 16,
  });
  let bot: Awaited<ReturnType<typeof startLoopLab>> | null = null;
  try {
    bot = await startLoopLab(options, sandbox);
    // A warm-up in every guild: each shard's first demo pays for its lazy imports.
    await Promise.all(
      Array.from({ length: GUILDS }, (_, guild) =>
        sandbox.client.invoke({ user: `warm${guild}`, command: 'block', options: { ms: 10 }, guild }),
      ),
    );
    const steps = Array.from({ length: options.interactions }, (_, i) => ({
      afterMs: Math.round((i * options.spreadMs) / options.interactions),
      user: `scale${options.processes}-${i}`,
      command: 'block',
      options: { ms: options.blockMs },
      guild: i % GUILDS,
    }));
    const sent = await sandbox.client.scenario(steps);
    const settledAt: number[] = [];
    const views = await Promise.all(
      sent.map(async (s) => {
        const view = await sandbox.client.waitSettled(s.id, 30_000);
        settledAt.push(Date.now());
        return view;
      }),
    );
    const first = Math.min(...sent.map((s) => s.createdAt));
    const spanMs = Math.max(...settledAt) - first;
    const answered = views.filter(
      (v) => v.status === 'replied' && v.messages.length > 0 && v.refusals.length === 0,
    ).length;
    return {
      processes: options.processes,
      interactions: options.interactions,
      answered,
      spanMs,
      perSecond: answered / (spanMs / 1000),
      startMs: bot.startMs,
    };
  } finally {
    if (bot) {
      await stop(bot.child);
      rmSync(bot.dir, { recursive: true, force: true });
    }
    await sandbox.close();
  }
}
