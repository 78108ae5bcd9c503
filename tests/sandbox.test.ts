import { once } from 'node:events';
import { request } from 'node:http';
import { Worker } from 'node:worker_threads';
import { AttachmentBuilder, Client, DiscordAPIError, GatewayIntentBits, Routes } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { INITIAL_RESPONSE_DEADLINE_MS, INTERACTION_TOKEN_LIFETIME_MS } from '../src/discord/facts.js';
import { snowflakeTime } from '../src/discord/snowflake.js';
import { busyWait, type Handler, startTinyBot, until } from './support/tiny-bot.js';

type Bot = Awaited<ReturnType<typeof startTinyBot>>;
let bot: Bot | undefined;
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
});

async function start(handlers: Record<string, Handler>, options = {}) {
  bot = await startTinyBot(handlers, options);
  return bot;
}

describe('the sandbox, driven by a stock discord.js client', () => {
  it('delivers a slash command and accepts a reply within the deadline', async () => {
    const { api } = await start({ hi: (i) => i.reply(`hello ${i.user.username}`) });
    const view = await api.invoke({ user: 'alice', command: 'hi' });
    expect(view.status).toBe('replied');
    expect(view.callbackType).toBe(4);
    expect(view.messages[0]?.content).toBe('hello alice');
    expect(view.ackedAt! - view.createdAt).toBeLessThan(INITIAL_RESPONSE_DEADLINE_MS);
    // The interaction id is a snowflake whose timestamp is its creation time.
    expect(snowflakeTime(view.id)).toBe(view.createdAt);
  });

  it('marks an interaction failed at 3 s while the bot is still blocked, and refuses the late reply with 10062', async () => {
    let blockEnd = 0;
    let replyError: unknown;
    const { api } = await start({
      slow: async (i) => {
        busyWait(3_500);
        blockEnd = Date.now();
        try {
          await i.reply('too late');
        } catch (error) {
          replyError = error;
        }
      },
    });
    const view = await api.invoke({ user: 'alice', command: 'slow' });
    await until(() => replyError, 10_000, 'the late reply to fail');
    expect(replyError).toBeInstanceOf(DiscordAPIError);
    expect((replyError as DiscordAPIError).code).toBe(10062);
    expect((replyError as DiscordAPIError).status).toBe(404);
    expect(view.status).toBe('failed');
    const failedAfter = view.failedAt! - view.createdAt;
    expect(failedAfter).toBeGreaterThanOrEqual(INITIAL_RESPONSE_DEADLINE_MS);
    expect(failedAfter).toBeLessThan(INITIAL_RESPONSE_DEADLINE_MS + 400);
    // The sandbox runs on its own thread: it failed the interaction before the bot's loop was free.
    expect(view.failedAt!).toBeLessThan(blockEnd);
    const after = await api.interaction(view.id);
    expect(after.refusals.map((r) => r.code)).toEqual([10062]);
  });

  it('keeps a deferred interaction editable after 4 s', async () => {
    const { api } = await start({
      defer: async (i) => {
        await i.deferReply();
        await new Promise((r) => setTimeout(r, 4_000));
        await i.editReply('done after 4 s');
      },
    });
    const { id } = await api.send({ user: 'bob', command: 'defer' });
    const deferred = await until(async () => {
      const v = await api.interaction(id);
      return v.status === 'deferred' ? v : null;
    });
    expect(deferred.ackedAt! - deferred.createdAt).toBeLessThan(1_000);
    const view = await api.waitSettled(id, 10_000);
    expect(view.status).toBe('deferred');
    expect(view.messages[0]?.content).toBe('done after 4 s');
    expect(view.messages[0]!.editedAt! - view.createdAt).toBeGreaterThanOrEqual(3_900);
  });

  it('refuses an edit 15 minutes after the interaction with 401 50027', async () => {
    let editError: unknown;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { api } = await start({
      late: async (i) => {
        await i.deferReply();
        await gate;
        try {
          await i.editReply('a quarter of an hour later');
        } catch (error) {
          editError = error;
        }
      },
    });
    const { id } = await api.send({ user: 'carol', command: 'late' });
    await until(async () => (await api.interaction(id)).status === 'deferred');
    await api.advanceClock(INTERACTION_TOKEN_LIFETIME_MS + 1_000);
    release();
    await until(() => editError, 5_000, 'the expired edit to fail');
    expect(editError).toBeInstanceOf(DiscordAPIError);
    expect((editError as DiscordAPIError).code).toBe(50027);
    expect((editError as DiscordAPIError).status).toBe(401);
  });

  it('answers a second callback with 400 40060', async () => {
    let secondError: unknown;
    const { api } = await start({
      twice: async (i) => {
        await i.reply('first');
        try {
          // discord.js refuses a second reply locally, so send it raw as a second process would.
          await i.client.rest.post(Routes.interactionCallback(i.id, i.token), {
            body: { type: 4, data: { content: 'second' } },
            auth: false,
          });
        } catch (error) {
          secondError = error;
        }
      },
    });
    const view = await api.invoke({ user: 'dave', command: 'twice' });
    await until(() => secondError);
    expect((secondError as DiscordAPIError).code).toBe(40060);
    expect((secondError as DiscordAPIError).status).toBe(400);
    expect(view.messages.map((m) => m.content)).toEqual(['first']);
  });

  it('closes a zombie connection with 4000, lets discord.js resume, and replays what it missed', async () => {
    const { api, received } = await start(
      { ping: (i) => i.reply('pong') },
      { heartbeatIntervalMs: 400, heartbeatGraceMs: 400 },
    );
    // While this thread is blocked, another thread sends a command: it is dispatched during the outage.
    const sender = new Worker(
      `setTimeout(() => fetch(${JSON.stringify(`${api.baseUrl}/sandbox/invoke`)}, { method: 'POST',
         headers: { 'content-type': 'application/json' },
         body: JSON.stringify({ user: 'erin', command: 'ping' }) }).then((r) => r.json()).then((b) => {
           require('node:worker_threads').parentPort.postMessage(b);
         }), 1500);`,
      { eval: true },
    );
    const sent = new Promise<{ id: string }>((resolve) => sender.once('message', resolve));
    busyWait(2_500);
    const { id } = await sent;
    await sender.terminate();
    await until(() => received.some((r) => r.id === id), 10_000, 'the replayed interaction');
    const gateway = await api.gateway();
    const types = gateway.events.map((e) => e.type);
    expect(types).toContain('zombie-closed');
    expect(gateway.events.find((e) => e.type === 'zombie-closed')?.code).toBe(4000);
    const resumed = gateway.events.find((e) => e.type === 'resumed');
    expect(resumed?.replayed).toBeGreaterThanOrEqual(1);
    expect(gateway.connectedSessions).toBe(1);
  });

  it('rejects a wrong bot token with a clear error', async () => {
    const { sandbox } = await start({ hi: (i) => i.reply('hi') });
    const stranger = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: sandbox.apiUrl } });
    await expect(stranger.login('not-the-sandbox-token')).rejects.toThrow(
      /invalid token|401|unauthori[sz]ed/i,
    );
    await stranger.destroy();
    const res = await fetch(`${sandbox.restUrl}/users/@me`, { headers: { authorization: 'Bot nope' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: '401: Unauthorized', code: 0 });
  });

  it('validates options against the registered commands, as Discord does', async () => {
    const { api } = await start({ hi: (i) => i.reply('hi') });
    // The 400 carries the shared checker's sentence (src/discord/options.ts), the bot's own words.
    await expect(api.send({ user: 'alice', command: 'hi', options: { ms: 99_999 } })).rejects.toMatchObject({
      status: 400,
      message: '`ms` must be between 0 and 20000 (you sent 99999).',
    });
    await expect(api.send({ user: 'alice', command: 'nope' })).rejects.toThrow(/no command \/nope/);
    await expect(api.send({ user: 'alice', command: 'hi', options: { bogus: 1 } })).rejects.toThrow(
      /no option/,
    );
    // A stale client can still send it: validate:false skips the check.
    const { id } = await api.send({ user: 'alice', command: 'nope', validate: false });
    expect(id).toMatch(/^\d+$/);
  });

  it('answers unknown routes with 404 code 0 and stores multipart uploads', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const { api, sandbox } = await start({
      chart: (i) =>
        i.reply({ content: 'a chart', files: [new AttachmentBuilder(png, { name: 'chart.png' })] }),
    });
    const res = await fetch(`${sandbox.restUrl}/no/such/route`, {
      headers: { authorization: `Bot ${sandbox.botToken}` },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: '404: Not Found', code: 0 });
    const view = await api.invoke({ user: 'alice', command: 'chart' });
    const attachment = view.messages[0]?.attachments[0];
    expect(attachment?.filename).toBe('chart.png');
    expect(await api.attachment(attachment!.url)).toEqual(png);
  });

  it('routes as Discord does: `@` or `%40`, a trailing slash, 405 for another method, 404 for what is no route', async () => {
    const { sandbox } = await start({ hi: (i) => i.reply('hi') });
    const call = async (method: string, path: string) => {
      const res = await fetch(`${sandbox.restUrl}${path}`, {
        method,
        headers: { authorization: `Bot ${sandbox.botToken}` },
      });
      return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
    };
    for (const path of ['/users/@me', '/users/%40me', '/users/@me/', '/applications/%40me']) {
      expect((await call('GET', path)).status, path).toBe(200);
    }
    const notAllowed = {
      status: 405,
      type: 'application/json',
      body: { message: '405: Method Not Allowed', code: 0 },
    };
    expect(await call('DELETE', '/users/@me')).toEqual(notAllowed);
    expect(await call('GET', `/interactions/${sandbox.applicationId}/any-token/callback`)).toEqual(
      notAllowed,
    );
    const notFound = { status: 404, type: 'application/json', body: { message: '404: Not Found', code: 0 } };
    expect(await call('GET', '/channels/general')).toEqual(notFound); // not a snowflake
    expect(await call('GET', `/webhooks/${sandbox.applicationId}/tok/messages/latest`)).toEqual(notFound);
    expect(await call('GET', '/users//@me')).toEqual(notFound);
    // Any text is a token: an unknown one is Discord's 10015, never a routing error.
    const odd = await call('GET', `/webhooks/${sandbox.applicationId}/a:b.c-d_e~f/messages/%40original`);
    expect(odd.body).toEqual({ message: 'Unknown Webhook', code: 10015 });
  });

  it('answers a reply after a 10 s block with 10062, not a dead keep-alive socket', async () => {
    let replyError: unknown;
    const { api } = await start({
      long: async (i) => {
        busyWait(10_000);
        try {
          await i.reply('ten seconds later');
        } catch (error) {
          replyError = error;
        }
      },
    });
    // The bot's REST socket was opened at login and then sat idle through the 10 s block.
    await api.send({ user: 'alice', command: 'long' });
    await until(() => replyError, 20_000, 'the late reply');
    expect(replyError).toBeInstanceOf(DiscordAPIError);
    expect((replyError as DiscordAPIError).code).toBe(10062);
  }, 40_000);

  it('answers unknown webhooks with 10015, 204s without a content type, and errors as JSON', async () => {
    const { api, sandbox, tokens } = await start({ quiet: async () => {} });
    const unknown = await fetch(
      `${sandbox.restUrl}/webhooks/${sandbox.applicationId}/no-such-token/messages/@original`,
      {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content: 'x' }),
      },
    );
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/json');
    expect(await unknown.json()).toEqual({ message: 'Unknown Webhook', code: 10015 });
    // A raw callback, as any client would send it (the bot itself leaves this one unanswered).
    const { id } = await api.send({ user: 'alice', command: 'quiet' });
    const token = await until(() => tokens.get(id));
    const ok = await fetch(`${sandbox.restUrl}/interactions/${id}/${token}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 5 }),
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('content-type')).toBeNull();
    expect(await ok.text()).toBe('');
    const malformed = await fetch(`${sandbox.restUrl}/interactions/${id}/%E0%A4%A/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 4, data: { content: 'x' } }),
    });
    expect(malformed.status).toBe(404);
    expect(((await malformed.json()) as { code: number }).code).toBe(10062);
  });

  it('sends RECONNECT (op 7) and INVALID_SESSION (op 9); discord.js resumes or identifies again and keeps working', async () => {
    const { api } = await start({ ping: (i) => i.reply('pong') });
    expect((await api.requestReconnect()).sessions).toBe(1);
    await until(
      async () => (await api.gateway()).events.some((e) => e.type === 'resumed'),
      10_000,
      'a resume',
    );
    expect((await api.invoke({ user: 'alice', command: 'ping' })).messages[0]?.content).toBe('pong');
    expect((await api.invalidateSessions()).sessions).toBe(1);
    await until(
      async () => (await api.gateway()).events.filter((e) => e.type === 'identified').length >= 2,
      15_000,
      'a fresh IDENTIFY',
    );
    await until(async () => (await api.gateway()).connectedSessions === 1, 10_000);
    expect((await api.invoke({ user: 'bob', command: 'ping' })).messages[0]?.content).toBe('pong');
  }, 40_000);

  it('closes a connection that sends a non-object frame with 4002 and stays up', async () => {
    const { api, sandbox } = await start({ ping: (i) => i.reply('pong') });
    for (const frame of ['null', '42', '"text"', '[1,2]', '{not json']) {
      const ws = new WebSocket(`${sandbox.gatewayUrl}?v=10&encoding=json`);
      await once(ws, 'open');
      const closed = once(ws, 'close');
      ws.send(frame);
      expect((await closed)[0]).toBe(4002);
    }
    expect((await api.invoke({ user: 'alice', command: 'ping' })).messages[0]?.content).toBe('pong');
  });

  it('re-arms the 3 s deadline when the sandbox clock jumps', async () => {
    const { api } = await start({ silent: async () => {} });
    const listed = async (id: string) => (await api.interactions()).find((v) => v.id === id)!;
    // Back 10 s: the deadline moves 10 s into the future, so 3.5 s later it is still pending.
    const { id } = await api.send({ user: 'alice', command: 'silent' });
    await api.setClockOffset(-10_000);
    await new Promise((r) => setTimeout(r, 3_500));
    expect((await listed(id)).status).toBe('pending');
    // Forward past it: failed at once, by the re-armed timer rather than by a read.
    await api.setClockOffset(5_000);
    await new Promise((r) => setTimeout(r, 50));
    expect((await listed(id)).status).toBe('failed');
  });

  it('refuses control requests a foreign web page could send', async () => {
    const { sandbox } = await start({ hi: (i) => i.reply('hi') });
    const plain = await fetch(`${sandbox.baseUrl}/sandbox/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ user: 'mallory', command: 'hi' }),
    });
    expect(plain.status).toBe(403);
    const foreign = await fetch(`${sandbox.baseUrl}/sandbox/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ user: 'mallory', command: 'hi' }),
    });
    expect(foreign.status).toBe(403);
    // A DNS-rebinding page reaches 127.0.0.1 under its own name: the Host header gives it away.
    const rebound = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${sandbox.baseUrl}/sandbox`);
      request(
        { host: url.hostname, port: url.port, path: url.pathname, headers: { host: 'evil.example' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      )
        .on('error', reject)
        .end();
    });
    expect(rebound).toBe(403);
    // What stays allowed: the same origin (a page the sandbox serves) and bodiless POSTs like curl's.
    const same = await fetch(`${sandbox.baseUrl}/sandbox/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'Application/JSON; charset=utf-8', origin: sandbox.baseUrl },
      body: JSON.stringify({ user: 'alice', command: 'hi' }),
    });
    expect(same.status).toBe(201);
    const bodiless = await fetch(`${sandbox.baseUrl}/sandbox/gateway/reconnect`, { method: 'POST' });
    expect(bodiless.status).toBe(200);
  });
});
