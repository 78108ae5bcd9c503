import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import { type CommandDefinition, type GivenOption, parseArgs } from '../src/discord/options.js';
import { SandboxClock } from '../src/sandbox/clock.js';
import { storeCommand } from '../src/sandbox/commands.js';
import { InteractionStore } from '../src/sandbox/interaction-store.js';
import { InvocationError, invokeCommand } from '../src/sandbox/invocations.js';
import { SandboxWorld } from '../src/sandbox/world.js';

/**
 * Discord's client checks options before it sends an interaction, and the bot checks again what
 * arrives. Both use src/discord/options.ts: here the sandbox (the client's check) and the bot's
 * checker meet the same definition and the same inputs, and must agree on every one.
 */
const definition = {
  name: 'block',
  description: 'holds the main thread',
  options: [
    {
      type: ApplicationCommandOptionType.Integer,
      name: 'ms',
      description: 'how long, in ms',
      required: true,
      min_value: 1,
      max_value: 10_000,
    },
    {
      type: ApplicationCommandOptionType.String,
      name: 'work',
      description: 'what work',
      choices: [
        { name: 'cpu', value: 'cpu' },
        { name: 'sleep', value: 'sleep' },
      ],
    },
    { type: ApplicationCommandOptionType.Boolean, name: 'defer', description: 'defer first' },
    {
      type: ApplicationCommandOptionType.Number,
      name: 'share',
      description: 'a share',
      min_value: 0,
      max_value: 1,
    },
    { type: ApplicationCommandOptionType.String, name: 'note', description: 'a note', max_length: 10 },
  ],
} satisfies CommandDefinition;

/** Values as Discord delivers them (typed JSON): both sides must say the same of each. */
const INPUTS: Array<Record<string, unknown>> = [
  { ms: 4_000 },
  { ms: 1 },
  { ms: 10_000 },
  { ms: 0 },
  { ms: 10_001 },
  { ms: -5 },
  { ms: 1.5 },
  { ms: 'soon' },
  { ms: '4000' },
  { ms: null },
  {},
  { ms: 5, work: 'cpu' },
  { ms: 5, work: 'gpu' },
  { ms: 5, work: 42 },
  { ms: 5, defer: false },
  { ms: 5, defer: 1 },
  { ms: 5, share: 0.25 },
  { ms: 5, share: 2 },
  { ms: 5, note: 'short' },
  { ms: 5, note: 'far too long a note' },
  { ms: 5, bogus: 1 },
  { ms: 5, work: 'sleep', defer: true, share: 1, note: 'all' },
];

/** What a person types, as text: the sandbox reads it as Discord's client would. */
const TYPED: Array<Record<string, unknown>> = [
  { ms: '4000', defer: 'true' },
  { ms: ' 250 ', defer: 'false', share: '0.5' },
  { ms: 5, work: '', note: '' },
];

const stores: InteractionStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

/** A command with subcommands, as a teacher's /classroom would be. */
const classroom = {
  name: 'classroom',
  description: 'teacher controls',
  options: [
    { type: ApplicationCommandOptionType.Subcommand, name: 'show', description: 'the settings' },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'set',
      description: 'change them',
      options: [
        {
          type: ApplicationCommandOptionType.Integer,
          name: 'cooldown_s',
          description: 'pause between demos',
          min_value: 0,
          max_value: 3600,
        },
      ],
    },
  ],
} satisfies CommandDefinition;

function sandbox() {
  const world = new SandboxWorld(new SandboxClock());
  storeCommand(world, definition, world.guildId);
  storeCommand(world, classroom, world.guildId);
  const store = new InteractionStore(world);
  stores.push(store);
  return { world, store };
}

type Outcome =
  | { ok: true; options: GivenOption[]; values: Record<string, unknown> }
  | { ok: false; problem: string };

/** The sandbox's answer to a user's invocation: the options it sends the bot, or its 400 reason. */
function sandboxSays(raw: Record<string, unknown>, validate = true, command = 'block'): Outcome {
  const { world, store } = sandbox();
  try {
    const record = invokeCommand(world, store, { user: 'alice', command, options: raw, validate });
    const data = record.payload.data as { options?: GivenOption[] };
    return { ok: true, options: data.options ?? [], values: record.options };
  } catch (error) {
    if (!(error instanceof InvocationError)) throw error;
    expect(error.status).toBe(400);
    return { ok: false, problem: error.message };
  }
}

