import * as doctorPackage from '@looplab/doctor';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../src/measure/doctor.js';
import { Measurements } from '../src/measure/measurements.js';
import type { InteractionSnapshot } from '../src/measure/snapshot.js';

const T = 1_800_000_000_000;

function facts(overrides: Partial<InteractionSnapshot> = {}): InteractionSnapshot {
  return {
    interactionId: '1',
    verdict: 'expired',
    user: { id: '1', name: 'bob' },
    marks: {
      created: T,
      received: T + 3_200,
      handlerStart: T + 3_201,
      ackSent: T + 3_202,
      expiredAt: T + 3_210,
    },
    now: T + 3_300,
    firstResponseMs: 3_210,
    totalMs: 3_300,
    ageOnArrivalMs: 3_200,
    clockOffsetMs: 0,
    loop: { samples: 10, p50: 0.1, p99: 1, max: 1, stalledMs: 0 },
    delaySamples: [],
    workLoop: null,
    blockers: [],
    ownSpans: [],
    ownHeldMs: 0,
    stallsSeen: [],
    utilization: { elu: 0.1, cpuMs: 10, wallMs: 3_300 },
    restQueueMs: 2,
    rateLimits: [],
    serverErrors: [],
    clockUncertaintyMs: 100,
    initialResponsesSent: 1,
    editableUntil: T + 900_000,
    ...overrides,
  };
}

describe('the doctor names the cause, most specific first', () => {
  it('says nothing when the answer came comfortably on time', () => {
    expect(diagnose(facts({ verdict: 'answering', firstResponseMs: 800 }))).toBeNull();
  });

  it('blames another interaction that held the thread', () => {
    const d = diagnose(
      facts({
        blockers: [
          {
            interactionId: '9',
            command: 'block',
            user: 'alice',
            userId: '2',
            label: '/block 3500',
            heldMs: 3_190,
            start: T - 10,
            end: T + 3_190,
          },
        ],
      }),
    );
    expect(d?.cause).toBe('held-by-other');
    expect(d?.text).toMatch(/\*\*alice\*\*’s `\/block 3500` for \*\*3\.19 s\*\*/);
  });

  it('blames its own work before the first response', () => {
    const d = diagnose(
      facts({
        ageOnArrivalMs: 5,
        marks: { created: T, received: T + 5, handlerStart: T + 6, ackSent: T + 3_100, expiredAt: T + 3_110 },
        ownHeldMs: 3_090,
      }),
    );
    expect(d?.cause).toBe('own-work');
    expect(d?.text).toMatch(/3\.09 s\*\* before it sent its first response/);
  });

  it('says it arrived late when nobody held the loop and it was old on arrival', () => {
    const d = diagnose(facts());
    expect(d?.cause).toBe('arrived-late');
    expect(d?.text).toMatch(/3200 ms after Discord created it/);
  });

  it('does not call it late when the clock is too uncertain to tell', () => {
    const d = diagnose(facts({ ageOnArrivalMs: 1_300, clockUncertaintyMs: 500, restQueueMs: 1_900 }));
    expect(d?.cause).toBe('rest-queue');
  });

  it("names @discordjs/rest's queue and the rate limit", () => {
    const d = diagnose(
      facts({
        ageOnArrivalMs: 10,
        restQueueMs: 2_900,
        rateLimits: [
          {
            at: T + 100,
            route: '/interactions/:id/:token/callback',
            retryAfterMs: 2_800,
            global: false,
            interactionId: '9',
          },
        ],
      }),
    );
    expect(d?.cause).toBe('rest-queue');
    expect(d?.text).toMatch(
      /waited 2900 ms in @discordjs\/rest’s queue \(Discord answered 429 on \/interactions\/:id\/:token\/callback and asked it to wait 2800 ms\)/,
    );
  });

  it('says two copies are running when our only response got 40060', () => {
    expect(diagnose(facts({ verdict: 'acked-elsewhere' }))?.text).toMatch(/two copies of the bot/);
    expect(diagnose(facts({ verdict: 'acked-elsewhere', initialResponsesSent: 2 }))?.text).toMatch(
      /answered twice/,
    );
  });

  it('explains the 15-minute window with how late the edit came', () => {
    const d = diagnose(
      facts({
        verdict: 'edit-expired',
        marks: { created: T, received: T + 2, ackConfirmed: T + 5 },
        now: T + 16 * 60_000,
        totalMs: 16 * 60_000,
      }),
    );
    expect(d?.cause).toBe('token-lifetime');
    expect(d?.text).toMatch(/16\.0 min after the first response.*50027/);
  });
});

describe('LoopLab measures with the package it publishes (one implementation)', () => {
  it("uses @looplab/doctor's recorder, utilisation, ledger, clock and REST observer", () => {
    const m = new Measurements();
    expect(m.recorder).toBeInstanceOf(doctorPackage.LoopDelayRecorder);
    expect(m.utilization).toBeInstanceOf(doctorPackage.UtilizationRecorder);
    expect(m.ledger).toBeInstanceOf(doctorPackage.MainThreadLedger);
    expect(m.clock).toBeInstanceOf(doctorPackage.ClockOffsetEstimator);
    expect(m.rest).toBeInstanceOf(doctorPackage.RestObserver);
  });

  it("decides the cause with the package's diagnose(): its thresholds are LoopLab's", () => {
    // A first response at 2.1 s, accepted: a close call for both (the package's 2 s threshold).
    const marks = { created: T, received: T + 5, handlerStart: T + 2_080, ackSent: T + 2_090 };
    const d = diagnose(facts({ verdict: 'answering', marks, firstResponseMs: 2_100, ageOnArrivalMs: 5 }));
    expect(doctorPackage.CLOSE_CALL_MS).toBe(2_000);
    expect(d?.cause).toBe('slow-response');
    expect(d?.text).toMatch(/took 2100 ms, 900 ms inside Discord’s 3000 ms/);
    expect(diagnose(facts({ verdict: 'answering', firstResponseMs: 1_990 }))).toBeNull();
  });
});
