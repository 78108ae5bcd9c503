import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot, type LoopLabBot } from '../src/bot/create-bot.js';
import { loadConfig } from '../src/config/env.js';
import { createLogger } from '../src/log/logger.js';
import { type SandboxThread, startSandboxThread } from '../src/sandbox/thread.js';
import type { InteractionView } from '../src/sandbox/views.js';
import { embedText, type LoopLab, startLoopLab } from './support/looplab.js';

/**
 * A teacher's controls and the defaults that protect a class, through the real bot: one
 * sandbox (one guild), bots started and restarted on one DATA_DIR.
 */
const quiet = () =>
  createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });

async function bot(
  sandbox: SandboxThread,
  dataDir: string,
  env: Record<string, string> = {},
): Promise<LoopLabBot> {
  const config = loadConfig({ POOL_SIZE: '1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env }, false);
  const b = await createBot({ config, logger: quiet(), token: sandbox.botToken, apiUrl: sandbox.apiUrl });
  await b.start();
  await b.deploy(sandbox.guildId);
  return b;
}

const text = (view: InteractionView) => view.messages.map((m) => embedText(m)).join('\n');

describe('/classroom, for teachers', () => {
  let sandbox: SandboxThread;
  let current: LoopLabBot;
  const dataDir = mkdtempSync(join(tmpdir(), 'looplab-classroom-'));

  beforeAll(async () => {
    sandbox = await startSandboxThread();
    current = await bot(sandbox, dataDir);
  });

  afterAll(async () => {
    await current?.stop();
    await sandbox?.close();
  });

  it('is registered for Manage Server only, in guilds, with show, set, pause and resume', async () => {
    // As Discord stores it: read back through the REST API with the bot's token.
    const response = await fetch(
      `${sandbox.apiUrl}/v10/applications/${sandbox.applicationId}/guilds/${sandbox.guildId}/commands`,
      { headers: { authorization: `Bot ${sandbox.botToken}` } },
    );
    const registered = (await response.json()) as Array<{
      name: string;
      default_member_permissions: string;
      contexts: number[];
      options: Array<{ name: string; type: number; options?: Array<{ name: string }> }>;
    }>;
    const classroom = registered.find((c) => c.name === 'classroom')!;
    expect(classroom.default_member_permissions).toBe('32');
    expect(classroom.contexts).toEqual([0]);
    expect(classroom.options.map((o) => [o.name, o.type])).toEqual([
      ['show', 1],
      ['set', 1],
      ['pause', 1],
      ['resume', 1],
    ]);
    expect(classroom.options[1]!.options!.map((o) => o.name)).toEqual([
      'max_ms',
      'cooldown_s',
      'budget_s',
      'concurrent',
    ]);
  });

  it('refuses a member without Manage Server, checked again when it runs', async () => {
    // Discord's client hides /classroom from this member; a server can override that, so the bot
    // checks again (validate:false sends it as such a server would let it through).
    const view = await sandbox.client.invoke({
      user: 'student',
      command: 'classroom set',
      options: { cooldown_s: 1 },
      validate: false,
    });
    expect(view.messages[0]!.ephemeral).toBe(true);
    expect(view.messages[0]!.content).toBe(
      'Only members with **Manage Server** can change the classroom settings. Ask a teacher.',
    );
    const show = await sandbox.client.invoke({
      user: 'teacher',
      teacher: true,
      command: 'classroom show',
      options: {},
    });
    expect(text(show)).toMatch(
      /Cooldown per person:\*\* 5\.00 s, counted from the end of their demo \*\(default\)\*/,
    );
  });

  it('set cooldown_s:30 refuses a second /block 100, and the setting survives a restart', async () => {
    const set = await sandbox.client.invoke({
      user: 'teacher',
      teacher: true,
      command: 'classroom set',
      options: { cooldown_s: 30 },
    });
    expect(set.messages[0]!.ephemeral).toBe(true);
    expect(text(set)).toMatch(/✅ Saved/);
    expect(text(set)).toMatch(
      /Cooldown per person:\*\* 30\.0 s, counted from the end of their demo \*\(set here\)\*/,
    );

    const first = await sandbox.client.invoke({ user: 'pia', command: 'block', options: { ms: 100 } });
    expect(text(first)).toMatch(/Answered after/);
    const second = await sandbox.client.invoke({ user: 'pia', command: 'block', options: { ms: 100 } });
    expect(second.messages[0]!.ephemeral).toBe(true);
    expect(second.messages[0]!.content).toMatch(/30\.0 s between one person's demos.*Try again in (29|30) s/);

    await current.stop();
    current = await bot(sandbox, dataDir);
    const afterRestart = await sandbox.client.invoke({
      user: 'quin',
      command: 'block',
      options: { ms: 100 },
    });
    expect(text(afterRestart)).toMatch(/Answered after/);
    const refused = await sandbox.client.invoke({ user: 'quin', command: 'block', options: { ms: 100 } });
    expect(refused.messages[0]!.content).toMatch(/30\.0 s between one person's demos/);
  });

  it('pause refuses demos kindly while /explain and /lag still work; resume lets them run again', async () => {
    const pause = await sandbox.client.invoke({
      user: 'teacher',
      teacher: true,
      command: 'classroom pause',
      options: {},
    });
    expect(text(pause)).toMatch(/Demos are paused/);
    const refused = await sandbox.client.invoke({ user: 'ray', command: 'nonblock', options: { ms: 10 } });
    expect(refused.messages[0]!.content).toMatch(/A teacher has paused the demos/);
    expect(refused.messages[0]!.ephemeral).toBe(true);
    const lesson = await sandbox.client.invoke({ user: 'ray', command: 'explain', options: {} });
    expect(lesson.messages[0]!.embeds[0]!.title).toBeTruthy();
    const lag = await sandbox.client.invoke({ user: 'ray', command: 'lag', options: {} });
    expect(lag.messages[0]!.embeds[0]!.title).toMatch(/^Event loop now:/);
    await sandbox.client.invoke({ user: 'teacher', teacher: true, command: 'classroom resume', options: {} });
    const ran = await sandbox.client.invoke({ user: 'ray', command: 'nonblock', options: { ms: 10 } });
    expect(text(ran)).toMatch(/Deferred in/);
  });
});

describe('defaults that protect a class', () => {
  let lab: LoopLab;

  beforeAll(async () => {
    // LoopLab's own defaults: 5 s cooldown, 20 s of blocking per minute.
    lab = await startLoopLab({ env: { COOLDOWN_MS: '5000', MAIN_THREAD_BUDGET_MS: '20000' } });
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it('ten /block 3000 from one student 30 ms apart: the repeats are refused at once, and another student is answered', async () => {
    const steps = Array.from({ length: 10 }, (_, i) => ({
      afterMs: i * 30,
      user: 'spammer',
      command: 'block',
      options: { ms: 3_000 },
    }));
    const sent = await lab.api.scenario(steps);
    const views = await Promise.all(sent.map((s) => lab.api.waitSettled(s.id)));
    const answered = views.filter((v) => v.status === 'replied');
    const refusals = answered.filter((v) => v.messages[0]?.ephemeral);
    expect(answered.length).toBeGreaterThanOrEqual(5);
    expect(refusals.length).toBe(answered.length);
    for (const r of refusals)
      expect(r.messages[0]!.content).toMatch(/still running|between one person's demos/);
    // The first block ended about 3 s after it began; 1.5 s later another student is answered in time.
    const endedAt = Math.max(...views.map((v) => v.failedAt ?? v.ackedAt ?? 0));
    await new Promise((r) => setTimeout(r, Math.max(0, endedAt + 1_500 - Date.now())));
    const io = await lab.api.invoke({ user: 'bystander', command: 'io', options: { ms: 50 } });
    expect(io.status).toBe('deferred');
    expect(io.ackedAt! - io.createdAt).toBeLessThan(1_000);
  });
});

describe("the server's main-thread budget", () => {
  let lab: LoopLab;

  beforeAll(async () => {
    lab = await startLoopLab({ env: { COOLDOWN_MS: '0', MAIN_THREAD_BUDGET_MS: '3000' } });
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it('refuses a /block that would go past it, naming who spent it, and still admits /nonblock', async () => {
    expect((await lab.api.invoke({ user: 'ana', command: 'block', options: { ms: 1_500 } })).status).toBe(
      'replied',
    );
    expect((await lab.api.invoke({ user: 'bo', command: 'block', options: { ms: 1_000 } })).status).toBe(
      'replied',
    );
    const refused = await lab.api.invoke({ user: 'cy', command: 'block', options: { ms: 1_000 } });
    expect(refused.messages[0]!.ephemeral).toBe(true);
    expect(refused.messages[0]!.content).toMatch(
      /^This server's main thread is budgeted at 3\.00 s of blocking per minute, and 2\.50 s of it went in the last minute \(\*\*ana\*\* 1\.50 s, \*\*bo\*\* 1\.00 s\)\. `\/block 1000` would go past it\. Try `\/nonblock`: it does the same work on a worker thread, and nobody waits\. Or wait 5\d s\.$/,
    );
    const offloaded = await lab.api.invoke({ user: 'cy', command: 'nonblock', options: { ms: 100 } });
    expect(offloaded.status).toBe('deferred');
  });
});
