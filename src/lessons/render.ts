import {
  ActionRowBuilder,
  type APIEmbed,
  ButtonBuilder,
  ButtonStyle,
  type InteractionReplyOptions,
} from 'discord.js';
import { customId } from '../router/components.js';
import { LESSONS, type Lesson } from './lessons.js';

export const EXPLAIN = 'explain';

/** A lesson as one embed: what it is, a tiny Node example and its Python asyncio twin. */
export function lessonEmbed(lesson: Lesson): APIEmbed {
  const index = LESSONS.findIndex((l) => l.id === lesson.id);
  return {
    title: lesson.title,
    description: [
      `*${lesson.summary}*`,
      lesson.body,
      `**Node (discord.js)**\n\`\`\`js\n${lesson.node}\n\`\`\``,
      `**Python (asyncio / discord.py)**\n\`\`\`py\n${lesson.python}\n\`\`\``,
    ].join('\n\n'),
    color: 0x5865f2,
    footer: { text: `Lesson ${index + 1} of ${LESSONS.length} · /explain topic:${lesson.id}` },
  };
}

/** Previous / next / try-it buttons. Custom ids are versioned (ll1:explain:…) so stale ones are recognised. */
export function lessonButtons(lesson: Lesson): ActionRowBuilder<ButtonBuilder> {
  const index = LESSONS.findIndex((l) => l.id === lesson.id);
  const previous = LESSONS[(index - 1 + LESSONS.length) % LESSONS.length]!;
  const next = LESSONS[(index + 1) % LESSONS.length]!;
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId(customId(EXPLAIN, 'page', previous.id))
      .setLabel(`◀ ${previous.title}`.slice(0, 80))
      .setStyle(ButtonStyle.Secondary),
    new ButtonBuilder()
      .setCustomId(customId(EXPLAIN, 'try', lesson.id))
      .setLabel(`▶ ${lesson.tryIt.label}`.slice(0, 80))
      .setStyle(ButtonStyle.Primary),
    new ButtonBuilder()
      .setCustomId(customId(EXPLAIN, 'page', next.id))
      .setLabel(`${next.title} ▶`.slice(0, 80))
      .setStyle(ButtonStyle.Secondary),
  );
}

export function lessonMessage(lesson: Lesson): InteractionReplyOptions {
  return { embeds: [lessonEmbed(lesson)], components: [lessonButtons(lesson)] };
}
