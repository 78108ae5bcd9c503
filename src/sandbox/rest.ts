import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { InteractionResponseType } from 'discord-api-types/v10';
import { ErrorCode } from '../discord/facts.js';
import { overwriteCommands, storeCommand } from './commands.js';
import { ApiError, type ParsedBody, readBody } from './http.js';
import type { InteractionRecord, InteractionStore } from './interactions.js';
import { createMessage, editMessage, LOADING_FLAG } from './messages.js';
import type { SandboxWorld, StoredMessage } from './world.js';

export interface RestResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A rate limit the control API armed: the next `remaining` requests to `route` get a 429. */
export interface ArmedRateLimit {
  /** A route template as the sandbox names it, e.g. "/interactions/{id}/{token}/callback". */
  route: string;
  remaining: number;
  retryAfterMs: number;
}

interface RouteContext {
  params: string[];
  query: URLSearchParams;
  body: ParsedBody;
  method: string;
  route: string;
}

interface Route {
  method: string;
  pattern: RegExp;
  /** The template, for logs and refusals (Discord's own route names). */
  route: string;
  /** Bot routes need `Authorization: Bot <token>`; interaction and webhook routes authenticate by their token. */
  auth: boolean;
  handle(ctx: RouteContext): RestResult | Promise<RestResult>;
}

const SNOWFLAKE = '(\\d{1,20})';
const TOKEN = '([^/]+)';
const MESSAGE = '(@original|%40original|\\d{1,20})';
/** Template, pattern and auth of the three webhook-message routes (GET, PATCH, DELETE). */
const WEBHOOK_MESSAGE = [
  '/webhooks/{app}/{token}/messages/{message}',
  `/webhooks/${SNOWFLAKE}/${TOKEN}/messages/${MESSAGE}`,
  false,
] as const;

export interface RestDependencies {
  world: SandboxWorld;
  interactions: InteractionStore;
  botToken: string;
  gatewayUrl: () => string;
  acceptUploads: boolean;
}

/** Discord's REST API v10, as much of it as a discord.js bot answering slash commands uses. */
export class SandboxRest {
  readonly #routes: Route[];

  constructor(private readonly deps: RestDependencies) {
    this.#routes = this.#buildRoutes();
  }

  readonly #rateLimits: ArmedRateLimit[] = [];

  /** Route templates a rate limit can be armed on (for the control API's error message). */
  get routeTemplates(): string[] {
    return [...new Set(this.#routes.map((r) => r.route))];
  }

  armRateLimit(limit: ArmedRateLimit): void {
    if (!this.routeTemplates.includes(limit.route)) {
      throw new Error(`no route ${limit.route}; routes: ${this.routeTemplates.join(', ')}`);
    }
    this.#rateLimits.push({ ...limit });
  }

  /** Discord's 429: JSON body with retry_after in seconds, and the X-RateLimit-* headers. */
  #rateLimited(route: string): RestResult | null {
    const limit = this.#rateLimits.find((l) => l.route === route && l.remaining > 0);
    if (!limit) return null;
    limit.remaining -= 1;
    if (limit.remaining === 0) this.#rateLimits.splice(this.#rateLimits.indexOf(limit), 1);
    const seconds = limit.retryAfterMs / 1000;
    const resetAt = (this.deps.world.clock.now() + limit.retryAfterMs) / 1000;
    return {
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: seconds, global: false, code: 0 },
      headers: {
        'retry-after': String(Math.ceil(seconds)),
        'x-ratelimit-limit': '1',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': resetAt.toFixed(3),
        'x-ratelimit-reset-after': seconds.toFixed(3),
        'x-ratelimit-bucket': createHash('sha1').update(route).digest('hex').slice(0, 32),
        'x-ratelimit-scope': 'user',
      },
    };
  }

