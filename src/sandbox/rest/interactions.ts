/**
 * The interaction routes: the first response (callback, within 3 s) and then the webhook routes the
 * token opens for 15 minutes (edit @original, follow-ups). Each refusal is also recorded on the
 * interaction, so a learner sees exactly what Discord answered.
 */
import { InteractionResponseType } from 'discord-api-types/v10';
import { ErrorCode, HttpStatus, MessageFlag } from '../../discord/facts.js';
import { ApiError } from '../http.js';
import type { InteractionRecord, InteractionStore } from '../interaction-store.js';
import { createMessage, editMessage } from '../messages.js';
import type { StoredMessage } from '../stored.js';
import type { SandboxWorld } from '../world.js';
import { type RestDependencies, type RestResult, type RestRoute, type RouteContext, route } from './route.js';

/** The callback types Discord takes, in the order its error message lists them. */
const CALLBACK_TYPES = [
  InteractionResponseType.ChannelMessageWithSource,
  InteractionResponseType.DeferredChannelMessageWithSource,
  InteractionResponseType.DeferredMessageUpdate,
  InteractionResponseType.UpdateMessage,
  InteractionResponseType.ApplicationCommandAutocompleteResult,
  InteractionResponseType.Modal,
] as const;

const WEBHOOK_MESSAGE = '/webhooks/{app}/{token}/messages/{message}';

export function interactionRoutes(deps: RestDependencies): RestRoute[] {
  const { world, interactions } = deps;
  const refuse = refuser(world, interactions);
  const webhook = webhookRecord(world, interactions, refuse);
  const webhookMessage = (ctx: RouteContext) => {
    const record = webhook(ctx);
    const ref = ctx.params.message ?? '';
    const original = ref === '@original';
    const id = original ? record.originalMessageId : ref;
    const owned = original || ref === record.originalMessageId || record.followUpIds.includes(ref);
    const message = id && owned ? world.messages.get(id) : undefined;
    if (!message || message.deleted) {
      throw refuse(record, ctx, new ApiError(HttpStatus.NotFound, ErrorCode.UnknownMessage));
    }
    return { record, message, original: original || id === record.originalMessageId };
  };

  return [
    route('POST', '/interactions/{id}/{token}/callback', false, (ctx) =>
      callback(world, interactions, refuse, ctx),
    ),
    route('POST', '/webhooks/{app}/{token}', false, (ctx) => {
      const record = webhook(ctx);
      const placeholder = thinkingPlaceholder(world, record);
      if (placeholder) {
        // As on Discord: the first follow-up after a deferred reply takes the place of its
        // "is thinking…" message (with the defer's flags, ephemeral included), as an edit would.
        editMessage(world, placeholder, ctx.body.json, ctx.body.files);
        record.originalEdited = true;
        interactions.changed(record);
        return { status: HttpStatus.Ok, body: world.messagePayload(placeholder) };
      }
      const message = createMessage(world, {
        channelId: record.channelId,
        author: world.bot,
        body: ctx.body.json,
        files: ctx.body.files,
        interactionId: record.id,
        webhookId: world.applicationId,
      });
      record.followUpIds.add(message.id);
      interactions.changed(record);
      return { status: HttpStatus.Ok, body: world.messagePayload(message) };
    }),
    route('GET', WEBHOOK_MESSAGE, false, (ctx) => {
      const { message } = webhookMessage(ctx);
      return { status: HttpStatus.Ok, body: world.messagePayload(message) };
    }),
    route('PATCH', WEBHOOK_MESSAGE, false, (ctx) => {
      const { record, message, original } = webhookMessage(ctx);
      editMessage(world, message, ctx.body.json, ctx.body.files);
      if (original) record.originalEdited = true;
      interactions.changed(record);
      return { status: HttpStatus.Ok, body: world.messagePayload(message) };
    }),
    route('DELETE', WEBHOOK_MESSAGE, false, (ctx) => {
      const { record, message } = webhookMessage(ctx);
      message.deleted = true;
      interactions.changed(record);
      return { status: HttpStatus.NoContent };
    }),
  ];
}

/** The deferred reply's "is thinking…" message while it still waits for its content, if any. */
function thinkingPlaceholder(world: SandboxWorld, record: InteractionRecord): StoredMessage | undefined {
  if (record.callbackType !== InteractionResponseType.DeferredChannelMessageWithSource) return undefined;
  if (record.originalEdited || !record.originalMessageId) return undefined;
  const message = world.messages.get(record.originalMessageId);
  return message && !message.deleted && message.flags & MessageFlag.Loading ? message : undefined;
}

type Refuse = (record: InteractionRecord | undefined, ctx: RouteContext, error: ApiError) => ApiError;

/** Records the refusal on the interaction (when there is one) and hands the error back to throw. */
function refuser(world: SandboxWorld, interactions: InteractionStore): Refuse {
  return (record, ctx, error) => {
    if (record) {
      interactions.refuse(record, {
        at: world.clock.now(),
        method: ctx.method,
        route: ctx.route,
        status: error.status,
        code: error.code,
        message: error.message,
      });
    }
    return error;
  };
}

