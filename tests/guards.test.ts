import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedText, type LoopLab, startLoopLab } from './support/looplab.js';
import { until } from './support/tiny-bot.js';

// A teacher's brakes and Discord's 15-minute window, through the real bot and the sandbox only:
// these tests know nothing of the router's internals.

/** A refusal is ephemeral, a plain sentence (no report embed), and answered at once. */
function expectRefusal(view: Awaited<ReturnType<LoopLab['api']['invoke']>>) {
  expect(view.status).toBe('replied');
  expect(view.messages).toHaveLength(1);
  const [message] = view.messages;
  expect(message!.ephemeral).toBe(true);
  expect(message!.embeds).toEqual([]);
  expect(view.ackedAt! - view.createdAt).toBeLessThan(1_000);
  return message!.content;
}

/** An admitted demo answers with its report: an embed that everyone in the channel sees. */
function expectReport(view: Awaited<ReturnType<LoopLab['api']['invoke']>>) {
  expect(['replied', 'deferred']).toContain(view.status);
  const [message] = view.messages;
  expect(message!.ephemeral).toBe(false);
  expect(message!.embeds.length).toBeGreaterThan(0);
  return embedText(message!);
}

describe('COOLDOWN_MS: a pause between one person’s demos', () => {
  const COOLDOWN_MS = 2_000;
  let lab: LoopLab;
  /** A /block's report picture follows its reply in an edit: the demo has ended once it is there. */
  const ended = (id: string) =>
    until(async () => ((await lab.api.interaction(id)).messages[0]?.attachments.length ? true : null));
  beforeAll(async () => {
    lab = await startLoopLab({ env: { COOLDOWN_MS: String(COOLDOWN_MS) } });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('refuses a student’s second demo right after the first, naming the wait; another student runs', async () => {
    const first = await lab.api.invoke({ user: 'alice', command: 'block', options: { ms: 10 } });
    expect(expectReport(first)).toMatch(/Answered after/);
    await ended(first.id);

    const again = await lab.api.invoke({ user: 'alice', command: 'block', options: { ms: 10 } });
    const refusal = expectRefusal(again);
    // It names the wait (the last "N s" in it), no longer than the cooldown itself.
    const wait = Number([...refusal.matchAll(/(\d+(?:\.\d+)?) ?(?:s|seconds?)\b/g)].at(-1)?.[1]);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(COOLDOWN_MS / 1000);

    // Bob has his own cooldown: not refused.
    const bob = await lab.api.invoke({ user: 'bob', command: 'block', options: { ms: 10 } });
    expect(expectReport(bob)).toMatch(/Answered after/);
    // /lag is not a demo: no cooldown for Alice there either.
    const lag = await lab.api.invoke({ user: 'alice', command: 'lag' });
    expect(lag.messages[0]!.embeds[0]!.title).toMatch(/^Event loop now: /);
  });

  it('admits the same student again once the cooldown has passed', async () => {
    const first = await lab.api.invoke({ user: 'carol', command: 'block', options: { ms: 10 } });
    expectReport(first);
    await ended(first.id);
    expectRefusal(await lab.api.invoke({ user: 'carol', command: 'block', options: { ms: 10 } }));
    // The cooldown runs from the end of her demo, which was before the refusal.
    await sleep(COOLDOWN_MS + 300);
    const later = await lab.api.invoke({ user: 'carol', command: 'block', options: { ms: 10 } });
    expect(expectReport(later)).toMatch(/Answered after/);
  });
});

describe('MAX_CONCURRENT_DEMOS: a cap on demos running at once', () => {
  let lab: LoopLab;
  beforeAll(async () => {
    lab = await startLoopLab({ env: { MAX_CONCURRENT_DEMOS: '1' } });
    await lab.api.invoke({ user: 'warmup', command: 'nonblock', options: { ms: 20 } });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('refuses a second student’s demo while one runs, and admits a new one after it ends', async () => {
    const { id } = await lab.api.send({ user: 'dave', command: 'nonblock', options: { ms: 1_500 } });
    await until(async () => ((await lab.api.interaction(id)).status === 'deferred' ? true : null));

    const erin = await lab.api.invoke({ user: 'erin', command: 'io', options: { ms: 50 } });
    const refusal = expectRefusal(erin);
    expect(refusal).toMatch(/\b1\b/); // the limit here

    // Dave's demo was not disturbed: his report arrives as usual.
    const dave = await lab.api.waitSettled(id, 15_000);
    expect(expectReport(dave)).toMatch(/Deferred in \*\*[\d.]+ ms\*\*, then done in \*\*1\.\d\d s\*\*/);

    // Once it has ended, a new demo is admitted (Erin's refusal left no cooldown behind).
    await sleep(250);
    const again = await lab.api.invoke({ user: 'erin', command: 'io', options: { ms: 50 } });
    expect(expectReport(again)).toMatch(/Deferred in/);
  });
});

describe('the 15-minute window: an edit after the token’s lifetime', () => {
  let lab: LoopLab;
  beforeAll(async () => {
    lab = await startLoopLab();
    await lab.api.invoke({ user: 'warmup', command: 'nonblock', options: { ms: 20 } });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('Discord refuses the late edit with 50027, and the bot explains it in the channel', async () => {
    const { id } = await lab.api.send({ user: 'frank', command: 'nonblock', options: { ms: 1_500 } });
    const deferred = await until(async () => {
      const view = await lab.api.interaction(id);
      return view.status === 'deferred' ? view : null;
    });
    // While the work runs, "Discord's" clock jumps 15 minutes: the edit comes too late.
    await lab.api.advanceClock(900_000);

    const note = await lab.api.waitForMessage(
      lab.channelId,
      (m) => m.interactionId === null && m.content.includes(`<@${deferred.userId}>`),
    );
    expect(note.content).toContain('/nonblock 1500');
    expect(note.content).toMatch(/too late/i);
    expect(note.content).toMatch(/15 min/);
    expect(note.content).toMatch(/50027/);
    expect(note.content).not.toMatch(/expired\*\* after/); // not the 3 s story: it was deferred in time

    const view = await lab.api.interaction(id);
    expect(view.refusals.map((r) => r.code)).toEqual([50027]);
    // The deferred reply was never replaced by the report.
    expect(view.messages[0]!.embeds).toEqual([]);
    expect(deferred.ackedAt! - deferred.createdAt).toBeLessThan(3_000);
  });
});
