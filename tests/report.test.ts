import { describe, expect, it } from 'vitest';
import type { InteractionSnapshot } from '../src/measure/snapshot.js';
import { channelExplanation, demoMessage, explanationMessage } from '../src/report/demo-report.js';
import { type ReportFacts, reportFacts } from '../src/report/facts.js';

/** The report is pure: facts in, a message out — no discord.js, no network, no clock. */
const T = 1_800_000_000_000;

function snapshot(overrides: Partial<InteractionSnapshot> = {}): InteractionSnapshot {
  return {
    interactionId: '42',
    verdict: 'expired',
    initialResponsesSent: 1,
    user: { id: '7', name: 'bob' },
    marks: {
      created: T,
      received: T + 210,
      handlerStart: T + 3_290,
      ackSent: T + 3_300,
      expiredAt: T + 3_310,
    },
    now: T + 3_400,
    firstResponseMs: 3_310,
    totalMs: 3_400,
    ageOnArrivalMs: 210,
    clockOffsetMs: 0,
    loop: { samples: 40, p50: 0.4, p99: 3_080, max: 3_080, stalledMs: 3_080 },
    delaySamples: [],
    workLoop: null,
    blockers: [
      {
        interactionId: '41',
        command: 'block',
        user: 'alice',
        userId: '6',
        label: '/block 3500',
        heldMs: 3_080,
        start: T - 200,
        end: T + 3_280,
      },
    ],
    ownSpans: [],
    ownHeldMs: 0,
    stallsSeen: [T + 260],
    utilization: { elu: 0.97, cpuMs: 3_300, wallMs: 3_400 },
    restQueueMs: 1,
    rateLimits: [],
    serverErrors: [],
    clockUncertaintyMs: 80,
    editableUntil: T + 900_000,
    ...overrides,
  };
}

const io = { strategy: 'io', label: '/io 50', kind: 'timer', requestedMs: 50 } as const;
const facts = (overrides: Partial<InteractionSnapshot> = {}): ReportFacts =>
  reportFacts(snapshot(overrides), io);

describe('a demo report, from facts alone', () => {
  it('says the token expired, names who held the thread, and draws no picture itself', () => {
    const message = demoMessage(facts());
    expect(message.content).toBe('');
    expect(message.files).toBeUndefined();
    const [embed] = message.embeds!;
    expect(embed!.title).toBe('/io 50 · bob');
    expect(embed!.description).toMatch(/^Token \*\*expired\*\* after \*\*3310 ms\*\*/);
    expect(embed!.description).toContain(
      '**Why:** the bot’s event loop was held by **alice**’s `/block 3500` for **3.08 s**',
    );
    expect(embed!.color).toBe(0xed4245);
    const who = embed!.fields!.find((f) => f.name === 'Who held the main thread');
    expect(who!.value).toBe('• **alice**’s `/block 3500` held it for **3.08 s**');
    const loop = embed!.fields!.find((f) => f.name.startsWith('Event-loop delay'))!;
    expect(loop.value).toContain('The watchdog thread saw the stall at +260 ms');
  });

  it('explains a dead token in the channel: the mention, the 3 s rule and the cause', () => {
    const text = channelExplanation(facts());
    expect(text).toBe(
      '<@7> your **/io 50** got no answer: its interaction token **expired** after **3310 ms** (Discord allows 3000 ms), so Discord showed “This interaction failed”. Why: the bot’s event loop was held by **alice**’s `/block 3500` for **3.08 s** while your command waited.',
    );
    expect(explanationMessage(facts()).embeds).toHaveLength(1);
  });

  it('tells a deferred report how long its reply stays editable, and a late edit why it failed', () => {
    const deferred = facts({
      verdict: 'deferred',
      firstResponseMs: 4,
      totalMs: 4_020,
      blockers: [],
      marks: { created: T, received: T + 1, handlerStart: T + 2, ackSent: T + 3, ackConfirmed: T + 4 },
    });
    const [embed] = demoMessage(deferred).embeds!;
    expect(embed!.description).toMatch(/^Deferred in \*\*4 ms\*\*, then done in \*\*4\.02 s\*\*\./);
    expect(embed!.description).not.toContain('**Why:**');
    expect(embed!.footer!.text).toBe(
      `A deferred reply can be edited for 15 minutes (until ${new Date(T + 900_000).toISOString().slice(11, 19)} UTC).`,
    );
    const late = facts({
      verdict: 'edit-expired',
      firstResponseMs: 4,
      now: T + 901_000,
      totalMs: 901_000,
      blockers: [],
      marks: { created: T, received: T + 1, ackConfirmed: T + 4 },
    });
    expect(channelExplanation(late)).toBe(
      '<@7> your **/io 50** finished, but too late to edit its reply: the edit came 15.0 min after the first response (15.0 min after the command); interaction tokens work for 15 minutes, so Discord refused it (50027).',
    );
  });

  it('keeps a channel explanation within Discord’s 2000 characters, however long the label', () => {
    const long = reportFacts(snapshot(), { ...io, label: `/io ${'9'.repeat(3_000)}` });
    expect(channelExplanation(long).length).toBe(2_000);
    expect(channelExplanation(long).endsWith('…')).toBe(true);
  });

  it('says when Discord answered 5xx and @discordjs/rest retried, and the doctor blames the queue', () => {
    const retried = facts({
      verdict: 'answering',
      firstResponseMs: 2_400,
      blockers: [],
      restQueueMs: 2_300,
      serverErrors: [
        { at: T + 150, route: '/interactions/:id/:token/callback', status: 503, interactionId: '42' },
      ],
      marks: { created: T, received: T + 50, handlerStart: T + 60, ackSent: T + 100 },
    });
    const [embed] = demoMessage(retried).embeds!;
    expect(embed!.description).toContain(
      '**Why:** the first response waited 2300 ms in @discordjs/rest’s queue (Discord answered 503 on /interactions/:id/:token/callback and @discordjs/rest retried).',
    );
    const timeline = embed!.fields!.find((f) => f.name.startsWith('Timeline'))!;
    expect(timeline.value).toContain(
      'Discord answered **503** on `/interactions/:id/:token/callback` at +150 ms: @discordjs/rest retried.',
    );
  });

  it('tells a learner in plain words that the worker failed, and that nobody else was affected', () => {
    const failed = reportFacts(
      snapshot({
        verdict: 'deferred',
        firstResponseMs: 3,
        totalMs: 900,
        blockers: [],
        marks: { created: T, received: T + 1, ackConfirmed: T + 3, workStart: T + 4, workEnd: T + 890 },
      }),
      {
        strategy: 'nonblock',
        label: '/nonblock 500',
        kind: 'cpu',
        requestedMs: 500,
        failure: {
          kind: 'out-of-memory',
          reason: 'the worker thread ran out of memory (limit 256 MB) and was replaced',
        },
      },
    );
    const [embed] = demoMessage(failed).embeds!;
    expect(embed!.description).toMatch(
      /^Deferred in \*\*3 ms\*\*, but the work \*\*failed\*\* after 0\.90 s: the worker thread ran out of memory \(limit 256 MB\) and was replaced\./,
    );
    expect(embed!.color).toBe(0xed4245);
    expect(embed!.fields!.find((f) => f.name === 'Work')!.value).toBe(
      'It did not finish: the worker thread ran out of memory (limit 256 MB) and was replaced. The main thread and everyone else were not affected, and the next task runs on a fresh worker.',
    );
  });
});
