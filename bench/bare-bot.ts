/**
 * The bare discord.js bot the bench compares LoopLab with: a plain Client with one
 * interactionCreate handler, no router, no measurement. `/ping` replies; `/io ms` defers, waits
 * `ms` on a timer and edits the reply with a text embed about the size of a LoopLab report (so the
 * sandbox carries the same bytes for both).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { ApplicationCommandOptionType } from 'discord-api-types/v10';

export const BARE_REPORT_EMBED = {
  title: 'Deferred in 2 ms, then done in 4 ms',
  description: 'Awaited one timer of 1 ms on the main thread; the event loop served everyone else meanwhile.',
  fields: [
    { name: 'Timeline', value: 'created → received 0.4 ms → handler 0.6 ms → ack 1.8 ms → done 4.1 ms' },
    { name: 'Event-loop delay', value: 'p50 0.1 ms · p99 0.4 ms · max 0.5 ms; never stuck' },
    { name: 'Main thread', value: 'utilisation 12 % · process CPU 9 %' },
    { name: 'Work', value: 'timer: one timer of 1 ms (awaited), 1 operation' },
    { name: 'Lesson', value: 'Awaiting I/O frees the thread: see /explain topic:await.' },
  ],
  footer: { text: 'bench · bare discord.js' },
};

export interface BareBot {
  client: Client;
  handled(): number;
  errors(): string[];
  stop(): Promise<void>;
}

export async function startBareBot(options: {
  token: string;
  apiUrl: string;
  guildId: string;
}): Promise<BareBot> {
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: options.apiUrl } });
  let handled = 0;
  const errors: string[] = [];
  client.on(Events.InteractionCreate, async (interaction) => {
    handled += 1;
    if (!interaction.isChatInputCommand()) return;
    try {
      if (interaction.commandName === 'ping') {
        await interaction.reply({ content: 'pong' });
      } else if (interaction.commandName === 'io') {
        await interaction.deferReply();
        await sleep(interaction.options.getInteger('ms') ?? 1);
        await interaction.editReply({ content: '', embeds: [BARE_REPORT_EMBED] });
      }
    } catch (error) {
      if (errors.length < 20) errors.push((error as Error).message);
    }
  });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(options.token);
  await ready;
  const ms = {
    type: ApplicationCommandOptionType.Integer,
    name: 'ms',
    description: 'milliseconds',
    min_value: 1,
    max_value: 10_000,
  } as const;
  await client.application?.commands.set(
    [
      { name: 'ping', description: 'bench: reply pong' },
      { name: 'io', description: 'bench: defer, await a timer, edit', options: [ms] },
    ],
    options.guildId,
  );
  return {
    client,
    handled: () => handled,
    errors: () => errors,
    async stop() {
      await client.destroy();
    },
  };
}
