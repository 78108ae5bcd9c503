import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ARMED_RATE_LIMIT_BOUNDS,
  ATTACHMENT_BOUNDS,
  CHANNEL_MESSAGE_BOUNDS,
  INTERACTION_BOUNDS,
  MESSAGE_EDIT_BOUNDS,
  RECORDED_RESPONSE_BOUNDS,
  REFUSAL_BOUNDS,
  USER_BOUNDS,
} from '../src/sandbox/bounds.js';
import { SandboxClock } from '../src/sandbox/clock.js';
import { type InteractionRecord, InteractionStore } from '../src/sandbox/interaction-store.js';
import { invokeCommand } from '../src/sandbox/invocations.js';
import { createMessage, editMessage } from '../src/sandbox/messages.js';
import { ArmedRateLimits } from '../src/sandbox/rest/rate-limits.js';
import { ResponseRecorder } from '../src/sandbox/rest/recording.js';
import { interactionView, messageView } from '../src/sandbox/views.js';
import { SandboxWorld, type WorldBounds } from '../src/sandbox/world.js';

/**
 * The sandbox's memory is bounded by age and by count (src/sandbox/bounds.ts). Fake timers move
 * this machine's clock, by which every store ages; the sandbox's own ("Discord's") clock is moved
 * separately, and must never make a store forget.
 */
const HOUR_MS = 3_600_000;
const stores: InteractionStore[] = [];

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 0, 5, 9, 0, 0) });
});
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  vi.useRealTimers();
});

function setup(bounds?: { keepMs: number; maxEntries: number }, worldBounds: Partial<WorldBounds> = {}) {
  const clock = new SandboxClock();
  const world = new SandboxWorld(clock, {}, worldBounds);
  const store = new InteractionStore(world, bounds ? { bounds } : {});
  stores.push(store);
  // One millisecond per interaction, so snowflakes stay unique (4 096 per millisecond); the clock
  // moves without running timers, which a flood of thousands would make slow.
  const tick = () => vi.setSystemTime(Date.now() + 1);
  const send = (ackedElsewhere = false): InteractionRecord => {
    tick();
    return invokeCommand(world, store, { user: 'alice', command: 'hi', validate: false, ackedElsewhere });
  };
  const post = (content: string, files: Array<{ name: string; data: Buffer }> = []) => {
    tick();
    return createMessage(world, {
      channelId: world.channelId,
      author: world.bot,
      body: { content },
      files: files.map((f) => ({
        field: 'files[0]',
        filename: f.name,
        contentType: 'image/png',
        data: f.data,
      })),
    });
  };
  return { clock, world, store, send, post };
}

