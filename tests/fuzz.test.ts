/**
 * Hostile input, generated: ten thousand interactions no Discord client would send (wrong option
 * types, missing, extra and duplicated options, huge, negative, float and NaN-as-text numbers,
 * unknown commands and subcommands, oversized text, forged and stale buttons, DMs, autocomplete for
 * options that have none, PINGs and unknown types), interleaved with ordinary /explain and /io,
 * sent through POST /sandbox/interactions/raw to the real LoopLab bot.
 *
 * The bot must answer each one that Discord semantics say it must (an ephemeral error for a bad
 * command or button, an empty autocomplete), ignore what discord.js never hands it (a PING over the
 * gateway, an unknown type: it then fails at 3 s, as on Discord), answer every valid one, never
 * crash, and log no error.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BLOCK_MS } from '../src/config/env.js';
import type { InteractionLine } from '../src/sandbox/client.js';
import { type LoopLab, startLoopLab } from './support/looplab.js';

/** What a case must get: a real answer, an ephemeral refusal, autocomplete choices, nothing, or either. */
type Expect = 'reply' | 'defer' | 'refuse' | 'autocomplete' | 'ignore' | 'either';
interface Case {
  kind: string;
  expect: Expect;
  payload: unknown;
}

const HOSTILE_PER_RUN = 500;
const VALID_PER_RUN = 40;
const RUNS = 21;
/** The 3 s deadline, and room for the sandbox's timer: an ignored one has failed by then. */
const IGNORED_AFTER_MS = 3_400;

let lab: LoopLab;
let dir: string;
let world: { guildId: string; channelId: string; applicationId: string };
/** The bot's /explain reply with its buttons, as Discord embeds a message in a component interaction. */
let buttonMessage: Record<string, unknown>;

// The bot shares this process with vitest: an error discord.js throws inside its gateway handler
// surfaces here as an unhandled rejection, which would kill a bot process of its own.
const crashes: string[] = [];
const saved = new Map<string, NodeJS.UnhandledRejectionListener[] | NodeJS.UncaughtExceptionListener[]>();
const onCrash = (error: unknown) => crashes.push(String((error as Error)?.stack ?? error).slice(0, 300));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'looplab-fuzz-'));
  for (const event of ['unhandledRejection', 'uncaughtException'] as const) {
    saved.set(event, process.listeners(event as 'unhandledRejection'));
    process.removeAllListeners(event);
    process.on(event as 'unhandledRejection', onCrash);
  }
  lab = await startLoopLab({
    env: {
      COOLDOWN_MS: '0',
      MAIN_THREAD_BUDGET_MS: '60000',
      // Every valid /io is its own person; the concurrency cap is not what this test is about.
      MAX_CONCURRENT_DEMOS: '1000',
      LOG_LEVEL: 'info',
      DATA_DIR: join(dir, 'data'),
    },
    watchdogLogFile: join(dir, 'watchdog.log'),
  });
  const info = await lab.api.info();
  world = { guildId: info.guildId, channelId: info.channelId, applicationId: info.applicationId };
  const explain = await lab.api.invoke({ user: 'seed', command: 'explain' });
  const reply = explain.messages[0]!;
  expect(reply.components.length).toBeGreaterThan(0);
  buttonMessage = {
    id: reply.id,
    channel_id: reply.channelId,
    author: {
      id: info.applicationId,
      username: 'LoopLab',
      discriminator: '0000',
      global_name: null,
      avatar: null,
      bot: true,
    },
    content: reply.content,
    embeds: reply.embeds,
    components: reply.components,
    attachments: [],
    flags: reply.flags,
    type: 20,
    timestamp: new Date(reply.createdAt).toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    pinned: false,
  };
}, 60_000);

