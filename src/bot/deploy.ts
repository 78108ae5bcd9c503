import type { REST } from '@discordjs/rest';
import { Routes } from 'discord-api-types/v10';
import type { CommandDefinition } from '../discord/options.js';

/**
 * Registers the commands with one bulk overwrite (PUT): a guild's commands appear at once (use it
 * for a test or classroom server); global commands reach every server the bot is in.
 */
export async function deployCommands(
  rest: Pick<REST, 'put'>,
  applicationId: string,
  guildId: string | null,
  definitions: readonly CommandDefinition[],
): Promise<number> {
  const route = guildId
    ? Routes.applicationGuildCommands(applicationId, guildId)
    : Routes.applicationCommands(applicationId);
  const result = (await rest.put(route, { body: definitions })) as unknown[];
  return result.length;
}
