/**
 * Discord's REST API has a bad moment — a 429 on the route or the global limit, a 500/503 — on each
 * request LoopLab makes for an interaction: the first response, the edit of the report, the channel
 * post that explains an expired token. @discordjs/rest waits or retries, and the person still gets
 * their answer, with its numbers; the log says what happened.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INITIAL_RESPONSE_DEADLINE_MS } from '../src/discord/facts.js';
import { embedText, type LoopLab, numberAfter, startLoopLab } from './support/looplab.js';

const CALLBACK = '/interactions/{id}/{token}/callback';
const ORIGINAL = '/webhooks/{id}/{token}/messages/@original';
const CHANNEL_MESSAGES = '/channels/{channel_id}/messages';

let lab: LoopLab;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'looplab-rest-'));
  lab = await startLoopLab({
    env: { COOLDOWN_MS: '0', MAIN_THREAD_BUDGET_MS: '60000', DATA_DIR: join(dir, 'data') },
    watchdogLogFile: join(dir, 'watchdog.log'),
  });
  await lab.api.invoke({ user: 'warmup', command: 'nonblock', options: { ms: 20 } });
  await lab.api.invoke({ user: 'warmup', command: 'io', options: { ms: 10 } });
});

afterAll(async () => {
  await lab?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The 'rate limited by Discord' lines logged since line `from`. */
const rateLimitLines = (from: number) =>
  lab.logs.slice(from).filter((l) => l.msg === 'rate limited by Discord');

/** An /io 50 whose report arrives: deferred in time, then edited with its numbers. */
async function ioIsAnswered(user: string) {
  const view = await lab.api.invoke({ user, command: 'io', options: { ms: 50 } });
  expect(view.status).toBe('deferred');
  expect(view.settled).toBe(true);
  expect(view.ackedAt! - view.createdAt).toBeLessThan(INITIAL_RESPONSE_DEADLINE_MS);
  const report = view.messages[0]!;
  expect(report.embeds.length).toBeGreaterThanOrEqual(1);
  expect(embedText(report)).toMatch(/Deferred in \*\*[\d.]+ ms\*\*/);
  expect(report.attachments.map((a) => a.filename)).toEqual(['timeline.png']);
  return view;
}

const noErrorsLogged = () => expect(lab.logs.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);

describe('LoopLab through REST faults', () => {
  it('a 429 on the first response (Retry-After 1 s): discord.js waits and retries, and the report still arrives in time', async () => {
    const from = lab.logs.length;
    await lab.api.rateLimit(CALLBACK, 800);
    const view = await ioIsAnswered('alice');
    // Discord said retry_after 0.8 (Retry-After: 1): the defer went through a second later.
    expect(view.ackedAt! - view.createdAt).toBeGreaterThanOrEqual(1_000);
    expect(view.refusals.map((r) => [r.status, r.route])).toEqual([[429, CALLBACK]]);
    const lines = rateLimitLines(from);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, retryAfterMs: 1_000, global: false });
    expect(String(lines[0]!.route)).toMatch(/^\/interactions\/:id\/:token\/callback/);
    noErrorsLogged();
  });

  it('the global rate limit on the first response: waited out, answered, and logged as global', async () => {
    const from = lab.logs.length;
    await lab.api.rateLimit(CALLBACK, 300, 1, { global: true });
    const view = await ioIsAnswered('bob');
    expect(view.ackedAt! - view.createdAt).toBeGreaterThanOrEqual(1_000);
    expect(view.refusals.map((r) => r.status)).toEqual([429]);
    expect(rateLimitLines(from).map((l) => l.global)).toEqual([true]);
    noErrorsLogged();
  });

  it('a global 429 on the report’s edit: the edit waits, and the report arrives', async () => {
    const from = lab.logs.length;
    await lab.api.rateLimit(ORIGINAL, 500, 1, { global: true, method: 'PATCH' });
    const view = await ioIsAnswered('carol');
    expect(view.messages[0]!.editedAt! - view.ackedAt!).toBeGreaterThanOrEqual(1_000);
    expect(view.refusals.map((r) => [r.status, r.method])).toEqual([[429, 'PATCH']]);
    expect(rateLimitLines(from).some((l) => l.global === true)).toBe(true);
    noErrorsLogged();
  });

  it('a 503 twice on the first response: retried at once, deferred in time, and the report arrives', async () => {
    await lab.api.fault({ route: CALLBACK, status: 503, count: 2 });
    const view = await ioIsAnswered('dave');
    expect(view.refusals.map((r) => [r.status, r.code])).toEqual([
      [503, 0],
      [503, 0],
    ]);
    // Retried without waiting: the defer is not late for it.
    expect(view.ackedAt! - view.createdAt).toBeLessThan(1_000);
    noErrorsLogged();
  });

  it('a 500 twice on the edit of the report: retried, and the report with its chart replaces "thinking…"', async () => {
    await lab.api.fault({ route: ORIGINAL, status: 500, count: 2, method: 'PATCH' });
    const view = await lab.api.invoke({ user: 'erin', command: 'nonblock', options: { ms: 200 } });
    expect(view.status).toBe('deferred');
    expect(view.settled).toBe(true);
    expect(view.messages).toHaveLength(1);
    const text = embedText(view.messages[0]!);
    expect(text).toMatch(/Deferred in \*\*[\d.]+ ms\*\*, then done in \*\*0\.\d\d s\*\*/);
    expect(view.messages[0]!.attachments.map((a) => a.filename)).toEqual(['timeline.png']);
    expect(view.refusals.map((r) => [r.status, r.method])).toEqual([
      [500, 'PATCH'],
      [500, 'PATCH'],
    ]);
    noErrorsLogged();
  });

  it('a 503 twice on the channel post: the expired /block 3500 is still explained in the channel, numbers and chart included', async () => {
    await lab.api.fault({ route: CHANNEL_MESSAGES, status: 503, count: 2, method: 'POST' });
    const before = (await lab.api.channelMessages(lab.channelId)).length;
    const view = await lab.api.invoke({ user: 'frank', command: 'block', options: { ms: 3_500 } });
    expect(view.status).toBe('failed');
    const note = await lab.api.waitForMessage(
      lab.channelId,
      (m) =>
        m.interactionId === null &&
        m.content.includes(`<@${view.userId}>`) &&
        m.content.includes('/block 3500'),
    );
    expect(note.content).toMatch(/expired/);
    expect(numberAfter(note.content, 'expired\\*\\* after')).toBeGreaterThanOrEqual(3_500);
    expect(note.embeds).toHaveLength(1);
    expect(note.attachments[0]?.contentType).toBe('image/png');
    // Posted once: the two 503s performed nothing.
    const after = await lab.api.channelMessages(lab.channelId);
    expect(after.slice(before).filter((m) => m.content.includes(`<@${view.userId}>`))).toHaveLength(1);
    const posts = (await lab.api.responses()).filter(
      (r) => r.method === 'POST' && r.path === `/channels/${lab.channelId}/messages`,
    );
    expect(posts.slice(-3).map((r) => r.status)).toEqual([503, 503, 200]);
    expect(lab.logs.some((l) => /could not post the expiry explanation/.test(l.msg))).toBe(false);
    noErrorsLogged();
  });

  it('after all that, a plain /io is answered as on a good day', async () => {
    const view = await ioIsAnswered('gina');
    expect(view.refusals).toEqual([]);
  });
});
