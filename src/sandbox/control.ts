import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxGateway } from './gateway.js';
import { readBody, sendJson } from './http.js';
import { type InteractionStore, InvocationError, messageView } from './interactions.js';
import type { SandboxRest } from './rest.js';
import type { RecordedResponse, SandboxInfo } from './server.js';
import type { SandboxWorld } from './world.js';

const MAX_WAIT_MS = 60_000;

export interface ControlDependencies {
  world: SandboxWorld;
  interactions: InteractionStore;
  gateway: SandboxGateway;
  rest: SandboxRest;
}

/**
 * The control API under /sandbox: what a person, a test, the bench or the classroom page uses to
 * act as Discord's users (invoke a command, click a button) and to see what Discord would show.
 * It never reveals the bot token.
 */
export class SandboxControl {
  baseInfo: SandboxInfo | null = null;
  recordedResponses: RecordedResponse[] | null = null;

  constructor(private readonly deps: ControlDependencies) {}

  info() {
    const { world, gateway } = this.deps;
    const info = this.baseInfo;
    return {
      name: 'LoopLab Discord sandbox',
      restUrl: info?.restUrl,
      apiUrl: info?.apiUrl,
      gatewayUrl: info?.gatewayUrl,
      applicationId: world.applicationId,
      guildId: world.guildId,
      channelId: world.channelId,
      botConnected: gateway.connectedSessions > 0,
      heartbeatIntervalMs: gateway.heartbeatIntervalMs,
      clockOffsetMs: world.clock.offsetMs,
      now: world.clock.now(),
      commands: [...world.guildCommands.values(), ...world.globalCommands.values()].map((c) => ({
        name: c.name,
        description: c.description,
        scope: c.guild_id ? 'guild' : 'global',
        options: (c.options ?? []).map((o) => {
          const option = o as {
            name: string;
            type: number;
            required?: boolean;
            choices?: Array<{ value: unknown }>;
          };
          return {
            name: option.name,
            type: option.type,
            required: option.required === true,
            ...(option.choices ? { choices: option.choices.map((x) => x.value) } : {}),
          };
        }),
      })),
      users: [...world.users.values()].map((u) => ({ id: u.id, name: u.username })),
      routes: {
        invoke: 'POST /sandbox/invoke {"user":"alice","command":"block","options":{"ms":4000}}',
        interaction: 'GET /sandbox/interactions/{id}[?wait=settled&timeoutMs=15000]',
        click: 'POST /sandbox/click {"user":"alice","messageId":"…","customId":"…"}',
        messages: `GET /sandbox/channels/${world.channelId}/messages`,
        clock: 'POST /sandbox/clock {"offsetMs":120000} or {"advanceMs":900000}',
        ratelimit:
          'POST /sandbox/ratelimit {"route":"/interactions/{id}/{token}/callback","retryAfterMs":3300}',
        scenario:
          'POST /sandbox/scenario {"steps":[{"afterMs":0,"user":"alice","command":"block","options":{"ms":3500}}]}',
      },
    };
  }