  async handle(req: IncomingMessage, path: string, query: URLSearchParams): Promise<RestResult> {
    const method = req.method ?? 'GET';
    const candidates = this.#routes.filter((r) => r.pattern.test(path));
    if (candidates.length === 0) throw new ApiError(404, 0, '404: Not Found');
    const route = candidates.find((r) => r.method === method);
    if (!route) throw new ApiError(405, 0, '405: Method Not Allowed');
    if (route.auth && req.headers.authorization !== `Bot ${this.deps.botToken}`) {
      throw new ApiError(401, 0, '401: Unauthorized');
    }
    const limited = this.#rateLimited(route.route);
    if (limited) {
      req.resume(); // the body is not read: drain it so the connection stays usable
      return limited;
    }
    const params = (route.pattern.exec(path) ?? []).slice(1);
    const body =
      method === 'GET' || method === 'DELETE' ? { json: undefined, files: [] } : await readBody(req);
    if (body.files.length > 0 && !this.deps.acceptUploads) {
      throw new ApiError(400, 50035, 'Invalid Form Body', {
        files: { _errors: [{ code: 'UPLOADS_DISABLED', message: 'This server takes no uploads.' }] },
      });
    }
    return route.handle({ params, query, body, method, route: route.route });
  }

  #buildRoutes(): Route[] {
    const { world } = this.deps;
    const r = (
      method: string,
      template: string,
      pattern: string,
      auth: boolean,
      handle: Route['handle'],
    ): Route => ({ method, route: template, pattern: new RegExp(`^${pattern}/?$`), auth, handle });

    const app = (id: string | undefined) => {
      if (id !== world.applicationId) throw new ApiError(404, 10002, 'Unknown Application');
    };
    const guild = (id: string | undefined) => {
      if (id !== world.guildId) throw new ApiError(404, 10004, 'Unknown Guild');
    };
    const command = (guildId: string | null, id: string | undefined) => {
      const found = id ? world.commandsFor(guildId).get(id) : undefined;
      if (!found) throw new ApiError(404, 10063, 'Unknown application command');
      return found;
    };