const asGiven = (raw: Record<string, unknown>): GivenOption[] =>
  Object.entries(raw).map(([name, value]) => ({ name, value }));

describe("the sandbox's option check and the bot's", () => {
  it.each(INPUTS)('agree on %j', (raw) => {
    const sandboxOutcome = sandboxSays(raw);
    // The bot's checker (default mode: values as they arrive), given the same values.
    const bot = parseArgs(definition, asGiven(raw));
    expect(sandboxOutcome.ok).toBe(bot.ok);
    if (!sandboxOutcome.ok || !bot.ok) {
      expect(sandboxOutcome).toEqual({ ok: false, problem: bot.ok ? '' : bot.problem });
      return;
    }
    // What the sandbox sent is what the bot reads, value for value.
    const received = parseArgs(definition, sandboxOutcome.options);
    expect(received).toEqual(bot);
    const given = Object.fromEntries(Object.entries(bot.args).filter(([, v]) => v !== undefined));
    expect(sandboxOutcome.values).toEqual(given);
  });

  it.each(INPUTS)('refuse the same, with the same words, when a stale client skips the check: %j', (raw) => {
    const checked = sandboxSays(raw);
    // validate:false sends it as given; the bot's checker is then the only one to see it.
    const unchecked = sandboxSays(raw, false);
    if (!unchecked.ok) {
      // Not even a stale client can send it (a JSON null is no option value): refused either way.
      expect(checked.ok).toBe(false);
      return;
    }
    const bot = parseArgs(definition, unchecked.options);
    expect(bot.ok).toBe(checked.ok);
    if (!bot.ok && !checked.ok) expect(checked.problem).toBe(bot.problem);
  });

  it.each(TYPED)('send what a person typed as typed values the bot accepts: %j', (raw) => {
    const outcome = sandboxSays(raw);
    if (!outcome.ok) throw new Error(`refused ${JSON.stringify(raw)}: ${outcome.problem}`);
    const bot = parseArgs(definition, outcome.options);
    expect(bot.ok).toBe(true);
    for (const option of outcome.options) {
      const type = definition.options.find((o) => o.name === option.name)!.type;
      const expected =
        type === ApplicationCommandOptionType.String
          ? 'string'
          : type === ApplicationCommandOptionType.Boolean
            ? 'boolean'
            : 'number';
      expect(typeof option.value).toBe(expected);
      expect(option.type).toBe(type);
    }
  });

  it("refuses with the shared checker's sentence, naming the option", () => {
    expect(sandboxSays({ ms: 0 })).toEqual({
      ok: false,
      problem: '`ms` must be between 1 and 10000 (you sent 0).',
    });
    expect(sandboxSays({ ms: 5, bogus: 1 })).toEqual({
      ok: false,
      problem: '`/block` has no option `bogus`.',
    });
  });

  it.each([
    ['classroom set', { cooldown_s: 30 }],
    ['classroom set', { cooldown_s: '45' }],
    ['classroom set', {}],
    ['classroom show', {}],
    ['classroom set', { cooldown_s: -1 }],
    ['classroom show', { cooldown_s: 1 }],
    ['classroom', {}],
    ['classroom', { cooldown_s: 30 }],
  ] as const)('agree on subcommands: /%s %j', (command, raw) => {
    const outcome = sandboxSays(raw, true, command);
    const [, subcommand] = command.split(' ');
    const typed = asGiven(raw);
    const given = subcommand
      ? [{ name: subcommand, type: ApplicationCommandOptionType.Subcommand, options: typed }]
      : typed;
    const bot = parseArgs(classroom, given);
    expect(outcome.ok).toBe(bot.ok);
    if (!outcome.ok || !bot.ok) {
      expect(outcome).toEqual({ ok: false, problem: bot.ok ? '' : bot.problem });
      return;
    }
    // Discord sends one option, the subcommand, with its own options inside: the bot reads that.
    expect(outcome.options).toEqual([
      expect.objectContaining({ name: subcommand, type: ApplicationCommandOptionType.Subcommand }),
    ]);
    expect(parseArgs(classroom, outcome.options)).toEqual(bot);
  });

  it('refuses a subcommand the command does not have', () => {
    expect(sandboxSays({}, true, 'classroom wipe')).toEqual({
      ok: false,
      problem: '`/classroom` has no subcommand `wipe`.',
    });
    expect(sandboxSays({}, true, 'block now')).toEqual({
      ok: false,
      problem: '`/block` has no subcommand `now`.',
    });
  });
});
