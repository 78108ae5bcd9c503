// Registers the commands in commands/ for one guild, as the discord.js guide's deploy-commands.js.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REST, Routes } from 'discord.js';
import { api, clientId, guildId, token } from './config.js';

const commands = [];
const foldersPath = join(import.meta.dirname, 'commands');
for (const folder of readdirSync(foldersPath)) {
  const commandsPath = join(foldersPath, folder);
  for (const file of readdirSync(commandsPath).filter((f) => f.endsWith('.js'))) {
    const command = await import(pathToFileURL(join(commandsPath, file)).href);
    if ('data' in command && 'execute' in command) commands.push(command.data.toJSON());
  }
}

const rest = new REST(api ? { api } : {}).setToken(token);
console.log(`Started refreshing ${commands.length} application (/) commands.`);
const data = await rest.put(Routes.applicationGuildCommands(clientId, guildId), { body: commands });
console.log(`Successfully reloaded ${data.length} application (/) commands.`);
