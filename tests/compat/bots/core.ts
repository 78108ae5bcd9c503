/**
 * A bot on discord.js's lower-level stack: @discordjs/core 2 over @discordjs/ws 2 and
 * @discordjs/rest 2. The one setting: the REST client's `api` option, pointed at the sandbox; the
 * WebSocketManager asks that REST client for GET /gateway/bot, so the gateway follows.
 */
import {
  ButtonStyle,
  Client,
  ComponentType,
  GatewayDispatchEvents,
  GatewayIntentBits,
  InteractionType,
  MessageFlags,
  version,
} from '@discordjs/core';
import { REST } from '@discordjs/rest';
import { WebSocketManager, version as wsVersion } from '@discordjs/ws';
import { BLOCK_MS, busyWait, COMMANDS, compatEnv, errorCode } from './env.js';

const env = compatEnv();
const LIBRARY = `@discordjs/core ${version} + @discordjs/ws ${wsVersion}`;

const rest = new REST({ api: env.apiUrl }).setToken(env.token);
const gateway = new WebSocketManager({ token: env.token, intents: GatewayIntentBits.Guilds, rest });
const client = new Client({ rest, gateway });

client.once(GatewayDispatchEvents.Ready, async ({ data, api }) => {
  await api.applicationCommands.bulkOverwriteGuildCommands(data.application.id, env.guildId, [...COMMANDS]);
  console.log(`${LIBRARY} ready as ${data.user.username}`);
});

client.on(GatewayDispatchEvents.InteractionCreate, async ({ data: interaction, api }) => {
  if (interaction.type === InteractionType.MessageComponent) {
    if (interaction.data.custom_id !== 'press') return;
    const user = interaction.member?.user ?? interaction.user;
    await api.interactions.updateMessage(interaction.id, interaction.token, {
      content: `pressed by ${user?.username}`,
      components: [],
    });
    return;
  }
  if (interaction.type !== InteractionType.ApplicationCommand) return;
  const { id, token, application_id: app } = interaction;
  switch (interaction.data.name) {
    case 'block':
      busyWait(BLOCK_MS);
      try {
        await api.interactions.reply(id, token, { content: 'done, 4 s later' });
      } catch (error) {
        const channel = interaction.channel?.id;
        if (channel) {
          await api.channels.createMessage(channel, {
            content: `${LIBRARY}: late reply refused: ${errorCode(error)}`,
          });
        }
      }
      return;
    case 'defer':
      await api.interactions.defer(id, token);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await api.interactions.followUp(app, token, { content: `follow-up from ${LIBRARY}` });
      return;
    case 'secret':
      await api.interactions.reply(id, token, {
        content: `only you can see this (${LIBRARY})`,
        flags: MessageFlags.Ephemeral,
      });
      return;
    case 'buttons':
      await api.interactions.reply(id, token, {
        content: 'press the button',
        components: [
          {
            type: ComponentType.ActionRow,
            components: [
              {
                type: ComponentType.Button,
                style: ButtonStyle.Primary,
                custom_id: 'press',
                label: 'Press me',
              },
            ],
          },
        ],
      });
      return;
  }
});

await gateway.connect();
