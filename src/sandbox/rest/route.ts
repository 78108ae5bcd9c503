/** What every REST route family shares: its context, its answer and the sandbox parts it may use. */
import type FindMyWay from 'find-my-way';
import type { ParsedBody } from '../http.js';
import type { InteractionStore } from '../interaction-store.js';
import type { RouteParams } from '../routing.js';
import type { SandboxWorld } from '../world.js';

export interface RestResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteContext {
  params: RouteParams;
  query: URLSearchParams;
  body: ParsedBody;
  method: string;
  /** The route's template, as refusals and rate limits name it. */
  route: string;
}

export interface RestRoute {
  method: FindMyWay.HTTPMethod;
  /** Discord's route name, e.g. "/interactions/{id}/{token}/callback". */
  template: string;
  /** Bot routes need `Authorization: Bot <token>`; interaction and webhook routes authenticate by their token. */
  auth: boolean;
  handle(ctx: RouteContext): RestResult | Promise<RestResult>;
}

export interface RestDependencies {
  world: SandboxWorld;
  interactions: InteractionStore;
  botToken: string;
  gatewayUrl: () => string;
  acceptUploads: boolean;
  /** Where the sandbox says which route a client asked for that it does not serve (default console.warn). */
  warn?: (line: string) => void;
}

/** Shorthand for a route: `route('GET', '/users/@me', true, handler)`. */
export function route(
  method: RestRoute['method'],
  template: string,
  auth: boolean,
  handle: RestRoute['handle'],
): RestRoute {
  return { method, template, auth, handle };
}
