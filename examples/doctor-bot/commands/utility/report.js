import { setTimeout as sleep } from 'node:timers/promises';
import { SlashCommandBuilder } from 'discord.js';

export const data = new SlashCommandBuilder()
  .setName('report')
  .setDescription('Defers at once, gathers a report for a while, then edits the reply: the right way.');

export async function execute(interaction) {
  await interaction.deferReply();
  await sleep(1_500);
  await interaction.editReply('Here is your report.');
}