/** The first response: on time and only once, or Discord's 10062 / 40060. */
function callback(
  world: SandboxWorld,
  interactions: InteractionStore,
  refuse: Refuse,
  ctx: RouteContext,
): RestResult {
  const record = interactions.get(ctx.params.id ?? '');
  if (!record || record.token !== ctx.params.token) {
    throw new ApiError(HttpStatus.NotFound, ErrorCode.UnknownInteraction);
  }
  interactions.expireIfLate(record);
  if (record.status === 'failed') {
    throw refuse(record, ctx, new ApiError(HttpStatus.NotFound, ErrorCode.UnknownInteraction));
  }
  if (record.status !== 'pending') {
    throw refuse(record, ctx, new ApiError(HttpStatus.BadRequest, ErrorCode.InteractionAlreadyAcknowledged));
  }
  const json = ctx.body.json as { type?: number; data?: Record<string, unknown> } | undefined;
  const type = json?.type;
  const data = json?.data;
  let message: StoredMessage | undefined;
  switch (type) {
    case InteractionResponseType.ChannelMessageWithSource:
      message = createMessage(world, {
        channelId: record.channelId,
        author: world.bot,
        body: data,
        files: ctx.body.files,
        interactionId: record.id,
        webhookId: world.applicationId,
      });
      record.originalMessageId = message.id;
      record.status = 'replied';
      break;
    case InteractionResponseType.DeferredChannelMessageWithSource:
      // "Bot is thinking…": an empty placeholder flagged Loading until the first edit.
      message = createMessage(world, {
        channelId: record.channelId,
        author: world.bot,
        body: { flags: (data?.flags as number | undefined) ?? 0 },
        files: [],
        interactionId: record.id,
        webhookId: world.applicationId,
        extraFlags: MessageFlag.Loading,
        allowEmpty: true,
      });
      record.originalMessageId = message.id;
      record.status = 'deferred';
      break;
    case InteractionResponseType.DeferredMessageUpdate:
    case InteractionResponseType.UpdateMessage: {
      const source = record.sourceMessageId ? world.messages.get(record.sourceMessageId) : undefined;
      if (!source) {
        throw new ApiError(HttpStatus.BadRequest, ErrorCode.InvalidFormBody, undefined, {
          type: 'not a component interaction',
        });
      }
      record.originalMessageId = source.id;
      if (type === InteractionResponseType.UpdateMessage) {
        editMessage(world, source, data, ctx.body.files);
        record.originalEdited = true;
        record.status = 'replied';
      } else {
        record.status = 'deferred';
      }
      message = source;
      break;
    }
    case InteractionResponseType.ApplicationCommandAutocompleteResult:
    case InteractionResponseType.Modal:
      record.status = 'replied';
      break;
    default:
      throw new ApiError(HttpStatus.BadRequest, ErrorCode.InvalidFormBody, undefined, {
        type: {
          _errors: [
            { code: 'BASE_TYPE_CHOICES', message: `Value must be one of (${CALLBACK_TYPES.join(', ')}).` },
          ],
        },
      });
  }
  record.callbackType = type;
  record.ackedAt = world.clock.now();
  interactions.changed(record);
  if (ctx.query.get('with_response') !== 'true') return { status: HttpStatus.NoContent };
  const body: Record<string, unknown> = {
    interaction: {
      id: record.id,
      type: record.type,
      response_message_id: message?.id,
      response_message_loading: message ? (message.flags & MessageFlag.Loading) !== 0 : undefined,
      response_message_ephemeral: message ? (message.flags & MessageFlag.Ephemeral) !== 0 : undefined,
    },
  };
  // Only a response that is a message (a reply, or the updated message) comes back as a resource.
  if (
    message &&
    (type === InteractionResponseType.ChannelMessageWithSource ||
      type === InteractionResponseType.UpdateMessage)
  ) {
    body.resource = { type, message: world.messagePayload(message) };
  }
  return { status: HttpStatus.Ok, body };
}

/** The interaction behind a webhook token, if the token is (still) a webhook. */
function webhookRecord(world: SandboxWorld, interactions: InteractionStore, refuse: Refuse) {
  return (ctx: RouteContext): InteractionRecord => {
    const record = interactions.byToken(ctx.params.token ?? '');
    if (ctx.params.app !== world.applicationId || !record) {
      throw new ApiError(HttpStatus.NotFound, ErrorCode.UnknownWebhook);
    }
    interactions.expireIfLate(record);
    if (world.clock.now() > record.expiresAt) {
      throw refuse(record, ctx, new ApiError(HttpStatus.Unauthorized, ErrorCode.InvalidWebhookToken));
    }
    if (record.status === 'failed' || record.status === 'pending' || record.ackedElsewhere) {
      // The token never became a webhook: the interaction was not acknowledged by this bot.
      throw refuse(record, ctx, new ApiError(HttpStatus.NotFound, ErrorCode.UnknownWebhook));
    }
    return record;
  };
}
