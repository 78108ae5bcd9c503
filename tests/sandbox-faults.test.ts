/**
 * The sandbox's abilities for classroom-grade abuse: who a member is (permissions, teacher, DM),
 * raw interactions of any shape, 5xx and global 429s, and the gateway's faults (a dropped
 * connection, a silent one, INVALID_SESSION both ways). Driven by a stock discord.js client, or by
 * raw HTTP and a hand-written gateway client where discord.js itself would not survive the input.
 */
import { once } from 'node:events';
import { PermissionFlagsBits, Routes } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  BOT_DM_APP_PERMISSIONS,
  DISCORD_EPOCH_MS,
  INITIAL_RESPONSE_DEADLINE_MS,
} from '../src/discord/facts.js';
import { snowflakeTime } from '../src/discord/snowflake.js';
import type { SandboxClient } from '../src/sandbox/client.js';
import { type SandboxThread, startSandboxThread } from '../src/sandbox/thread.js';
import { type Handler, startTinyBot, type TinyBotCommands, until } from './support/tiny-bot.js';

type Bot = Awaited<ReturnType<typeof startTinyBot>>;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  // discord.js's destroy() can wait forever on a connection that never opened: give up after 10 s.
  const giveUp = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());
  for (const cleanup of cleanups.splice(0).reverse()) await Promise.race([cleanup(), giveUp(10_000)]);
});

async function start(handlers: Record<string, Handler>, options = {}, commands: TinyBotCommands = {}) {
  const bot: Bot = await startTinyBot(handlers, options, commands);
  cleanups.push(() => bot.stop());
  return bot;
}

async function sandboxOnly(options = {}): Promise<SandboxThread> {
  const sandbox = await startSandboxThread({ recordResponses: true, ...options });
  cleanups.push(() => sandbox.close());
  return sandbox;
}

const MANAGE_GUILD = PermissionFlagsBits.ManageGuild;
const packetOf = (bot: Bot, id: string) => until(() => bot.packets.find((p) => p.id === id));

/** A guild interaction as Discord sends it, for raw tests (the sandbox fills id, token, application_id). */
function guildPayload(sandbox: { guildId: string; channelId: string }, name: string, extra = {}) {
  return {
    type: 2,
    version: 1,
    guild_id: sandbox.guildId,
    channel_id: sandbox.channelId,
    channel: { id: sandbox.channelId, type: 0 },
    member: {
      user: {
        id: '123456789012345678',
        username: 'mallory',
        discriminator: '0',
        global_name: null,
        avatar: null,
      },
      roles: [],
      permissions: '0',
      joined_at: '2026-01-01T00:00:00.000Z',
      deaf: false,
      mute: false,
      flags: 0,
    },
    data: { id: '1', name, type: 1 },
    locale: 'en-US',
    app_permissions: '0',
    entitlements: [],
    authorizing_integration_owners: {},
    attachment_size_limit: 1,
    ...extra,
  };
}

/**
 * A hand-written gateway client: it sees every frame exactly as the sandbox sent it, heartbeats
 * only when told, and survives any payload (discord.js does not survive some malformed ones).
 */
async function gatewayClient(url: string, token: string, resume?: { sessionId: string; seq: number }) {
  const ws = new WebSocket(`${url}?v=10&encoding=json`);
  const frames: Array<{ op: number; t?: string; s?: number; d?: unknown }> = [];
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.on('message', (raw) => frames.push(JSON.parse(String(raw))));
  ws.on('error', () => {});
  await once(ws, 'open');
  await until(() => frames.some((f) => f.op === 10), 5_000, 'HELLO');
  ws.send(
    JSON.stringify(
      resume
        ? { op: 6, d: { token, session_id: resume.sessionId, seq: resume.seq } }
        : { op: 2, d: { token, intents: 1, properties: { os: 'linux', browser: 'test', device: 'test' } } },
    ),
  );
  const dispatches = () => frames.filter((f) => f.op === 0);
  await until(
    () => dispatches().some((f) => f.t === (resume ? 'RESUMED' : 'GUILD_CREATE')),
    5_000,
    resume ? 'RESUMED' : 'READY and GUILD_CREATE',
  );
  const ready = dispatches().find((f) => f.t === 'READY')?.d as { session_id: string } | undefined;
  return {
    ws,
    frames,
    closed,
    dispatches,
    sessionId: ready?.session_id ?? resume?.sessionId ?? '',
    lastSeq: () => Math.max(0, ...dispatches().map((f) => f.s ?? 0)),
    interactions: () => dispatches().filter((f) => f.t === 'INTERACTION_CREATE'),
    heartbeat() {
      ws.send(JSON.stringify({ op: 1, d: this.lastSeq() }));
    },
    acks: () => frames.filter((f) => f.op === 11).length,
  };
}

