/**
 * No secret leaves the bot: a full classroom scenario (a /block that expires and is explained in the
 * channel, /nonblock, /io, /explain and its button, a refused argument, a 503 that outlasts every
 * retry, a 50027 after 15 minutes) runs through the real bot, and then every byte it produced is
 * searched for the bot token and every interaction token the sandbox issued: the logs, the
 * watchdog's log file, every message, embed, file name and file, every REST response, every
 * control-API answer, and every file under the test's folder (the SQLite store included).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERACTION_TOKEN_LIFETIME_MS } from '../src/discord/facts.js';
import { type LoopLab, startLoopLab } from './support/looplab.js';
import { until } from './support/tiny-bot.js';

let lab: LoopLab;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'looplab-secrets-'));
  lab = await startLoopLab({
    env: { COOLDOWN_MS: '0', MAIN_THREAD_BUDGET_MS: '60000', DATA_DIR: join(dir, 'data') },
    sandbox: { exposeTokensForTests: true },
    watchdogLogFile: join(dir, 'watchdog.log'),
  });
});

afterAll(async () => {
  await lab?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Every file under `root`, as bytes read as latin1 (so a token in a binary file is found too). */
function filesUnder(root: string): Array<{ path: string; text: string }> {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, text: readFileSync(path, 'latin1') }];
  });
}

/** The secret, and every 20-character piece of it: a truncated or wrapped copy is still a leak. */
function pieces(secret: string): string[] {
  const out = [secret];
  for (let i = 0; i + 20 <= secret.length; i += 10) out.push(secret.slice(i, i + 20));
  return out;
}

describe('secrets stay secret', () => {
  it('neither the bot token nor any interaction token appears in anything the bot or the sandbox produced', async () => {
    const { api } = lab;
    const note = (userId: string) => (m: { content: string; interactionId: string | null }) =>
      m.interactionId === null && m.content.includes(`<@${userId}>`);

    // A /block that outlives its token, and the channel's explanation (with its chart).
    const expired = await api.invoke({ user: 'alice', command: 'block', options: { ms: 3_500 } });
    expect(expired.status).toBe('failed');
    const explanation = await api.waitForMessage(lab.channelId, note(expired.userId));
    expect(explanation.attachments.length).toBeGreaterThan(0);
    // The demos that go well.
    expect((await api.invoke({ user: 'bob', command: 'nonblock', options: { ms: 200 } })).settled).toBe(true);
    expect((await api.invoke({ user: 'carol', command: 'io', options: { ms: 50 } })).settled).toBe(true);
    const explain = await api.invoke({ user: 'dave', command: 'explain' });
    const button = explain.messages[0]!.components.flatMap(
      (row) => (row as { components?: Array<{ custom_id?: string }> }).components ?? [],
    )[0]?.custom_id;
    expect(button).toBeDefined();
    expect((await api.clickAndSettle('dave', explain.messages[0]!.id, button!)).settled).toBe(true);
    // A refused argument.
    const refused = await api.invoke({
      user: 'erin',
      command: 'block',
      options: { ms: 99_999 },
      validate: false,
    });
    expect(refused.messages[0]?.ephemeral).toBe(true);
    // A 503 on the report's edit that outlasts @discordjs/rest's three retries: the bot's error path.
    await api.fault({
      route: '/webhooks/{id}/{token}/messages/@original',
      status: 503,
      count: 8,
      method: 'PATCH',
    });
    const broken = await api.invoke({ user: 'frank', command: 'io', options: { ms: 50 } }, 15_000);
    expect(broken.refusals.filter((r) => r.status === 503).length).toBeGreaterThanOrEqual(4);
    await until(
      () => lab.logs.some((l) => l.level >= 40 && l.interactionId === broken.id),
      10_000,
      'the failure logged',
    );
    // A token 15 minutes old: Discord's 50027 on the report's edit, and the bot's fallback.
    const { id: late } = await api.send({ user: 'gina', command: 'nonblock', options: { ms: 1_500 } });
    await until(async () => (await api.interaction(late)).status === 'deferred', 3_000, 'the defer');
    await api.advanceClock(INTERACTION_TOKEN_LIFETIME_MS + 60_000);
    await until(
      async () => (await api.interaction(late)).refusals.some((r) => r.code === 50027),
      10_000,
      'the 50027',
    );
    await until(
      () =>
        lab.logs.some(
          (l) =>
            l.interactionId === late && l.level >= 30 && /50027|expired|channel/i.test(JSON.stringify(l)),
        ),
      10_000,
      'the 50027 handled',
    );
    await new Promise((r) => setTimeout(r, 500));

    // The secrets.
    const tokens = await api.tokens();
    const interactions = await api.interactions();
    expect(tokens.length).toBe(interactions.length);
    expect(tokens.length).toBeGreaterThanOrEqual(8);
    const secrets = [lab.sandbox.botToken, ...tokens];

    // Everything produced.
    const messages = await api.channelMessages(lab.channelId);
    const files = await Promise.all(
      messages
        .flatMap((m) => m.attachments)
        .map(async (a) => (await api.attachment(a.url)).toString('latin1')),
    );
    const haystacks: Record<string, string> = {
      'the bot’s log': lab.rawLogs.join('\n'),
      'messages, embeds and file names': JSON.stringify(messages),
      'uploaded files': files.join('\n'),
      'REST responses': JSON.stringify(await api.responses()),
      'control API': JSON.stringify([
        await api.info(),
        interactions,
        await Promise.all(interactions.map((i) => api.interaction(i.id))),
        await api.summary(interactions.map((i) => i.id)),
        await api.gateway(),
      ]),
      ...Object.fromEntries(filesUnder(dir).map((f) => [f.path, f.text])),
    };
    expect(Object.keys(haystacks).some((k) => k.endsWith('watchdog.log'))).toBe(true);
    expect(haystacks['the bot’s log']!.length).toBeGreaterThan(1_000);
    const leaks: string[] = [];
    for (const [where, text] of Object.entries(haystacks)) {
      for (const secret of secrets) {
        const piece = pieces(secret).find((p) => text.includes(p));
        if (piece)
          leaks.push(
            `${secret === lab.sandbox.botToken ? 'the bot token' : 'an interaction token'} in ${where}`,
          );
      }
    }
    expect(leaks).toEqual([]);
  }, 90_000);
});
