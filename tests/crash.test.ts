import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxThread, startSandboxThread } from '../src/sandbox/thread.js';
import { embedText } from './support/looplab.js';
import { type Spawned, spawnCaptured } from './support/spawn.js';
import { until } from './support/tiny-bot.js';

/**
 * A bug in a handler: an unhandled rejection is logged with the interaction whose code made the
 * promise, and an uncaught exception stops the bot with a non-zero code — after the same drain as
 * SIGTERM, so the student whose /nonblock was in flight still gets an answer.
 */
let sandbox: SandboxThread;

beforeAll(async () => {
  sandbox = await startSandboxThread();
});

afterAll(async () => {
  await sandbox?.close();
});

function startBot(): Spawned {
  return spawnCaptured(
    process.execPath,
    ['--import', 'tsx', '--import', './tests/support/crash-on-signal.mjs', 'src/main.ts'],
    {
      env: {
        ...process.env,
        DISCORD_TOKEN: sandbox.botToken,
        DISCORD_API_URL: sandbox.apiUrl,
        GUILD_ID: sandbox.guildId,
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
        POOL_SIZE: '1',
        METRICS_PORT: 'off',
      },
    },
  );
}

function logLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return {};
      }
    });
}

describe('a bug in a handler', () => {
  it('logs the unhandled rejection with its interaction, and stops with code 1 after draining', async () => {
    const { child, output } = startBot();
    await until(() => output.text.includes('slash commands registered'), 45_000, 'the bot to start');
    const { id } = await sandbox.client.send({ user: 'sam', command: 'nonblock', options: { ms: 2_000 } });
    await until(async () => (await sandbox.client.interaction(id)).status === 'deferred', 5_000);
    const at = Date.now();
    const exited = once(child, 'exit') as Promise<[number | null]>;
    child.kill('SIGUSR2');
    const [code] = await exited;
    const lines = logLines(output.text);

    const rejection = lines.find((l) => l.msg === 'unhandled promise rejection');
    expect(rejection, output.text.slice(-2000)).toBeDefined();
    expect(rejection).toMatchObject({ interactionId: '1234567890123456789', command: 'lost' });
    expect(JSON.stringify(rejection)).toContain('a promise nobody awaited');

    const fatal = lines.find((l) => l.msg === 'uncaught exception: stopping');
    expect(fatal).toBeDefined();
    expect(JSON.stringify(fatal)).toContain('a bug nobody caught');

    expect(code).toBe(1);
    expect(Date.now() - at).toBeLessThan(10_000);
    // The drain still ran: the student in flight got the report, not "thinking…" forever.
    const view = await sandbox.client.interaction(id);
    expect(embedText(view.messages[0]!)).toMatch(/Deferred in .* then done in \*\*2\.\d\d s\*\*/);
  });
});
