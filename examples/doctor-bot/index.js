// A plain discord.js bot as the discord.js guide teaches it (a commands folder, one handler), with
// @looplab/doctor installed in one line. Run it with `npm run example:doctor` from the repository.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { installDoctor } from '@looplab/doctor';
import { Client, Collection, Events, GatewayIntentBits, MessageFlags } from 'discord.js';
import { api, token } from './config.js';

const client = new Client({ intents: [GatewayIntentBits.Guilds], ...(api ? { rest: { api } } : {}) });
installDoctor(client, { logger: console });

client.commands = new Collection();
const foldersPath = join(import.meta.dirname, 'commands');
for (const folder of readdirSync(foldersPath)) {
  const commandsPath = join(foldersPath, folder);
  for (const file of readdirSync(commandsPath).filter((f) => f.endsWith('.js'))) {
    const command = await import(pathToFileURL(join(commandsPath, file)).href);
    if ('data' in command && 'execute' in command) client.commands.set(command.data.name, command);
    else console.log(`[WARNING] The command at ${file} is missing a required "data" or "execute" property.`);
  }
}

client.once(Events.ClientReady, (readyClient) => {
  console.log(`Ready! Logged in as ${readyClient.user.tag}`);
});

client.on(Events.InteractionCreate, async (interaction) => {
  if (!interaction.isChatInputCommand()) return;
  const command = interaction.client.commands.get(interaction.commandName);
  if (!command) {
    console.error(`No command matching ${interaction.commandName} was found.`);
    return;
  }
  try {
    await command.execute(interaction);
  } catch (error) {
    console.error(error);
    if (interaction.replied || interaction.deferred) {
      await interaction
        .followUp({
          content: 'There was an error while executing this command!',
          flags: MessageFlags.Ephemeral,
        })
        .catch(() => {});
    } else {
      await interaction
        .reply({ content: 'There was an error while executing this command!', flags: MessageFlags.Ephemeral })
        .catch(() => {});
    }
  }
});

client.login(token);
