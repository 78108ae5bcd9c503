import type { APIApplicationCommand } from 'discord-api-types/v10';
import { ApplicationCommandType } from 'discord-api-types/v10';
import { CommandLimits, ErrorCode, HttpStatus, MAX_COMMANDS_PER_SCOPE } from '../discord/facts.js';
import { ApiError } from './http.js';
import type { SandboxWorld } from './world.js';

/** Discord's command and option name rule: letters and digits of any script, `-`, `_` and `'`. */
const NAME = new RegExp(`^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,${CommandLimits.name}}$`, 'u');

function invalid(path: string, message: string): ApiError {
  return new ApiError(HttpStatus.BadRequest, ErrorCode.InvalidFormBody, undefined, {
    [path]: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message }] },
  });
}

interface CommandInput {
  name?: unknown;
  description?: unknown;
  type?: unknown;
  options?: unknown;
  default_member_permissions?: unknown;
  contexts?: unknown;
  integration_types?: unknown;
  nsfw?: unknown;
  dm_permission?: unknown;
}

/** Validates one command definition as Discord does (names, lengths, option counts, ranges). */
function validateCommand(input: CommandInput, path: string): void {
  if (typeof input !== 'object' || input === null) throw invalid(path, 'must be an object');
  const type = input.type ?? ApplicationCommandType.ChatInput;
  if (typeof input.name !== 'string' || !NAME.test(input.name)) {
    throw invalid(`${path}.name`, `Must be 1-${CommandLimits.name} characters: letters, digits, - or _.`);
  }
  if (type === ApplicationCommandType.ChatInput && input.name !== input.name.toLowerCase()) {
    throw invalid(`${path}.name`, 'Command name must be lowercase.');
  }
  if (type === ApplicationCommandType.ChatInput) {
    if (
      typeof input.description !== 'string' ||
      input.description.length < 1 ||
      input.description.length > CommandLimits.description
    ) {
      throw invalid(`${path}.description`, `Must be between 1 and ${CommandLimits.description} in length.`);
    }
  }
  const options = input.options ?? [];
  if (!Array.isArray(options)) throw invalid(`${path}.options`, 'must be an array');
  if (options.length > CommandLimits.options) {
    throw invalid(`${path}.options`, `Must be ${CommandLimits.options} or fewer in length.`);
  }
  const seen = new Set<string>();
  let optionalSeen = false;
  for (const [i, option] of (options as Array<Record<string, unknown>>).entries()) {
    const where = `${path}.options.${i}`;
    if (
      typeof option.name !== 'string' ||
      !NAME.test(option.name) ||
      option.name !== option.name.toLowerCase()
    ) {
      throw invalid(`${where}.name`, `Must be 1-${CommandLimits.name} lowercase characters.`);
    }
    if (seen.has(option.name)) throw invalid(`${where}.name`, 'Option names must be unique.');
    seen.add(option.name);
    if (
      typeof option.description !== 'string' ||
      option.description.length < 1 ||
      option.description.length > CommandLimits.description
    ) {
      throw invalid(`${where}.description`, `Must be between 1 and ${CommandLimits.description} in length.`);
    }
    if (option.required === true && optionalSeen) {
      throw invalid(`${where}.required`, 'Required options must be placed before non-required options.');
    }
    if (option.required !== true) optionalSeen = true;
    const { min_value: min, max_value: max } = option as { min_value?: number; max_value?: number };
    if (typeof min === 'number' && typeof max === 'number' && min > max) {
      throw invalid(`${where}.min_value`, 'min_value must be less than or equal to max_value.');
    }
    const choices = option.choices;
    if (choices !== undefined && (!Array.isArray(choices) || choices.length > CommandLimits.choices)) {
      throw invalid(`${where}.choices`, `Must be ${CommandLimits.choices} or fewer in length.`);
    }
  }
}

/** Turns a definition into the stored command, keeping the id of an existing command of the same name. */
export function storeCommand(
  world: SandboxWorld,
  input: CommandInput,
  guildId: string | null,
  path = 'body',
): { command: APIApplicationCommand; created: boolean } {
  validateCommand(input, path);
  const commands = world.commandsFor(guildId);
  const existing = [...commands.values()].find(
    (c) => c.name === input.name && c.type === (input.type ?? ApplicationCommandType.ChatInput),
  );
  const command = {
    id: existing?.id ?? world.ids.next(),
    application_id: world.applicationId,
    version: world.ids.next(),
    default_member_permissions:
      typeof input.default_member_permissions === 'string' ? input.default_member_permissions : null,
    type: (input.type as ApplicationCommandType | undefined) ?? ApplicationCommandType.ChatInput,
    name: input.name as string,
    description: (input.description as string | undefined) ?? '',
    options: (input.options as APIApplicationCommand['options']) ?? [],
    nsfw: input.nsfw === true,
    ...(guildId ? { guild_id: guildId } : {}),
    ...(Array.isArray(input.contexts) ? { contexts: input.contexts } : {}),
    ...(Array.isArray(input.integration_types) ? { integration_types: input.integration_types } : {}),
  } as APIApplicationCommand;
  if (existing) commands.delete(existing.id);
  commands.set(command.id, command);
  return { command, created: !existing };
}

/** PUT bulk overwrite: the given list replaces every command in the scope. */
export function overwriteCommands(world: SandboxWorld, input: unknown, guildId: string | null) {
  if (!Array.isArray(input)) throw invalid('body', 'must be an array of commands');
  if (input.length > MAX_COMMANDS_PER_SCOPE) {
    throw invalid('body', `Must be ${MAX_COMMANDS_PER_SCOPE} or fewer in length.`);
  }
  input.forEach((c, i) => {
    validateCommand(c as CommandInput, `${i}`);
  });
  const names = input.map(
    (c) => `${(c as CommandInput).type ?? ApplicationCommandType.ChatInput}:${(c as CommandInput).name}`,
  );
  if (new Set(names).size !== names.length) throw invalid('body', 'Application command names must be unique');
  const commands = world.commandsFor(guildId);
  const previous = new Map([...commands.values()].map((c) => [`${c.type}:${c.name}`, c]));
  commands.clear();
  for (const [key, c] of previous) if (names.includes(key)) commands.set(c.id, c);
  return input.map((c, i) => storeCommand(world, c as CommandInput, guildId, `${i}`).command);
}
