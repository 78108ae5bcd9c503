import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxThread } from '../src/sandbox/thread.js';
import { startSandboxThread } from '../src/sandbox/thread.js';
import { embedText } from './support/looplab.js';
import { type Spawned, spawnCaptured } from './support/spawn.js';
import { until } from './support/tiny-bot.js';

/**
 * `npm start` is npm → sh → tsx → node: a SIGTERM sent to npm must reach the bot, which finishes
 * (or answers) what is in flight and exits 0 within 10 s, and npm must hand that code back. The
 * Discord here is a sandbox of the test's own, so it outlives the bot and can be read afterwards.
 */
let sandbox: SandboxThread;

beforeAll(async () => {
  sandbox = await startSandboxThread();
});

afterAll(async () => {
  await sandbox?.close();
});

function npmStart(): Spawned {
  return spawnCaptured('npm', ['start', '--silent'], {
    env: {
      ...process.env,
      DISCORD_TOKEN: sandbox.botToken,
      DISCORD_API_URL: sandbox.apiUrl,
      GUILD_ID: sandbox.guildId,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      POOL_SIZE: '1',
    },
  });
}

async function started(output: { text: string }) {
  await until(() => output.text.includes('slash commands registered'), 45_000, 'the bot to start');
}

async function exitOf(child: ChildProcess): Promise<{ code: number | null; afterMs: number }> {
  const at = Date.now();
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, afterMs: Date.now() - at };
}

describe('SIGTERM on `npm start`', () => {
  it('lets a /nonblock 6000 in flight finish, tells a newcomer the bot is restarting, and exits 0 within 10 s', async () => {
    const { child, output } = npmStart();
    await started(output);
    const { id } = await sandbox.client.send({ user: 'sam', command: 'nonblock', options: { ms: 6_000 } });
    await until(async () => (await sandbox.client.interaction(id)).status === 'deferred', 5_000);
    const exited = exitOf(child);
    child.kill('SIGTERM');
    // While it drains, a new command is refused kindly instead of hanging.
    await until(() => output.text.includes('shutting down'), 5_000, 'the shutdown to begin');
    const late = await sandbox.client.invoke({ user: 'tia', command: 'io', options: { ms: 50 } });
    expect(late.messages[0]!.content).toBe('LoopLab is restarting, try again in a moment.');
    expect(late.messages[0]!.ephemeral).toBe(true);
    const { code, afterMs } = await exited;
    expect(code).toBe(0);
    expect(afterMs).toBeLessThan(10_000);
    const view = await sandbox.client.interaction(id);
    expect(embedText(view.messages[0]!)).toMatch(/Deferred in .* then done in \*\*6\.\d\d s\*\*/);
    expect(output.text).not.toContain('gateway reconnecting');
    expect(output.text).toMatch(/"finished":\d+,"interrupted":0/);
  });

  it('tells the student whose /nonblock cannot finish in time that the bot restarted, and still exits 0 within 10 s', async () => {
    const { child, output } = npmStart();
    await started(output);
    const { id } = await sandbox.client.send({ user: 'uma', command: 'nonblock', options: { ms: 9_900 } });
    await until(async () => (await sandbox.client.interaction(id)).status === 'deferred', 5_000);
    const exited = exitOf(child);
    child.kill('SIGTERM');
    const { code, afterMs } = await exited;
    if (code !== 0) console.log(output.text.split('\n').slice(-25).join('\n'));
    expect(code).toBe(0);
    expect(afterMs).toBeLessThan(10_000);
    const view = await sandbox.client.interaction(id);
    expect(view.messages[0]!.content).toMatch(/^LoopLab restarted before this finished/);
    expect(view.messages[0]!.embeds).toHaveLength(0);
    expect(output.text).toMatch(/"finished":0,"interrupted":1/);
  });
});