/** Lets resolved promises run their callbacks (fake timers do not move for this). */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('the interaction store', () => {
  it("forgets interactions older than its window, by this machine's clock and never by the sandbox's", () => {
    const { clock, store, send } = setup();
    const old = send();
    vi.advanceTimersByTime(INTERACTION_BOUNDS.keepMs - 1_000);
    const young = send();
    // A lesson jumps "Discord's" clock a day ahead: the expired token must still answer 50027, so
    // nothing is forgotten for it.
    clock.advance(24 * HOUR_MS);
    expect(store.get(old.id)).toBe(old);
    expect(store.byToken(old.token)).toBe(old);
    vi.advanceTimersByTime(2_000);
    expect(store.get(old.id)).toBeUndefined();
    expect(store.byToken(old.token)).toBeUndefined();
    expect(store.get(young.id)).toBe(young);
    expect(store.size).toBe(1);
    vi.advanceTimersByTime(INTERACTION_BOUNDS.keepMs);
    expect(store.size).toBe(0);
  });

  it('keeps at most maxEntries interactions: the newest survive a flood', () => {
    const { store, send } = setup();
    const max = INTERACTION_BOUNDS.maxEntries;
    // Acknowledged elsewhere, so thousands of 3 s timers do not slow the fake clock down.
    const records = Array.from({ length: max + 10 }, () => send(true));
    expect(store.size).toBe(max);
    for (const gone of records.slice(0, 10)) {
      expect(store.get(gone.id)).toBeUndefined();
      expect(store.byToken(gone.token)).toBeUndefined();
    }
    expect(store.get(records[10]!.id)).toBe(records[10]);
    expect(store.byToken(records.at(-1)!.token)).toBe(records.at(-1));
    expect(store.recent(max).map((r) => r.id)).toEqual(records.slice(10).map((r) => r.id));
  });

  it('clears the deadline timer of a forgotten interaction, even one armed a day ahead', () => {
    const { clock, store, send } = setup({ keepMs: INTERACTION_BOUNDS.keepMs, maxEntries: 3 });
    const sweeper = vi.getTimerCount();
    for (let i = 0; i < 5; i++) send();
    // Only the three kept (all still pending) hold a 3 s timer.
    expect(vi.getTimerCount()).toBe(sweeper + 3);
    // "Discord's" clock set back a day: each deadline is re-armed a day ahead...
    clock.setOffset(-24 * HOUR_MS);
    store.clockChanged();
    expect(vi.getTimerCount()).toBe(sweeper + 3);
    // ...and when those records are pushed out, their day-long timers go with them.
    const newest = [send(), send(), send()];
    expect(vi.getTimerCount()).toBe(sweeper + 3);
    expect(newest.every((r) => r.status === 'pending')).toBe(true);
  });

  it('answers a waiter at once when its interaction is forgotten, and keeps the others waiting', async () => {
    const { store, send } = setup({ keepMs: INTERACTION_BOUNDS.keepMs, maxEntries: 3 });
    const first = send();
    const second = send();
    const settled: string[] = [];
    const waitFirst = store.waitSettled(first, 10 * 60_000).then((r) => settled.push(r.id));
    const waitSecond = store.waitSettled(second, 10 * 60_000).then((r) => settled.push(r.id));
    send();
    send(); // the fourth pushes `first` out
    await flush();
    expect(settled).toEqual([first.id]);
    second.status = 'replied';
    store.changed(second);
    await Promise.all([waitFirst, waitSecond]);
    expect(settled).toEqual([first.id, second.id]);
  });

  it('wakes a waiter when the periodic sweep forgets its interaction, with no request coming in', async () => {
    const { store, send } = setup();
    const record = send();
    record.status = 'deferred'; // settled only by an edit that never comes
    let answered = false;
    void store.waitSettled(record, 24 * HOUR_MS).then(() => {
      answered = true;
    });
    vi.advanceTimersByTime(INTERACTION_BOUNDS.keepMs - 1_000);
    await flush();
    expect(answered).toBe(false);
    vi.advanceTimersByTime(2 * 60_000); // past the window, and one sweep later
    await flush();
    expect(answered).toBe(true);
  });

  it("keeps at most REFUSAL_BOUNDS.maxEntries of one interaction's refusals, the newest", () => {
    const { world, store, send } = setup();
    const record = send();
    const max = REFUSAL_BOUNDS.maxEntries;
    for (let i = 0; i < max + 5; i++) {
      store.refuse(record, { at: i, method: 'POST', route: '/r', status: 404, code: 10062, message: 'x' });
    }
    const refusals = interactionView(world, store, record).refusals;
    expect(refusals).toHaveLength(max);
    expect(refusals[0]!.at).toBe(5);
    expect(refusals.at(-1)!.at).toBe(max + 4);
  });
});