afterAll(async () => {
  await lab?.stop();
  for (const [event, listeners] of saved) {
    process.removeAllListeners(event);
    for (const listener of listeners) process.on(event as 'unhandledRejection', listener as never);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// The generators
// ---------------------------------------------------------------------------------------------

const snowflake = fc.bigInt({ min: 1n << 40n, max: (1n << 63n) - 1n }).map(String);
let nextUser = 0n;
/** A fresh person for each valid one: one demo per person at a time is a policy, not a fault. */
const freshUserId = () => String(400_000_000_000_000_000n + nextUser++);

const oversized = fc.integer({ min: 101, max: 3_000 }).map((n) => 'x'.repeat(n));
const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 15 }),
  fc.constantFrom(
    '',
    ' ',
    'NaN',
    'Infinity',
    '-Infinity',
    '1e999',
    'null',
    '<@&1>',
    '@everyone',
    '\u0000',
    '\u202e',
  ),
  oversized,
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(-1, 0, 1.5, 0.1, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 53),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

/** What JSON makes of a value (NaN and Infinity become null): what the bot receives. */
const overTheWire = (value: unknown): unknown => JSON.parse(JSON.stringify([value]))[0];
/** `ms` takes a whole number 1…MAX_BLOCK_MS; a numeric string counts (the bot reads "1500" as 1500). */
const acceptableMs = (value: unknown) => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 1 && n <= DEFAULT_MAX_BLOCK_MS;
};
const badMs = hostileValue.filter((v) => !acceptableMs(overTheWire(v)));
/**
 * A string option with choices, given a value that is none of them. Never null: a null value is
 * "not given", which an optional option takes (that would be a valid command).
 */
const badChoice = fc.oneof(
  fc.string({ maxLength: 30 }).map((s) => `zz-${s}`),
  fc.integer(),
  fc.boolean(),
  oversized,
);

/** The commands LoopLab registers, and what each takes (from commands/*.ts). */
const COMMANDS = {
  block: { ms: true, choice: 'work' },
  nonblock: { ms: true, choice: 'work' },
  yield: { ms: true, choice: 'work' },
  compare: { ms: true, choice: 'work' },
  io: { ms: true, choice: 'kind' },
  explain: { ms: false, choice: 'topic' },
  lag: { ms: false, choice: null },
  ticker: { ms: false, choice: null },
} as const;
type CommandName = keyof typeof COMMANDS;

/** An option as it arrives: any name, any declared type, any value; always an object (see the last test). */
const noiseOption = fc.record(
  {
    name: fc.oneof(fc.constantFrom('ms', 'work', 'kind', 'topic', 'seconds', 'slice', 'defer'), hostileText),
    type: fc.oneof(fc.integer({ min: 3, max: 11 }), fc.constantFrom(-1, 99)),
    value: hostileValue,
    focused: fc.boolean(),
  },
  { requiredKeys: ['name', 'type'] },
);
const msOption = (value: unknown) => ({ name: 'ms', type: 4, value });

/** One poison per case, so a hostile case can never be a valid command by chance. */
function poisonedOptions(name: CommandName) {
  const spec = COMMANDS[name];
  const poisons: Array<fc.Arbitrary<{ kind: string; options: unknown[] }>> = [
    fc.tuple(fc.string({ maxLength: 20 }), fc.array(noiseOption, { maxLength: 3 })).map(([s, rest]) => ({
      kind: 'unknown-option',
      options: [...rest, { name: `zz${s}`, type: 4, value: 1 }],
    })),
    fc
      .tuple(fc.oneof(fc.integer(), fc.constant(null), fc.boolean()), fc.array(noiseOption, { maxLength: 2 }))
      .map(([n, rest]) => ({
        kind: 'non-text-option-name',
        options: [{ name: n, type: 4, value: 1 }, ...rest],
      })),
  ];
  if (spec.ms) {
    poisons.push(
      badMs.map((v) => ({ kind: 'bad-ms', options: [msOption(v)] })),
      fc.constant({ kind: 'missing-ms', options: [] }),
      fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 50 })).map(([a, b]) => ({
        kind: 'duplicated-ms',
        options: [msOption(a), msOption(b)],
      })),
    );
  }
  if (spec.choice) {
    const choice = spec.choice;
    poisons.push(
      badChoice.map((v) => ({
        kind: 'bad-choice',
        options: [...(spec.ms ? [msOption(5)] : []), { name: choice, type: 3, value: v }],
      })),
    );
  }
  return fc.oneof(...poisons);
}

