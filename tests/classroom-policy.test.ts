import { describe, expect, it } from 'vitest';
import { ClassroomPolicy, type DemoRequest } from '../src/classroom/policy.js';
import { type ClassroomSettings, resolveSettings } from '../src/classroom/settings.js';
import { loadConfig } from '../src/config/env.js';
import type { GuildOverrides } from '../src/store/settings-store.js';

const T = 1_800_000_000_000;
const config = loadConfig({ POOL_SIZE: '1' }, false);
const settings = (overrides: GuildOverrides = {}): ClassroomSettings => resolveSettings(config, overrides);
const block = (user: string, ms: number, guildId: string | null = 'g1'): DemoRequest => ({
  guildId,
  userId: user,
  userName: user,
  label: `/block ${ms}`,
  ms,
  mainThreadMs: ms,
});
const nonblock = (user: string, ms: number): DemoRequest => ({
  ...block(user, ms),
  label: `/nonblock ${ms}`,
  mainThreadMs: 0,
});

function admitted(policy: ClassroomPolicy, request: DemoRequest, s: ClassroomSettings, now: number) {
  const a = policy.admit(request, s, now);
  if (!a.ok) throw new Error(`refused: ${a.reason}`);
  return a.ticket;
}

function refusal(policy: ClassroomPolicy, request: DemoRequest, s: ClassroomSettings, now: number) {
  const a = policy.admit(request, s, now);
  if (a.ok) throw new Error('admitted');
  return a;
}

describe('the classroom settings in force', () => {
  it("say where each value came from: LoopLab's default, the operator's .env, or set here", () => {
    const s = resolveSettings(loadConfig({ POOL_SIZE: '1', MAX_CONCURRENT_DEMOS: '3' }, false), {
      cooldownMs: 30_000,
    });
    expect(s.cooldownMs).toEqual({ value: 30_000, source: 'set here' });
    expect(s.concurrent).toEqual({ value: 3, source: '.env' });
    expect(s.budgetMs).toEqual({ value: 20_000, source: 'default' });
    expect(s.maxMs).toEqual({ value: 10_000, source: 'default' });
    expect(s.paused).toEqual({ value: false, source: 'default' });
  });

  it("never let a server raise the ceiling above the operator's MAX_BLOCK_MS", () => {
    expect(settings({ maxMs: 60_000 }).maxMs).toEqual({ value: 10_000, source: 'set here' });
  });
});

describe('the classroom policy', () => {
  it('refuses a burst of repeats from one student at once, and counts the cooldown from the end of the demo', () => {
    const policy = new ClassroomPolicy();
    const s = settings(); // cooldown 5 s by default
    const first = admitted(policy, block('ann', 3_000), s, T);
    // Nine repeats 30 ms apart, all while the first still runs.
    for (let i = 1; i < 10; i++) {
      expect(refusal(policy, block('ann', 3_000), s, T + 30 * i).kind).toBe('already-running');
    }
    policy.finish(first, T + 3_000);
    const r = refusal(policy, block('ann', 3_000), s, T + 3_010);
    expect(r.kind).toBe('cooldown');
    expect(r.reason).toBe(
      "Easy there: this server asks for 5.00 s between one person's demos, counted from the end of the last one. Try again in 5 s, or watch someone else's.",
    );
    expect(refusal(policy, block('ann', 100), s, T + 7_999).reason).toMatch(/Try again in 1 s/);
    expect(policy.admit(block('ann', 100), s, T + 8_000).ok).toBe(true);
  });

  it('does not hold one student’s cooldown against another', () => {
    const policy = new ClassroomPolicy();
    const s = settings();
    policy.finish(admitted(policy, block('ann', 100), s, T), T + 100);
    expect(policy.admit(block('ben', 100), s, T + 200).ok).toBe(true);
    expect(refusal(policy, block('ann', 100), s, T + 300).kind).toBe('cooldown');
  });

  it('spends a budget of main-thread blocking per minute across the class, naming who used it', () => {
    const policy = new ClassroomPolicy();
    const s = settings({ cooldownMs: 0 }); // budget 20 s per minute
    policy.finish(admitted(policy, block('ann', 9_000), s, T), T + 9_000);
    policy.finish(admitted(policy, block('ben', 8_000), s, T + 10_000), T + 18_000);
    const r = refusal(policy, block('cem', 4_000), s, T + 20_000);
    expect(r.kind).toBe('budget');
    expect(r.reason).toBe(
      "This server's main thread is budgeted at 20.0 s of blocking per minute, and 17.0 s of it went in the last minute (**ann** 9.00 s, **ben** 8.00 s). `/block 4000` would go past it. Try `/nonblock`: it does the same work on a worker thread, and nobody waits. Or wait 40 s.",
    );
    // Offloaded work costs the main thread nothing.
    expect(policy.admit(nonblock('cem', 4_000), s, T + 20_000).ok).toBe(true);
    // A minute after ann's demo, her 9 s have left the window.
    expect(policy.admit(block('dan', 4_000), s, T + 60_000).ok).toBe(true);
    expect(policy.spentBy('g1', T + 60_000)).toEqual([
      { userName: 'ben', ms: 8_000 },
      { userName: 'dan', ms: 4_000 },
    ]);
  });

  it('keeps each guild’s budget and slots to itself', () => {
    const policy = new ClassroomPolicy();
    const s = settings({ cooldownMs: 0, concurrent: 1 });
    admitted(policy, block('ann', 9_000), s, T);
    expect(refusal(policy, block('ben', 100), s, T + 1).kind).toBe('concurrent');
    expect(policy.admit(block('ben', 9_000, 'g2'), s, T + 2).ok).toBe(true);
  });

  it('refuses a demo longer than the whole budget, or the server’s ms limit, or any while paused', () => {
    const policy = new ClassroomPolicy();
    expect(refusal(policy, block('ann', 3_000), settings({ budgetMs: 2_000 }), T).reason).toMatch(
      /more than this server's whole budget of 2\.00 s per minute/,
    );
    expect(refusal(policy, block('ann', 3_000), settings({ maxMs: 2_000 }), T).reason).toBe(
      "This server's limit is 2000 ms per demo (set by a teacher). Try `ms:2000` or less.",
    );
    const paused = refusal(policy, nonblock('ann', 10), settings({ paused: true }), T);
    expect(paused.kind).toBe('paused');
    expect(paused.reason).toMatch(/`\/explain` and `\/lag` still work/);
  });

  it('a refused demo takes no slot, no budget and starts no cooldown', () => {
    const policy = new ClassroomPolicy();
    const s = settings({ cooldownMs: 5_000, concurrent: 1, budgetMs: 10_000 });
    const running = admitted(policy, block('ann', 6_000), s, T);
    expect(refusal(policy, block('ben', 6_000), s, T + 10).kind).toBe('concurrent');
    policy.finish(running, T + 6_000);
    expect(policy.runningIn('g1')).toBe(0);
    expect(policy.spentBy('g1', T + 6_001)).toEqual([{ userName: 'ann', ms: 6_000 }]);
    expect(policy.admit(block('ben', 4_000), s, T + 6_001).ok).toBe(true);
  });
});
