/**
 * What the compatibility matrix (tests/compat.test.ts) relies on, one piece at a time: IDENTIFY and
 * RESUME take the token with or without `Bot ` (as Discord does; oceanic.js sends it prefixed), the
 * routes other libraries call beside discord.js's, and the log line naming a route the sandbox does
 * not serve.
 */
import { once } from 'node:events';
import { API } from '@discordjs/core';
import { DiscordAPIError, REST } from '@discordjs/rest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { startSandbox } from '../src/sandbox/server.js';
import { startSandboxThread } from '../src/sandbox/thread.js';
import { loadSpecValidator } from './support/openapi.js';

interface Packet {
  op: number;
  t?: string | null;
  s?: number | null;
  d?: unknown;
}

/** A bare gateway client: connects, reads HELLO, and collects what it is sent. */
async function connect(url: string) {
  const ws = new WebSocket(`${url}?v=10&encoding=json`);
  const packets: Packet[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (raw) => {
    packets.push(JSON.parse(raw.toString()) as Packet);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = once(ws, 'close').then(([code]) => code as number);
  await once(ws, 'open');
  const next = async (match: (p: Packet) => boolean, timeoutMs = 5_000): Promise<Packet> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = packets.find(match);
      if (found) return found;
      if (Date.now() > until) throw new Error(`no matching packet; got ${JSON.stringify(packets)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  };
  await next((p) => p.op === 10);
  return { ws, packets, next, closed, send: (p: Packet) => ws.send(JSON.stringify(p)) };
}

const IDENTIFY = 2;
const RESUME = 6;

describe('the gateway takes the bot token as Discord does', () => {
  it('IDENTIFY and RESUME with `Bot <token>`; a wrong token is still refused with 4004', async () => {
    const sandbox = await startSandbox({ heartbeatIntervalMs: 30_000 });
    try {
      const first = await connect(sandbox.gatewayUrl);
      first.send({
        op: IDENTIFY,
        d: {
          token: `Bot ${sandbox.botToken}`,
          intents: 1,
          properties: { os: 'linux', browser: 't', device: 't' },
        },
      });
      const ready = await first.next((p) => p.t === 'READY');
      const sessionId = (ready.d as { session_id: string }).session_id;
      expect(sessionId).toMatch(/^[0-9a-f]{32}$/);
      await first.next((p) => p.t === 'GUILD_CREATE');
      const seq = Math.max(...first.packets.map((p) => p.s ?? 0));
      first.ws.close(4_000, 'going to resume');
      await first.closed;

      const second = await connect(sandbox.gatewayUrl);
      second.send({ op: RESUME, d: { token: `Bot ${sandbox.botToken}`, session_id: sessionId, seq } });
      const resumed = await second.next((p) => p.t === 'RESUMED');
      expect(resumed.op).toBe(0);
      second.ws.close(1_000);
      await second.closed;

      // Only the prefix is optional: the token itself must still be the bot's.
      for (const token of ['Bot wrong', `Bot${sandbox.botToken}`, `bot ${sandbox.botToken}`, '']) {
        const refused = await connect(sandbox.gatewayUrl);
        refused.send({ op: IDENTIFY, d: { token, intents: 1, properties: {} } });
        expect(await refused.closed, `token ${JSON.stringify(token.slice(0, 4))}…`).toBe(4_004);
      }
      const resumeRefused = await connect(sandbox.gatewayUrl);
      resumeRefused.send({ op: RESUME, d: { token: 'Bot wrong', session_id: sessionId, seq } });
      expect(await resumeRefused.closed).toBe(4_004);
    } finally {
      await sandbox.close();
    }
  });
});

describe('routes other libraries call', () => {
  it('serves them, through @discordjs/core, with bodies valid against the OpenAPI spec', async () => {
    const sandbox = await startSandboxThread({ recordResponses: true });
    try {
      const api = new API(new REST({ api: sandbox.apiUrl }).setToken(sandbox.botToken));
      // discord.py's login: the application by its OAuth2 route, the same as /applications/@me.
      const app = await api.oauth2.getCurrentBotApplicationInformation();
      expect(app.id).toBe(sandbox.applicationId);
      expect(app).toEqual(await api.applications.getCurrent());
      expect((app as unknown as { rpc_origins: unknown }).rpc_origins).toEqual([]);

      await api.channels.showTyping(sandbox.channelId);
      const posted = await api.channels.createMessage(sandbox.channelId, { content: 'first' });
      expect((await api.channels.getMessage(sandbox.channelId, posted.id)).content).toBe('first');
      const edited = await api.channels.editMessage(sandbox.channelId, posted.id, { content: 'edited' });
      expect(edited.content).toBe('edited');
      expect(edited.edited_timestamp).not.toBeNull();
      expect((await sandbox.client.message(posted.id)).content).toBe('edited');
      await api.channels.deleteMessage(sandbox.channelId, posted.id);

      const code = (promise: Promise<unknown>) =>
        promise.then(
          () => 'answered',
          (error: unknown) => (error instanceof DiscordAPIError ? error.code : String(error)),
        );
      expect(await code(api.channels.getMessage(sandbox.channelId, posted.id))).toBe(10008);
      expect(await code(api.channels.editMessage(sandbox.channelId, '1', { content: 'x' }))).toBe(10008);
      expect(await code(api.channels.showTyping('1'))).toBe(10003);
      expect(await code(api.channels.getMessage('1', posted.id))).toBe(10003);

      const validator = loadSpecValidator();
      const responses = await sandbox.client.responses();
      const checked = responses.map((r) => ({
        r,
        check: validator.check(r.method, r.path, r.status, r.body),
      }));
      expect(
        checked
          .filter(({ check }) => !check.ok)
          .map(({ r, check }) => `${r.method} ${r.path}: ${check.errors}`),
      ).toEqual([]);
      expect(new Set(checked.map(({ check }) => check.operation))).toEqual(
        new Set([
          'GET /oauth2/applications/@me',
          'GET /applications/@me',
          'POST /channels/{channel_id}/typing',
          'POST /channels/{channel_id}/messages',
          'GET /channels/{channel_id}/messages/{message_id}',
          'PATCH /channels/{channel_id}/messages/{message_id}',
          'DELETE /channels/{channel_id}/messages/{message_id}',
        ]),
      );
    } finally {
      await sandbox.close();
    }
  });
});

describe('a route the sandbox does not serve', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("answers Discord's 404 (or 405) and logs the route once, without its ids or tokens", async () => {
    const warnings: string[] = [];
    vi.spyOn(console, 'warn').mockImplementation((line: unknown) => {
      warnings.push(String(line));
    });
    const sandbox = await startSandbox();
    try {
      const auth = { authorization: `Bot ${sandbox.botToken}` };
      const token = `aW50ZXJhY3Rpb246${'Q'.repeat(60)}`;
      const asks: Array<[string, string]> = [
        ['GET', `/guilds/${sandbox.guildId}/members?limit=5`],
        ['GET', `/guilds/${sandbox.guildId}/members?limit=6`],
        ['POST', `/webhooks/${sandbox.applicationId}/${token}/unknown`],
        ['DELETE', '/gateway/bot'],
        ['GET', '/voice/regions'],
      ];
      const answers: Array<{ status: number; body: unknown }> = [];
      for (const [method, path] of asks) {
        const response = await fetch(`${sandbox.restUrl}${path}`, { method, headers: auth });
        answers.push({ status: response.status, body: await response.json() });
      }
      expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 405, 404]);
      expect(answers[0]!.body).toEqual({ message: '404: Not Found', code: 0 });
      expect(answers[3]!.body).toEqual({ message: '405: Method Not Allowed', code: 0 });

      const logged = warnings.filter((w) => w.startsWith('sandbox: a client asked for'));
      expect(logged).toHaveLength(4); // the members route twice, logged once
      expect(logged[0]).toContain('GET /api/v10/guilds/{id}/members,');
      expect(logged[1]).toContain('POST /api/v10/webhooks/{id}/{…}/unknown,');
      expect(logged[2]).toContain('DELETE /api/v10/gateway/bot,');
      expect(logged[2]).toContain('answered 405');
      expect(logged[3]).toContain('GET /api/v10/voice/regions,');
      for (const line of logged) {
        expect(line).not.toContain(token);
        expect(line).not.toContain(sandbox.botToken);
        expect(line).not.toContain(sandbox.guildId);
        expect(line).not.toContain('limit');
      }
      // GET /sandbox lists them too, counted, with the same shapes.
      const overview = (await (await fetch(`${sandbox.baseUrl}/sandbox`)).json()) as {
        unservedRoutes: Array<{ method: string; route: string; status: number; count: number }>;
      };
      expect(overview.unservedRoutes, JSON.stringify(overview.unservedRoutes)).toContainEqual({
        method: 'GET',
        route: '/guilds/{id}/members',
        status: 404,
        count: 2,
      });
      expect(overview.unservedRoutes).toHaveLength(4);
      expect(JSON.stringify(overview.unservedRoutes)).not.toContain(token);
    } finally {
      await sandbox.close();
    }
  });
});
