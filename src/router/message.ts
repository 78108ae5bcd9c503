import {
  type InteractionEditReplyOptions,
  type InteractionReplyOptions,
  type InteractionUpdateOptions,
  MessageFlags,
} from 'discord.js';
import type { OutgoingMessage } from '../contracts/run.js';
import { MessageLimits } from '../discord/facts.js';
import { truncate } from '../lib/format.js';

/** The plain message as discord.js's reply options. */
export function toReply(m: OutgoingMessage): InteractionReplyOptions {
  return {
    ...body(m),
    ...(m.ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
  };
}

/** The plain message as an edit: an empty `files` list removes earlier attachments. */
export function toEdit(m: OutgoingMessage): InteractionEditReplyOptions {
  return { ...body(m), ...(m.files && m.files.length === 0 ? { attachments: [] } : {}) };
}

export function toUpdate(m: OutgoingMessage): InteractionUpdateOptions {
  return body(m);
}

function body(m: OutgoingMessage) {
  return {
    // The one door to Discord: no message leaves longer than Discord takes (2000 characters).
    ...(m.content !== undefined ? { content: truncate(m.content, MessageLimits.content) } : {}),
    ...(m.embeds ? { embeds: m.embeds } : {}),
    ...(m.components ? { components: m.components } : {}),
    ...(m.files?.length ? { files: m.files.map((f) => ({ attachment: f.data, name: f.name })) } : {}),
  };
}

/** The message with a picture attached as its first embed's image. */
export function withPicture(m: OutgoingMessage, name: string, png: Buffer): OutgoingMessage {
  const [first, ...rest] = m.embeds ?? [];
  return {
    ...m,
    embeds: first ? [{ ...first, image: { url: `attachment://${name}` } }, ...rest] : [],
    files: [...(m.files ?? []), { name, data: png }],
  };
}

/** The message with a short note in its first embed's footer (after any footer it has), or after its text. */
export function withNote(m: OutgoingMessage, note: string): OutgoingMessage {
  const [first, ...rest] = m.embeds ?? [];
  if (!first) return { ...m, content: m.content ? `${m.content}\n-# ${note}` : note };
  const text = first.footer?.text ? `${first.footer.text} · ${note}` : note;
  return {
    ...m,
    embeds: [
      { ...first, footer: { ...first.footer, text: truncate(text, MessageLimits.footerText) } },
      ...rest,
    ],
  };
}

/** The same message without any attachment (Discord refused the upload). */
export function withoutFiles(m: OutgoingMessage): OutgoingMessage {
  return { ...m, embeds: m.embeds?.map(({ image: _image, ...e }) => e), files: [] };
}
