/**
 * A discord.js 14 bot for the compatibility matrix. The one setting: `rest.api` (discord.js's
 * documented option), pointed at the sandbox; the gateway URL comes from GET /gateway/bot.
 */
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  version,
} from 'discord.js';
import { BLOCK_MS, busyWait, COMMANDS, compatEnv, errorCode } from './env.js';

const env = compatEnv();
const LIBRARY = `discord.js ${version}`;

const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: env.apiUrl } });

client.once(Events.ClientReady, async (ready) => {
  await ready.application.commands.set([...COMMANDS], env.guildId);
  console.log(`${LIBRARY} ready as ${ready.user.tag}`);
});

client.on(Events.InteractionCreate, async (interaction) => {
  if (interaction.isButton() && interaction.customId === 'press') {
    await interaction.update({ content: `pressed by ${interaction.user.username}`, components: [] });
    return;
  }
  if (!interaction.isChatInputCommand()) return;
  switch (interaction.commandName) {
    case 'block':
      busyWait(BLOCK_MS);
      try {
        await interaction.reply('done, 4 s later');
      } catch (error) {
        if (interaction.channel?.isSendable()) {
          await interaction.channel.send(`${LIBRARY}: late reply refused: ${errorCode(error)}`);
        }
      }
      return;
    case 'defer':
      await interaction.deferReply();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await interaction.followUp(`follow-up from ${LIBRARY}`);
      return;
    case 'secret':
      await interaction.reply({
        content: `only you can see this (${LIBRARY})`,
        flags: MessageFlags.Ephemeral,
      });
      return;
    case 'buttons':
      await interaction.reply({
        content: 'press the button',
        components: [
          new ActionRowBuilder<ButtonBuilder>().addComponents(
            new ButtonBuilder().setCustomId('press').setLabel('Press me').setStyle(ButtonStyle.Primary),
          ),
        ],
      });
      return;
  }
});

await client.login(env.token);
