import { ApplicationCommandOptionType } from 'discord.js';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { InFlightDemo } from '../src/contracts/context.js';
import { type CommandDefinition, parseArgs } from '../src/discord/options.js';
import type { Holder } from '../src/measure/main-thread.js';
import { type ArgsOf, effectiveDefinition } from '../src/router/define.js';
import { Guards } from '../src/router/guards.js';

const { Integer, String: Str, Boolean: Bool, Number: Num } = ApplicationCommandOptionType;

const block = {
  name: 'block',
  description: 'Block the main thread',
  options: [
    {
      type: ApplicationCommandOptionType.Integer,
      name: 'ms',
      description: 'How long, in ms',
      required: true,
      min_value: 1,
      max_value: 10_000,
    },
    {
      type: ApplicationCommandOptionType.String,
      name: 'work',
      description: 'What kind of work',
      choices: [
        { name: 'cpu: a busy loop', value: 'cpu' },
        { name: 'fs: readFileSync', value: 'fs' },
      ],
    },
  ],
} as const satisfies CommandDefinition;

type Given = { name: string; type: number; value?: unknown };

function problemOf(definition: CommandDefinition, data: Given[]): string {
  const parsed = parseArgs(definition, data);
  if (parsed.ok) throw new Error(`accepted ${JSON.stringify(data)} as ${JSON.stringify(parsed.args)}`);
  return parsed.problem;
}

