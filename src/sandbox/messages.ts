import type { APIEmbed, APIMessageTopLevelComponent } from 'discord-api-types/v10';
import { ErrorCode, HttpStatus, MessageFlag, MessageLimits } from '../discord/facts.js';
import { History, MESSAGE_EDIT_BOUNDS } from './bounds.js';
import { ApiError, type UploadedFile } from './http.js';
import type { SandboxUser, StoredAttachment, StoredMessage } from './stored.js';
import type { SandboxWorld } from './world.js';

/** The message fields a bot may send (create, callback data, webhook edit). */
export interface MessageBody {
  content?: string | null;
  embeds?: APIEmbed[] | null;
  components?: APIMessageTopLevelComponent[] | null;
  flags?: number | null;
  attachments?: Array<{ id: string | number; filename?: string; description?: string }> | null;
}

function asBody(json: unknown): MessageBody {
  if (json === undefined || json === null) return {};
  if (typeof json !== 'object' || Array.isArray(json)) throw invalid('body', 'must be an object');
  return json as MessageBody;
}

function invalid(field: string, message: string): ApiError {
  return new ApiError(HttpStatus.BadRequest, ErrorCode.InvalidFormBody, undefined, {
    [field]: { _errors: [{ code: 'BASE_TYPE_INVALID', message }] },
  });
}

export function embedCharacters(embeds: readonly APIEmbed[]): number {
  let total = 0;
  for (const e of embeds) {
    total += (e.title ?? '').length + (e.description ?? '').length;
    total += (e.footer?.text ?? '').length + (e.author?.name ?? '').length;
    for (const f of e.fields ?? []) total += f.name.length + f.value.length;
  }
  return total;
}

/** Checks Discord's message limits; throws the 400 50035 Discord answers. */
export function validateMessageBody(body: MessageBody): void {
  if (body.content != null && typeof body.content !== 'string') throw invalid('content', 'must be a string');
  if (typeof body.content === 'string' && body.content.length > MessageLimits.content) {
    throw invalid('content', `Must be ${MessageLimits.content} or fewer in length.`);
  }
  if (body.embeds != null) {
    if (!Array.isArray(body.embeds)) throw invalid('embeds', 'must be an array');
    if (body.embeds.length > MessageLimits.embeds) {
      throw invalid('embeds', `Must be ${MessageLimits.embeds} or fewer in length.`);
    }
    for (const [i, e] of body.embeds.entries()) {
      if ((e.title ?? '').length > MessageLimits.embedTitle) throw invalid(`embeds.${i}.title`, 'too long');
      if ((e.description ?? '').length > MessageLimits.embedDescription) {
        throw invalid(`embeds.${i}.description`, 'too long');
      }
      if ((e.fields ?? []).length > MessageLimits.embedFields)
        throw invalid(`embeds.${i}.fields`, 'too many');
      for (const [j, f] of (e.fields ?? []).entries()) {
        if (!f.name || f.name.length > MessageLimits.fieldName) {
          throw invalid(`embeds.${i}.fields.${j}.name`, `must be 1-${MessageLimits.fieldName} characters`);
        }
        if (!f.value || f.value.length > MessageLimits.fieldValue) {
          throw invalid(`embeds.${i}.fields.${j}.value`, `must be 1-${MessageLimits.fieldValue} characters`);
        }
      }
    }
    if (embedCharacters(body.embeds) > MessageLimits.embedTotalChars) {
      throw invalid('embeds', `Embed size exceeds maximum size of ${MessageLimits.embedTotalChars}`);
    }
  }
}

function toAttachments(world: SandboxWorld, body: MessageBody, files: UploadedFile[]): StoredAttachment[] {
  return files.map((file, index) => {
    const declared = body.attachments?.find((a) => String(a.id) === String(index));
    return {
      id: world.ids.next(),
      filename: declared?.filename ?? file.filename,
      contentType: file.contentType,
      data: file.data,
    };
  });
}

function mentionsIn(world: SandboxWorld, content: string): SandboxUser[] {
  const ids = new Set([...content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1]));
  return [...world.knownUsers(), world.bot].filter((u) => ids.has(u.id));
}

export interface NewMessage {
  channelId: string;
  author: SandboxUser;
  body: unknown;
  files: UploadedFile[];
  interactionId?: string | null;
  webhookId?: string | null;
  /** Extra flags the platform sets (e.g. Loading on a deferred reply's "thinking…" placeholder). */
  extraFlags?: number;
  allowEmpty?: boolean;
}

export function createMessage(world: SandboxWorld, input: NewMessage): StoredMessage {
  const body = asBody(input.body);
  validateMessageBody(body);
  const attachments = toAttachments(world, body, input.files);
  const content = body.content ?? '';
  const embeds = body.embeds ?? [];
  const components = body.components ?? [];
  if (
    !input.allowEmpty &&
    !content &&
    embeds.length === 0 &&
    attachments.length === 0 &&
    components.length === 0
  ) {
    throw new ApiError(HttpStatus.BadRequest, ErrorCode.CannotSendEmptyMessage);
  }
  const now = world.clock.now();
  return world.addMessage({
    id: world.ids.next(now),
    channelId: input.channelId,
    author: input.author,
    content,
    embeds,
    components,
    attachments,
    // A bot may ask only for Ephemeral; the platform adds its own (Loading).
    flags: ((body.flags ?? 0) & MessageFlag.Ephemeral) | (input.extraFlags ?? 0),
    createdAt: now,
    editedAt: null,
    edits: new History<number>(MESSAGE_EDIT_BOUNDS),
    interactionId: input.interactionId ?? null,
    webhookId: input.webhookId ?? null,
    mentions: mentionsIn(world, content),
    deleted: false,
  });
}

/** Applies an edit (PATCH) the way Discord does: only the fields given change. */
export function editMessage(
  world: SandboxWorld,
  message: StoredMessage,
  json: unknown,
  files: UploadedFile[],
): StoredMessage {
  const body = asBody(json);
  validateMessageBody(body);
  if (body.content !== undefined) message.content = body.content ?? '';
  if (body.embeds !== undefined) message.embeds = body.embeds ?? [];
  if (body.components !== undefined) message.components = body.components ?? [];
  if (body.attachments !== undefined || files.length > 0) {
    const kept = message.attachments.filter((a) => body.attachments?.some((b) => String(b.id) === a.id));
    const added = toAttachments(world, body, files);
    world.messages.addAttachments(added);
    message.attachments = [...kept, ...added];
  }
  message.flags &= ~MessageFlag.Loading;
  message.mentions = mentionsIn(world, message.content);
  const now = world.clock.now();
  message.editedAt = now;
  message.edits.add(now);
  return message;
}
