/**
 * A plain discord.js bot in its own process, not LoopLab: `/slow` blocks its event loop for `ms`
 * (a synchronous busy loop, the classic mistake) and then replies; `/quick` replies at once;
 * `/later` defers, then sends a follow-up.
 * Environment: OTHER_BOT_API (the sandbox's …/api), OTHER_BOT_TOKEN.
 */
import { Client, Events, GatewayIntentBits } from 'discord.js';

const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: process.env.OTHER_BOT_API } });
client.on(Events.InteractionCreate, async (interaction) => {
  if (!interaction.isChatInputCommand()) return;
  try {
    if (interaction.commandName === 'later') {
      // The right way: acknowledge at once, answer when the work is done.
      await interaction.deferReply();
      await new Promise((resolve) => setTimeout(resolve, 800));
      await interaction.followUp('follow-up: the work is done');
      return;
    }
    if (interaction.commandName === 'slow') {
      const until = performance.now() + (interaction.options.getInteger('ms') ?? 4000);
      while (performance.now() < until) {
        // The loop is held: nothing else runs, heartbeats and other users' commands included.
      }
    }
    await interaction.reply(`done: /${interaction.commandName}`);
  } catch (error) {
    console.log(`reply refused: ${(error as Error).message}`);
  }
});
client.once(Events.ClientReady, async (ready) => {
  const guild = ready.guilds.cache.first();
  await ready.application.commands.set(
    [
      {
        name: 'slow',
        description: 'blocks the loop, then replies',
        options: [{ name: 'ms', description: 'how long', type: 4, min_value: 1, max_value: 10_000 }],
      },
      { name: 'quick', description: 'replies at once' },
      { name: 'later', description: 'defers, then follows up' },
    ],
    guild?.id ?? '',
  );
  console.log('other bot ready');
});
await client.login(process.env.OTHER_BOT_TOKEN);
