import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { SandboxClient } from '../src/sandbox/client.js';
import { type Spawned, spawnCaptured } from './support/spawn.js';
import { until } from './support/tiny-bot.js';

/**
 * The production build: `npm run build` compiles src/ and commands/ to dist/, and `node dist/main.js`
 * runs it with no TypeScript at run time, as the Docker image does, from a copy whose node_modules
 * holds the production dependencies only (no tsx, no esbuild, no pino-pretty).
 */
const ROOT = join(import.meta.dirname, '..');
const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};

/** A fake token shaped like a bot token (never valid anywhere). */
const FAKE_TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAw.Gfake0.BuildTestTokenNotReal_abcdefghijkl';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

/** Development-only packages: what a production install (`npm ci --omit=dev`) leaves out. */
const DEV_ONLY = new Set([
  'tsx',
  'esbuild',
  '@esbuild',
  'pino-pretty',
  'typescript',
  'vitest',
  'vite',
  '@vitest',
]);

let prod: string;

beforeAll(async () => {
  await run('npm', ['run', 'build', '--silent'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  // A production-like copy: dist/ and package.json, node_modules linked package by package minus the
  // development-only ones (a module resolves its own imports from where it really lies).
  prod = mkdtempSync(join(tmpdir(), 'looplab-prod-'));
  cpSync(join(ROOT, 'dist'), join(prod, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(prod, 'package.json'));
  mkdirSync(join(prod, 'node_modules'));
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry.startsWith('.') || DEV_ONLY.has(entry)) continue;
    symlinkSync(join(ROOT, 'node_modules', entry), join(prod, 'node_modules', entry));
  }
}, 120_000);

function start(args: string[], env: Record<string, string>): Spawned {
  return spawnCaptured(process.execPath, args, {
    cwd: prod,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'looplab-build-data-')),
      POOL_SIZE: '1',
      COOLDOWN_MS: '0',
      ...env,
    },
  });
}

describe('npm run build', () => {
  it('compiles src/ and commands/ (worker modules included) to dist/, with no TypeScript left', () => {
    const built = files(join(ROOT, 'dist'));
    expect(built).toContain('main.js');
    expect(readFileSync(join(ROOT, 'dist', 'main.js'), 'utf8')).toContain("import './src/main.js'");
    for (const worker of [
      'src/work/task.js',
      'src/sandbox/thread-entry.js',
      'src/telemetry/telemetry-thread.js',
      'src/telemetry/healthcheck.js',
    ])
      expect(built).toContain(worker);
    // The watchdog's thread is @looplab/doctor's, built by the workspace's own prepare (npm install).
    expect(readdirSync(join(ROOT, 'packages', 'doctor', 'dist'))).toContain('watchdog-thread.js');
    const commands = readdirSync(join(ROOT, 'commands')).filter((f) => f.endsWith('.ts'));
    for (const command of commands) expect(built).toContain(`commands/${command.replace(/\.ts$/, '.js')}`);
    expect(built.filter((f) => /\.[cm]?ts$/.test(f))).toEqual([]);
    expect(built.some((f) => f.startsWith('tests/'))).toBe(false);
  });

  it('keeps tsx and pino-pretty out of the production dependencies; `npm start` stays `exec node --import tsx`', () => {
    expect(Object.keys(pkg.dependencies)).not.toContain('tsx');
    expect(Object.keys(pkg.dependencies)).not.toContain('pino-pretty');
    expect(Object.keys(pkg.devDependencies)).toEqual(expect.arrayContaining(['tsx', 'pino-pretty']));
    expect(pkg.dependencies['prom-client']).toBeDefined();
    expect(pkg.scripts.start).toBe('exec node --import tsx src/main.ts');
    expect(existsSync(join(prod, 'node_modules', 'tsx'))).toBe(false);
  });
});

describe('node dist/main.js (no tsx, no pino-pretty)', () => {
  it('runs with V8 flags (--max-old-space-size, --trace-gc): the pool and the other threads start; JSON logs; SIGTERM exits 0', async () => {
    const [sandboxPort, metricsPort] = [await freePort(), await freePort()];
    const { child, output } = start(
      ['--max-old-space-size=512', '--trace-gc', '--enable-source-maps', 'dist/main.js'],
      // Asked for pretty logs: without pino-pretty they stay JSON.
      { SANDBOX_PORT: String(sandboxPort), METRICS_PORT: String(metricsPort), LOG_FORMAT: 'pretty' },
    );
    try {
      await until(() => output.text.includes('Press Ctrl+C'), 45_000, 'the bot to start');
      const api = new SandboxClient(`http://127.0.0.1:${sandboxPort}`);
      const offloaded = await api.invoke({ user: 'bob', command: 'nonblock', options: { ms: 300 } });
      expect(offloaded.status).toBe('deferred');
      const report = await until(async () => {
        const view = await api.interaction(offloaded.id);
        return view.messages[0]?.embeds.length ? view : null;
      }, 15_000);
      expect(JSON.stringify(report.messages[0])).toMatch(/worker/i);
      const blocked = await api.invoke({ user: 'alice', command: 'block', options: { ms: 200 } });
      expect(blocked.status).toBe('replied');
      // Healthy again once the thread is free (a loaded machine may still be catching up).
      let last = '';
      await until(async () => {
        const health = await fetch(`http://127.0.0.1:${metricsPort}/healthz`);
        last = `${health.status} ${await health.text()}`;
        return health.status === 200;
      }, 5_000).catch(() => {
        throw new Error(`/healthz never said 200: ${last}`);
      });
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
      expect(output.text).not.toContain('ERR_WORKER_INVALID_EXEC_ARGV');
      expect(output.text).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
      // The logs are pino's JSON (the sandbox banner and --trace-gc's lines are not logs).
      const logs = output.text.split('\n').filter((l) => l.startsWith('{'));
      expect(logs.length).toBeGreaterThan(3);
      for (const line of logs) expect(() => JSON.parse(line)).not.toThrow();
      expect(output.text).toContain('"msg":"stopped"');
      expect(output.text).toMatch(/Mark-Compact|Scavenge/); // --trace-gc reached V8
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('names the setting when DISCORD_API_URL points at nothing, and never prints the token', async () => {
    const { child, output } = start(['dist/main.js'], {
      DISCORD_TOKEN: FAKE_TOKEN,
      DISCORD_API_URL: 'http://127.0.0.1:1/api',
      METRICS_PORT: 'off',
      LOG_FORMAT: 'json',
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(output.text).toContain(
      'Could not reach DISCORD_API_URL=http://127.0.0.1:1/api: connection refused',
    );
    expect(output.text).not.toContain(FAKE_TOKEN);
  });

  it('advertises reachable URLs for a sandbox bound to 0.0.0.0, and warns at start when no chart font loads', async () => {
    const { child, output } = start(['dist/main.js'], {
      SANDBOX_HOST: '0.0.0.0',
      METRICS_PORT: '0',
      LOG_FORMAT: 'json',
      LOOPLAB_SYSTEM_FONTS: 'off',
      LOOPLAB_FONT_FILE: '/nonexistent/NoSuchFont.ttf',
    });
    try {
      await until(() => output.text.includes('Press Ctrl+C'), 45_000, 'the bot to start');
      expect(output.text).toMatch(/Sandbox:\s+http:\/\/127\.0\.0\.1:\d+/);
      expect(output.text).not.toContain('http://0.0.0.0');
      expect(output.text).toContain('no font loads: the charts will have no text');
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  });
});
