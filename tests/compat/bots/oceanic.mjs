/**
 * An oceanic.js 1.x bot for the compatibility matrix, plain JavaScript run by plain `node` (as its
 * users run it; tsx's loader breaks oceanic.js's ESM wrapper). The one setting: `rest.baseURL`
 * (oceanic.js's documented option), pointed at the sandbox; the gateway URL comes from
 * GET /gateway/bot, as on Discord. oceanic.js sends IDENTIFY's token as `Bot <token>`, which
 * Discord (and the sandbox) accept. The scenario is the matrix's (see env.ts beside this file).
 */
import {
  ApplicationCommandTypes,
  ButtonStyles,
  Client,
  CommandInteraction,
  ComponentInteraction,
  ComponentTypes,
  MessageFlags,
  VERSION,
} from 'oceanic.js';

const LIBRARY = `oceanic.js ${VERSION}`;
const BLOCK_MS = 4_000;
const COMMANDS = [
  { name: 'block', description: 'holds the event loop for 4 s, then replies (too late)' },
  { name: 'defer', description: 'defers, then follows up' },
  { name: 'secret', description: 'answers only you' },
  { name: 'buttons', description: 'sends a button' },
];
const { SANDBOX_API_URL: baseURL, SANDBOX_BOT_TOKEN: token, SANDBOX_GUILD_ID: guildId } = process.env;
if (!baseURL || !token || !guildId) throw new Error('SANDBOX_API_URL, SANDBOX_BOT_TOKEN, SANDBOX_GUILD_ID');

function busyWait(ms) {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spinning on purpose: a blocking handler
  }
}

const client = new Client({ auth: `Bot ${token}`, gateway: { intents: ['GUILDS'] }, rest: { baseURL } });

client.once('ready', async () => {
  await client.application.bulkEditGuildCommands(
    guildId,
    COMMANDS.map((c) => ({ ...c, type: ApplicationCommandTypes.CHAT_INPUT })),
  );
  console.log(`${LIBRARY} ready as ${client.user.tag}`);
});

client.on('interactionCreate', async (interaction) => {
  if (interaction instanceof ComponentInteraction && interaction.data.customID === 'press') {
    await interaction.editParent({ content: `pressed by ${interaction.user.username}`, components: [] });
    return;
  }
  if (!(interaction instanceof CommandInteraction)) return;
  switch (interaction.data.name) {
    case 'block':
      busyWait(BLOCK_MS);
      try {
        await interaction.createMessage({ content: 'done, 4 s later' });
      } catch (error) {
        await client.rest.channels.createMessage(interaction.channelID, {
          content: `${LIBRARY}: late reply refused: ${error?.code ?? error}`,
        });
      }
      return;
    case 'defer':
      await interaction.defer();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await interaction.createFollowup({ content: `follow-up from ${LIBRARY}` });
      return;
    case 'secret':
      await interaction.createMessage({
        content: `only you can see this (${LIBRARY})`,
        flags: MessageFlags.EPHEMERAL,
      });
      return;
    case 'buttons':
      await interaction.createMessage({
        content: 'press the button',
        components: [
          {
            type: ComponentTypes.ACTION_ROW,
            components: [
              {
                type: ComponentTypes.BUTTON,
                style: ButtonStyles.PRIMARY,
                customID: 'press',
                label: 'Press me',
              },
            ],
          },
        ],
      });
      return;
  }
});

// oceanic.js words a refused login "Invalid Token: <token>": never print the token.
client.on('error', (error) => {
  const text = error instanceof Error ? error.message : String(error);
  console.error(`${LIBRARY} error: ${text.replaceAll(token, '[bot token]')}`);
});
await client.connect();