const settledFailed = async (api: SandboxClient, id: string) => {
  const view = await api.waitSettled(id, 10_000);
  expect(view.status).toBe('failed');
  expect(view.failedAt! - view.createdAt).toBeGreaterThanOrEqual(INITIAL_RESPONSE_DEADLINE_MS);
  expect(view.failedAt! - view.createdAt).toBeLessThan(INITIAL_RESPONSE_DEADLINE_MS + 500);
  return view;
};

describe('who acts: member permissions, a teacher, a DM', () => {
  it('a default member has no Manage Server, a teacher has it through a role, "permissions" sets the bits exactly', async () => {
    const manages = new Map<string, boolean>();
    const bot = await start({
      who: async (i) => {
        manages.set(i.id, i.memberPermissions?.has(MANAGE_GUILD) ?? false);
        await i.reply('ok');
      },
    });
    const { api, client, sandbox } = bot;
    const plain = await api.invoke({ user: 'alice', command: 'who' });
    const teacher = await api.invoke({ user: 'tess', command: 'who', teacher: true });
    const custom = await api.invoke({ user: 'carl', command: 'who', permissions: '32' });
    const [p, t, c] = await Promise.all([plain, teacher, custom].map((v) => packetOf(bot, v.id)));
    const member = (packet: Record<string, unknown> | undefined) =>
      packet?.member as { permissions: string; roles: string[] };
    const plainBits = BigInt(member(p).permissions);
    expect(plainBits & MANAGE_GUILD).toBe(0n);
    expect(plainBits & PermissionFlagsBits.Administrator).toBe(0n);
    expect(plainBits & PermissionFlagsBits.SendMessages).not.toBe(0n);
    expect(BigInt(member(t).permissions)).toBe(plainBits | MANAGE_GUILD);
    expect(member(c).permissions).toBe('32');
    // The bot's own permissions (app_permissions) are the same for everyone.
    expect(new Set([p, t, c].map((x) => x?.app_permissions)).size).toBe(1);
    expect(member(p).roles).toEqual([]);
    // discord.js reads member.permissions: the teacher holds Manage Server, the others don't.
    const guild = client.guilds.cache.get(sandbox.guildId)!;
    const [teacherRole] = member(t).roles;
    expect(guild.roles.cache.get(teacherRole!)?.permissions.has(MANAGE_GUILD)).toBe(true);
    expect(guild.roles.everyone.permissions.has(MANAGE_GUILD)).toBe(false);
    for (const [view, expected] of [
      [plain, false],
      [teacher, true],
      [custom, true],
    ] as const) {
      expect(view.status).toBe('replied');
      expect(manages.get(view.id), view.user).toBe(expected);
      expect(BigInt(view.memberPermissions!) & MANAGE_GUILD, view.user).toBe(expected ? MANAGE_GUILD : 0n);
    }
    await expect(api.send({ user: 'x', command: 'who', permissions: 'lots' })).rejects.toMatchObject({
      status: 400,
    });
    await expect(api.send({ user: 'x', command: 'who', dm: true, teacher: true })).rejects.toMatchObject({
      status: 400,
    });
  });

  it('offers a command with default_member_permissions only to members who hold them, as Discord does', async () => {
    const bot = await start(
      { admin: (i) => i.reply(`manage: ${i.memberPermissions?.has(MANAGE_GUILD)}`) },
      {},
      {
        guild: [{ name: 'admin', description: 'teachers only', defaultMemberPermissions: MANAGE_GUILD }],
      },
    );
    const { api } = bot;
    await expect(api.send({ user: 'sam', command: 'admin' })).rejects.toMatchObject({
      status: 403,
      message: expect.stringMatching(/only to members with permissions 32.*"teacher":true/),
    });
    expect((await api.invoke({ user: 'tess', command: 'admin', teacher: true })).messages[0]?.content).toBe(
      'manage: true',
    );
    // A server can override who sees a command: validate:false sends it, and the bot must check.
    expect((await api.invoke({ user: 'sam', command: 'admin', validate: false })).messages[0]?.content).toBe(
      'manage: false',
    );
  });

  it('sends a DM interaction as Discord does: no guild, no member, a top-level user, context 1, a DM channel', async () => {
    const bot = await start(
      {
        hi: (i) => i.reply(`hello ${i.user.username} in ${i.inGuild() ? 'a server' : 'a DM'}`),
        local: (i) => i.reply('local'),
        serveronly: (i) => i.reply('server'),
      },
      {},
      {
        guild: [{ name: 'local', description: 'a guild command' }],
        global: [
          { name: 'hi', description: 'says hello' },
          { name: 'serveronly', description: 'servers only', contexts: [0] },
        ],
      },
    );
    const { api, sandbox, client } = bot;
    const view = await api.invoke({ user: 'dora', command: 'hi', dm: true });
    const packet = (await packetOf(bot, view.id)) as Record<string, unknown>;
    expect(packet.guild_id).toBeUndefined();
    expect(packet.member).toBeUndefined();
    expect(packet.guild).toBeUndefined();
    expect((packet.user as { username: string }).username).toBe('dora');
    expect(packet.context).toBe(1);
    expect(packet.app_permissions).toBe(BOT_DM_APP_PERMISSIONS);
    expect(packet.authorizing_integration_owners).toEqual({ 0: '0' });
    const channel = packet.channel as { id: string; type: number; recipients: Array<{ id: string }> };
    expect(channel.type).toBe(1);
    expect(channel.recipients.map((r) => r.id)).toEqual([(packet.user as { id: string }).id]);
    expect(packet.channel_id).toBe(channel.id);
    expect(channel.id).not.toBe(sandbox.channelId);
    expect(view.context).toBe('dm');
    expect(view.memberPermissions).toBeNull();
    expect(view.channelId).toBe(channel.id);
    expect(view.messages[0]?.content).toBe('hello dora in a DM');
    // The reply lives in the DM, not in #general; the same user's next DM is the same channel.
    expect((await api.channelMessages(channel.id)).map((m) => m.content)).toEqual(['hello dora in a DM']);
    expect((await api.channelMessages(sandbox.channelId)).some((m) => m.content.includes('dora'))).toBe(
      false,
    );
    expect((await api.invoke({ user: 'dora', command: 'hi', dm: true })).channelId).toBe(channel.id);
    // The bot can read and post to the DM channel like any channel.
    expect(((await client.rest.get(Routes.channel(channel.id))) as { type: number }).type).toBe(1);
    await client.rest.post(Routes.channelMessages(channel.id), { body: { content: 'a DM from the bot' } });
    expect((await api.channelMessages(channel.id)).at(-1)?.content).toBe('a DM from the bot');
    // What Discord's client would not offer in a DM.
    await expect(api.send({ user: 'dora', command: 'local', dm: true })).rejects.toMatchObject({
      status: 403,
      message: expect.stringMatching(/registered in the guild only/),
    });
    await expect(api.send({ user: 'dora', command: 'serveronly', dm: true })).rejects.toMatchObject({
      status: 403,
      message: expect.stringMatching(/not offered in DMs/),
    });
    const forced = await api.invoke({ user: 'dora', command: 'local', dm: true, validate: false });
    expect(forced.messages[0]?.content).toBe('local');
  });
});