const member = (userId: fc.Arbitrary<string>) =>
  fc.record({
    user: fc.record({
      id: userId,
      username: fc.oneof(fc.constant('mallory'), hostileText),
      discriminator: fc.constant('0'),
      global_name: fc.oneof(fc.constant(null), hostileText),
      avatar: fc.constant(null),
    }),
    roles: fc.constant([]),
    // Any bit string: Manage Server, Administrator, every bit, none.
    permissions: fc.oneof(
      fc.constantFrom('0', '8', '32', '2248473465835073'),
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(String),
    ),
    joined_at: fc.constant('2026-01-01T00:00:00.000Z'),
    deaf: fc.constant(false),
    mute: fc.constant(false),
    flags: fc.constant(0),
  });

/** Where it comes from: the guild (a member, any permissions) or a DM (a top-level user, no member). */
const place = fc.oneof(
  {
    weight: 4,
    arbitrary: member(snowflake).map((m) => ({
      guild_id: world.guildId,
      channel_id: world.channelId,
      channel: { id: world.channelId, type: 0 },
      member: m,
      context: 0,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(snowflake, member(snowflake)).map(([dm, m]) => ({
      channel_id: dm,
      channel: { id: dm, type: 1, recipients: [m.user] },
      user: m.user,
      context: 1,
    })),
  },
);

const envelope = fc.record({
  version: fc.constant(1),
  locale: fc.constantFrom('en-US', 'de', 'xx-YY', ''),
  app_permissions: fc.constantFrom('0', '2248473465835073'),
  entitlements: fc.constant([]),
  authorizing_integration_owners: fc.constant({}),
  attachment_size_limit: fc.constant(10_485_760),
  // Fields Discord never sent, as a newer Discord might.
  extra: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), hostileValue, { maxKeys: 2 }), {
    nil: undefined,
  }),
});

