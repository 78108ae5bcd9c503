import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedText, type LoopLab, numberAfter, startLoopLab } from './support/looplab.js';
import { until } from './support/tiny-bot.js';

let lab: LoopLab;

beforeAll(async () => {
  lab = await startLoopLab();
  await lab.api.invoke({ user: 'warmup', command: 'nonblock', options: { ms: 20 } });
  await lab.api.invoke({ user: 'warmup', command: 'yield', options: { ms: 20 } });
});

afterAll(async () => {
  await lab?.stop();
});

const noteFor = (userId: string, label: string) => (m: { content: string; interactionId: string | null }) =>
  m.interactionId === null && m.content.includes(`<@${userId}>`) && m.content.includes(label);

describe('cooperative /yield, the classic mistakes, and the doctor', () => {
  it("Alice's /yield 4000 keeps Bob answered within 1 s, and her deferred reply gets the report", async () => {
    const [alice, bob] = await lab.api.scenario([
      { afterMs: 0, user: 'alice', command: 'yield', options: { ms: 4_000 } },
      { afterMs: 300, user: 'bob', command: 'io', options: { ms: 50 } },
    ]);
    const bobView = await lab.api.waitSettled(bob!.id, 10_000);
    expect(bobView.ackedAt! - bobView.createdAt).toBeLessThan(1_000);
    expect(bobView.messages[0]!.editedAt! - bobView.createdAt).toBeLessThan(2_000);
    const aliceView = await lab.api.waitSettled(alice!.id, 15_000);
    expect(aliceView.status).toBe('deferred');
    const text = embedText(aliceView.messages[0]!);
    expect(text).toMatch(/\*\*\d{3,}\*\* slices of ~10 ms \(longest \d+(\.\d)? ms\)/);
    // ~10 ms slices; on a shared 2-core machine one may be preempted, but never near a block's seconds.
    expect(numberAfter(text, 'longest')).toBeLessThan(250);
    expect(text).toMatch(/\*\*[1-9]\d*\*\* other interactions? (was|were) answered meanwhile/);
    expect(text).toMatch(/asyncio\.sleep\(0\)/);
    expect(text).toMatch(/Total \d\.\d\d s for 4\.\d\d s of work/);
    // The loop stayed responsive: p99 delay of the window is about one slice, not seconds.
    expect(numberAfter(text, 'p99')).toBeLessThan(250);
  });

  it('/yield 3500 defer:false still loses its own token, and the channel is told', async () => {
    const view = await lab.api.invoke({
      user: 'carol',
      command: 'yield',
      options: { ms: 3_500, defer: false },
    });
    expect(view.status).toBe('failed');
    const note = await lab.api.waitForMessage(lab.channelId, noteFor(view.userId, '/yield 3500'));
    expect(note.content).toMatch(/expired/);
    expect(note.content).toMatch(/before it sent its first response/);
    expect(embedText(note)).toMatch(/Slices/);
  });

  it('/block 2000 work:sleep is answered after ≈2 s, with ≥1900 ms of loop delay and an idle CPU', async () => {
    const view = await lab.api.invoke({
      user: 'dave',
      command: 'block',
      options: { ms: 2_000, work: 'sleep' },
    });
    expect(view.status).toBe('replied');
    expect(view.ackedAt! - view.createdAt).toBeGreaterThanOrEqual(1_950);
    expect(view.ackedAt! - view.createdAt).toBeLessThan(2_900);
    const text = embedText(view.messages[0]!);
    expect(numberAfter(text, 'max')).toBeGreaterThanOrEqual(1_900);
    expect(text).toMatch(/blocked but idle/);
    const cpu = /process CPU ([\d.]+) ms in ([\d.]+) s/.exec(text);
    expect(Number(cpu![1])).toBeLessThan(Number(cpu![2]) * 1000 * 0.25);
  });

  it('/block 1000 work:regex holds the loop about 1 s with a catastrophic backtrack', async () => {
    const view = await lab.api.invoke({
      user: 'erin',
      command: 'block',
      options: { ms: 1_000, work: 'regex' },
    });
    expect(view.status).toBe('replied');
    const text = embedText(view.messages[0]!);
    const max = numberAfter(text, 'max');
    expect(max).toBeGreaterThanOrEqual(900);
    expect(max).toBeLessThan(1_600);
    expect(text).toMatch(/catastrophic regular expression/);
    expect(text).toMatch(/chars/);
  });

  it('a 40060 from another client gives the two-copies warning, in the log and the channel', async () => {
    const view = await lab.api.invoke({
      user: 'frank',
      command: 'block',
      options: { ms: 10 },
      ackedElsewhere: true,
    });
    const note = await lab.api.waitForMessage(lab.channelId, noteFor(view.userId, '/block 10'));
    expect(note.content).toMatch(/another copy of this bot/);
    expect(note.content).toMatch(/40060/);
    const warning = await until(() =>
      lab.logs.find((l) => /two copies of the bot/.test(l.msg) && l.interactionId === view.id),
    );
    expect(warning.level).toBe(40);
    expect((await lab.api.interaction(view.id)).refusals.map((r) => r.code)).toEqual([40060]);
  });

  it('names @discordjs/rest’s queue when a rate limit held the first response past the deadline', async () => {
    const rateLimitWarnings = () =>
      lab.logs.filter((l) => l.msg === 'rate limited by Discord' && l.level === 40);
    const before = rateLimitWarnings().length;
    await lab.api.rateLimit('/interactions/{id}/{token}/callback', 3_300);
    const view = await lab.api.invoke({ user: 'ivan', command: 'io', options: { ms: 50 } });
    expect(view.status).toBe('failed');
    const note = await lab.api.waitForMessage(lab.channelId, noteFor(view.userId, '/io 50'), 20_000);
    expect(note.content).toMatch(/expired/);
    const match =
      /waited (\d+) ms in @discordjs\/rest’s queue \(Discord answered 429 on \/interactions\/:id\/:token\/callback and asked it to wait (\d+) ms\)/.exec(
        note.content,
      );
    expect(match).not.toBeNull();
    // Retry-After is whole seconds (3.3 s → 4 s); the client waited at least that.
    expect(Number(match![2])).toBe(4_000);
    expect(Number(match![1])).toBeGreaterThanOrEqual(Number(match![2]));
    // One 429, one warning: counted once, not once per retry.
    expect(rateLimitWarnings().length - before).toBe(1);
  });

  it('/lag shows utilisation, pool wait vs run, the heartbeat round trip and a verdict', async () => {
    await lab.api.invoke({ user: 'gina', command: 'nonblock', options: { ms: 200 } });
    // A 1.2 s block of its own, so the verdict below does not depend on what ran before.
    expect((await lab.api.invoke({ user: 'gina', command: 'block', options: { ms: 1_200 } })).status).toBe(
      'replied',
    );
    const view = await lab.api.invoke({ user: 'gina', command: 'lag' });
    const embed = view.messages[0]!.embeds[0]!;
    const field = (name: string) => embed.fields!.find((f) => f.name === name)!.value;
    expect(embed.title).toMatch(/^Event loop now: (healthy|loop delayed|loop blocked)$/);
    expect(field('Main-thread utilisation')).toMatch(/last 10 s \d+% · last 60 s \d+%/);
    expect(field('Worker pool')).toMatch(
      /Since the last \/lag: [1-9]\d* tasks, wait mean [\d.]+ ms \(p99 [\d.]+ ms\) vs run mean \d+ ms/,
    );
    expect(field('Gateway heartbeat')).toMatch(/round trip|no heartbeat acknowledged yet/);
    expect(embed.description).toMatch(/clock: [+−]0\.\d s vs Discord/);
    // One stall of ≥ 1 s in the last 10 s (the block above) makes it "loop blocked".
    expect(embed.title).toBe('Event loop now: loop blocked');
  });
});

