import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCommand } from '../src/router/define.js';
import { loadCommands } from '../src/router/registry.js';
import { embedText, type LoopLab, numberAfter, startLoopLab } from './support/looplab.js';
import { until } from './support/tiny-bot.js';

let lab: LoopLab;

beforeAll(async () => {
  const commands = new Map(await loadCommands());
  commands.set(
    'boom',
    defineCommand({
      definition: { name: 'boom', description: 'a handler that throws (test only)' },
      demo: false,
      async execute() {
        throw new Error('kaboom');
      },
    }),
  );
  commands.set(
    'boomlater',
    defineCommand({
      definition: { name: 'boomlater', description: 'defers, then throws (test only)' },
      demo: false,
      async execute(run) {
        await run.session.defer();
        throw new Error('kaboom after defer');
      },
    }),
  );
  lab = await startLoopLab({ commands });
  // Warm up: the first demo pays for JIT and the worker's start.
  await lab.api.invoke({ user: 'warmup', command: 'nonblock', options: { ms: 20 } });
  await lab.api.invoke({ user: 'warmup', command: 'block', options: { ms: 20 } });
});

afterAll(async () => {
  await lab?.stop();
});

const channelNote = (userId: string) => (m: { content: string; interactionId: string | null }) =>
  m.interactionId === null && m.content.includes(`<@${userId}>`);

