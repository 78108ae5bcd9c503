/** Starts a bench bot process (bot-child.ts) and talks to it over IPC. */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChildCommand, ChildReply, LogCounts, LoopStats, Usage } from './child-protocol.js';
import type { BenchSandbox } from './sandbox.js';

export interface BotChildOptions {
  kind: 'looplab' | 'bare';
  sandbox: BenchSandbox;
  measurement?: 'on' | 'off';
  charts?: 'on' | 'off';
  /** LoopLab settings (environment variable names), e.g. { COOLDOWN_MS: '0' }. */
  env?: Record<string, string>;
  /** Write a CPU profile of the process here (node --cpu-prof), on stop. */
  cpuProfDir?: string | null;
  label: string;
}

export interface BotChild {
  label: string;
  pid: number;
  info: Record<string, unknown>;
  usage(): Promise<Usage>;
  gc(): Promise<Usage>;
  loopStart(): Promise<void>;
  loopStop(): Promise<LoopStats>;
  charts(args?: { mode?: 'on' | 'off'; reset?: boolean }): Promise<Usage['charts']>;
  logs(reset?: boolean): Promise<LogCounts>;
  stop(): Promise<void>;
  /** The last lines the process wrote to stderr (for error messages). */
  stderr(): string;
}

const ENTRY = fileURLToPath(new URL('./bot-child.ts', import.meta.url));

export async function spawnBot(options: BotChildOptions): Promise<BotChild> {
  const execArgv = [...process.execArgv.filter((a) => !a.startsWith('--cpu-prof')), '--expose-gc'];
  if (options.cpuProfDir) {
    mkdirSync(options.cpuProfDir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`);
  }
  const child: ChildProcess = fork(ENTRY, [options.label], {
    execArgv,
    env: {
      ...process.env,
      BENCH_BOT: options.kind,
      BENCH_TOKEN: options.sandbox.botToken,
      BENCH_API_URL: options.sandbox.apiUrl,
      BENCH_GUILD_ID: options.sandbox.guildId,
      BENCH_MEASURE: options.measurement ?? 'on',
      BENCH_CHARTS: options.charts ?? 'on',
      BENCH_LOOPLAB_ENV: JSON.stringify(options.env ?? {}),
    },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  let ref = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let fatal: string | null = null;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then((code) => {
    for (const p of pending.values())
      p.reject(new Error(`${options.label} exited (code ${code}): ${fatal ?? stderr}`));
    pending.clear();
  });
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.on(
      'message',
      (
        message:
          | ChildReply
          | { type: 'ready'; value: Record<string, unknown> }
          | { type: 'fatal'; error: string },
      ) => {
        if (message.type === 'ready') resolve(message.value);
        else if (message.type === 'fatal') {
          fatal = message.error;
          reject(new Error(`${options.label} failed: ${message.error}`));
        } else {
          const p = pending.get(message.ref);
          pending.delete(message.ref);
          if (message.ok) p?.resolve(message.value);
          else p?.reject(new Error(message.error));
        }
      },
    );
    void exited.then((code) =>
      reject(new Error(`${options.label} exited (code ${code}) before it was ready: ${stderr}`)),
    );
  });
  const info = await ready;
  const call = <T>(cmd: ChildCommand['cmd'], args?: Record<string, unknown>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      ref += 1;
      pending.set(ref, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ ref, cmd, args });
    });
  let stopped: Promise<void> | null = null;
  return {
    label: options.label,
    pid: child.pid ?? -1,
    info,
    usage: () => call('usage'),
    gc: () => call('gc'),
    loopStart: () => call('loop-start'),
    loopStop: () => call('loop-stop'),
    charts: (args) => call('charts', args),
    logs: (reset = false) => call('logs', { reset }),
    stop() {
      stopped ??= (async () => {
        if (child.exitCode !== null) return;
        const timer = setTimeout(() => child.kill('SIGKILL'), 8_000);
        await call('stop').catch(() => {});
        await exited;
        clearTimeout(timer);
      })();
      return stopped;
    },
    stderr: () => stderr,
  };
}
