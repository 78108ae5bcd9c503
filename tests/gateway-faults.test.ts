/**
 * The gateway connection fails in every way a classroom's Wi-Fi and Discord's maintenance make it
 * fail, with the real LoopLab bot (real discord.js) on the other end: nothing in flight is lost,
 * what was sent meanwhile is answered after the resume, and what Discord cannot replay fails
 * honestly. After each fault, a fresh /io is answered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INITIAL_RESPONSE_DEADLINE_MS } from '../src/discord/facts.js';
import { embedText, type LoopLab, startLoopLab } from './support/looplab.js';
import { until } from './support/tiny-bot.js';

/** Short, so a missed ACK is noticed in about a second (Discord's is 41.25 s). */
const HEARTBEAT_MS = 500;

let lab: LoopLab;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'looplab-gateway-'));
  lab = await startLoopLab({
    env: { COOLDOWN_MS: '0', MAIN_THREAD_BUDGET_MS: '60000', DATA_DIR: join(dir, 'data') },
    sandbox: { heartbeatIntervalMs: HEARTBEAT_MS },
    watchdogLogFile: join(dir, 'watchdog.log'),
  });
  await lab.api.invoke({ user: 'warmup', command: 'nonblock', options: { ms: 20 } });
  await lab.api.invoke({ user: 'warmup', command: 'io', options: { ms: 10 } });
});

