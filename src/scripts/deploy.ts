/**
 * `npm run deploy`: registers LoopLab's slash commands with one bulk overwrite — in GUILD_ID if
 * set (appears at once: use it for a test or classroom server), else globally. Honours
 * DISCORD_API_URL (a REST proxy or a Discord-compatible server) and DISCORD_APPLICATION_ID.
 */
import 'dotenv/config';
import { REST } from '@discordjs/rest';
import { Routes } from 'discord-api-types/v10';
import { deployCommands } from '../bot/deploy.js';
import { ConfigError, loadConfig } from '../config/env.js';
import { effectiveDefinition } from '../router/define.js';
import { definitionsOf, loadCommands } from '../router/registry.js';
import { applicationIdFromToken } from './invite.js';

try {
  const config = loadConfig();
  if (!config.discordToken) {
    console.error(
      'npm run deploy talks to Discord and needs DISCORD_TOKEN. (In sandbox mode, `npm start` registers the commands itself.)',
    );
    process.exit(2);
  }
  const rest = new REST(config.apiUrl ? { api: config.apiUrl } : {}).setToken(config.discordToken);
  const applicationId =
    config.applicationId ??
    applicationIdFromToken(config.discordToken) ??
    ((await rest.get(Routes.currentApplication())) as { id: string }).id;
  const definitions = definitionsOf(await loadCommands()).map((d) =>
    effectiveDefinition(d, config.maxBlockMs),
  );
  const count = await deployCommands(rest, applicationId, config.guildId, definitions);
  console.log(
    config.guildId
      ? `Registered ${count} commands in guild ${config.guildId}: they are usable now.`
      : `Registered ${count} global commands: they can take up to an hour to appear everywhere. Set GUILD_ID for instant registration in one server.`,
  );
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  const message = (error as Error).message;
  console.error(
    /401|unauthori[sz]ed/i.test(message)
      ? 'Discord refused the token (401). Check DISCORD_TOKEN.'
      : `Could not register the commands: ${message}`,
  );
  process.exit(1);
}
