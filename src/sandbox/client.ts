import type { ScenarioStep } from './control/actions.js';
import type { GatewayEvent } from './gateway.js';
import type { InteractionSummary } from './interaction-store.js';
import type { InvokeRequest } from './invocations.js';
import type { RecordedResponse } from './rest/recording.js';
import type { InteractionLine, InteractionView, MessageView } from './views.js';

export type { InteractionLine, InteractionView, MessageView } from './views.js';

/** What the sandbox answers when it accepts an interaction (POST /sandbox/invoke, …/raw). */
export interface CreatedInteraction {
  id: string;
  createdAt: number;
  deadlineAt: number;
}

export interface RateLimitOptions {
  /** The bot's global limit (X-RateLimit-Global: true, scope "global", body global:true). */
  global?: boolean;
  /** X-RateLimit-Scope of a route's limit: "user" (default) or "shared". */
  scope?: 'user' | 'shared';
  /** Only this method (e.g. "PATCH"). */
  method?: string;
}

export interface FaultRequest {
  /** A route, e.g. "/interactions/{id}/{token}/callback" or "/webhooks/{id}/{token}/messages/@original". */
  route: string;
  /** 500, 502, 503 or 504 (default 500). */
  status?: number;
  /** How many requests in a row (default 1). */
  count?: number;
  method?: string;
}

export interface SandboxInfoView {
  restUrl: string;
  apiUrl: string;
  gatewayUrl: string;
  applicationId: string;
  guildId: string;
  channelId: string;
  botConnected: boolean;
  heartbeatIntervalMs: number;
  clockOffsetMs: number;
  now: number;
  commands: Array<{ name: string; description: string; scope: 'guild' | 'global'; options: unknown[] }>;
}

export class SandboxRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The typed control API: the same abilities as the HTTP routes under /sandbox, for tests, the
 * bench and the bot's own start-up. Works with a sandbox in a worker thread, a child process or
 * another machine alike.
 */
export class SandboxClient {
  constructor(readonly baseUrl: string) {}