afterAll(async () => {
  await lab?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The gateway's events after `since` (sandbox clock), by type. */
async function eventsSince(since: number) {
  const { events } = await lab.api.gateway();
  const after = events.filter((e) => e.at >= since);
  return { after, count: (type: string) => after.filter((e) => e.type === type).length };
}

/** A fresh /io 50, answered as on a healthy connection: deferred in time, its report edited in. */
async function freshIoIsAnswered(user: string) {
  const view = await lab.api.invoke({ user, command: 'io', options: { ms: 50 } });
  expect(view.status).toBe('deferred');
  expect(view.delivery).toBe('delivered');
  expect(view.ackedAt! - view.createdAt).toBeLessThan(INITIAL_RESPONSE_DEADLINE_MS);
  expect(embedText(view.messages[0]!)).toMatch(/Deferred in/);
  return view;
}

const noErrorsLogged = () => expect(lab.logs.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);

describe('LoopLab through gateway faults', () => {
  it('a dropped connection mid-demo: /nonblock 3000 keeps going, the bot resumes, and its report arrives', async () => {
    const since = (await lab.api.info()).now;
    const { id } = await lab.api.send({ user: 'alice', command: 'nonblock', options: { ms: 3_000 } });
    await until(async () => (await lab.api.interaction(id)).status === 'deferred', 3_000, 'the defer');
    expect((await lab.api.dropGateway()).sessions).toBe(1);
    // Sent while the bot has no connection: queued for its session, replayed on RESUME.
    const during = await lab.api.send({ user: 'bob', command: 'io', options: { ms: 50 } });
    expect((await lab.api.interaction(during.id)).delivery).toBe('queued');
    const io = await lab.api.waitSettled(during.id, 10_000);
    expect(io.status).toBe('deferred');
    expect(io.delivery).toBe('replayed');
    expect(io.ackedAt! - io.createdAt).toBeLessThan(INITIAL_RESPONSE_DEADLINE_MS);
    expect(embedText(io.messages[0]!)).toMatch(/Deferred in/);
    const report = await lab.api.waitSettled(id, 15_000);
    expect(report.status).toBe('deferred');
    expect(report.messages[0]!.editedAt! - report.createdAt).toBeGreaterThanOrEqual(3_000);
    expect(embedText(report.messages[0]!)).toMatch(/then done in \*\*3\.\d\d s\*\*/);
    const events = await eventsSince(since);
    expect(events.after.find((e) => e.type === 'closed')?.code).toBe(1006);
    expect(events.count('resumed')).toBe(1);
    expect(events.count('identified')).toBe(0);
    const resumed = lab.logs.filter((l) => l.msg === 'gateway session resumed');
    expect(resumed.at(-1)?.replayed).toBeGreaterThanOrEqual(1);
    await freshIoIsAnswered('carol');
    noErrorsLogged();
  });

  it('missed HEARTBEAT_ACKs: the bot sees the zombie, reconnects and resumes, and answers the /io sent during the silence', async () => {
    const since = (await lab.api.info()).now;
    expect((await lab.api.silenceGateway(5_000)).sessions).toBe(1);
    const { id } = await lab.api.send({ user: 'dave', command: 'io', options: { ms: 50 } });
    expect((await lab.api.interaction(id)).delivery).toBe('queued');
    const view = await lab.api.waitSettled(id, 10_000);
    expect(view.status).toBe('deferred');
    expect(view.delivery).toBe('replayed');
    // Noticed within about two heartbeats, resumed, and still answered within Discord's 3 s.
    expect(view.deliveredAt! - view.createdAt).toBeGreaterThanOrEqual(HEARTBEAT_MS / 2);
    expect(view.ackedAt! - view.createdAt).toBeLessThan(INITIAL_RESPONSE_DEADLINE_MS);
    expect(embedText(view.messages[0]!)).toMatch(/Deferred in/);
    const events = await eventsSince(since);
    const types = events.after.map((e) => e.type);
    expect(types.indexOf('silenced')).toBeLessThan(types.indexOf('closed'));
    expect(types.indexOf('closed')).toBeLessThan(types.indexOf('resumed'));
    expect(events.count('identified')).toBe(0);
    expect((await lab.api.gateway()).silencedConnections).toBe(0);
    await freshIoIsAnswered('erin');
    noErrorsLogged();
  });

  it('INVALID_SESSION, resumable: the bot resumes on the same connection and loses nothing', async () => {
    const since = (await lab.api.info()).now;
    expect((await lab.api.invalidateSessions({ resumable: true })).sessions).toBe(1);
    const { id } = await lab.api.send({ user: 'frank', command: 'io', options: { ms: 50 } });
    const view = await lab.api.waitSettled(id, 10_000);
    expect(view.status).toBe('deferred');
    expect(['delivered', 'replayed']).toContain(view.delivery);
    await until(async () => (await eventsSince(since)).count('resumed') === 1, 5_000, 'the resume');
    const events = await eventsSince(since);
    expect(events.after.find((e) => e.type === 'invalid-session')?.resumable).toBe(true);
    expect(events.count('connected')).toBe(0);
    expect(events.count('identified')).toBe(0);
    await freshIoIsAnswered('gina');
    noErrorsLogged();
  });

  it('INVALID_SESSION, not resumable: the bot identifies anew; what was sent in between is not replayed, fails at 3 s, and the bot tells no story about it', async () => {
    const since = (await lab.api.info()).now;
    expect((await lab.api.invalidateSessions({ resumable: false })).sessions).toBe(1);
    const lost = await lab.api.send({ user: 'hank', command: 'io', options: { ms: 50 } });
    expect((await lab.api.interaction(lost.id)).delivery).toBe('undelivered');
    const view = await lab.api.waitSettled(lost.id, 10_000);
    expect(view.status).toBe('failed');
    expect(view.delivery).toBe('undelivered');
    expect(view.failedAt! - view.createdAt).toBeGreaterThanOrEqual(INITIAL_RESPONSE_DEADLINE_MS);
    expect(view.messages).toEqual([]);
    await until(async () => (await eventsSince(since)).count('identified') === 1, 15_000, 'a new IDENTIFY');
    await until(async () => (await lab.api.gateway()).connectedSessions === 1, 10_000, 'the new session');
    await freshIoIsAnswered('ivy');
    // The new session never received it: no log line of it, no reply, no channel note about it.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(lab.logs.filter((l) => l.interactionId === lost.id)).toEqual([]);
    expect(lab.rawLogs.join('\n')).not.toContain(lost.id);
    const channel = await lab.api.channelMessages(lab.channelId);
    expect(
      channel.filter((m) => m.content.includes(`<@${view.userId}>`) || m.interactionId === lost.id),
    ).toEqual([]);
    expect((await lab.api.interaction(lost.id)).refusals).toEqual([]);
    noErrorsLogged();
  }, 40_000);

  it('RECONNECT (op 7): the bot resumes elsewhere, and an /io in flight is answered', async () => {
    const since = (await lab.api.info()).now;
    const { id } = await lab.api.send({ user: 'jane', command: 'io', options: { ms: 300 } });
    expect((await lab.api.requestReconnect()).sessions).toBe(1);
    const view = await lab.api.waitSettled(id, 10_000);
    expect(view.status).toBe('deferred');
    expect(embedText(view.messages[0]!)).toMatch(/Deferred in/);
    await until(async () => (await eventsSince(since)).count('resumed') === 1, 5_000, 'the resume');
    const events = await eventsSince(since);
    expect(events.count('reconnect-requested')).toBe(1);
    expect(events.count('identified')).toBe(0);
    await freshIoIsAnswered('kim');
    noErrorsLogged();
  });
});
