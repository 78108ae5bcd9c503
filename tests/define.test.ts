import { ApplicationCommandOptionType } from 'discord.js';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type CommandDefinition, type GivenOption, parseArgs } from '../src/discord/options.js';
import { type ArgsOf, effectiveDefinition } from '../src/router/define.js';

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

type Given = GivenOption;

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
    // Discord leaves an option out rather than send it empty: one given without a value is broken
    // (typed text, as the sandbox's composer sends it, may leave it blank instead).
    expect(
      parseArgs(block, [
        { name: 'ms', type: Integer, value: 300 },
        { name: 'work', type: Str, value: null },
      ]),
    ).toEqual({ ok: false, problem: '`work` came without a value.' });
    expect(
      parseArgs(
        block,
        [
          { name: 'ms', type: Integer, value: 300 },
          { name: 'work', value: '' },
        ],
        { typed: true },
      ),
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
    expect(
      effectiveDefinition<CommandDefinition>({ name: 'lag', description: 'no options' }, 1000).options,
    ).toBeUndefined();
  });
});

describe('parseArgs with subcommands', () => {
  const Sub = ApplicationCommandOptionType.Subcommand;
  const classroom = {
    name: 'classroom',
    description: 'teacher controls',
    options: [
      { type: Sub, name: 'show', description: 'settings' },
      {
        type: Sub,
        name: 'set',
        description: 'change',
        options: [{ type: Integer, name: 'cooldown_s', description: 'pause', min_value: 0, max_value: 3600 }],
      },
    ],
  } as const satisfies CommandDefinition;

  it('returns the chosen subcommand and its options', () => {
    expect(
      parseArgs(classroom, [
        { name: 'set', type: Sub, options: [{ name: 'cooldown_s', type: Integer, value: 30 }] },
      ]),
    ).toEqual({ ok: true, args: { subcommand: 'set', cooldown_s: 30 } });
    expect(parseArgs(classroom, [{ name: 'show', type: Sub }])).toEqual({
      ok: true,
      args: { subcommand: 'show' },
    });
  });

  it('refuses no subcommand, an unknown one, two, or a bad option inside one', () => {
    const needs = '`/classroom` needs one of its subcommands: `show`, `set`.';
    expect(problemOf(classroom, [])).toBe(needs);
    expect(problemOf(classroom, [{ name: 'wipe', type: Sub }])).toBe(needs);
    expect(
      problemOf(classroom, [
        { name: 'show', type: Sub },
        { name: 'set', type: Sub },
      ]),
    ).toBe(needs);
    expect(problemOf(classroom, [{ name: 'cooldown_s', type: Integer, value: 3 }])).toBe(needs);
    expect(
      problemOf(classroom, [
        { name: 'set', type: Sub, options: [{ name: 'cooldown_s', type: Integer, value: -1 }] },
      ]),
    ).toBe('`cooldown_s` must be between 0 and 3600 (you sent -1).');
    expect(
      problemOf(classroom, [
        { name: 'show', type: Sub, options: [{ name: 'cooldown_s', type: Integer, value: 1 }] },
      ]),
    ).toBe('`/classroom show` has no option `cooldown_s`.');
  });

  it('types the handler arguments as a union tagged by subcommand', () => {
    expectTypeOf<ArgsOf<typeof classroom>>().toEqualTypeOf<
      { subcommand: 'show' } | ({ subcommand: 'set' } & { cooldown_s: number | undefined })
    >();
  });

  it('refuses a duplicated option and options that are not a list', () => {
    expect(
      problemOf(block, [
        { name: 'ms', type: Integer, value: 1 },
        { name: 'ms', type: Integer, value: 2 },
      ]),
    ).toBe('`ms` was given twice.');
    expect(problemOf(block, 'ms=1' as unknown as Given[])).toBe('the options are not a list.');
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