    return [
      r('GET', '/gateway/bot', '/gateway/bot', true, () => ({
        status: 200,
        body: {
          url: this.deps.gatewayUrl(),
          shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
        },
      })),
      r('GET', '/gateway', '/gateway', false, () => ({ status: 200, body: { url: this.deps.gatewayUrl() } })),
      r('GET', '/users/@me', '/users/(?:@|%40)me', true, () => ({
        status: 200,
        body: { ...world.bot, mfa_enabled: false, locale: 'en-US', verified: true, email: null },
      })),
      r('GET', '/applications/@me', '/applications/(?:@|%40)me', true, () => ({
        status: 200,
        body: applicationPayload(world),
      })),
      // Application commands, global and in the sandbox's guild
      ...this.#commandRoutes(r, app, command, null),
      ...this.#commandRoutes(r, app, command, world.guildId, guild),
      // Interactions
      r(
        'POST',
        '/interactions/{id}/{token}/callback',
        `/interactions/${SNOWFLAKE}/${TOKEN}/callback`,
        false,
        (ctx) => this.#callback(ctx),
      ),
      // Webhooks (the interaction token, valid 15 minutes)
      r('POST', '/webhooks/{app}/{token}', `/webhooks/${SNOWFLAKE}/${TOKEN}`, false, (ctx) => {
        const record = this.#webhook(ctx);
        const message = createMessage(world, {
          channelId: record.channelId,
          author: world.bot,
          body: ctx.body.json,
          files: ctx.body.files,
          interactionId: record.id,
          webhookId: world.applicationId,
        });
        record.followUpIds.push(message.id);
        this.deps.interactions.changed(record);
        return { status: 200, body: world.messagePayload(message) };
      }),
      r('GET', ...WEBHOOK_MESSAGE, (ctx) => {
        const { message } = this.#webhookMessage(ctx);
        return { status: 200, body: world.messagePayload(message) };
      }),
      r('PATCH', ...WEBHOOK_MESSAGE, (ctx) => {
        const { record, message, original } = this.#webhookMessage(ctx);
        editMessage(world, message, ctx.body.json, ctx.body.files);
        if (original) record.originalEdited = true;
        this.deps.interactions.changed(record);
        return { status: 200, body: world.messagePayload(message) };
      }),
      r('DELETE', ...WEBHOOK_MESSAGE, (ctx) => {
        const { record, message } = this.#webhookMessage(ctx);
        message.deleted = true;
        this.deps.interactions.changed(record);
        return { status: 204 };
      }),
      // Channels
      r('GET', '/channels/{channel}', `/channels/${SNOWFLAKE}`, true, ({ params }) => {
        if (!world.hasChannel(params[0] ?? '')) throw new ApiError(404, 10003, 'Unknown Channel');
        return { status: 200, body: world.channelPayload() };
      }),
      r(
        'GET',
        '/channels/{channel}/messages',
        `/channels/${SNOWFLAKE}/messages`,
        true,
        ({ params, query }) => {
          const messages = world.channelMessages.get(params[0] ?? '');
          if (!messages) throw new ApiError(404, 10003, 'Unknown Channel');
          const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 50) || 50));
          const visible = messages.filter((m) => !m.deleted && !(m.flags & 64));
          return {
            status: 200,
            body: visible
              .slice(-limit)
              .reverse()
              .map((m) => world.messagePayload(m)),
          };
        },
      ),
      r(
        'POST',
        '/channels/{channel}/messages',
        `/channels/${SNOWFLAKE}/messages`,
        true,
        ({ params, body }) => {
          const channelId = params[0] ?? '';
          if (!world.hasChannel(channelId)) throw new ApiError(404, 10003, 'Unknown Channel');
          const json = body.json as { flags?: number } | undefined;
          if (json && typeof json === 'object') json.flags = 0; // ephemeral is for interaction responses only
          const message = createMessage(world, {
            channelId,
            author: world.bot,
            body: json,
            files: body.files,
          });
          return { status: 200, body: world.messagePayload(message) };
        },
      ),
    ];
  }

  #commandRoutes(
    r: (m: string, t: string, p: string, a: boolean, h: Route['handle']) => Route,
    app: (id: string | undefined) => void,
    command: (
      guildId: string | null,
      id: string | undefined,
    ) => import('discord-api-types/v10').APIApplicationCommand,
    guildId: string | null,
    guild?: (id: string | undefined) => void,
  ): Route[] {
    const { world } = this.deps;
    const base = guildId
      ? `/applications/${SNOWFLAKE}/guilds/${SNOWFLAKE}/commands`
      : `/applications/${SNOWFLAKE}/commands`;
    const template = guildId
      ? '/applications/{app}/guilds/{guild}/commands/{command}'
      : '/applications/{app}/commands/{command}';
    const listTemplate = template.replace('/{command}', '');
    const idIndex = guildId ? 2 : 1;
    const scope = (params: string[]) => {
      app(params[0]);
      guild?.(params[1]);
    };
    const check = (params: string[]) => {
      scope(params);
      return command(guildId, params[idIndex]);
    };
    return [
      r('GET', listTemplate, base, true, ({ params }) => {
        scope(params);
        return { status: 200, body: [...world.commandsFor(guildId).values()] };
      }),
      r('PUT', listTemplate, base, true, ({ params, body }) => {
        scope(params);
        return { status: 200, body: overwriteCommands(world, body.json, guildId) };
      }),
      r('POST', listTemplate, base, true, ({ params, body }) => {
        scope(params);
        const { command: c, created } = storeCommand(world, body.json as object, guildId);
        return { status: created ? 201 : 200, body: c };
      }),
      r('GET', template, `${base}/${SNOWFLAKE}`, true, ({ params }) => ({
        status: 200,
        body: check(params),
      })),
      r('PATCH', template, `${base}/${SNOWFLAKE}`, true, ({ params, body }) => {
        const existing = check(params);
        const patch = (body.json ?? {}) as Record<string, unknown>;
        world.commandsFor(guildId).delete(existing.id);
        const { command: updated } = storeCommand(world, { ...existing, ...patch }, guildId);
        world.commandsFor(guildId).delete(updated.id);
        const kept = { ...updated, id: existing.id };
        world.commandsFor(guildId).set(existing.id, kept);
        return { status: 200, body: kept };
      }),
      r('DELETE', template, `${base}/${SNOWFLAKE}`, true, ({ params }) => {
        const existing = check(params);
        world.commandsFor(guildId).delete(existing.id);
        return { status: 204 };
      }),
    ];
  }

  #refuse(record: InteractionRecord | undefined, ctx: RouteContext, error: ApiError): ApiError {
    record?.refusals.push({
      at: this.deps.world.clock.now(),
      method: ctx.method,
      route: ctx.route,
      status: error.status,
      code: error.code,
      message: error.message,
    });
    if (record) this.deps.interactions.changed(record);
    return error;
  }

  #callback(ctx: RouteContext): RestResult {
    const { world, interactions } = this.deps;
    const record = interactions.byId.get(ctx.params[0] ?? '');
    if (!record || record.token !== decodeSegment(ctx.params[1] ?? '')) {
      throw new ApiError(404, ErrorCode.UnknownInteraction);
    }
    interactions.expireIfLate(record);
    if (record.status === 'failed') {
      throw this.#refuse(record, ctx, new ApiError(404, ErrorCode.UnknownInteraction));
    }
    if (record.status !== 'pending') {
      throw this.#refuse(record, ctx, new ApiError(400, ErrorCode.InteractionAlreadyAcknowledged));
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
        message = createMessage(world, {
          channelId: record.channelId,
          author: world.bot,
          body: { flags: (data?.flags as number | undefined) ?? 0 },
          files: [],
          interactionId: record.id,
          webhookId: world.applicationId,
          extraFlags: LOADING_FLAG,
          allowEmpty: true,
        });
        record.originalMessageId = message.id;
        record.status = 'deferred';
        break;
      case InteractionResponseType.DeferredMessageUpdate:
      case InteractionResponseType.UpdateMessage: {
        const source = record.sourceMessageId ? world.messages.get(record.sourceMessageId) : undefined;
        if (!source)
          throw new ApiError(400, 50035, 'Invalid Form Body', { type: 'not a component interaction' });
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
        throw new ApiError(400, 50035, 'Invalid Form Body', {
          type: {
            _errors: [{ code: 'BASE_TYPE_CHOICES', message: `Value must be one of (4, 5, 6, 7, 8, 9).` }],
          },
        });
    }
    record.callbackType = type;
    record.ackedAt = world.clock.now();
    interactions.changed(record);
    if (ctx.query.get('with_response') !== 'true') return { status: 204 };
    const body: Record<string, unknown> = {
      interaction: {
        id: record.id,
        type: record.type,
        response_message_id: message?.id,
        response_message_loading: message ? (message.flags & LOADING_FLAG) !== 0 : undefined,
        response_message_ephemeral: message ? (message.flags & 64) !== 0 : undefined,
      },
    };
    if (message && (type === 4 || type === 7))
      body.resource = { type, message: world.messagePayload(message) };
    return { status: 200, body };
  }

  #webhook(ctx: RouteContext): InteractionRecord {
    const { world, interactions } = this.deps;
    const token = decodeSegment(ctx.params[1] ?? '');
    const record = interactions.byToken.get(token);
    if (ctx.params[0] !== world.applicationId || !record) throw new ApiError(404, ErrorCode.UnknownWebhook);
    interactions.expireIfLate(record);
    if (world.clock.now() > record.expiresAt) {
      throw this.#refuse(record, ctx, new ApiError(401, ErrorCode.InvalidWebhookToken));
    }
    if (record.status === 'failed' || record.status === 'pending' || record.ackedElsewhere) {
      // The token never became a webhook: the interaction was not acknowledged by this bot.
      throw this.#refuse(record, ctx, new ApiError(404, ErrorCode.UnknownWebhook));
    }
    return record;
  }

  #webhookMessage(ctx: RouteContext): {
    record: InteractionRecord;
    message: StoredMessage;
    original: boolean;
  } {
    const record = this.#webhook(ctx);
    const ref = decodeSegment(ctx.params[2] ?? '');
    const original = ref === '@original';
    const id = original ? record.originalMessageId : ref;
    const owned = original || ref === record.originalMessageId || record.followUpIds.includes(ref);
    const message = id && owned ? this.deps.world.messages.get(id) : undefined;
    if (!message || message.deleted)
      throw this.#refuse(record, ctx, new ApiError(404, 10008, 'Unknown Message'));
    return { record, message, original: original || id === record.originalMessageId };
  }
}

function applicationPayload(world: SandboxWorld) {
  return {
    id: world.applicationId,
    name: world.applicationName,
    icon: null,
    description: 'LoopLab sandbox application',
    type: null,
    bot: world.bot,
    bot_public: false,
    bot_require_code_grant: false,
    verify_key: '0'.repeat(64),
    flags: 0,
    flags_new: '0',
    redirect_uris: [],
    interactions_endpoint_url: null,
    role_connections_verification_url: null,
    owner: world.owner,
    approximate_guild_count: 1,
    approximate_user_install_count: 0,
    approximate_user_authorization_count: 0,
    explicit_content_filter: 0,
    team: null,
    eligible_oauth2_scopes: ['bot', 'applications.commands'],
    tags: ['education'],
  };
}

/** A path segment, percent-decoded; a malformed escape is just an unknown token, never a 500. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
