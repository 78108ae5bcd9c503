import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { SandboxClient } from '../src/sandbox/client.js';
import { startSandboxThread } from '../src/sandbox/thread.js';
import { applicationIdFromToken, invitePermissions, inviteUrl } from '../src/scripts/invite.js';
import { embedText } from './support/looplab.js';
import { until } from './support/tiny-bot.js';

const run = promisify(execFile);
const tsx = (script: string) => [process.execPath, ['--import', 'tsx', script]] as const;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
});

function start(script: string, env: Record<string, string>) {
  const [node, args] = tsx(script);
  const child = spawn(node, args, {
    env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const output = { text: '' };
  child.stdout!.on('data', (c) => {
    output.text += c;
  });
  child.stderr!.on('data', (c) => {
    output.text += c;
  });
  return { child, output };
}

describe('the README commands', () => {
  it('`npm start` with no token serves the sandbox and answers /block and /nonblock with reports', async () => {
    const { output } = start('src/main.ts', { DISCORD_TOKEN: '', SANDBOX_PORT: '0' });
    await until(() => output.text.includes('Press Ctrl+C'), 30_000, 'the start banner');
    const base = /Sandbox:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output.text)![1]!;
    const api = new SandboxClient(base);
    const info = await until(async () => {
      const i = await api.info();
      return i.commands.length >= 9 ? i : null;
    });
    expect(info.commands.map((c) => c.name).sort()).toEqual(
      ['block', 'classroom', 'compare', 'explain', 'io', 'lag', 'nonblock', 'ticker', 'yield'].sort(),
    );
    const blocked = await api.invoke({ user: 'alice', command: 'block', options: { ms: 300 } });
    const answered = Number(/Answered after \*\*(\d+) ms\*\*/.exec(embedText(blocked.messages[0]!))![1]);
    expect(answered).toBeGreaterThanOrEqual(300);
    expect(answered).toBeLessThan(2_000);
    const offloaded = await api.invoke({ user: 'bob', command: 'nonblock', options: { ms: 300 } });
    expect(embedText(offloaded.messages[0]!)).toMatch(/Deferred in/);
    // The banner shows how to act as a user, and never the sandbox's bot token.
    expect(output.text).toMatch(/curl -s -XPOST '?http:\/\/127\.0\.0\.1:\d+\/sandbox\/invoke/);
    expect(output.text).not.toMatch(/Bot token/i);
  });

  it('`DISCORD_TOKEN=… DISCORD_API_URL=… npm start` runs against a separately started Discord stand-in', async () => {
    const token = 'MTU3NDk2NTk3MzAwNDQ1MTg0MQ.stand.in-token-for-this-test-only';
    const sandbox = start('src/sandbox/cli.ts', { SANDBOX_PORT: '0', SANDBOX_BOT_TOKEN: token });
    await until(() => sandbox.output.text.includes('Press Ctrl+C'), 30_000, 'the sandbox banner');
    const apiUrl = /API URL:\s+(\S+)/.exec(sandbox.output.text)![1]!;
    const base = /Base URL:\s+(\S+)/.exec(sandbox.output.text)![1]!;
    const bot = start('src/main.ts', { DISCORD_TOKEN: token, DISCORD_API_URL: apiUrl, GUILD_ID: '' });
    const api = new SandboxClient(base);
    await until(
      async () => (await api.info()).commands.some((c) => c.name === 'block' && c.scope === 'global'),
      30_000,
    );
    const view = await api.invoke({ user: 'carol', command: 'io', options: { ms: 200 } });
    expect(view.status).toBe('deferred');
    expect(embedText(view.messages[0]!)).toMatch(/Awaited I\/O/);
    expect(bot.output.text).not.toContain(token);
  });

  it('`npm run deploy` registers the commands in GUILD_ID through DISCORD_API_URL', async () => {
    const sandbox = await startSandboxThread();
    try {
      const [node, args] = tsx('src/scripts/deploy.ts');
      const { stdout } = await run(node, [...args], {
        env: {
          ...process.env,
          DISCORD_TOKEN: sandbox.botToken,
          DISCORD_API_URL: sandbox.apiUrl,
          DISCORD_APPLICATION_ID: sandbox.applicationId,
          GUILD_ID: sandbox.guildId,
        },
      });
      expect(stdout).toMatch(/Registered 9 commands in guild/);
      const info = await sandbox.client.info();
      const block = info.commands.find((c) => c.name === 'block')!;
      expect(block.scope).toBe('guild');
      expect(JSON.stringify(block.options)).toContain('"name":"ms"');
    } finally {
      await sandbox.close();
    }
  });

  it('`npm run invite` asks only for the permissions LoopLab uses', async () => {
    expect(invitePermissions()).toBe(1024n + 2048n + 16384n + 32768n);
    expect(inviteUrl('123456789012345678')).toBe(
      'https://discord.com/oauth2/authorize?client_id=123456789012345678&scope=bot+applications.commands&permissions=52224',
    );
    expect(applicationIdFromToken(`${Buffer.from('123456789012345678').toString('base64')}.x.y`)).toBe(
      '123456789012345678',
    );
    const [node, args] = tsx('src/scripts/invite.ts');
    const { stdout } = await run(node, [...args], {
      env: { ...process.env, DISCORD_TOKEN: '', DISCORD_APPLICATION_ID: '123456789012345678' },
    });
    expect(stdout).toContain('permissions=52224');
    expect(stdout).toMatch(/Attach Files \(32768\)/);
  });

  it('refuses bad settings with a clear message instead of a stack trace', async () => {
    const [node, args] = tsx('src/main.ts');
    const failed = await run(node, [...args], {
      env: { ...process.env, MAX_BLOCK_MS: 'lots', POOL_SIZE: '0' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect((failed as { code: number }).code).toBe(2);
    const stderr = (failed as { stderr: string }).stderr;
    expect(stderr).toMatch(/MAX_BLOCK_MS must be a whole number from 100 to 60000/);
    expect(stderr).toMatch(/POOL_SIZE must be a whole number from 1 to 64/);
    expect(stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
