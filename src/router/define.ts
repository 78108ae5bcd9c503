import { ApplicationCommandOptionType } from 'discord.js';
import type { ComponentHandler } from './components.js';
import type { CommandRun } from './run.js';

/** A slash-command option as plain data (the JSON Discord receives). */
export interface OptionDefinition {
  type:
    | ApplicationCommandOptionType.String
    | ApplicationCommandOptionType.Integer
    | ApplicationCommandOptionType.Boolean
    | ApplicationCommandOptionType.Number;
  name: string;
  description: string;
  required?: boolean;
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
  choices?: readonly { name: string; value: string | number }[];
}

/** A chat-input command definition as plain data, registered as it is. */
export interface CommandDefinition {
  name: string;
  description: string;
  options?: readonly OptionDefinition[];
  default_member_permissions?: string | null;
  contexts?: readonly number[];
}

type ValueOf<O> = O extends { choices: readonly { value: infer V }[] }
  ? V
  : O extends { type: ApplicationCommandOptionType.Integer | ApplicationCommandOptionType.Number }
    ? number
    : O extends { type: ApplicationCommandOptionType.Boolean }
      ? boolean
      : string;

/** A handler's arguments, typed from its definition (required options are never undefined). */
export type ArgsOf<D extends CommandDefinition> = D['options'] extends readonly OptionDefinition[]
  ? {
      [O in D['options'][number] as O['name']]: O extends { required: true }
        ? ValueOf<O>
        : ValueOf<O> | undefined;
    }
  : Record<string, never>;

export interface SlashCommand<D extends CommandDefinition = CommandDefinition> {
  definition: D;
  /** Demo commands run work and report on it: they count against caps and cooldowns. */
  demo: boolean;
  execute(run: CommandRun<ArgsOf<D>>): Promise<void>;
  /** Buttons this command's messages carry, handled by the router under `ll1:<name>:…`. */
  components?: readonly ComponentHandler[];
}

export function defineCommand<const D extends CommandDefinition>(command: SlashCommand<D>): SlashCommand<D> {
  return command;
}

/** Options whose ceiling is the operator's MAX_BLOCK_MS rather than the definition's default. */
const CAPPED_BY_MAX_BLOCK = new Set(['ms']);

/** The definition as registered: `ms` options are capped by MAX_BLOCK_MS. */
export function effectiveDefinition(definition: CommandDefinition, maxBlockMs: number): CommandDefinition {
  return {
    ...definition,
    options: definition.options?.map((o) =>
      CAPPED_BY_MAX_BLOCK.has(o.name) && o.type === ApplicationCommandOptionType.Integer
        ? { ...o, max_value: maxBlockMs }
        : o,
    ),
  };
}

export type ParsedArgs =
  | { ok: true; args: Record<string, string | number | boolean | undefined> }
  | { ok: false; problem: string };

/**
 * Reads an interaction's options against the definition. Discord's client validates ranges, but
 * a stale client, another Discord-compatible server or a hostile one may not: check again.
 */
export function parseArgs(
  definition: CommandDefinition,
  data: ReadonlyArray<{ name: string; type: number; value?: unknown }>,
): ParsedArgs {
  const args: Record<string, string | number | boolean | undefined> = {};
  for (const given of data) {
    if (!definition.options?.some((o) => o.name === given.name)) {
      return { ok: false, problem: `\`/${definition.name}\` has no option \`${given.name}\`.` };
    }
  }
  for (const option of definition.options ?? []) {
    const given = data.find((d) => d.name === option.name)?.value;
    const name = `\`${option.name}\``;
    if (given === undefined || given === null) {
      if (option.required) return { ok: false, problem: `${name} is required: ${option.description}.` };
      args[option.name] = undefined;
      continue;
    }
    switch (option.type) {
      case ApplicationCommandOptionType.Integer:
      case ApplicationCommandOptionType.Number: {
        const n = typeof given === 'string' && given.trim() !== '' ? Number(given) : given;
        const integer = option.type === ApplicationCommandOptionType.Integer;
        if (typeof n !== 'number' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
          return { ok: false, problem: `${name} must be a ${integer ? 'whole ' : ''}number.` };
        }
        const min = option.min_value ?? Number.NEGATIVE_INFINITY;
        const max = option.max_value ?? Number.POSITIVE_INFINITY;
        if (n < min || n > max) {
          return { ok: false, problem: `${name} must be between ${min} and ${max} (you sent ${n}).` };
        }
        if (option.choices && !option.choices.some((c) => c.value === n)) {
          const allowed = option.choices.map((c) => `\`${c.value}\``).join(', ');
          return { ok: false, problem: `${name} must be one of ${allowed} (you sent ${n}).` };
        }
        args[option.name] = n;
        break;
      }
      case ApplicationCommandOptionType.Boolean:
        if (typeof given !== 'boolean') return { ok: false, problem: `${name} must be true or false.` };
        args[option.name] = given;
        break;
      default: {
        if (typeof given !== 'string') return { ok: false, problem: `${name} must be text.` };
        if (option.choices && !option.choices.some((c) => c.value === given)) {
          const allowed = option.choices.map((c) => `\`${c.value}\``).join(', ');
          return {
            ok: false,
            problem: `${name} must be one of ${allowed} (you sent \`${given.slice(0, 50)}\`).`,
          };
        }
        if (option.min_length !== undefined && given.length < option.min_length) {
          return { ok: false, problem: `${name} must be at least ${option.min_length} characters.` };
        }
        if (option.max_length !== undefined && given.length > option.max_length) {
          return { ok: false, problem: `${name} must be at most ${option.max_length} characters.` };
        }
        args[option.name] = given;
      }
    }
  }
  return { ok: true, args };
}
