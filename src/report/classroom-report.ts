import type { APIEmbed } from 'discord-api-types/v10';
import type { ClassroomSettings, Setting } from '../classroom/settings.js';
import type { OutgoingMessage } from '../contracts/run.js';
import { ms, seconds } from '../lib/format.js';
import { Colors } from './demo-embed.js';

const from = (s: Setting<unknown>) => `*(${s.source})*`;

/** `/classroom show`: every setting in force here, and where it came from. */
export function classroomEmbed(
  settings: ClassroomSettings,
  spent: ReadonlyArray<{ userName: string; ms: number }>,
  running: number,
): APIEmbed {
  const { maxMs, cooldownMs, budgetMs, concurrent, paused } = settings;
  const used = spent.reduce((t, s) => t + s.ms, 0);
  const budget =
    budgetMs.value >= 60_000
      ? `no limit ${from(budgetMs)}`
      : `${seconds(budgetMs.value)} of main-thread blocking per minute ${from(budgetMs)}; used in the last minute: ${
          spent.length
            ? `${seconds(used)} (${spent.map((s) => `${s.userName} ${seconds(s.ms)}`).join(', ')})`
            : 'none'
        }`;
  const lines = [
    `• **Demos:** ${paused.value ? '**paused**: demos are refused; `/explain` and `/lag` still work' : 'running'} ${from(paused)}`,
    `• **Longest demo:** ${ms(maxMs.value)} ${from(maxMs)}`,
    `• **Cooldown per person:** ${cooldownMs.value > 0 ? `${seconds(cooldownMs.value)}, counted from the end of their demo` : 'none'} ${from(cooldownMs)}`,
    `• **Main-thread budget:** ${budget}`,
    `• **Demos at once:** ${concurrent.value} ${from(concurrent)}; running now: ${running}`,
  ];
  if (settings.updatedBy && settings.updatedAt) {
    lines.push(
      `Last changed by <@${settings.updatedBy}> at ${new Date(settings.updatedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    );
  }
  return {
    title: 'Classroom settings in this server',
    description: lines.join('\n'),
    color: paused.value ? Colors.close : Colors.info,
    footer: {
      text: '“default”: LoopLab’s; “.env”: the operator’s; “set here”: a teacher’s /classroom set (kept across restarts).',
    },
  };
}

/** A teacher's answer: one line saying what changed, then the settings in force. Only they see it. */
export function classroomMessage(
  line: string,
  settings: ClassroomSettings,
  spent: ReadonlyArray<{ userName: string; ms: number }>,
  running: number,
): OutgoingMessage {
  return { content: line, embeds: [classroomEmbed(settings, spent, running)], ephemeral: true };
}
