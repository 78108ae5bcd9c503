/** What every control route shares: its context, its answer and the sandbox parts it may use. */
import type { IncomingMessage } from 'node:http';
import type FindMyWay from 'find-my-way';
import type { SandboxGateway } from '../gateway.js';
import type { InteractionStore } from '../interaction-store.js';
import type { SandboxRest } from '../rest/api.js';
import type { ResponseRecorder } from '../rest/recording.js';
import type { RouteParams } from '../routing.js';
import type { SandboxInfo } from '../sandbox-info.js';
import type { SandboxWorld } from '../world.js';

export interface ControlDependencies {
  world: SandboxWorld;
  interactions: InteractionStore;
  gateway: SandboxGateway;
  rest: SandboxRest;
  /** Null unless the sandbox was started with recordResponses. */
  recorder: ResponseRecorder | null;
  /** The sandbox's URLs and ids, once it listens. */
  info: () => SandboxInfo | null;
  /** GET /sandbox/tokens answers (a sandbox started with exposeTokensForTests); else it is a 404. */
  exposeTokens?: boolean;
}

export interface ControlContext {
  req: IncomingMessage;
  url: URL;
  params: RouteParams;
  /** The request's JSON body (undefined when empty), read on first call. */
  json(): Promise<unknown>;
}

export type ControlReply =
  | { status: number; body: unknown }
  | { status: number; file: { contentType: string; data: Buffer } };

export interface ControlRoute {
  method: FindMyWay.HTTPMethod;
  template: string;
  handle(ctx: ControlContext): ControlReply | Promise<ControlReply>;
}

export function route(
  method: ControlRoute['method'],
  template: string,
  handle: ControlRoute['handle'],
): ControlRoute {
  return { method, template, handle };
}

export function reply(status: number, body: unknown): ControlReply {
  return { status, body };
}

/** A refusal as the control API words it: `{ "error": "…" }`. */
export function refuse(status: number, error: string): ControlReply {
  return { status, body: { error } };
}

/** `?timeoutMs=` of a long poll, within 0…60 s (15 s when absent or unreadable). */
export function waitMs(url: URL): number {
  const asked = Number(url.searchParams.get('timeoutMs') ?? DEFAULT_WAIT_MS);
  return Math.min(MAX_WAIT_MS, Math.max(0, Number.isFinite(asked) ? asked : DEFAULT_WAIT_MS));
}

const DEFAULT_WAIT_MS = 15_000;
/** The longest a control request waits for an interaction to settle (a client polls again after). */
const MAX_WAIT_MS = 60_000;