const payload = (shape: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Record<string, unknown>> =>
  fc.tuple(envelope, place, shape).map(([{ extra, ...e }, p, s]) => ({ ...e, ...(extra ?? {}), ...p, ...s }));

const commandName = fc.constantFrom(...(Object.keys(COMMANDS) as CommandName[]));

const hostileCommand: fc.Arbitrary<Case> = commandName
  .chain((name) => fc.tuple(fc.constant(name), poisonedOptions(name)))
  .chain(([name, poison]) =>
    payload(fc.constant({ type: 2, data: { id: '1', name, type: 1, options: poison.options } })).map((p) => ({
      kind: `command:${poison.kind}`,
      expect: 'refuse' as const,
      payload: p,
    })),
  );

const unknownCommand: fc.Arbitrary<Case> = fc
  .tuple(
    fc.oneof(
      hostileText,
      fc.string({ maxLength: 20 }).map((s) => `zz${s}`),
    ),
    fc.array(noiseOption, { maxLength: 3 }),
  )
  .filter(([name]) => !(name in COMMANDS) && name !== 'classroom')
  .chain(([name, options]) =>
    payload(fc.constant({ type: 2, data: { id: '1', name, type: 1, options } })).map((p) => ({
      kind: 'command:unknown',
      expect: 'refuse' as const,
      payload: p,
    })),
  );

/** /classroom with a subcommand that is not one, two of them, or `set` with a bad value. */
const badSubcommand: fc.Arbitrary<Case> = fc
  .oneof(
    fc.string({ maxLength: 20 }).map((s) => [{ name: `zz${s}`, type: 1, options: [] }]),
    fc.constant([
      { name: 'show', type: 1, options: [] },
      { name: 'pause', type: 1, options: [] },
    ]),
    badMs.map((v) => [{ name: 'set', type: 1, options: [{ name: 'cooldown_s', type: 4, value: v }] }]),
    fc.constant([{ name: 'pause', type: 3, value: 'now' }]),
    fc.constant([]),
  )
  .filter((options) => {
    // `set` with a value its range takes would be valid, and null is "not given" (an optional
    // option): keep only the values it refuses.
    const given = (options[0] as { options?: Array<{ value: unknown }> })?.options?.[0];
    if (!given) return true;
    const v = overTheWire(given.value);
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    return v !== null && !(typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= 3_600);
  })
  .chain((options) =>
    payload(fc.constant({ type: 2, data: { id: '1', name: 'classroom', type: 1, options } })).map((p) => ({
      kind: 'command:bad-subcommand',
      expect: 'refuse' as const,
      payload: p,
    })),
  );

/** A button or a select menu on the bot's real message, with an id LoopLab never made. */
const forgedCustomId = fc.oneof(
  hostileText,
  fc.constantFrom(
    'll0:explain:page:blocking',
    'll1',
    'll1:',
    'll1:nope',
    'll1::',
    'll2:explain:page:blocking',
  ),
  fc.string({ maxLength: 30 }).map((s) => `ll1:zz${s}`),
  fc.string({ maxLength: 30 }).map((s) => `ll1:explain:zz${s}`),
);
const forgedComponent: fc.Arbitrary<Case> = fc
  .tuple(forgedCustomId, fc.boolean(), fc.array(hostileText, { maxLength: 3 }))
  .chain(([customId, button, values]) =>
    payload(
      fc.constant({
        type: 3,
        data: button
          ? { custom_id: customId, component_type: 2 }
          : { custom_id: customId, component_type: 3, values },
        message: buttonMessage,
      }),
    ).map((p) => ({
      kind: `component:${button ? 'button' : 'select'}`,
      expect: 'refuse' as const,
      payload: p,
    })),
  );

/** Autocomplete (type 4) for options that have none: the bot answers with no choices. */
const autocomplete: fc.Arbitrary<Case> = fc
  .tuple(fc.oneof(commandName, hostileText), fc.array(noiseOption, { maxLength: 3 }))
  .chain(([name, options]) =>
    payload(fc.constant({ type: 4, data: { id: '1', name, type: 1, options } })).map((p) => ({
      kind: 'autocomplete',
      expect: 'autocomplete' as const,
      payload: p,
    })),
  );

/** What discord.js never hands a gateway bot: a PING (HTTP endpoints only), unknown types, non-objects. */
const ignored: fc.Arbitrary<Case> = fc.oneof(
  payload(fc.constant({ type: 1 })).map((p) => ({ kind: 'ping', expect: 'ignore' as const, payload: p })),
  fc
    .tuple(
      fc.oneof(fc.constantFrom(0, 6, 7, 99, -1, 2.5, 1e9), fc.constantFrom('2', 'x', null)),
      fc.option(hostileValue),
    )
    .chain(([type, data]) =>
      payload(fc.constant({ type, data })).map((p) => ({
        kind: 'unknown-type',
        expect: 'ignore' as const,
        payload: p,
      })),
    ),
  fc.constantFrom(0, 5, 99).chain((type) =>
    payload(fc.constant({ type: 2, data: { id: '1', name: 'io', type, options: [] } })).map((p) => ({
      kind: 'unknown-command-type',
      expect: 'ignore' as const,
      payload: p,
    })),
  ),
  payload(fc.constant({ type: 3, data: { custom_id: 'x', component_type: 99 }, message: {} })).map((p) => ({
    kind: 'unknown-component-type',
    expect: 'ignore' as const,
    payload: p,
  })),
  fc
    .oneof(fc.integer(), fc.string({ maxLength: 20 }), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 }))
    .map((p) => ({ kind: 'not-an-object', expect: 'ignore' as const, payload: p })),
);

/** A modal LoopLab never opened, and an activity entry point it has none of: answering is optional. */
const either: fc.Arbitrary<Case> = fc.oneof(
  fc.tuple(hostileText).chain(([id]) =>
    payload(fc.constant({ type: 5, data: { custom_id: id, components: [] } })).map((p) => ({
      kind: 'modal',
      expect: 'either' as const,
      payload: p,
    })),
  ),
  payload(fc.constant({ type: 2, data: { id: '1', name: 'launch', type: 4 } })).map((p) => ({
    kind: 'entry-point',
    expect: 'either' as const,
    payload: p,
  })),
);

const hostile: fc.Arbitrary<Case> = fc.oneof(
  { weight: 6, arbitrary: hostileCommand },
  { weight: 2, arbitrary: unknownCommand },
  { weight: 1, arbitrary: badSubcommand },
  { weight: 3, arbitrary: forgedComponent },
  { weight: 2, arbitrary: autocomplete },
  { weight: 2, arbitrary: ignored },
  { weight: 1, arbitrary: either },
);

