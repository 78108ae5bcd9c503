/**
 * The compatibility matrix: the same small bot written with four libraries, each run as its own
 * process through the real library, against the sandbox with only that library's one setting
 * changed (see tests/compat/bots/ and the README's "Use the sandbox with your own bot"). Each goes
 * through one scenario: log in, register its commands, a 4 s block failing at 3 s with its late
 * reply refused (10062), a defer and a follow-up, an ephemeral reply, a button press. Every REST
 * answer it got must be valid against Discord's OpenAPI spec, and it must have asked for no route
 * the sandbox does not serve.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type SandboxThread, startSandboxThread } from '../src/sandbox/thread.js';
import { loadSpecValidator } from './support/openapi.js';
import { until } from './support/tiny-bot.js';

/** Debian's python3-discord lives in the system Python (a pyenv shim may shadow `python3`). */
const SYSTEM_PYTHON = '/usr/bin/python3';
const NODE_BOT = (file: string) => [process.execPath, '--import', 'tsx', `tests/compat/bots/${file}`];

/** What every library calls on its first interactions here (beside its own login routes). */
const SCENARIO_ROUTES = [
  'PUT /applications/{application_id}/guilds/{guild_id}/commands',
  'POST /interactions/{interaction_id}/{interaction_token}/callback',
  'POST /webhooks/{webhook_id}/{webhook_token}',
  'POST /channels/{channel_id}/messages',
];

const LIBRARIES: Array<{ name: string; label: RegExp; command: string[]; loginRoutes: string[] }> = [
  {
    name: 'discord.js 14',
    label: /^discord\.js 14\./,
    command: NODE_BOT('discordjs.ts'),
    loginRoutes: ['GET /gateway/bot'],
  },
  {
    name: '@discordjs/core 2 + @discordjs/ws 2',
    label: /^@discordjs\/core 2\.\S+ \+ @discordjs\/ws 2\./,
    command: NODE_BOT('core.ts'),
    loginRoutes: ['GET /gateway/bot'],
  },
  {
    name: 'oceanic.js 1',
    label: /^oceanic\.js 1\./,
    // Plain node, as its users run it (tsx's loader breaks oceanic.js's ESM wrapper).
    command: [process.execPath, 'tests/compat/bots/oceanic.mjs'],
    loginRoutes: ['GET /gateway/bot'],
  },
  {
    name: 'discord.py 2.2',
    label: /^discord\.py 2\.2\./,
    command: [SYSTEM_PYTHON, 'tests/compat/bots/discordpy_bot.py'],
    // No GET /gateway/bot: discord.py 2.2 connects to DiscordWebSocket.DEFAULT_GATEWAY.
    loginRoutes: ['GET /users/@me', 'GET /oauth2/applications/@me'],
  },
];

const COMMAND_NAMES = ['block', 'buttons', 'defer', 'secret'];
/** Discord's own deadline, and room for a loaded 2-core machine on the sandbox's timer. */
const DEADLINE_MS = 3_000;
const DEADLINE_SLACK_MS = 500;

