import {
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
  ButtonStyle,
  ComponentType,
} from 'discord-api-types/v10';
import { customId } from '../contracts/custom-id.js';
import type { OutgoingMessage } from '../contracts/run.js';
import { MessageLimits } from '../discord/facts.js';
import { truncate } from '../lib/format.js';
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

function button(
  style: ButtonStyle.Primary | ButtonStyle.Secondary,
  id: string,
  label: string,
): APIButtonComponent {
  return {
    type: ComponentType.Button,
    style,
    custom_id: id,
    label: truncate(label, MessageLimits.buttonLabel),
  };
}

/** Previous / next / try-it buttons. Custom ids are versioned (ll1:explain:…) so stale ones are recognised. */
export function lessonButtons(lesson: Lesson): APIActionRowComponent<APIButtonComponent> {
  const index = LESSONS.findIndex((l) => l.id === lesson.id);
  const previous = LESSONS[(index - 1 + LESSONS.length) % LESSONS.length]!;
  const next = LESSONS[(index + 1) % LESSONS.length]!;
  return {
    type: ComponentType.ActionRow,
    components: [
      button(ButtonStyle.Secondary, customId(EXPLAIN, 'page', previous.id), `◀ ${previous.title}`),
      button(ButtonStyle.Primary, customId(EXPLAIN, 'try', lesson.id), `▶ ${lesson.tryIt.label}`),
      button(ButtonStyle.Secondary, customId(EXPLAIN, 'page', next.id), `${next.title} ▶`),
    ],
  };
}

export function lessonMessage(lesson: Lesson): OutgoingMessage {
  return { embeds: [lessonEmbed(lesson)], components: [lessonButtons(lesson)] };
}