describe('raw interactions', () => {
  it('dispatches a payload exactly as given, with the sandbox id, token and application, and tracks its callback', async () => {
    const bot = await start({ hi: (i) => i.reply('raw hi') });
    const { api, sandbox } = bot;
    const payload = guildPayload(sandbox, 'hi', {
      id: 'forged',
      token: 'forged-token',
      application_id: '1',
      extra: { nested: [1, 'two', null] },
    });
    const created = await api.raw(payload);
    expect(created.id).not.toBe('forged');
    expect(Math.abs(snowflakeTime(created.id) - created.createdAt)).toBe(0);
    expect(created.deadlineAt - created.createdAt).toBe(INITIAL_RESPONSE_DEADLINE_MS);
    const packet = await packetOf(bot, created.id);
    expect(packet).toEqual({
      ...payload,
      id: created.id,
      token: bot.tokens.get(created.id),
      application_id: sandbox.applicationId,
    });
    expect(packet?.token).not.toBe('forged-token');
    const view = await api.waitSettled(created.id);
    expect(view).toMatchObject({ raw: true, status: 'replied', callbackType: 4, user: 'mallory' });
    expect(view.messages[0]?.content).toBe('raw hi');
  });

  it('keeps the payload’s own id and token with keep, and refuses one already in use', async () => {
    const bot = await start({ hi: (i) => i.reply('kept') });
    const { api, sandbox } = bot;
    const id = (BigInt(Date.now() - DISCORD_EPOCH_MS) << 22n).toString();
    const created = await api.raw(guildPayload(sandbox, 'hi', { id, token: 'my-own-token' }), { keep: true });
    expect(created.id).toBe(id);
    expect((await packetOf(bot, id))?.token).toBe('my-own-token');
    expect((await api.waitSettled(id)).status).toBe('replied');
    await expect(
      api.raw(guildPayload(sandbox, 'hi', { id, token: 'another' }), { keep: true }),
    ).rejects.toMatchObject({ status: 409 });
    // The flag may also travel in the body; it is the sandbox's, and not dispatched.
    const res = await fetch(`${sandbox.baseUrl}/sandbox/interactions/raw`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...guildPayload(sandbox, 'hi'), token: 'body-flag-token', keep: true }),
    });
    const { id: flagged } = (await res.json()) as { id: string };
    const packet = await packetOf(bot, flagged);
    expect(packet?.token).toBe('body-flag-token');
    expect(packet && 'keep' in packet).toBe(false);
  });

  it('delivers malformed bodies as they are, fails each at 3 s, never crashes, and summarises thousands in one request', async () => {
    const sandbox = await sandboxOnly({ heartbeatIntervalMs: 60_000 });
    const api = sandbox.client;
    const gateway = await gatewayClient(sandbox.gatewayUrl, sandbox.botToken);
    const bodies: unknown[] = [
      null,
      42,
      'text',
      [1, [2]],
      true,
      {},
      { type: 99 },
      { type: 1 },
      { data: null },
    ];
    const ids: string[] = [];
    for (const body of bodies) ids.push((await api.raw(body)).id);
    await until(() => gateway.interactions().length === bodies.length, 5_000, 'every raw dispatch');
    const got = gateway.interactions().map((f) => f.d);
    bodies.forEach((body, i) => {
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
        expect(got[i]).toEqual({
          ...body,
          id: ids[i],
          token: expect.any(String),
          application_id: sandbox.applicationId,
        });
      } else expect(got[i]).toEqual(body);
    });
    // Not JSON at all: Discord's 50109, and the sandbox carries on.
    const broken = await fetch(`${sandbox.baseUrl}/sandbox/interactions/raw`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"type": 2,',
    });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { code: number }).code).toBe(50109);
    // Many at once, and the counts of all of them in one request.
    const batch = await api.rawBatch(Array.from({ length: 1_000 }, (_, i) => ({ type: 2, n: i })));
    expect(batch.ids.filter(Boolean)).toHaveLength(1_000);
    expect(batch.errors).toEqual([]);
    await expect(api.rawBatch(Array.from({ length: 1_001 }, () => ({})))).rejects.toMatchObject({
      status: 400,
    });
    for (const id of ids) await settledFailed(api, id);
    const summary = await api.summary([...ids, ...(batch.ids as string[]), 'no-such-id']);
    expect(summary.missing).toEqual(['no-such-id']);
    expect(summary.total).toBe(1_009);
    expect(summary.interactions).toHaveLength(1_009);
    await until(async () => (await api.summary(batch.ids as string[])).counts.failed === 1_000, 10_000);
    const all = await api.summary();
    expect(all.counts).toEqual({ pending: 0, replied: 0, deferred: 0, failed: 1_009 });
    expect(all.delivery.delivered).toBe(1_009);
    const line = summary.interactions.find((l) => l.id === ids[6]);
    expect(line).toMatchObject({
      type: 'unknown',
      status: 'failed',
      callbackType: null,
      messages: 0,
      ephemeral: null,
    });
    expect((await api.interaction(ids[0]!)).raw).toBe(true);
    expect((await api.info()).botConnected).toBe(true);
    gateway.ws.close();
  });
});

