import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CommandDefinition } from '../discord/options.js';
import type { SlashCommand } from './define.js';

export type CommandRegistry = ReadonlyMap<string, SlashCommand>;

/** The commands/ folder at the repository root (src/router → ../../commands), in source or dist. */
export const COMMANDS_DIR = new URL('../../commands/', import.meta.url);

/**
 * Builds the registry from the commands folder: one file per command, whose default export is a
 * `defineCommand(...)`. Adding a command is adding a file.
 */
export async function loadCommands(dir: URL = COMMANDS_DIR): Promise<CommandRegistry> {
  const files = (await readdir(fileURLToPath(dir)))
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('_'))
    .sort();
  const registry = new Map<string, SlashCommand>();
  for (const file of files) {
    const module = (await import(pathToFileURL(fileURLToPath(new URL(file, dir))).href)) as {
      default?: SlashCommand;
    };
    const command = module.default;
    if (!command?.definition?.name || typeof command.execute !== 'function') {
      throw new Error(`commands/${file} must export default defineCommand({ definition, execute })`);
    }
    if (registry.has(command.definition.name))
      throw new Error(`two commands are named /${command.definition.name}`);
    registry.set(command.definition.name, command as SlashCommand);
  }
  return registry;
}

export function definitionsOf(registry: CommandRegistry): CommandDefinition[] {
  return [...registry.values()].map((c) => c.definition);
}