interface RunningBot {
  process: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

function startBot(command: string[], sandbox: SandboxThread): RunningBot {
  const [file, ...args] = command;
  const child = spawn(file!, args, {
    env: {
      ...process.env,
      SANDBOX_API_URL: sandbox.restUrl,
      SANDBOX_GATEWAY_URL: sandbox.gatewayUrl,
      SANDBOX_BOT_TOKEN: sandbox.botToken,
      SANDBOX_GUILD_ID: sandbox.guildId,
      PYTHONUNBUFFERED: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = once(child, 'exit');
  return {
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('any bot, any library: the compatibility matrix', () => {
  const validator = loadSpecValidator();

  for (const library of LIBRARIES) {
    it(`${library.name}: logs in, registers, fails at 3 s on a 4 s block (late reply 10062), defers and follows up, replies ephemerally, takes a button press`, async () => {
      const sandbox = await startSandboxThread({ recordResponses: true });
      const api = sandbox.client;
      const bot = startBot(library.command, sandbox);
      const context = () => `${library.name} output:\n${bot.output()}`;
      try {
        // Log in and register: the gateway session is up and the four commands are the guild's.
        await until(
          async () => {
            if (bot.process.exitCode !== null) throw new Error(`the bot exited early. ${context()}`);
            const info = await api.info();
            return info.botConnected && info.commands.length === COMMAND_NAMES.length;
          },
          30_000,
          `${library.name} to log in and register its commands`,
        );
        const info = await api.info();
        expect(info.commands.map((c) => c.name).sort()).toEqual(COMMAND_NAMES);
        expect(info.commands.every((c) => c.scope === 'guild')).toBe(true);
        const gateway = await api.gateway();
        expect(gateway.events.map((e) => e.type)).toContain('identified');

        // A 4 s block: failed at 3 s (while the bot is still blocked), its late reply refused.
        const blocked = await api.invoke({ user: 'alice', command: 'block' }, 15_000);
        expect(blocked.status, context()).toBe('failed');
        const failedAfter = blocked.failedAt! - blocked.createdAt;
        expect(failedAfter).toBeGreaterThanOrEqual(DEADLINE_MS);
        expect(failedAfter).toBeLessThan(DEADLINE_MS + DEADLINE_SLACK_MS);
        const refused = await api.waitForMessage(
          info.channelId,
          (m) => m.content.endsWith('late reply refused: 10062'),
          15_000,
        );
        expect(refused.content, context()).toMatch(library.label);
        const late = await api.interaction(blocked.id);
        expect(late.refusals).toEqual([
          expect.objectContaining({ route: '/interactions/{id}/{token}/callback', status: 404, code: 10062 }),
        ]);
        // The refusal came when the block ended, about 4 s after the interaction was created.
        expect(late.refusals[0]!.at - late.createdAt).toBeGreaterThanOrEqual(3_900);
        expect(late.messages).toEqual([]);

        // Defer, then a follow-up: it takes the place of the "thinking…" message, as on Discord.
        const deferred = await api.invoke({ user: 'bob', command: 'defer' }, 15_000);
        expect(deferred.callbackType, context()).toBe(5);
        expect(deferred.ackedAt! - deferred.createdAt).toBeLessThan(DEADLINE_MS);
        expect(deferred.settled).toBe(true);
        expect(deferred.messages.map((m) => m.content)).toEqual([expect.stringMatching(/^follow-up from /)]);
        expect(deferred.messages[0]!.content.slice('follow-up from '.length)).toMatch(library.label);

        // An ephemeral reply: only the user sees it, so the channel does not list it.
        const secret = await api.invoke({ user: 'carol', command: 'secret' }, 15_000);
        expect(secret.status, context()).toBe('replied');
        expect(secret.messages).toHaveLength(1);
        expect(secret.messages[0]!.ephemeral).toBe(true);
        expect(secret.messages[0]!.content).toMatch(/^only you can see this/);

        // A button press: the component interaction updates the message it is on.
        const withButton = await api.invoke({ user: 'dave', command: 'buttons' }, 15_000);
        expect(withButton.status, context()).toBe('replied');
        const message = withButton.messages[0]!;
        expect(JSON.stringify(message.components)).toContain('"custom_id":"press"');
        const pressed = await api.clickAndSettle('erin', message.id, 'press', 15_000);
        expect(pressed.status, context()).toBe('replied');
        expect(pressed.callbackType).toBe(7);
        const after = await api.message(message.id);
        expect(after.content).toBe('pressed by erin');
        expect(after.components).toEqual([]);

        // What the library was answered: Discord's shapes, and no route the sandbox lacks.
        const responses = await api.responses();
        const unserved = responses.filter(
          (r) => r.status === 404 && (r.body as { message?: string })?.message === '404: Not Found',
        );
        expect(unserved.map((r) => `${r.method} ${r.path}`)).toEqual([]);
        const invalid = responses
          .map((r) => ({ r, check: validator.check(r.method, r.path, r.status, r.body) }))
          .filter(({ check }) => !check.ok)
          .map(({ r, check }) => `${r.method} ${r.path} ${r.status}: ${check.errors.join('; ')}`);
        expect(invalid).toEqual([]);
        const answered = new Set(
          responses
            .filter((r) => r.status < 400)
            .map((r) => validator.check(r.method, r.path, r.status, r.body).operation),
        );
        for (const asked of [...library.loginRoutes, ...SCENARIO_ROUTES]) {
          expect([...answered], `${library.name} was answered ${asked}`).toContain(asked);
        }
        expect(responses.length).toBeGreaterThanOrEqual(8);
      } finally {
        await bot.stop();
        await sandbox.close();
      }
    }, 90_000);
  }
});