describe('parseArgs', () => {
  it('reads valid arguments', () => {
    const parsed = parseArgs(block, [
      { name: 'ms', type: Integer, value: 2500 },
      { name: 'work', type: Str, value: 'fs' },
    ]);
    expect(parsed).toEqual({ ok: true, args: { ms: 2500, work: 'fs' } });
  });

  it('accepts the range limits', () => {
    for (const ms of [1, 10_000]) {
      expect(parseArgs(block, [{ name: 'ms', type: Integer, value: ms }])).toEqual({
        ok: true,
        args: { ms, work: undefined },
      });
    }
  });

  it('leaves an omitted optional option undefined (the handler picks the default)', () => {
    const parsed = parseArgs(block, [{ name: 'ms', type: Integer, value: 300 }]);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.args).toEqual({ ms: 300, work: undefined });
    expect('work' in parsed.args).toBe(true);
    expect(parsed.args.work).toBeUndefined();
    // null is "not given" too
    expect(
      parseArgs(block, [
        { name: 'ms', type: Integer, value: 300 },
        { name: 'work', type: Str, value: null },
      ]),
    ).toEqual({ ok: true, args: { ms: 300, work: undefined } });
  });

  it('reports a missing required option with its description', () => {
    expect(problemOf(block, [])).toBe('`ms` is required: How long, in ms.');
    expect(problemOf(block, [{ name: 'work', type: Str, value: 'cpu' }])).toBe(
      '`ms` is required: How long, in ms.',
    );
  });

  it.each([0, -5, 10_001, 1e9])('reports ms=%s as out of range', (ms) => {
    expect(problemOf(block, [{ name: 'ms', type: Integer, value: ms }])).toBe(
      `\`ms\` must be between 1 and 10000 (you sent ${ms}).`,
    );
  });

  it.each([
    ['a word', 'abc'],
    ['a fraction', 1.5],
    ['a fraction in a string', '2.5'],
    ['a boolean', true],
    ['an object', { ms: 5 }],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('rejects %s for an integer', (_what, value) => {
    expect(problemOf(block, [{ name: 'ms', type: Integer, value }])).toBe('`ms` must be a whole number.');
  });

  it('rejects an empty or blank string for an integer instead of reading it as 0', () => {
    const free: CommandDefinition = {
      name: 'free',
      description: 'x',
      options: [{ type: Integer, name: 'n', description: 'any integer', required: true }],
    };
    expect(problemOf(free, [{ name: 'n', type: Integer, value: '' }])).toBe('`n` must be a whole number.');
    expect(problemOf(free, [{ name: 'n', type: Integer, value: '  ' }])).toBe('`n` must be a whole number.');
  });

  it('reports an option the command does not have', () => {
    expect(
      problemOf(block, [
        { name: 'ms', type: Integer, value: 100 },
        { name: 'threads', type: Integer, value: 4 },
      ]),
    ).toBe('`/block` has no option `threads`.');
  });

  it('reports a value that is not one of the choices, listing them', () => {
    expect(
      problemOf(block, [
        { name: 'ms', type: Integer, value: 100 },
        { name: 'work', type: Str, value: 'gpu' },
      ]),
    ).toBe('`work` must be one of `cpu`, `fs` (you sent `gpu`).');
    const long = 'x'.repeat(500);
    const problem = problemOf(block, [
      { name: 'ms', type: Integer, value: 100 },
      { name: 'work', type: Str, value: long },
    ]);
    expect(problem).toContain(`\`${'x'.repeat(50)}\``);
    expect(problem.length).toBeLessThan(120);
  });

  it('rejects a non-string for a string option', () => {
    expect(
      problemOf(block, [
        { name: 'ms', type: Integer, value: 100 },
        { name: 'work', type: Str, value: 3 },
      ]),
    ).toBe('`work` must be text.');
  });

  it('checks booleans and (non-integer) numbers', () => {
    const definition: CommandDefinition = {
      name: 'mixed',
      description: 'x',
      options: [
        { type: Bool, name: 'flag', description: 'a flag' },
        { type: Num, name: 'ratio', description: 'a ratio', min_value: 0, max_value: 1 },
      ],
    };
    expect(
      parseArgs(definition, [
        { name: 'flag', type: Bool, value: false },
        { name: 'ratio', type: Num, value: 0.25 },
      ]),
    ).toEqual({ ok: true, args: { flag: false, ratio: 0.25 } });
    expect(problemOf(definition, [{ name: 'flag', type: Bool, value: 'true' }])).toBe(
      '`flag` must be true or false.',
    );
    expect(problemOf(definition, [{ name: 'ratio', type: Num, value: 1.5 }])).toBe(
      '`ratio` must be between 0 and 1 (you sent 1.5).',
    );
    expect(problemOf(definition, [{ name: 'ratio', type: Num, value: 'half' }])).toBe(
      '`ratio` must be a number.',
    );
  });

  it('enforces choices on integer options too', () => {
    const definition: CommandDefinition = {
      name: 'pick',
      description: 'x',
      options: [
        {
          type: Integer,
          name: 'size',
          description: 'a size',
          required: true,
          choices: [
            { name: 'small', value: 1 },
            { name: 'large', value: 3 },
          ],
        },
      ],
    };
    expect(parseArgs(definition, [{ name: 'size', type: Integer, value: 3 }])).toEqual({
      ok: true,
      args: { size: 3 },
    });
    expect(problemOf(definition, [{ name: 'size', type: Integer, value: 2 }])).toMatch(
      /`size` must be one of/,
    );
  });

  it('enforces min_length and max_length on string options', () => {
    const definition: CommandDefinition = {
      name: 'say',
      description: 'x',
      options: [{ type: Str, name: 'text', description: 'what to say', min_length: 2, max_length: 5 }],
    };
    expect(parseArgs(definition, [{ name: 'text', type: Str, value: 'hey' }]).ok).toBe(true);
    expect(problemOf(definition, [{ name: 'text', type: Str, value: 'a' }])).toContain('`text`');
    expect(problemOf(definition, [{ name: 'text', type: Str, value: 'way too long' }])).toContain('`text`');
  });
});

describe('effectiveDefinition', () => {
  it('sets the ms ceiling to MAX_BLOCK_MS and leaves everything else alone', () => {
    const effective = effectiveDefinition(block, 2000);
    const [ms, work] = effective.options ?? [];
    expect(ms).toEqual({ ...block.options[0], max_value: 2000 });
    expect(work).toBe(block.options[1]);
    expect(effective.name).toBe('block');
    expect(effective.description).toBe(block.description);
    expect(effective.options).toHaveLength(2);
    // The definition itself is not changed.
    expect(block.options[0].max_value).toBe(10_000);
  });

  it('the effective ceiling is what parseArgs enforces', () => {
    const effective = effectiveDefinition(block, 2000);
    expect(parseArgs(effective, [{ name: 'ms', type: Integer, value: 2000 }]).ok).toBe(true);
    expect(problemOf(effective, [{ name: 'ms', type: Integer, value: 2001 }])).toBe(
      '`ms` must be between 1 and 2000 (you sent 2001).',
    );
  });

  it('follows a MAX_BLOCK_MS above the default too', () => {
    const effective = effectiveDefinition(block, 60_000);
    expect(effective.options?.[0]?.max_value).toBe(60_000);
  });

  it('only touches integer options named ms', () => {
    const definition: CommandDefinition = {
      name: 'other',
      description: 'x',
      options: [
        { type: Integer, name: 'count', description: 'n', max_value: 50_000 },
        { type: Num, name: 'ms', description: 'a number called ms', max_value: 50_000 },
        { type: Str, name: 'label', description: 'text' },
      ],
    };
    const effective = effectiveDefinition(definition, 1000);
    expect(effective.options).toEqual(definition.options);
    expect(effectiveDefinition({ name: 'lag', description: 'no options' }, 1000).options).toBeUndefined();
  });
});

describe('ArgsOf', () => {
  it('types required options as present and optional ones as possibly undefined', () => {
    expectTypeOf<ArgsOf<typeof block>>().toEqualTypeOf<{ ms: number; work: 'cpu' | 'fs' | undefined }>();
    const flags = {
      name: 'flags',
      description: 'x',
      options: [
        { type: ApplicationCommandOptionType.Boolean, name: 'on', description: 'x', required: true },
        { type: ApplicationCommandOptionType.Number, name: 'ratio', description: 'x' },
        { type: ApplicationCommandOptionType.String, name: 'text', description: 'x' },
      ],
    } as const satisfies CommandDefinition;
    expectTypeOf<ArgsOf<typeof flags>>().toEqualTypeOf<{
      on: boolean;
      ratio: number | undefined;
      text: string | undefined;
    }>();
    expectTypeOf<ArgsOf<{ name: 'lag'; description: 'x' }>>().toEqualTypeOf<Record<string, never>>();
  });
});

function holder(userId: string, interactionId = `i-${userId}`): Holder {
  return { interactionId, command: 'block', user: userId, userId, label: '/block 100' };
}

function inFlight(count: number): Map<string, InFlightDemo> {
  const map = new Map<string, InFlightDemo>();
  for (let i = 0; i < count; i++) {
    map.set(`f${i}`, {
      interactionId: `f${i}`,
      command: 'block',
      label: '/block 1000',
      user: 'x',
      userId: `x${i}`,
      startedAt: 0,
    });
  }
  return map;
}

describe('Guards', () => {
  const T = 1_800_000_000_000;

  it('lets anyone through when there is no cooldown and room to spare', () => {
    const guards = new Guards({ cooldownMs: 0, maxConcurrentDemos: 8 });
    for (let i = 0; i < 5; i++) expect(guards.admit(holder('alice'), inFlight(0), T + i)).toBeNull();
  });

  it('cooldown: blocks the same user and says how many seconds to wait', () => {
    const guards = new Guards({ cooldownMs: 10_000, maxConcurrentDemos: 8 });
    expect(guards.admit(holder('alice'), inFlight(0), T)).toBeNull();
    const refusal = guards.admit(holder('alice'), inFlight(0), T + 2_500);
    expect(refusal).toBe('Easy there: this server asks for 10 s between demos per person. Try again in 8 s.');
    expect(guards.admit(holder('alice'), inFlight(0), T + 9_001)).toMatch(/Try again in 1 s\.$/);
    expect(guards.admit(holder('alice'), inFlight(0), T + 10_000)).toBeNull();
  });

  it('cooldown: a refused attempt does not restart the clock', () => {
    const guards = new Guards({ cooldownMs: 5_000, maxConcurrentDemos: 8 });
    expect(guards.admit(holder('alice'), inFlight(0), T)).toBeNull();
    expect(guards.admit(holder('alice'), inFlight(0), T + 4_000)).not.toBeNull();
    expect(guards.admit(holder('alice'), inFlight(0), T + 5_000)).toBeNull();
    // …and the admitted one starts a new cooldown
    expect(guards.admit(holder('alice'), inFlight(0), T + 6_000)).toMatch(/Try again in 4 s\.$/);
  });

  it('cooldown: other users are not blocked', () => {
    const guards = new Guards({ cooldownMs: 60_000, maxConcurrentDemos: 8 });
    expect(guards.admit(holder('alice'), inFlight(0), T)).toBeNull();
    expect(guards.admit(holder('bob'), inFlight(0), T + 1)).toBeNull();
    expect(guards.admit(holder('carol'), inFlight(0), T + 2)).toBeNull();
    expect(guards.admit(holder('alice'), inFlight(0), T + 3)).not.toBeNull();
    expect(guards.admit(holder('bob'), inFlight(0), T + 4)).not.toBeNull();
  });

  it('caps the demos running at once', () => {
    const guards = new Guards({ cooldownMs: 0, maxConcurrentDemos: 2 });
    expect(guards.admit(holder('alice'), inFlight(1), T)).toBeNull();
    expect(guards.admit(holder('bob'), inFlight(2), T)).toBe(
      '2 demos are running right now (the limit here is 2). Give them a few seconds and try again.',
    );
    expect(guards.admit(holder('bob'), inFlight(3), T)).toMatch(/^3 demos are running/);
    expect(guards.admit(holder('bob'), inFlight(1), T)).toBeNull();
  });

  it('a demo refused by the cap does not start a cooldown', () => {
    const guards = new Guards({ cooldownMs: 30_000, maxConcurrentDemos: 1 });
    expect(guards.admit(holder('alice'), inFlight(1), T)).toMatch(/limit here is 1/);
    expect(guards.admit(holder('alice'), inFlight(0), T + 1)).toBeNull();
  });
});
