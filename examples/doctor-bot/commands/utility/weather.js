import { setTimeout as sleep } from 'node:timers/promises';
import { SlashCommandBuilder } from 'discord.js';

export const data = new SlashCommandBuilder()
  .setName('weather')
  .setDescription('Asks a slow weather service, then replies: in time, but only just.');

// Nothing blocks here: the handler awaits a slow service for 2.5 s before its first response,
// which still arrives within Discord's 3 s, only just (the doctor warns of a close call).
export async function execute(interaction) {
  await sleep(2_500);
  await interaction.reply('Sunny, 21 °C.');
}