describe('LoopLab through the sandbox, with real discord.js', () => {
  it("a student's /block 4000 loses its token and the channel is told why, with the numbers", async () => {
    const view = await lab.api.invoke({ user: 'alice', command: 'block', options: { ms: 4_000 } });
    expect(view.status).toBe('failed');
    const note = await lab.api.waitForMessage(
      lab.channelId,
      (m) => channelNote(view.userId)(m) && m.content.includes('/block 4000'),
    );
    const text = embedText(note);
    expect(note.content).toContain(`<@${view.userId}>`);
    expect(note.content).toMatch(/expired/);
    expect(numberAfter(note.content, 'expired\\*\\* after')).toBeGreaterThanOrEqual(4_000);
    expect(text).toMatch(/own work ran on the main thread/);
    expect(note.attachments[0]?.contentType).toBe('image/png');
  });

  it('/block 500 is answered, and reports a loop delay of at least 450 ms', async () => {
    const view = await lab.api.invoke({ user: 'alice', command: 'block', options: { ms: 500 } });
    expect(view.status).toBe('replied');
    const text = embedText(view.messages[0]!);
    expect(text).toMatch(/Answered after/);
    expect(numberAfter(text, 'max')).toBeGreaterThanOrEqual(450);
    expect(text).toMatch(/main thread/);
    expect(text).toMatch(/explain topic:blocking/);
  });

  it('/nonblock 4000 defers within 3 s and edits its report, and an /io 100 meanwhile is answered in time', async () => {
    const { id } = await lab.api.send({ user: 'carol', command: 'nonblock', options: { ms: 4_000 } });
    const deferred = await until(async () => {
      const v = await lab.api.interaction(id);
      return v.status === 'deferred' ? v : null;
    });
    expect(deferred.ackedAt! - deferred.createdAt).toBeLessThan(3_000);
    const io = await lab.api.invoke({ user: 'dave', command: 'io', options: { ms: 100 } });
    expect(io.status).toBe('deferred');
    expect(io.ackedAt! - io.createdAt).toBeLessThan(3_000);
    expect(io.messages[0]!.editedAt! - io.createdAt).toBeLessThan(3_000);
    const done = await lab.api.waitSettled(id, 15_000);
    expect(done.messages[0]!.editedAt! - done.createdAt).toBeGreaterThanOrEqual(4_000);
    const text = embedText(done.messages[0]!);
    expect(text).toMatch(/Deferred in \*\*[\d.]+ ms\*\*, then done in \*\*4\.\d\d s\*\*/);
    expect(text).toMatch(/worker thread/);
    expect(text).toMatch(/A deferred reply can be edited for 15 minutes \(until \d\d:\d\d:\d\d UTC\)/);
    expect(text).toMatch(/Nobody: no command held the main thread/);
    expect(done.messages[0]!.attachments.map((a) => a.filename)).toEqual(['timeline.png']);
  });

  it("Alice's /block 2000 then Bob's /io 50: Bob's reply names Alice's /block as what held him", async () => {
    const [alice, bob] = await lab.api.scenario([
      { afterMs: 0, user: 'alice', command: 'block', options: { ms: 2_000 } },
      { afterMs: 300, user: 'bob', command: 'io', options: { ms: 50 } },
    ]);
    const bobView = await lab.api.waitSettled(bob!.id, 10_000);
    expect(bobView.status).toBe('deferred');
    const text = embedText(bobView.messages[0]!);
    expect(text).toMatch(/\*\*alice\*\*’s `\/block 2000` held it for \*\*1\.\d\d s\*\*/);
    expect((await lab.api.waitSettled(alice!.id)).status).toBe('replied');
  });

  it("Alice's /block 3500 then Bob's /io 50: Bob's token dies too, and the channel says Alice's /block held him", async () => {
    const [, bob] = await lab.api.scenario([
      { afterMs: 0, user: 'alice', command: 'block', options: { ms: 3_500 } },
      { afterMs: 200, user: 'bob', command: 'io', options: { ms: 50 } },
    ]);
    const bobView = await lab.api.waitSettled(bob!.id, 10_000);
    expect(bobView.status).toBe('failed');
    const note = await lab.api.waitForMessage(
      lab.channelId,
      (m) => channelNote(bobView.userId)(m) && m.content.includes('/io 50'),
    );
    expect(note.content).toMatch(/expired/);
    expect(note.content).toMatch(/held by \*\*alice\*\*’s `\/block 3500`/);
  });

  it('answers an unknown command with a kind ephemeral message', async () => {
    const view = await lab.api.invoke({ user: 'erin', command: 'teleport', validate: false });
    expect(view.status).toBe('replied');
    expect(view.messages[0]?.ephemeral).toBe(true);
    expect(view.messages[0]?.content).toMatch(/don't know `\/teleport`/);
  });

  it('answers an out-of-range or wrong-typed ms with an ephemeral error, never a crash', async () => {
    for (const options of [{ ms: 99_999 }, { ms: 0 }, { ms: 'soon' }, {}]) {
      const view = await lab.api.invoke({ user: 'erin', command: 'block', options, validate: false });
      expect(view.status).toBe('replied');
      expect(view.messages[0]?.ephemeral).toBe(true);
      expect(view.messages[0]?.content).toMatch(/`ms`/);
    }
    const ok = await lab.api.invoke({ user: 'erin', command: 'block', options: { ms: 5 } });
    expect(ok.status).toBe('replied');
  });

  it('logs a throwing handler with the interaction id, apologises, and keeps running', async () => {
    const view = await lab.api.invoke({ user: 'frank', command: 'boom' });
    expect(view.messages[0]?.ephemeral).toBe(true);
    expect(view.messages[0]?.content).toMatch(/Sorry, something went wrong/);
    const lines = lab.logs.filter((l) => l.msg === 'command failed' && l.interactionId === view.id);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe(50);
    expect(JSON.stringify(lines[0])).toContain('kaboom');
    expect((await lab.api.invoke({ user: 'frank', command: 'lag' })).status).toBe('replied');
  });

  it('replaces the "thinking…" placeholder with the apology when a handler throws after deferring', async () => {
    const view = await lab.api.invoke({ user: 'frank', command: 'boomlater' });
    expect(view.status).toBe('deferred');
    expect(view.settled).toBe(true);
    expect(view.messages).toHaveLength(1);
    expect(view.messages[0]?.content).toMatch(/Sorry, something went wrong/);
  });

  it('/lag reports a 1.6 s block in both windows, over a quiet median, and the verdict it earns', async () => {
    const block = await lab.api.invoke({ user: 'gina', command: 'block', options: { ms: 1_600 } });
    expect(block.status).toBe('replied');
    const view = await lab.api.invoke({ user: 'gina', command: 'lag' });
    const embed = view.messages[0]!.embeds[0]!;
    const fields = embed.fields!;
    for (const name of ['Loop delay, last 10 s', 'Loop delay, last 60 s']) {
      const value = fields.find((f) => f.name === name)!.value;
      // The block is one stall of ~1.6 s: the max sees it whole, the median of ~10 ms samples does not.
      expect(numberAfter(value, 'max')).toBeGreaterThanOrEqual(1_500);
      expect(numberAfter(value, 'p50')).toBeLessThan(100);
    }
    // A single stall of 1 s or more in the last 10 s: "loop blocked", with no doubt about it.
    expect(embed.title).toBe('Event loop now: loop blocked');
    expect(fields.find((f) => f.name === 'Worker pool')!.value).toMatch(/\b1 threads\b/);
  });

  it('never writes the bot token or an interaction token to its logs', async () => {
    // A deferred demo uses its token twice (the callback, then the webhook edit), and is logged.
    const view = await lab.api.invoke({ user: 'hank', command: 'nonblock', options: { ms: 50 } });
    expect(view.status).toBe('deferred');
    await until(() => lab.logs.some((l) => l.interactionId === view.id));
    const all = lab.rawLogs.join('\n');
    expect(all).not.toContain(lab.sandbox.botToken);
    expect(all).not.toMatch(/aW50ZXJhY3Rpb24[\w-]{20,}/);
  });
});
