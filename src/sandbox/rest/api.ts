/**
 * Discord's REST API v10, as much of it as a discord.js bot answering slash commands uses: one
 * route table (find-my-way) filled by the route families, and what every request goes through
 * before its route: 404 or 405, the bot token, an armed 429, the body.
 */
import type { IncomingMessage } from 'node:http';
import { ErrorCode, HttpStatus } from '../../discord/facts.js';
import { ApiError, readBody } from '../http.js';
import { RouteTable } from '../routing.js';
import { applicationRoutes } from './applications.js';
import { channelRoutes } from './channels.js';
import { type ArmedFault, ArmedFaults, RoutePattern } from './faults.js';
import { interactionRoutes } from './interactions.js';
import { loginRoutes } from './login.js';
import { type ArmedRateLimit, rateLimitFault } from './rate-limits.js';
import type { RestDependencies, RestResult, RestRoute } from './route.js';
import { type UnservedRoute, UnservedRoutes } from './unserved.js';

const SNOWFLAKE = '\\d{1,20}';

/** What each `{param}` of a Discord route takes; `{token}` is any text in one segment. */
const PARAMS = {
  app: SNOWFLAKE,
  guild: SNOWFLAKE,
  command: SNOWFLAKE,
  channel: SNOWFLAKE,
  id: SNOWFLAKE,
  message: `@original|${SNOWFLAKE}`,
};

export class SandboxRest {
  readonly #table = new RouteTable<RestRoute>({ params: PARAMS });
  /** Armed 429s and 5xx, in one store: met in the order they were armed. */
  readonly #faults = new ArmedFaults();
  readonly #unserved: UnservedRoutes;

  constructor(private readonly deps: RestDependencies) {
    this.#unserved = new UnservedRoutes(deps.warn ?? ((line) => console.warn(line)));
    const families = [loginRoutes, applicationRoutes, interactionRoutes, channelRoutes];
    for (const family of families) {
      for (const route of family(deps)) this.#table.add(route.method, route.template, route);
    }
  }

  /** Route templates a fault can be armed on (for the control API's error message). */
  get routeTemplates(): string[] {
    return this.#table.templates;
  }

  /** The routes clients asked for that the sandbox does not serve (each logged once). */
  get unservedRoutes(): UnservedRoute[] {
    return this.#unserved.values();
  }

  armRateLimit(limit: ArmedRateLimit): void {
    this.armFault(rateLimitFault(limit));
  }

  /** Arms a 429 or a 5xx; throws if the route names no route of the sandbox. */
  armFault(fault: ArmedFault): void {
    const pattern = new RoutePattern(fault.route);
    if (!this.routeTemplates.some((t) => t === fault.route || pattern.fits(t))) {
      throw new Error(`no route ${fault.route}; routes: ${this.routeTemplates.join(', ')}`);
    }
    this.#faults.arm(fault);
  }

  /** Answers one request to `path` (under /api/v10); Discord's errors are thrown as ApiError. */
  async handle(req: IncomingMessage, path: string, query: URLSearchParams): Promise<RestResult> {
    const method = req.method ?? 'GET';
    const match = this.#table.match(method, path);
    if (!match.route) {
      this.#unserved.note(
        method,
        path,
        match.otherMethod ? HttpStatus.MethodNotAllowed : HttpStatus.NotFound,
      );
      throw match.otherMethod
        ? new ApiError(HttpStatus.MethodNotAllowed, ErrorCode.General, '405: Method Not Allowed')
        : new ApiError(HttpStatus.NotFound, ErrorCode.General, '404: Not Found');
    }
    const { route, params } = match;
    if (route.auth && req.headers.authorization !== `Bot ${this.deps.botToken}`) {
      throw new ApiError(HttpStatus.Unauthorized, ErrorCode.General, '401: Unauthorized');
    }
    const fault = this.#faults.take(route.template, this.deps.world.clock.now(), path, method);
    if (fault) {
      req.resume(); // the body is not read: drain it so the connection stays usable
      this.#noteFault(route.template, params, method, fault);
      return fault;
    }
    const body =
      method === 'GET' || method === 'DELETE' ? { json: undefined, files: [] } : await readBody(req);
    if (body.files.length > 0 && !this.deps.acceptUploads) {
      throw new ApiError(HttpStatus.BadRequest, ErrorCode.InvalidFormBody, undefined, {
        files: { _errors: [{ code: 'UPLOADS_DISABLED', message: 'This server takes no uploads.' }] },
      });
    }
    return route.handle({ params, query, body, method, route: route.template });
  }

  /** A fault met by an interaction's callback or webhook is also one of its refusals (what delayed it). */
  #noteFault(template: string, params: Record<string, string>, method: string, fault: RestResult): void {
    const { interactions, world } = this.deps;
    const token = params.token;
    if (token === undefined) return;
    const record = interactions.byToken(token);
    if (!record || (params.id !== undefined && params.id !== record.id)) return;
    const body = fault.body as { code?: number; message?: string } | undefined;
    interactions.refuse(record, {
      at: world.clock.now(),
      method,
      route: template,
      status: fault.status,
      code: body?.code ?? ErrorCode.General,
      message: body?.message ?? '',
    });
  }
}
