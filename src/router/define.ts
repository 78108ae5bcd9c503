import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import type { CommandResult, CommandRun, ComponentHandler } from '../contracts/run.js';
import type { CommandDefinition, OptionDefinition } from '../discord/options.js';

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
