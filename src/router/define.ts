import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import type { CommandResult, CommandRun, ComponentHandler } from '../contracts/run.js';
import type { CommandDefinition, OptionDefinition, SubcommandDefinition } from '../discord/options.js';

type ValueOf<O> = O extends { choices: readonly { value: infer V }[] }
  ? V
  : O extends { type: ApplicationCommandOptionType.Integer | ApplicationCommandOptionType.Number }
    ? number
    : O extends { type: ApplicationCommandOptionType.Boolean }
      ? boolean
      : string;

type OptionArgs<Options> = Options extends readonly OptionDefinition[]
  ? {
      [O in Options[number] as O['name']]: O extends { required: true } ? ValueOf<O> : ValueOf<O> | undefined;
    }
  : Record<string, never>;

/** One subcommand's arguments: its name under `subcommand`, then its options. */
type SubcommandArgs<S> = S extends SubcommandDefinition
  ? { subcommand: S['name'] } & (S['options'] extends readonly OptionDefinition[]
      ? OptionArgs<S['options']>
      : unknown)
  : never;

/**
 * A handler's arguments, typed from its definition (required options are never undefined); for a
 * command with subcommands, a union tagged by `subcommand`.
 */
export type ArgsOf<D extends CommandDefinition> = D['options'] extends readonly SubcommandDefinition[]
  ? SubcommandArgs<D['options'][number]>
  : OptionArgs<D['options']>;

export interface SlashCommand<D extends CommandDefinition = CommandDefinition> {
  definition: D;
  /** Demo commands run work and report on it: they count against caps and cooldowns. */
  demo: boolean;
  /** How long a demo will hold the main thread, for the server's budget (default: none). */
  mainThreadMs?(args: ArgsOf<D>): number;
  /** Runs the command and returns what to send; the router sends it. */
  execute(run: CommandRun<ArgsOf<D>>): Promise<CommandResult>;
  /** Buttons this command's messages carry, handled by the router under `ll1:<name>:…`. */
  components?: readonly ComponentHandler[];
}

export function defineCommand<const D extends CommandDefinition>(command: SlashCommand<D>): SlashCommand<D> {
  return command;
}

/** Options whose ceiling is the operator's MAX_BLOCK_MS rather than the definition's default. */
const CAPPED_BY_MAX_BLOCK = new Set(['ms']);

/** The definition as registered: `ms` options are capped by MAX_BLOCK_MS. */
export function effectiveDefinition<D extends CommandDefinition>(definition: D, maxBlockMs: number): D {
  const cap = (o: OptionDefinition): OptionDefinition =>
    CAPPED_BY_MAX_BLOCK.has(o.name) && o.type === ApplicationCommandOptionType.Integer
      ? { ...o, max_value: maxBlockMs }
      : o;
  const options = definition.options;
  if (!options) return definition;
  return {
    ...definition,
    options: (isSubcommands(options)
      ? options.map((s) => ({ ...s, ...(s.options ? { options: s.options.map(cap) } : {}) }))
      : options.map(cap)) as D['options'],
  };
}

function isSubcommands(
  options: readonly OptionDefinition[] | readonly SubcommandDefinition[],
): options is readonly SubcommandDefinition[] {
  return options.some((o) => o.type === ApplicationCommandOptionType.Subcommand);
}