/** The valid ones: what a class sends all day. */
const TOPICS = ['event-loop', 'blocking', 'async-await', 'offloading', 'deadline', 'yielding'];
const valid: fc.Arbitrary<Case> = fc
  .oneof(
    fc.option(fc.constantFrom(...TOPICS), { nil: undefined }).map((topic) => ({
      kind: 'valid:explain',
      expect: 'reply' as const,
      data: {
        id: '1',
        name: 'explain',
        type: 1,
        options: topic ? [{ name: 'topic', type: 3, value: topic }] : [],
      },
    })),
    fc.constant({
      kind: 'valid:io',
      expect: 'defer' as const,
      data: { id: '1', name: 'io', type: 1, options: [msOption(1)] },
    }),
  )
  .map(({ kind, expect, data }) => ({
    kind,
    expect,
    // Built when sent, so each gets a person of its own.
    payload: () => ({
      version: 1,
      locale: 'en-US',
      app_permissions: '2248473465835073',
      entitlements: [],
      authorizing_integration_owners: { 0: world.guildId },
      attachment_size_limit: 10_485_760,
      guild_id: world.guildId,
      channel_id: world.channelId,
      channel: { id: world.channelId, type: 0 },
      member: {
        user: { id: freshUserId(), username: 'student', discriminator: '0', global_name: null, avatar: null },
        roles: [],
        permissions: '2248473465835073',
        joined_at: '2026-01-01T00:00:00.000Z',
        deaf: false,
        mute: false,
        flags: 0,
      },
      context: 0,
      type: 2,
      data,
    }),
  }));

// ---------------------------------------------------------------------------------------------
// Judging what happened
// ---------------------------------------------------------------------------------------------

/** Why a case's outcome is wrong, or null when it is right. */
function misbehaviour(c: Case, line: InteractionLine | undefined): string | null {
  if (!line) return 'forgotten by the sandbox before it was checked';
  const answered = line.callbackType !== null;
  switch (c.expect) {
    case 'reply':
      return line.status === 'replied' && line.ephemeral === false
        ? null
        : 'a valid /explain was not answered';
    case 'defer':
      return line.status === 'deferred' && line.settled && line.ephemeral === false
        ? null
        : 'a valid /io was not answered with its report';
    case 'refuse':
      return line.status === 'replied' && line.callbackType === 4 && line.ephemeral === true
        ? null
        : 'expected an ephemeral error';
    case 'autocomplete':
      return line.status === 'replied' && line.callbackType === 8 ? null : 'expected an autocomplete result';
    case 'ignore':
      return line.status === 'failed' && !answered && line.messages === 0 ? null : 'expected no answer';
    case 'either':
      return line.status === 'pending' ? 'still pending after 3 s' : null;
  }
}

const show = (c: Case, line: InteractionLine | undefined, why: string) =>
  `${c.kind}: ${why} (got ${JSON.stringify(line && { status: line.status, callbackType: line.callbackType, ephemeral: line.ephemeral, refusals: line.refusals })})\n  payload: ${JSON.stringify(c.payload).slice(0, 600)}`;

interface Sent {
  id: string;
  case: Case;
  at: number;
}

