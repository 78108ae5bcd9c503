import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real PostgreSQL for tests, on loopback only. CI (and a developer) can hand one in with
 * TEST_DATABASE_URL; otherwise a private cluster is started from Debian's binaries in a temporary
 * folder (as the `postgres` user when we are root: initdb refuses root) and stopped afterwards.
 * Each call gets a fresh database.
 */
export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const version = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))[0]
    : undefined;
  if (!version) {
    throw new Error(
      'PostgreSQL is not installed: `apt-get install postgresql` (.ci/run does), or set TEST_DATABASE_URL',
    );
  }
  return join(root, version, 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function asPostgres(command: string, args: string[]): string[] {
  return process.getuid?.() === 0
    ? ['runuser', '-u', 'postgres', '--', command, ...args]
    : [command, ...args];
}

function run(argv: string[]): void {
  execFileSync(argv[0]!, argv.slice(1), { stdio: 'pipe' });
}

export async function startPostgres(): Promise<TestPostgres> {
  const database = `looplab_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    const admin = new URL(given);
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: given });
    await client.connect();
    await client.query(`CREATE DATABASE ${database}`);
    await client.end();
    admin.pathname = `/${database}`;
    return { url: admin.toString(), stop: async () => {} };
  }
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'looplab-pg-'));
  chmodSync(dir, 0o700);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  run(asPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'looplab', '--auth=trust', '-E', 'UTF8']));
  const port = await freePort();
  const argv = asPostgres(join(bin, 'postgres'), [
    ...['-D', data, '-p', String(port), '-k', dir],
    ...['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
  ]);
  const server = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
  const base = `postgresql://looplab@127.0.0.1:${port}`;
  const { default: pg } = await import('pg');
  const deadline = Date.now() + 20_000;
  for (;;) {
    const client = new pg.Client({ connectionString: `${base}/postgres` });
    try {
      await client.connect();
      await client.query(`CREATE DATABASE ${database}`);
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    url: `${base}/${database}`,
    async stop() {
      // pg_ctl, not a signal: runuser does not pass SIGINT on to the server it started.
      const exited = new Promise((r) => server.once('exit', r));
      run(asPostgres(join(bin, 'pg_ctl'), ['-D', data, 'stop', '-m', 'fast', '-w']));
      await exited;
    },
  };
}
