/**
 * What the control API shows of an interaction and of a message: what Discord's users would see,
 * plus what a lesson needs (deadlines, edit times, what was refused).
 */
import { InteractionType } from 'discord-api-types/v10';
import { MessageFlag } from '../discord/facts.js';
import type {
  DeliveryState,
  InteractionRecord,
  InteractionStatus,
  InteractionStore,
  Refusal,
} from './interaction-store.js';
import type { StoredMessage } from './stored.js';
import type { SandboxWorld } from './world.js';

/** An interaction's kind by its type (a raw payload's may be none Discord knows: `unknown`). */
export type InteractionKind = 'ping' | 'command' | 'component' | 'autocomplete' | 'modal' | 'unknown';

export interface InteractionView {
  id: string;
  type: InteractionKind;
  /** Sent with POST /sandbox/interactions/raw: its payload was the caller's, exactly. */
  raw: boolean;
  /** In the guild or in the user's DM with the bot. */
  context: 'guild' | 'dm';
  channelId: string;
  /** The member's permissions the payload carried (null in a DM). */
  memberPermissions: string | null;
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
  /** Whether INTERACTION_CREATE reached the bot, and when (see DeliveryState). */
  delivery: DeliveryState;
  deliveredAt: number | null;
  messages: MessageView[];
  refusals: Refusal[];
}

const KINDS: Record<number, InteractionKind> = {
  [InteractionType.Ping]: 'ping',
  [InteractionType.ApplicationCommand]: 'command',
  [InteractionType.MessageComponent]: 'component',
  [InteractionType.ApplicationCommandAutocomplete]: 'autocomplete',
  [InteractionType.ModalSubmit]: 'modal',
};

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
    type: KINDS[record.type] ?? 'unknown',
    raw: record.raw,
    context: record.context,
    channelId: record.channelId,
    memberPermissions: record.memberPermissions,
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
    delivery: record.delivery,
    deliveredAt: record.deliveredAt,
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

/** One interaction in a line, for summaries of thousands: its outcome without its messages' text. */
export interface InteractionLine {
  id: string;
  type: InteractionKind;
  status: InteractionStatus;
  settled: boolean;
  callbackType: number | null;
  delivery: DeliveryState;
  /** Messages it produced (reply, edits, follow-ups) that still exist. */
  messages: number;
  /** Whether its first message is ephemeral; null when it has none. */
  ephemeral: boolean | null;
  /** What Discord refused for it (codes; 0 for a 429 or 5xx), oldest first. */
  refusals: number[];
}

export function interactionLine(
  world: SandboxWorld,
  store: InteractionStore,
  record: InteractionRecord,
): InteractionLine {
  const ids = [record.originalMessageId, ...record.followUpIds.values()].filter(
    (id): id is string => id !== null,
  );
  const messages = ids.map((id) => world.messages.get(id)).filter((m) => m !== undefined && !m.deleted);
  const first = messages[0];
  return {
    id: record.id,
    type: KINDS[record.type] ?? 'unknown',
    status: record.status,
    settled: store.isSettled(record),
    callbackType: record.callbackType,
    delivery: record.delivery,
    messages: messages.length,
    ephemeral: first ? (first.flags & MessageFlag.Ephemeral) !== 0 : null,
    refusals: record.refusals.values().map((r) => r.code),
  };
}