describe('a Discord whose clock runs 120 s ahead', () => {
  let ahead: LoopLab;
  beforeAll(async () => {
    ahead = await startLoopLab({ sandbox: { clockOffsetMs: 120_000 } });
  });
  afterAll(async () => {
    await ahead?.stop();
  });

  it('shows ≈ +120 s in /lag with a warning, and no report claims a 120 s-old interaction', async () => {
    const report = await ahead.api.invoke({ user: 'hank', command: 'nonblock', options: { ms: 100 } });
    const text = embedText(report.messages[0]!);
    const received = Number(/received by the bot\s+\+([\d.]+) ms/.exec(text)![1]);
    expect(received).toBeLessThan(1_500);
    expect(text).toMatch(/Deferred in \*\*[\d.]+ ms\*\*/);
    expect(numberAfter(text, 'Deferred in')).toBeLessThan(1_500);
    const lag = await ahead.api.invoke({ user: 'hank', command: 'lag' });
    const description = lag.messages[0]!.embeds[0]!.description!;
    const offset = Number(/clock: \+([\d.]+) s vs Discord/.exec(description)![1]);
    expect(offset).toBeGreaterThan(118.9);
    expect(offset).toBeLessThan(121.1);
    expect(description).toMatch(/⚠️/);
    expect(description).toMatch(/ahead of this machine's/);
  });
});
