import { SlashCommandBuilder } from 'discord.js';

export const data = new SlashCommandBuilder()
  .setName('crunch')
  .setDescription('Crunches numbers for a while, then replies (and forgets to defer first).')
  .addIntegerOption((option) =>
    option.setName('ms').setDescription('How long to crunch (ms)').setMinValue(1).setMaxValue(10_000),
  );

// The mistake the doctor names: seconds of synchronous work before the first response, no deferReply().
export async function execute(interaction) {
  const ms = interaction.options.getInteger('ms') ?? 4_000;
  const until = performance.now() + ms;
  let sum = 0;
  while (performance.now() < until) sum += Math.sqrt(sum + 1);
  await interaction.reply(`Crunched for ${ms} ms (${Math.round(sum)}).`);
}