  async #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: method === 'GET' ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!response.ok)
      throw new SandboxRequestError(response.status, json?.error ?? `${response.status} ${text}`);
    return json as T;
  }

  info(): Promise<SandboxInfoView> {
    return this.#request('GET', '/sandbox');
  }

  /**
   * Sends a slash command as `user`; resolves with its id at once. `teacher`, `permissions` and
   * `dm` say who and where: a member with Manage Server, given permissions, or the user's DM.
   */
  send(request: InvokeRequest): Promise<CreatedInteraction> {
    return this.#request('POST', '/sandbox/invoke', request);
  }

  /**
   * Dispatches `payload` (any JSON, malformed on purpose if you like) as INTERACTION_CREATE, with
   * the sandbox's id, token and application_id (`keep`: the payload's own, filling only missing ones).
   */
  raw(payload: unknown, options: { keep?: boolean } = {}): Promise<CreatedInteraction> {
    return this.#request('POST', `/sandbox/interactions/raw${options.keep ? '?keep=true' : ''}`, payload);
  }

  /** Up to 1 000 raw payloads in one request; `ids[i]` is null where `errors` names why. */
  rawBatch(
    payloads: unknown[],
    options: { keep?: boolean } = {},
  ): Promise<{ ids: Array<string | null>; errors: Array<{ index: number; error: string }> }> {
    return this.#request('POST', '/sandbox/interactions/raw/batch', {
      interactions: payloads,
      keep: options.keep === true,
    });
  }

  /** Counts by status and delivery over every remembered interaction. */
  summary(): Promise<InteractionSummary>;
  /** Counts over these interactions (up to 5 000), and one line for each. */
  summary(ids: readonly string[]): Promise<InteractionSummary & { interactions: InteractionLine[] }>;
  summary(ids?: readonly string[]) {
    return ids
      ? this.#request('POST', '/sandbox/interactions/summary', { ids })
      : this.#request('GET', '/sandbox/interactions/summary');
  }

  /** Sends a slash command and resolves when the interaction settles (answered, edited after a defer, or failed). */
  async invoke(request: InvokeRequest, timeoutMs = 30_000): Promise<InteractionView> {
    const { id } = await this.send(request);
    return this.waitSettled(id, timeoutMs);
  }

  /** Sends several commands at set offsets (timed by the sandbox, so exact even while the bot is blocked). */
  async scenario(
    steps: ScenarioStep[],
  ): Promise<Array<{ id: string; createdAt: number; user: string; command: string }>> {
    const { interactions } = await this.#request<{
      interactions: Array<{ id: string; createdAt: number; user: string; command: string }>;
    }>('POST', '/sandbox/scenario', { steps });
    return interactions;
  }

  click(user: string, messageId: string, customId: string): Promise<{ id: string }> {
    return this.#request('POST', '/sandbox/click', { user, messageId, customId });
  }

  async clickAndSettle(user: string, messageId: string, customId: string, timeoutMs = 30_000) {
    const { id } = await this.click(user, messageId, customId);
    return this.waitSettled(id, timeoutMs);
  }

  interaction(id: string): Promise<InteractionView> {
    return this.#request('GET', `/sandbox/interactions/${id}`);
  }

  interactions(): Promise<InteractionView[]> {
    return this.#request('GET', '/sandbox/interactions');
  }

  /** Long-polls in slices so a caller whose own loop was blocked still gets a fresh answer. */
  async waitSettled(id: string, timeoutMs = 30_000): Promise<InteractionView> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const slice = Math.max(0, Math.min(10_000, until - Date.now()));
      const view = await this.#request<InteractionView>(
        'GET',
        `/sandbox/interactions/${id}?wait=settled&timeoutMs=${slice}`,
      );
      if (view.settled || Date.now() >= until) return view;
    }
  }

  channelMessages(channelId: string): Promise<MessageView[]> {
    return this.#request('GET', `/sandbox/channels/${channelId}/messages`);
  }

  message(id: string): Promise<MessageView> {
    return this.#request('GET', `/sandbox/messages/${id}`);
  }

  /** Polls until `predicate` holds for a channel message, or throws after `timeoutMs`. */
  async waitForMessage(
    channelId: string,
    predicate: (message: MessageView) => boolean,
    timeoutMs = 15_000,
  ): Promise<MessageView> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.channelMessages(channelId)).find(predicate);
      if (found) return found;
      if (Date.now() > until)
        throw new Error(`no matching message in channel ${channelId} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  setClockOffset(offsetMs: number): Promise<{ offsetMs: number; now: number }> {
    return this.#request('POST', '/sandbox/clock', { offsetMs });
  }

  advanceClock(advanceMs: number): Promise<{ offsetMs: number; now: number }> {
    return this.#request('POST', '/sandbox/clock', { advanceMs });
  }

  /**
   * The next `count` requests to `route` are answered 429 for `retryAfterMs` (Discord's body, with
   * `retry_after` in seconds, and its headers); `global` makes it the bot's global limit.
   */
  rateLimit(
    route: string,
    retryAfterMs: number,
    count = 1,
    options: RateLimitOptions = {},
  ): Promise<{ route: string; count: number; retryAfterMs: number; global: boolean; method?: string }> {
    return this.#request('POST', '/sandbox/ratelimit', { route, count, retryAfterMs, ...options });
  }

  /** The next `count` requests to `route` get a 5xx with Discord's body, and are not performed. */
  fault(request: FaultRequest): Promise<{ route: string; count: number; status: number; method?: string }> {
    return this.#request('POST', '/sandbox/faults', request);
  }

  /** Op 7 RECONNECT to every connected session. */
  requestReconnect(): Promise<{ sessions: number }> {
    return this.#request('POST', '/sandbox/gateway/reconnect');
  }

  /** Op 9 INVALID_SESSION: not resumable (default; the client identifies anew) or resumable. */
  invalidateSessions(
    options: { resumable?: boolean } = {},
  ): Promise<{ sessions: number; resumable: boolean }> {
    return this.#request('POST', '/sandbox/gateway/invalidate', options);
  }

  /** Cuts every gateway connection without a close frame (a dropped Wi-Fi): the client resumes. */
  dropGateway(): Promise<{ sessions: number }> {
    return this.#request('POST', '/sandbox/gateway/drop');
  }

  /** No HEARTBEAT_ACK nor dispatch reaches the connections for `ms`: a zombie the client must notice. */
  silenceGateway(ms: number): Promise<{ sessions: number; ms: number }> {
    return this.#request('POST', '/sandbox/gateway/silence', { ms });
  }

  gateway(): Promise<{
    connectedSessions: number;
    silencedConnections: number;
    events: GatewayEvent[];
  }> {
    return this.#request('GET', '/sandbox/gateway');
  }

  /** Tests only (a sandbox started with exposeTokensForTests): every interaction token it issued and remembers. */
  async tokens(): Promise<string[]> {
    return (await this.#request<{ tokens: string[] }>('GET', '/sandbox/tokens')).tokens;
  }

  responses(): Promise<RecordedResponse[]> {
    return this.#request('GET', '/sandbox/responses');
  }

  async attachment(url: string): Promise<Buffer> {
    const response = await fetch(url);
    if (!response.ok) throw new SandboxRequestError(response.status, `attachment ${url}: ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }
}
