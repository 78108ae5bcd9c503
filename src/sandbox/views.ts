/**
 * What the control API shows of an interaction and of a message: what Discord's users would see,
 * plus what a lesson needs (deadlines, edit times, what was refused).
 */
import { InteractionType } from 'discord-api-types/v10';
import { MessageFlag } from '../discord/facts.js';
import type { InteractionRecord, InteractionStatus, InteractionStore, Refusal } from './interaction-store.js';
import type { StoredMessage } from './stored.js';
import type { SandboxWorld } from './world.js';

export interface InteractionView {
  id: string;
  type: 'command' | 'component';
  user: string;
  userId: string;
  command: string | null;
  options: Record<string, string | number | boolean>;
  customId: string | null;
  status: InteractionStatus;
  settled: boolean;
  createdAt: number;
  deadlineAt: number;
  expiresAt: number;
  ackedAt: number | null;
  ackedElsewhere: boolean;
  callbackType: number | null;
  failedAt: number | null;
  messages: MessageView[];
  refusals: Refusal[];
}

export interface MessageView {
  id: string;
  channelId: string;
  author: string;
  authorId: string;
  bot: boolean;
  content: string;
  embeds: StoredMessage['embeds'];
  components: StoredMessage['components'];
  attachments: Array<{ id: string; filename: string; contentType: string; size: number; url: string }>;
  flags: number;
  ephemeral: boolean;
  createdAt: number;
  editedAt: number | null;
  edits: number[];
  interactionId: string | null;
}

export function interactionView(
  world: SandboxWorld,
  store: InteractionStore,
  record: InteractionRecord,
): InteractionView {
  const messageIds = [...new Set([record.originalMessageId, ...record.followUpIds.values()])].filter(
    (id): id is string => id !== null,
  );
  return {
    id: record.id,
    type: record.type === InteractionType.MessageComponent ? 'component' : 'command',
    user: record.user.username,
    userId: record.user.id,
    command: record.command,
    options: record.options,
    customId: record.customId,
    status: record.status,
    settled: store.isSettled(record),
    createdAt: record.createdAt,
    deadlineAt: record.deadlineAt,
    expiresAt: record.expiresAt,
    ackedAt: record.ackedAt,
    ackedElsewhere: record.ackedElsewhere,
    callbackType: record.callbackType,
    failedAt: record.failedAt,
    messages: messageIds
      .map((id) => world.messages.get(id))
      .filter((m): m is StoredMessage => m !== undefined && !m.deleted)
      .map((m) => messageView(world, m)),
    refusals: record.refusals.values(),
  };
}

export function messageView(world: SandboxWorld, m: StoredMessage): MessageView {
  return {
    id: m.id,
    channelId: m.channelId,
    author: m.author.username,
    authorId: m.author.id,
    bot: m.author.bot === true,
    content: m.content,
    embeds: m.embeds,
    components: m.components,
    attachments: m.attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      contentType: a.contentType,
      size: a.data.length,
      url: world.attachmentUrl(a),
    })),
    flags: m.flags,
    ephemeral: (m.flags & MessageFlag.Ephemeral) !== 0,
    createdAt: m.createdAt,
    editedAt: m.editedAt,
    edits: m.edits.values(),
    interactionId: m.interactionId,
  };
}