describe('5xx and rate limits, answered without performing the request', () => {
  it('answers the armed 5xx with Discord’s body, performs nothing, and @discordjs/rest’s retry succeeds', async () => {
    const bot = await start({
      later: async (i) => {
        await i.deferReply();
        await i.editReply('edited after the faults');
      },
    });
    const { api, client, sandbox } = bot;
    await api.fault({ route: '/interactions/{id}/{token}/callback', status: 500, count: 2 });
    await api.fault({ route: '/webhooks/{id}/{token}/messages/@original', status: 503, method: 'PATCH' });
    const view = await api.invoke({ user: 'alice', command: 'later' });
    expect(view.status).toBe('deferred');
    expect(view.messages.map((m) => m.content)).toEqual(['edited after the faults']);
    expect(view.refusals.map((r) => [r.status, r.code, r.route])).toEqual([
      [500, 0, '/interactions/{id}/{token}/callback'],
      [500, 0, '/interactions/{id}/{token}/callback'],
      [503, 0, '/webhooks/{app}/{token}/messages/{message}'],
    ]);
    const responses = (await api.responses()).filter((r) => r.status >= 500);
    expect(responses.map((r) => [r.method, r.status, r.body])).toEqual([
      ['POST', 500, { message: '500: Internal Server Error', code: 0 }],
      ['POST', 500, { message: '500: Internal Server Error', code: 0 }],
      ['PATCH', 503, { message: '503: Service Unavailable', code: 0 }],
    ]);
    // A 502 on a channel post: not posted, then posted once by the retry.
    await api.fault({ route: '/channels/{channel_id}/messages', status: 502, method: 'POST' });
    const before = (await api.channelMessages(sandbox.channelId)).length;
    await client.rest.post(Routes.channelMessages(sandbox.channelId), { body: { content: 'after a 502' } });
    const after = await api.channelMessages(sandbox.channelId);
    expect(after.length - before).toBe(1);
    expect(after.at(-1)?.content).toBe('after a 502');
    // Seen on the wire: status, JSON content type, body; the next request is served.
    await api.fault({ route: '/users/@me', status: 504 });
    const headers = { authorization: `Bot ${sandbox.botToken}` };
    const first = await fetch(`${sandbox.restUrl}/users/@me`, { headers });
    expect(first.status).toBe(504);
    expect(first.headers.get('content-type')).toBe('application/json');
    expect(await first.json()).toEqual({ message: '504: Gateway Timeout', code: 0 });
    expect((await fetch(`${sandbox.restUrl}/users/@me`, { headers })).status).toBe(200);
    // What the control API refuses to arm.
    for (const bad of [
      { route: '/users/@me', status: 418 },
      { route: '/no/such/route', status: 500 },
      { route: '/users/@me', status: 500, count: 0 },
      { route: '/users/@me', status: 500, method: 'BREW' },
    ]) {
      await expect(api.fault(bad)).rejects.toMatchObject({ status: 400 });
    }
  });

  it('sends a route 429 and a global one as Discord does: retry_after in seconds, the global flag and scope', async () => {
    const bot = await start({ hi: (i) => i.reply('hi') });
    const { api, sandbox } = bot;
    const headers = { authorization: `Bot ${sandbox.botToken}` };
    await api.rateLimit('/users/@me', 1_250);
    const route = await fetch(`${sandbox.restUrl}/users/@me`, { headers });
    expect(route.status).toBe(429);
    expect(await route.json()).toEqual({
      message: 'You are being rate limited.',
      retry_after: 1.25,
      global: false,
      code: 0,
    });
    expect(route.headers.get('retry-after')).toBe('2');
    expect(route.headers.get('x-ratelimit-reset-after')).toBe('1.250');
    expect(route.headers.get('x-ratelimit-scope')).toBe('user');
    expect(route.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{32}$/);
    expect(route.headers.get('x-ratelimit-global')).toBeNull();
    await api.rateLimit('/users/@me', 300, 1, { global: true });
    const global = await fetch(`${sandbox.restUrl}/users/@me`, { headers });
    expect(global.status).toBe(429);
    expect(await global.json()).toEqual({
      message: 'You are being rate limited.',
      retry_after: 0.3,
      global: true,
      code: 0,
    });
    expect(global.headers.get('x-ratelimit-global')).toBe('true');
    expect(global.headers.get('x-ratelimit-scope')).toBe('global');
    expect(global.headers.get('x-ratelimit-bucket')).toBeNull();
    expect(global.headers.get('retry-after')).toBe('1');
    // A limit on one method leaves the others alone.
    await api.rateLimit('/users/@me', 500, 1, { method: 'PATCH' });
    expect((await fetch(`${sandbox.restUrl}/users/@me`, { headers })).status).toBe(200);
    // discord.js waits the Retry-After (1 s) and retries the callback: answered in time.
    await api.rateLimit('/interactions/{id}/{token}/callback', 300, 1, { global: true });
    const view = await api.invoke({ user: 'alice', command: 'hi' });
    expect(view.status).toBe('replied');
    expect(view.ackedAt! - view.createdAt).toBeGreaterThanOrEqual(1_000);
    expect(view.refusals.map((r) => r.status)).toEqual([429]);
  });
});

