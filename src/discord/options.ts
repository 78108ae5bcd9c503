/**
 * Slash-command definitions as the plain data Discord receives, and the one option checker that
 * both the bot and the sandbox use: the sandbox checks what a user typed the way Discord's client
 * does, and the bot checks again what arrived (a stale client, another Discord-compatible server or
 * a hostile one may not have). One implementation, so the two can never disagree silently.
 */
import { ApplicationCommandOptionType } from 'discord-api-types/v10';

/** The option types LoopLab's commands use. */
export type OptionType =
  | ApplicationCommandOptionType.String
  | ApplicationCommandOptionType.Integer
  | ApplicationCommandOptionType.Boolean
  | ApplicationCommandOptionType.Number;

/** A slash-command option as plain data (the JSON Discord receives). */
export interface OptionDefinition {
  type: OptionType;
  name: string;
  description: string;
  required?: boolean;
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
  choices?: readonly { name: string; value: string | number }[];
}

/** A subcommand (`/classroom set`): a name and its own options. */
export interface SubcommandDefinition {
  type: ApplicationCommandOptionType.Subcommand;
  name: string;
  description: string;
  options?: readonly OptionDefinition[];
}

/** A chat-input command definition as plain data, registered as it is: options, or subcommands. */
export interface CommandDefinition {
  name: string;
  description: string;
  options?: readonly OptionDefinition[] | readonly SubcommandDefinition[];
  default_member_permissions?: string | null;
  contexts?: readonly number[];
}

export type OptionValue = string | number | boolean;

/** An option as it arrives in an interaction (or as a user typed it); a subcommand carries its own. */
export interface GivenOption {
  name: string;
  type?: number;
  value?: unknown;
  options?: ReadonlyArray<GivenOption>;
}

export type ParsedArgs =
  | { ok: true; args: Record<string, OptionValue | undefined> }
  | { ok: false; problem: string };

export interface CheckMode {
  /**
   * Text as a user types it: "4000" for an integer, "true" for a boolean, "" for "not given".
   * Off (the bot), values must already have their type, except numbers sent as numeric strings.
   */
  typed?: boolean;
}

type LooseOption = Omit<OptionDefinition, 'type'> & { type: number; options?: readonly LooseOption[] };

/** A definition's options in the loose shape both the bot's and Discord's command objects have. */
type LooseDefinition = {
  name: string;
  options?: readonly LooseOption[];
};

/** The key under which parseArgs returns the chosen subcommand's name. */
export const SUBCOMMAND = 'subcommand';

/**
 * Reads an interaction's options against the definition: unknown, duplicated, missing, mistyped
 * and out-of-range options are refused with one plain sentence naming the option.
 */
export function parseArgs(
  definition: LooseDefinition,
  given: ReadonlyArray<GivenOption>,
  mode: CheckMode = {},
): ParsedArgs {
  if (!Array.isArray(given)) return { ok: false, problem: 'the options are not a list.' };
  const subcommands = (definition.options ?? []).filter(
    (o) => o.type === ApplicationCommandOptionType.Subcommand,
  );
  if (subcommands.length === 0) return parseOptions(definition, given, mode);
  // Discord sends exactly one option: the subcommand, with its own options inside.
  const names = subcommands.map((s) => `\`${s.name}\``).join(', ');
  const [chosen, ...extra] = given;
  const subcommand = subcommands.find((s) => s.name === chosen?.name);
  if (
    !chosen ||
    extra.length > 0 ||
    !subcommand ||
    (chosen.type !== undefined && chosen.type !== subcommand.type)
  ) {
    return { ok: false, problem: `\`/${definition.name}\` needs one of its subcommands: ${names}.` };
  }
  const parsed = parseOptions(
    { name: `${definition.name} ${subcommand.name}`, options: subcommand.options ?? [] },
    chosen.options ?? [],
    mode,
  );
  return parsed.ok ? { ok: true, args: { [SUBCOMMAND]: subcommand.name, ...parsed.args } } : parsed;
}

function parseOptions(
  definition: LooseDefinition,
  given: ReadonlyArray<GivenOption>,
  mode: CheckMode,
): ParsedArgs {
  if (!Array.isArray(given)) return { ok: false, problem: 'the options are not a list.' };
  const args: Record<string, OptionValue | undefined> = {};
  const options = definition.options ?? [];
  const seen = new Set<string>();
  for (const option of given) {
    if (typeof option?.name !== 'string' || !options.some((o) => o.name === option.name)) {
      const name = String(option?.name ?? '').slice(0, 50);
      return { ok: false, problem: `\`/${definition.name}\` has no option \`${name}\`.` };
    }
    if (seen.has(option.name)) return { ok: false, problem: `\`${option.name}\` was given twice.` };
    seen.add(option.name);
  }
  for (const option of options) {
    const entry = given.find((d) => d.name === option.name);
    let value = entry?.value;
    if (mode.typed && value === '') value = undefined;
    const name = `\`${option.name}\``;
    // Discord leaves an option out rather than send it empty: one that is there without a value is broken.
    if (entry && !mode.typed && !option.required && (value === undefined || value === null)) {
      return { ok: false, problem: `${name} came without a value.` };
    }
    if (value === undefined || value === null) {
      if (option.required) return { ok: false, problem: `${name} is required: ${option.description}.` };
      args[option.name] = undefined;
      continue;
    }
    const checked = checkValue(option, value, mode);
    if (typeof checked === 'string') return { ok: false, problem: `${name} ${checked}` };
    args[option.name] = checked.value;
  }
  return { ok: true, args };
}

function checkValue(
  option: Omit<OptionDefinition, 'type'> & { type: number },
  given: unknown,
  mode: CheckMode,
): { value: OptionValue } | string {
  switch (option.type) {
    case ApplicationCommandOptionType.Integer:
    case ApplicationCommandOptionType.Number: {
      const n = typeof given === 'string' && given.trim() !== '' ? Number(given) : given;
      const integer = option.type === ApplicationCommandOptionType.Integer;
      if (typeof n !== 'number' || !Number.isFinite(n) || (integer && !Number.isSafeInteger(n))) {
        return `must be a ${integer ? 'whole ' : ''}number.`;
      }
      const min = option.min_value ?? Number.NEGATIVE_INFINITY;
      const max = option.max_value ?? Number.POSITIVE_INFINITY;
      if (n < min || n > max) return `must be between ${min} and ${max} (you sent ${n}).`;
      if (option.choices?.length && !option.choices.some((c) => c.value === n)) {
        return `must be one of ${option.choices.map((c) => `\`${c.value}\``).join(', ')} (you sent ${n}).`;
      }
      return { value: n };
    }
    case ApplicationCommandOptionType.Boolean:
      if (mode.typed && (given === 'true' || given === 'false')) return { value: given === 'true' };
      return typeof given === 'boolean' ? { value: given } : 'must be true or false.';
    case ApplicationCommandOptionType.String: {
      if (typeof given !== 'string') return 'must be text.';
      if (option.choices?.length && !option.choices.some((c) => c.value === given)) {
        const allowed = option.choices.map((c) => `\`${c.value}\``).join(', ');
        return `must be one of ${allowed} (you sent \`${given.slice(0, 50)}\`).`;
      }
      if (option.min_length !== undefined && given.length < option.min_length) {
        return `must be at least ${option.min_length} characters.`;
      }
      if (option.max_length !== undefined && given.length > option.max_length) {
        return `must be at most ${option.max_length} characters.`;
      }
      return { value: given };
    }
    default:
      return `has a type this bot does not take (${option.type}).`;
  }
}