describe("the world's stores", () => {
  it("keeps a channel's newest messages up to its cap, and forgets those older than the window", () => {
    const { world, post } = setup();
    const max = CHANNEL_MESSAGE_BOUNDS.maxEntries;
    const ids = Array.from({ length: max + 5 }, (_, i) => post(`message ${i}`).id);
    const kept = world.messages.inChannel(world.channelId)!;
    expect(kept).toHaveLength(max);
    expect(kept[0]!.content).toBe('message 5');
    expect(kept.at(-1)!.content).toBe(`message ${max + 4}`);
    for (const id of ids.slice(0, 5)) expect(world.messages.get(id)).toBeUndefined();
    expect(world.messages.get(ids.at(-1)!)?.content).toBe(`message ${max + 4}`);
    vi.advanceTimersByTime(CHANNEL_MESSAGE_BOUNDS.keepMs + 1);
    expect(world.messages.inChannel(world.channelId)).toEqual([]);
    expect(world.messages.get(ids.at(-1)!)).toBeUndefined();
  });

  it('bounds uploaded files by count and by age', () => {
    const { world, post } = setup(undefined, {
      attachments: { keepMs: ATTACHMENT_BOUNDS.keepMs, maxEntries: 2 },
    });
    const png = Buffer.from('89504e47', 'hex');
    const files = ['a.png', 'b.png', 'c.png'].map(
      (name) => post(name, [{ name, data: png }]).attachments[0]!,
    );
    expect(world.messages.attachment(files[0]!.id)).toBeUndefined();
    expect(world.messages.attachment(files[2]!.id)?.filename).toBe('c.png');
    expect(world.messages.attachmentCount).toBe(2);
    vi.advanceTimersByTime(ATTACHMENT_BOUNDS.keepMs + 1);
    expect(world.messages.attachment(files[2]!.id)).toBeUndefined();
  });

  it("keeps the newest MESSAGE_EDIT_BOUNDS.maxEntries of a message's edit times", () => {
    const { world, post } = setup();
    const message = post('ticking');
    const max = MESSAGE_EDIT_BOUNDS.maxEntries;
    const times: number[] = [];
    for (let i = 0; i < max + 5; i++) {
      vi.advanceTimersByTime(1);
      editMessage(world, message, { content: `tick ${i}` }, []);
      times.push(message.editedAt!);
    }
    const { edits } = messageView(world, message);
    expect(edits).toHaveLength(max);
    expect(edits).toEqual(times.slice(5));
  });

  it('forgets users a day after their last action, and refuses (never evicts) past the cap', () => {
    const { world } = setup(undefined, { users: { keepMs: USER_BOUNDS.keepMs, maxEntries: 2 } });
    const alice = world.userNamed('alice');
    world.userNamed('bob');
    expect(world.canAddUser('carol')).toBe(false);
    expect(world.canAddUser('alice')).toBe(true);
    vi.advanceTimersByTime(USER_BOUNDS.keepMs - 1_000);
    expect(world.userNamed('alice')).toBe(alice); // acting again keeps her
    vi.advanceTimersByTime(2_000);
    expect(world.knownUsers().map((u) => u.username)).toEqual(['alice']);
    expect(world.canAddUser('carol')).toBe(true);
  });
});

describe('the REST side', () => {
  it('keeps at most RECORDED_RESPONSE_BOUNDS.maxEntries recorded responses, for at most its window', () => {
    const recorder = new ResponseRecorder();
    const max = RECORDED_RESPONSE_BOUNDS.maxEntries;
    for (let i = 0; i < max + 5; i++) recorder.record('GET', `/r/${i}`, '', 200, {});
    const kept = recorder.values();
    expect(kept).toHaveLength(max);
    expect(kept[0]!.path).toBe('/r/5');
    expect(kept.at(-1)!.path).toBe(`/r/${max + 4}`);
    vi.advanceTimersByTime(RECORDED_RESPONSE_BOUNDS.keepMs + 1);
    expect(recorder.values()).toEqual([]);
  });

  it('keeps interaction tokens out of recorded paths', () => {
    const recorder = new ResponseRecorder();
    recorder.record('POST', '/interactions/123/secret-token/callback', '?with_response=true', 204, undefined);
    expect(recorder.values()[0]!.path).toBe('/interactions/123/:token/callback?with_response=true');
  });

  it('forgets armed rate limits past the cap or after an hour', () => {
    const limits = new ArmedRateLimits();
    const max = ARMED_RATE_LIMIT_BOUNDS.maxEntries;
    for (let i = 0; i <= max; i++) limits.arm({ route: `/r/${i}`, remaining: 1, retryAfterMs: 1_000 });
    expect(limits.take('/r/0', Date.now())).toBeNull();
    expect(limits.take('/r/1', Date.now())?.status).toBe(429);
    expect(limits.take(`/r/${max}`, Date.now())?.status).toBe(429);
    expect(limits.take(`/r/${max}`, Date.now())).toBeNull(); // counted down
    limits.arm({ route: '/late', remaining: 1, retryAfterMs: 1_000 });
    vi.advanceTimersByTime(HOUR_MS + 1);
    expect(limits.take('/late', Date.now())).toBeNull();
  });
});
