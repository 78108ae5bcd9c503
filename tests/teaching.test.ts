import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LESSONS } from '../src/lessons/lessons.js';
import { compareLayout } from '../src/report/charts/compare-chart.js';
import { COLORS } from '../src/report/charts/svg.js';
import { embedText, type LoopLab, startLoopLab } from './support/looplab.js';
import { until } from './support/tiny-bot.js';

let lab: LoopLab;
const watchdogLog = join(mkdtempSync(join(tmpdir(), 'looplab-watchdog-')), 'watchdog.log');

beforeAll(async () => {
  lab = await startLoopLab({ watchdogLogFile: watchdogLog });
  await lab.api.invoke({ user: 'warmup', command: 'nonblock', options: { ms: 20 } });
});

afterAll(async () => {
  await lab?.stop();
});

function hex(color: string): [number, number, number] {
  const n = Number.parseInt(color.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function columnHas(png: PNG, x: number, yFrom: number, yTo: number, color: string, tolerance = 40): number {
  const [r, g, b] = hex(color);
  let hits = 0;
  for (let y = Math.round(yFrom); y < Math.round(yTo); y++) {
    const i = (png.width * y + Math.round(x)) << 2;
    const d = Math.abs(png.data[i]! - r) + Math.abs(png.data[i + 1]! - g) + Math.abs(png.data[i + 2]! - b);
    if (d <= tolerance) hits++;
  }
  return hits;
}

describe('teaching depth', () => {
  it('/explain walks every lesson with its buttons, and "try it" runs the demo', async () => {
    const first = await lab.api.invoke({ user: 'alice', command: 'explain' });
    const message = first.messages[0]!;
    expect(message.embeds[0]?.title).toBe(LESSONS[0]!.title);
    const seen = [message.embeds[0]!.title];
    for (let i = 1; i < LESSONS.length; i++) {
      const current = await lab.api.message(message.id);
      const next = (current.components[0] as { components: Array<{ custom_id: string; label: string }> })
        .components[2]!;
      const click = await lab.api.clickAndSettle('alice', message.id, next.custom_id);
      expect(click.callbackType).toBe(7); // UPDATE_MESSAGE: the lesson changes in place
      seen.push((await lab.api.message(message.id)).embeds[0]!.title);
    }
    expect(seen).toEqual(LESSONS.map((l) => l.title));
    const text = embedText(await lab.api.message(message.id));
    expect(text).toContain('```js');
    expect(text).toContain('```py');
    // "Try it" on the last lesson (yielding) runs /yield.
    const last = await lab.api.message(message.id);
    const tryIt = (last.components[0] as { components: Array<{ custom_id: string }> }).components[1]!;
    const ran = await lab.api.clickAndSettle('bob', message.id, tryIt.custom_id, 20_000);
    expect(ran.status).toBe('deferred');
    expect(embedText(ran.messages[0]!)).toMatch(/\/yield 3000/);
  });

  it('answers a stale or foreign button with a clear ephemeral message', async () => {
    const sent = await lab.api.invoke({ user: 'carol', command: 'explain', options: { topic: 'blocking' } });
    // Forge a message with an old-format button, as an older LoopLab or another app would have left.
    const stale = await lab.bot.client.rest.post(`/channels/${lab.channelId}/messages`, {
      body: {
        content: 'old',
        components: [
          { type: 1, components: [{ type: 2, style: 1, label: 'old', custom_id: 'explain:next:0' }] },
        ],
      },
    });
    const view = await lab.api.clickAndSettle('carol', (stale as { id: string }).id, 'explain:next:0');
    expect(view.messages[0]?.ephemeral).toBe(true);
    expect(view.messages[0]?.content).toMatch(/older LoopLab message or another app/);
    expect(sent.status).toBe('replied');
  });

  it('/compare 2000 answers with one table and a PNG that shows the blocked span', async () => {
    const view = await lab.api.invoke({ user: 'dave', command: 'compare', options: { ms: 2_000 } }, 40_000);
    expect(view.status).toBe('deferred');
    const message = view.messages[0]!;
    const text = embedText(message);
    expect(text).toMatch(/strategy\s+first answer\s+done\s+loop max\s+others/);
    for (const row of ['block', 'nonblock', 'io', 'yield']) expect(text).toMatch(new RegExp(`\\n${row}\\s+`));
    const block = /\nblock\s+(\d+) ms\s+([\d.]+) s\s+(\d+) ms\s+waited/.exec(text)!;
    expect(Number(block[1])).toBeGreaterThanOrEqual(2_000); // first answer only after the work
    expect(Number(block[1])).toBeLessThan(2_900);
    expect(Number(block[2])).toBeGreaterThanOrEqual(2.0);
    expect(Number(block[3])).toBeGreaterThanOrEqual(1_900); // everyone else waited ~2 s
    expect(text).toMatch(/nonblock\s+[\d.]+ ms\s+2\.\d\d s\s+[\d.]+ ms\s+served/);
    const png = PNG.sync.read(await lab.api.attachment(message.attachments[0]!.url));
    expect([png.width, png.height]).toEqual([800, 300]);
    // Four lanes of ~2 s each: the axis runs to 3.5 s (past the deadline line).
    const layout = compareLayout(
      Array.from({ length: 4 }, () => ({
        label: '',
        durationMs: 2_100,
        ackMs: 0,
        failed: false,
        mainThreadBusy: [],
        offThread: [],
        loopDelayMaxMs: 0,
      })),
    );
    const x = layout.x(1_000);
    const lane = (i: number): [number, number] => [layout.laneTop(i), layout.laneTop(i) + layout.laneHeight];
    // The block lane (first) is shaded as main-thread busy at 1 s; the nonblock lane (second) is not.
    expect(columnHas(png, x, ...lane(0), COLORS.self, 60)).toBeGreaterThan(5);
    expect(columnHas(png, x, ...lane(1), COLORS.self, 60)).toBe(0);
    // The 3 s deadline line crosses every lane.
    for (let i = 0; i < 4; i++)
      expect(columnHas(png, layout.x(3_000), ...lane(i), COLORS.deadline, 60)).toBeGreaterThan(3);
  });

  it('logs the watchdog line while a /block 3000 is still running', async () => {
    const view = await lab.api.invoke({ user: 'erin', command: 'block', options: { ms: 3_000 } });
    const lines = await until(() => {
      const text = (() => {
        try {
          return readFileSync(watchdogLog, 'utf8');
        } catch {
          return '';
        }
      })();
      const parsed = text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { time: number; msg: string });
      // Only this block's lines: an earlier test's stall (the /compare) wrote its own.
      const mine = parsed.filter((l) => l.time >= view.createdAt);
      return mine.some((l) => l.msg.includes('free again')) ? mine : null;
    });
    const first = lines.find((l) =>
      /main thread stalled for \d+ ms \(running \/block 3000 by erin\)/.test(l.msg),
    );
    if (!first) throw new Error(`no stall line for erin's /block in ${JSON.stringify(lines)}`);
    const blockSpan = lab.bot.ctx.measure.ledger
      .spans(view.createdAt, Date.now())
      .find((s) => s.interactionId === view.id)!;
    expect(first.time).toBeGreaterThan(blockSpan.start);
    expect(first.time).toBeLessThan(blockSpan.end - 2_000); // seen early, during the stall
    const during = (l: { time: number }) => l.time > blockSpan.start && l.time <= blockSpan.end + 500;
    expect(lines.filter((l) => l.msg.includes('still stalled') && during(l)).length).toBeGreaterThanOrEqual(
      1,
    );
    // "free again" comes once, after the block, and says about how long it was (3 s).
    const free = lines.filter((l) => l.msg.includes('free again') && during(l));
    expect(free).toHaveLength(1);
    expect(Number(/free again after (\d+) ms/.exec(free[0]!.msg)?.[1])).toBeGreaterThanOrEqual(2_900);
    expect(view.status).toBe('failed'); // 3 s of blocking: its own token died too
    const note = await lab.api.waitForMessage(lab.channelId, (m) => m.content.includes(`<@${view.userId}>`));
    expect(embedText(note)).toMatch(/watchdog thread saw the stall at \+\d+ ms/);
  });

  it('/ticker shows a gap of about the block’s length between two edits during a /block 2500', async () => {
    const [ticker] = await lab.api.scenario([
      { afterMs: 0, user: 'frank', command: 'ticker', options: { seconds: 8 } },
      { afterMs: 2_300, user: 'gina', command: 'block', options: { ms: 2_500 } },
    ]);
    const tickerView = await lab.api.waitSettled(ticker!.id);
    const messageId = tickerView.messages[0]!.id;
    const done = await until(async () => {
      const m = await lab.api.message(messageId);
      return m.content.includes('Ticker stopped') ? m : null;
    }, 20_000);
    expect(done.content).toMatch(/[1-9]\d* seconds? skipped while the event loop was blocked/);
    const edits = done.edits;
    const gaps = edits.slice(1).map((t, i) => t - edits[i]!);
    const longest = Math.max(...gaps);
    expect(longest).toBeGreaterThanOrEqual(2_300);
    expect(longest).toBeLessThan(4_000);
    // Outside the block, it ticks about once a second.
    const normal = gaps.filter((g) => g < 1_500);
    expect(normal.length).toBeGreaterThanOrEqual(3);
    // One ticker per channel.
    const second = await lab.api.invoke({ user: 'hank', command: 'ticker', options: { seconds: 5 } });
    const other = await lab.api.invoke({ user: 'hank', command: 'ticker', options: { seconds: 5 } });
    expect(second.status).toBe('replied');
    expect(other.messages[0]?.ephemeral).toBe(true);
    expect(other.messages[0]?.content).toMatch(/already running here/);
  });
});