  /** Sends several commands at set offsets, timed on the sandbox's thread. */
  async #runScenario(
    steps: ScenarioStep[],
  ): Promise<Array<{ id: string; createdAt: number; user: string; command: string }>> {
    const { interactions } = this.deps;
    for (const [i, step] of steps.entries()) {
      const after = step.afterMs ?? 0;
      if (typeof after !== 'number' || !Number.isFinite(after) || after < 0 || after > 60_000) {
        throw new InvocationError(`step ${i}: "afterMs" must be 0-60000`);
      }
    }
    const started = Date.now();
    const ordered = steps
      .map((step, index) => ({ step, index }))
      .sort((a, b) => (a.step.afterMs ?? 0) - (b.step.afterMs ?? 0));
    const created: Array<{ id: string; createdAt: number; user: string; command: string }> = [];
    for (const { step } of ordered) {
      const wait = started + (step.afterMs ?? 0) - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const record = interactions.invoke(step);
      created.push({
        id: record.id,
        createdAt: record.createdAt,
        user: record.user.username,
        command: step.command,
      });
    }
    return created;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const { world, interactions, gateway } = this.deps;
    const method = req.method ?? 'GET';
    const parts = url.pathname.split('/').filter(Boolean).slice(1); // drop "sandbox"
    const send = (status: number, body: unknown) => sendJson(res, status, body);
    const fail = (status: number, error: string) => send(status, { error });
    try {
      const [head, id, tail] = parts;
      if (method === 'GET' && parts.length === 0) return send(200, this.info());

      if (method === 'POST' && head === 'invoke' && parts.length === 1) {
        const body = (await readBody(req)).json as Record<string, unknown> | undefined;
        if (!body || typeof body !== 'object')
          return fail(400, 'send a JSON body like {"user":"alice","command":"block","options":{"ms":4000}}');
        const record = interactions.invoke({
          user: body.user as string,
          command: body.command as string,
          options: body.options as Record<string, unknown> | undefined,
          validate: body.validate as boolean | undefined,
          ackedElsewhere: body.ackedElsewhere === true,
        });
        if (url.searchParams.get('wait') === 'settled') {
          await interactions.waitSettled(record, waitMs(url));
          return send(200, interactions.view(record));
        }
        return send(201, { id: record.id, createdAt: record.createdAt, deadlineAt: record.deadlineAt });
      }

      if (method === 'POST' && head === 'scenario' && parts.length === 1) {
        const body = (await readBody(req)).json as { steps?: unknown } | undefined;
        const steps = body?.steps;
        if (!Array.isArray(steps) || steps.length === 0 || steps.length > 50) {
          return fail(
            400,
            'send {"steps":[{"afterMs":0,"user":"alice","command":"block","options":{"ms":2000}}, …]} (1-50 steps)',
          );
        }
        return send(200, { interactions: await this.#runScenario(steps as ScenarioStep[]) });
      }

      if (method === 'POST' && head === 'click' && parts.length === 1) {
        const body = (await readBody(req)).json as Record<string, unknown> | undefined;
        if (!body || typeof body !== 'object')
          return fail(400, 'send {"user":"alice","messageId":"…","customId":"…"}');
        const record = interactions.click({
          user: body.user as string,
          messageId: String(body.messageId ?? ''),
          customId: String(body.customId ?? ''),
        });
        if (url.searchParams.get('wait') === 'settled') {
          await interactions.waitSettled(record, waitMs(url));
          return send(200, interactions.view(record));
        }
        return send(201, { id: record.id, createdAt: record.createdAt, deadlineAt: record.deadlineAt });
      }

      if (method === 'GET' && head === 'interactions' && parts.length === 1) {
        const limit = Math.min(
          500,
          Math.max(1, Math.trunc(Number(url.searchParams.get('limit') ?? 100)) || 100),
        );
        const all = [...interactions.byId.values()].slice(-limit);
        return send(
          200,
          all.map((r) => interactions.view(r)),
        );
      }

      if (method === 'GET' && head === 'interactions' && id && parts.length === 2) {
        const record = interactions.byId.get(id);
        if (!record) return fail(404, `no interaction ${id}`);
        interactions.expireIfLate(record);
        if (url.searchParams.get('wait') === 'settled') await interactions.waitSettled(record, waitMs(url));
        return send(200, interactions.view(record));
      }

      if (method === 'GET' && head === 'channels' && id && tail === 'messages' && parts.length === 3) {
        const messages = world.channelMessages.get(id);
        if (!messages) return fail(404, `no channel ${id} (the sandbox channel is ${world.channelId})`);
        return send(
          200,
          messages.filter((m) => !m.deleted).map((m) => messageView(world, m)),
        );
      }

      if (method === 'GET' && head === 'messages' && id && parts.length === 2) {
        const message = world.messages.get(id);
        if (!message) return fail(404, `no message ${id}`);
        return send(200, messageView(world, message));
      }

      if (method === 'GET' && head === 'attachments' && id && parts.length === 3) {
        const attachment = world.attachments.get(id);
        if (!attachment) return fail(404, `no attachment ${id}`);
        res.statusCode = 200;
        res.setHeader('content-type', attachment.contentType);
        res.setHeader('content-length', attachment.data.length);
        res.end(attachment.data);
        return;
      }

      if (method === 'POST' && head === 'clock' && parts.length === 1) {
        const body = ((await readBody(req)).json ?? {}) as { offsetMs?: unknown; advanceMs?: unknown };
        if (body.offsetMs !== undefined) {
          if (typeof body.offsetMs !== 'number' || !Number.isFinite(body.offsetMs))
            return fail(400, '"offsetMs" must be a number');
          world.clock.setOffset(body.offsetMs);
        }
        if (body.advanceMs !== undefined) {
          if (typeof body.advanceMs !== 'number' || !Number.isFinite(body.advanceMs) || body.advanceMs < 0) {
            return fail(400, '"advanceMs" must be a non-negative number');
          }
          world.clock.advance(body.advanceMs);
        }
        interactions.clockChanged();
        return send(200, { offsetMs: world.clock.offsetMs, now: world.clock.now() });
      }

      if (method === 'POST' && head === 'ratelimit' && parts.length === 1) {
        const body = ((await readBody(req)).json ?? {}) as {
          route?: unknown;
          count?: unknown;
          retryAfterMs?: unknown;
        };
        const count = body.count ?? 1;
        const retryAfterMs = body.retryAfterMs ?? 1_000;
        if (typeof body.route !== 'string') {
          return fail(400, `"route" is required, one of: ${this.deps.rest.routeTemplates.join(', ')}`);
        }
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 100) {
          return fail(400, '"count" must be a whole number from 1 to 100');
        }
        if (typeof retryAfterMs !== 'number' || retryAfterMs < 1 || retryAfterMs > 60_000) {
          return fail(400, '"retryAfterMs" must be from 1 to 60000');
        }
        try {
          this.deps.rest.armRateLimit({ route: body.route, remaining: count, retryAfterMs });
        } catch (error) {
          return fail(400, (error as Error).message);
        }
        return send(200, { route: body.route, count, retryAfterMs });
      }

      if (head === 'gateway' && parts.length <= 2) {
        if (method === 'GET' && parts.length === 1) {
          return send(200, { connectedSessions: gateway.connectedSessions, events: gateway.events });
        }
        if (method === 'POST' && id === 'reconnect')
          return send(200, { sessions: gateway.requestReconnect() });
        if (method === 'POST' && id === 'invalidate')
          return send(200, { sessions: gateway.invalidateSessions() });
      }

      if (method === 'GET' && head === 'responses' && parts.length === 1) {
        if (!this.recordedResponses)
          return fail(404, 'start the sandbox with recordResponses to keep REST responses');
        return send(200, this.recordedResponses);
      }

      return fail(404, `no control route ${method} ${url.pathname}; see GET /sandbox`);
    } catch (error) {
      if (error instanceof InvocationError) return fail(error.status, error.message);
      throw error;
    }
  }
}

export interface ScenarioStep {
  /** When to send it, in ms after the scenario starts (the sandbox's own timer: exact even while the bot is blocked). */
  afterMs?: number;
  user: string;
  command: string;
  options?: Record<string, unknown>;
  validate?: boolean;
  ackedElsewhere?: boolean;
}

function waitMs(url: URL): number {
  const asked = Number(url.searchParams.get('timeoutMs') ?? 15_000);
  return Math.min(MAX_WAIT_MS, Math.max(0, Number.isFinite(asked) ? asked : 15_000));
}