describe('10 000 hostile interactions through the real bot', () => {
  it('answers or ignores each as Discord semantics require, answers every valid one, never crashes, logs no error', async () => {
    const tally = { generated: 0, valid: 0, answered: 0, ignored: 0 };
    const problems: string[] = [];
    let waiting: Sent[] = [];

    /** Checks what has had its 3 s: ignored, or answered when either is fine. */
    const checkDue = async (all = false) => {
      const now = Date.now();
      const due = waiting.filter((s) => all || now - s.at >= IGNORED_AFTER_MS);
      waiting = waiting.filter((s) => !due.includes(s));
      if (due.length === 0) return;
      if (all)
        await new Promise((r) =>
          setTimeout(r, Math.max(0, IGNORED_AFTER_MS - (now - Math.max(...due.map((s) => s.at))))),
        );
      const lines = new Map((await lab.api.summary(due.map((s) => s.id))).interactions.map((l) => [l.id, l]));
      for (const s of due) {
        const line = lines.get(s.id);
        const why = misbehaviour(s.case, line);
        if (why) problems.push(show(s.case, line, why));
        else if (line?.callbackType === null) tally.ignored++;
        else tally.answered++;
      }
    };

    const run = fc.asyncProperty(
      fc.array(hostile, { minLength: HOSTILE_PER_RUN, maxLength: HOSTILE_PER_RUN }),
      fc.array(fc.tuple(valid, fc.nat()), { minLength: VALID_PER_RUN, maxLength: VALID_PER_RUN }),
      async (hostileCases, validCases) => {
        // The valid ones interleaved among the hostile ones, at generated places.
        const cases: Case[] = [...hostileCases];
        for (const [c, at] of validCases) {
          cases.splice(at % (cases.length + 1), 0, { ...c, payload: (c.payload as () => unknown)() });
        }
        const crashesBefore = crashes.length;
        const problemsBefore = problems.length;
        const { ids, errors } = await lab.api.rawBatch(cases.map((c) => c.payload));
        expect(errors).toEqual([]);
        const at = Date.now();
        const sent = cases.map((c, i) => ({ id: ids[i]!, case: c, at }));
        tally.generated += sent.length;
        tally.valid += validCases.length;
        // What must be answered is checked now, once it settles (or its 3 s are over).
        const answerable = sent.filter((s) => s.case.expect !== 'ignore' && s.case.expect !== 'either');
        const answerIds = answerable.map((s) => s.id);
        let lines = new Map<string, InteractionLine>();
        for (;;) {
          const summary = await lab.api.summary(answerIds);
          lines = new Map(summary.interactions.map((l) => [l.id, l]));
          if (summary.settled === summary.total || Date.now() - at > IGNORED_AFTER_MS + 2_000) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        for (const s of answerable) {
          const why = misbehaviour(s.case, lines.get(s.id));
          if (why) problems.push(show(s.case, lines.get(s.id), why));
          else tally.answered++;
        }
        waiting.push(...sent.filter((s) => s.case.expect === 'ignore' || s.case.expect === 'either'));
        await checkDue();
        if (crashes.length > crashesBefore) {
          throw new Error(
            `the bot crashed ${crashes.length - crashesBefore} times in this run:\n${crashes.slice(crashesBefore, crashesBefore + 3).join('\n')}`,
          );
        }
        if (problems.length > problemsBefore) {
          throw new Error(
            `${problems.length - problemsBefore} misbehaviours:\n${problems.slice(problemsBefore, problemsBefore + 5).join('\n')}`,
          );
        }
      },
    );
    const result = await fc.check(run, { numRuns: RUNS, endOnFailure: true });
    await checkDue(true);

    // Still there: connected, and a plain /io is answered.
    const final = await lab.api.invoke({ user: 'last', command: 'io', options: { ms: 1 } });
    const connected = (await lab.api.gateway()).connectedSessions;
    const errors = lab.logs.filter((l) => l.level >= 50);
    console.log(
      `fuzz: generated ${tally.generated} / valid ${tally.valid} / answered ${tally.answered} / ignored ${tally.ignored} / crashes ${crashes.length}`,
    );
    if (result.failed) {
      throw new Error(
        `fast-check failed after ${result.numRuns} runs (seed ${result.seed}, path ${result.counterexamplePath}): ${String((result.errorInstance as Error)?.message ?? result.errorInstance).slice(0, 4_000)}`,
      );
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect(crashes).toEqual([]);
    expect(tally.generated - tally.valid).toBeGreaterThanOrEqual(10_000);
    expect(tally.answered + tally.ignored).toBe(tally.generated);
    expect(tally.ignored).toBeGreaterThan(0);
    expect(final.status).toBe('deferred');
    expect(final.settled).toBe(true);
    expect(connected).toBe(1);
    expect(lab.bot.client.isReady()).toBe(true);
    expect(errors.map((l) => `${l.msg}: ${JSON.stringify(l.err ?? {}).slice(0, 200)}`)).toEqual([]);
  }, 180_000);
});

/**
 * Envelopes Discord never sends (fields of the wrong type where every interaction has them): each
 * one throws inside discord.js's gateway handler (14.28.1), or in LoopLab's own code. The bot must
 * contain it — ignore the interaction (it fails at 3 s) or answer it — with no unhandled rejection
 * and no error in its log, and carry on. Sent one at a time, so each failure names its payload.
 */
describe('malformed envelopes discord.js cannot parse', () => {
  it('each is contained: no unhandled rejection, no error logged, and the bot keeps answering', async () => {
    const user = {
      id: '123456789012345678',
      username: 'mallory',
      discriminator: '0',
      global_name: null,
      avatar: null,
    };
    const memberOf = {
      user,
      roles: [],
      permissions: '0',
      joined_at: '2026-01-01T00:00:00.000Z',
      deaf: false,
      mute: false,
      flags: 0,
    };
    const base = {
      version: 1,
      locale: 'en-US',
      app_permissions: '0',
      entitlements: [],
      authorizing_integration_owners: {},
      attachment_size_limit: 1,
      guild_id: world.guildId,
      channel_id: world.channelId,
      channel: { id: world.channelId, type: 0 },
      member: memberOf,
    };
    const io = { id: '1', name: 'io', type: 1, options: [{ name: 'ms', type: 4, value: 1 }] };
    const { guild_id: _g, member: _m, ...dm } = base;
    const cases: Record<string, unknown> = {
      'the body is null': null,
      'type 2 without data': { ...base, type: 2 },
      'data is null': { ...base, type: 2, data: null },
      'options is an object': { ...base, type: 2, data: { ...io, options: { ms: 1 } } },
      'an option is null': { ...base, type: 2, data: { ...io, options: [null] } },
      'an option is a number': { ...base, type: 2, data: { ...io, options: [5] } },
      "a subcommand's options is an object": {
        ...base,
        type: 2,
        data: { id: '1', name: 'classroom', type: 1, options: [{ name: 'set', type: 1, options: { a: 1 } }] },
      },
      'resolved is null': { ...base, type: 2, data: { ...io, resolved: null } },
      'a guild interaction without member': { ...dm, guild_id: world.guildId, type: 2, data: io },
      'a DM without user': { ...dm, type: 2, data: io },
      'member.user is null': { ...base, type: 2, member: { ...memberOf, user: null }, data: io },
      'channel is a string': { ...base, type: 2, channel: 'general', data: io },
      'member.permissions is not a number': {
        ...base,
        type: 2,
        member: { ...memberOf, permissions: 'lots' },
        data: io,
      },
      'app_permissions is not a number': { ...base, type: 2, app_permissions: 'lots', data: io },
      'member.flags is not a number': { ...base, type: 2, member: { ...memberOf, flags: 'x' }, data: io },
      'entitlements is null': { ...base, type: 2, entitlements: null, data: io },
      'authorizing_integration_owners is null': {
        ...base,
        type: 2,
        authorizing_integration_owners: null,
        data: io,
      },
      'a button without its message': { ...base, type: 3, data: { custom_id: 'x', component_type: 2 } },
      'a button whose custom_id is a number': {
        ...base,
        type: 3,
        data: { custom_id: 5, component_type: 2 },
        message: { id: '1', channel_id: world.channelId },
      },
      'autocomplete whose options is an object': {
        ...base,
        type: 4,
        data: { id: '1', name: 'io', type: 1, options: {} },
      },
      'a modal submit without components': { ...base, type: 5, data: { custom_id: 'x' } },
      'a user command without resolved': {
        ...base,
        type: 2,
        data: { id: '1', name: 'x', type: 2, target_id: '5' },
      },
      'a message command without resolved': {
        ...base,
        type: 2,
        data: { id: '1', name: 'x', type: 3, target_id: '5' },
      },
    };
    const failures: string[] = [];
    for (const [what, body] of Object.entries(cases)) {
      const crashesBefore = crashes.length;
      const errorsBefore = lab.logs.filter((l) => l.level >= 50).length;
      const { id } = await lab.api.raw(body);
      await new Promise((r) => setTimeout(r, 150));
      const crashed = crashes.slice(crashesBefore);
      const logged = lab.logs.filter((l) => l.level >= 50).slice(errorsBefore);
      if (crashed.length > 0 || logged.length > 0) {
        failures.push(
          `${what}: ${crashed[0]?.split('\n')[0] ?? `logged "${logged[0]?.msg}"`}\n  payload: ${JSON.stringify(body).slice(0, 400)} (interaction ${id})`,
        );
      }
    }
    const final = await lab.api.invoke({ user: 'after-malformed', command: 'io', options: { ms: 1 } });
    expect(final.status).toBe('deferred');
    expect(
      failures,
      `${failures.length} of ${Object.keys(cases).length} malformed envelopes are not contained`,
    ).toEqual([]);
  }, 60_000);
});