describe('gateway faults', () => {
  it('drops the connection without a close frame: discord.js resumes and gets what it missed', async () => {
    const bot = await start({ ping: (i) => i.reply('pong') }, { heartbeatIntervalMs: 500 });
    const { api, received } = bot;
    expect((await api.dropGateway()).sessions).toBe(1);
    const { id } = await api.send({ user: 'alice', command: 'ping' });
    expect((await api.interaction(id)).delivery).toBe('queued');
    const view = await api.waitSettled(id, 10_000);
    expect(view.status).toBe('replied');
    expect(view.delivery).toBe('replayed');
    expect(view.deliveredAt!).toBeGreaterThan(view.createdAt);
    expect(received.some((r) => r.id === id)).toBe(true);
    const events = (await api.gateway()).events;
    expect(events.find((e) => e.type === 'closed')?.code).toBe(1006);
    expect(events.find((e) => e.type === 'resumed')?.replayed).toBeGreaterThanOrEqual(1);
    expect(events.filter((e) => e.type === 'identified')).toHaveLength(1);
  });

  it('silences HEARTBEAT_ACKs: discord.js sees a zombie, resumes elsewhere, and answers what was sent meanwhile', async () => {
    const bot = await start({ ping: (i) => i.reply('pong') }, { heartbeatIntervalMs: 400 });
    const { api, received } = bot;
    expect((await api.silenceGateway(5_000)).sessions).toBe(1);
    expect((await api.gateway()).silencedConnections).toBe(1);
    const { id } = await api.send({ user: 'alice', command: 'ping' });
    expect((await api.interaction(id)).delivery).toBe('queued');
    const view = await api.waitSettled(id, 10_000);
    expect(view.status).toBe('replied');
    expect(view.delivery).toBe('replayed');
    expect(received.some((r) => r.id === id)).toBe(true);
    const gateway = await api.gateway();
    const types = gateway.events.map((e) => e.type);
    expect(types.indexOf('silenced')).toBeLessThan(types.indexOf('resumed'));
    // The new connection is not silent; the old one went with its silence.
    expect(gateway.silencedConnections).toBe(0);
    expect(gateway.connectedSessions).toBe(1);
    expect((await api.invoke({ user: 'bob', command: 'ping' })).delivery).toBe('delivered');
  });

  it('holds a silent connection’s ACKs and dispatches, and hands them over late if it survives', async () => {
    const sandbox = await sandboxOnly({ heartbeatIntervalMs: 60_000 });
    const api = sandbox.client;
    const client = await gatewayClient(sandbox.gatewayUrl, sandbox.botToken);
    await api.silenceGateway(800);
    client.heartbeat();
    const { id } = await api.raw({ type: 2 });
    await new Promise((r) => setTimeout(r, 300));
    expect(client.acks()).toBe(0);
    expect(client.interactions()).toHaveLength(0);
    expect((await api.interaction(id)).delivery).toBe('queued');
    await until(() => client.interactions().length === 1, 3_000, 'the held dispatch');
    expect((await api.interaction(id)).delivery).toBe('delivered');
    client.heartbeat();
    await until(() => client.acks() === 1, 2_000, 'an ACK after the silence');
    client.ws.close();
  });

  it('INVALID_SESSION resumable: the client resumes on the same connection and gets what it missed', async () => {
    const sandbox = await sandboxOnly({ heartbeatIntervalMs: 60_000 });
    const api = sandbox.client;
    const client = await gatewayClient(sandbox.gatewayUrl, sandbox.botToken);
    expect(await api.invalidateSessions({ resumable: true })).toEqual({ sessions: 1, resumable: true });
    await until(() => client.frames.some((f) => f.op === 9 && f.d === true), 2_000, 'op 9 d:true');
    const { id } = await api.raw({ type: 2 });
    expect((await api.interaction(id)).delivery).toBe('queued');
    const seq = client.lastSeq();
    client.ws.send(
      JSON.stringify({ op: 6, d: { token: sandbox.botToken, session_id: client.sessionId, seq } }),
    );
    await until(() => client.dispatches().some((f) => f.t === 'RESUMED'), 2_000, 'RESUMED');
    expect(client.interactions().map((f) => (f.d as { id: string }).id)).toEqual([id]);
    expect((await api.interaction(id)).delivery).toBe('replayed');
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
    client.ws.close();
  });

  // One retry: a rare reconnect that never happens is under investigation (see the log line below).
  it('INVALID_SESSION not resumable: what is sent before the new IDENTIFY is never delivered, and fails at 3 s', {
    timeout: 30_000,
    retry: 1,
  }, async () => {
    const bot = await start({ ping: (i) => i.reply('pong') }, { heartbeatIntervalMs: 500 });
    const { api, received } = bot;
    expect((await api.invalidateSessions({ resumable: false })).sessions).toBe(1);
    const { id } = await api.send({ user: 'alice', command: 'ping' });
    expect((await api.interaction(id)).delivery).toBe('undelivered');
    const view = await settledFailed(api, id);
    expect(view.delivery).toBe('undelivered');
    expect(view.deliveredAt).toBeNull();
    expect(received.some((r) => r.id === id)).toBe(false);
    await until(async () => (await api.gateway()).connectedSessions === 1, 15_000, 'a new session').catch(
      async (error) => {
        // Seen twice in ~17 runs of this file: discord.js never came back. Keep what the gateway saw.
        console.log('gateway events:', JSON.stringify((await api.gateway()).events));
        throw error;
      },
    );
    expect((await api.gateway()).events.filter((e) => e.type === 'identified')).toHaveLength(2);
    expect(received.some((r) => r.id === id)).toBe(false);
    expect((await api.invoke({ user: 'bob', command: 'ping' })).status).toBe('replied');
  });

  it('loses what a disconnected session held when it is invalidated, and says so', async () => {
    const sandbox = await sandboxOnly({ heartbeatIntervalMs: 60_000 });
    const api = sandbox.client;
    const client = await gatewayClient(sandbox.gatewayUrl, sandbox.botToken);
    client.ws.terminate();
    await client.closed;
    await until(async () => (await api.gateway()).connectedSessions === 0, 2_000);
    const { id } = await api.raw({ type: 2 });
    expect((await api.interaction(id)).delivery).toBe('queued');
    // The client comes back and its RESUME is refused (as after the resume window): it must identify.
    await api.invalidateSessions();
    const again = await gatewayClient(sandbox.gatewayUrl, sandbox.botToken);
    expect((await api.interaction(id)).delivery).toBe('undelivered');
    expect(again.interactions()).toHaveLength(0);
    again.ws.close();
  });
});

describe('interaction tokens stay secret', () => {
  it('lists the tokens it issued only when started with exposeTokensForTests', async () => {
    const plain = await sandboxOnly();
    expect((await fetch(`${plain.baseUrl}/sandbox/tokens`)).status).toBe(404);
    const bot = await start({ hi: (i) => i.reply('hi') }, { exposeTokensForTests: true });
    const { id } = await bot.api.send({ user: 'alice', command: 'hi' });
    const token = await until(() => bot.tokens.get(id));
    expect(await bot.api.tokens()).toContain(token);
    const views = JSON.stringify([
      await bot.api.interactions(),
      await bot.api.summary([id]),
      await bot.api.info(),
    ]);
    expect(views).not.toContain(token);
  });
});
