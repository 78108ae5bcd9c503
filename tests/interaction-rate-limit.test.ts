/**
 * Discord's global limit (50 requests/s per bot) does not apply to interaction endpoints; a
 * classroom burst answers and edits more than 50 interactions a second. LoopLab sends those
 * requests past @discordjs/rest's client-side global counter (src/bot/create-bot.ts), so the burst
 * is neither held back nor logged as a rate limit, and every report arrives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopLab, startLoopLab } from './support/looplab.js';

let lab: LoopLab;

beforeAll(async () => {
  lab = await startLoopLab({ env: { MAX_CONCURRENT_DEMOS: '1000' } });
  await lab.api.invoke({ user: 'warmup', command: 'io', options: { ms: 1 } });
});

afterAll(async () => {
  await lab?.stop();
});

describe('interaction requests and the global rate limit', () => {
  it('120 /io at once: answered and edited with no client-side global wait and no rate-limit line', async () => {
    const from = lab.logs.length;
    const sent = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        lab.api.send({ user: `student${i}`, command: 'io', options: { ms: 1 } }),
      ),
    );
    const views = await Promise.all(sent.map((s) => lab.api.waitSettled(s.id, 30_000)));
    expect(views.map((v) => v.status)).toEqual(views.map(() => 'deferred'));
    for (const v of views) expect(v.messages[0]?.embeds.length ?? 0).toBeGreaterThanOrEqual(1);
    const limits = lab.logs
      .slice(from)
      .filter((l) => /rate limited|global limiter|rate-limit bucket/.test(String(l.msg)));
    expect(limits.map((l) => l.msg)).toEqual([]);
  });
});
