import type { ScenarioStep } from './control/actions.js';
import type { InvokeRequest } from './invocations.js';
import type { RecordedResponse } from './rest/recording.js';
import type { InteractionView, MessageView } from './views.js';

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

  /** Sends a slash command as `user`; resolves with its id at once. */
  send(request: InvokeRequest): Promise<{ id: string; createdAt: number; deadlineAt: number }> {
    return this.#request('POST', '/sandbox/invoke', request);
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

  /** The next `count` requests to `route` (a sandbox route template) are answered 429 for `retryAfterMs`. */
  rateLimit(
    route: string,
    retryAfterMs: number,
    count = 1,
  ): Promise<{ route: string; count: number; retryAfterMs: number }> {
    return this.#request('POST', '/sandbox/ratelimit', { route, count, retryAfterMs });
  }

  requestReconnect(): Promise<{ sessions: number }> {
    return this.#request('POST', '/sandbox/gateway/reconnect');
  }

  invalidateSessions(): Promise<{ sessions: number }> {
    return this.#request('POST', '/sandbox/gateway/invalidate');
  }

  gateway(): Promise<{
    connectedSessions: number;
    events: Array<{ at: number; type: string; code?: number; replayed?: number }>;
  }> {
    return this.#request('GET', '/sandbox/gateway');
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
