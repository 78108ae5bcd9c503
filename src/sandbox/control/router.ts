/**
 * The control API under /sandbox: what a person, a test, the bench or the classroom page uses to
 * act as Discord's users (invoke a command, click a button) and to see what Discord would show.
 * It never reveals the bot token. One route table (find-my-way) filled by the route families.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpStatus } from '../../discord/facts.js';
import { readBody, sendJson } from '../http.js';
import { InvocationError } from '../invocations.js';
import { RouteTable } from '../routing.js';
import { actionRoutes } from './actions.js';
import { sandboxOverview } from './info.js';
import { inspectRoutes } from './inspect.js';
import { platformRoutes } from './platform.js';
import {
  type ControlContext,
  type ControlDependencies,
  type ControlReply,
  type ControlRoute,
  refuse,
  reply,
  route,
} from './route.js';

export class SandboxControl {
  // People type these by hand (curl): `//` and a trailing `/` are forgiven.
  readonly #table = new RouteTable<ControlRoute>({ ignoreDuplicateSlashes: true });

  constructor(private readonly deps: ControlDependencies) {
    const routes = [
      route('GET', '/sandbox', () => reply(HttpStatus.Ok, this.info())),
      ...actionRoutes(deps),
      ...inspectRoutes(deps),
      ...platformRoutes(deps),
    ];
    for (const r of routes) this.#table.add(r.method, r.template, r);
  }

  /** The overview GET /sandbox (and GET /) answers. */
  info(): ReturnType<typeof sandboxOverview> {
    return sandboxOverview(this.deps);
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const match = this.#table.match(method, url.pathname);
    let answer: ControlReply;
    if (!match.route) {
      answer = refuse(HttpStatus.NotFound, `no control route ${method} ${url.pathname}; see GET /sandbox`);
    } else {
      let body: Promise<unknown> | undefined;
      const ctx: ControlContext = {
        req,
        url,
        params: match.params,
        json: () => {
          body ??= readBody(req).then((parsed) => parsed.json);
          return body;
        },
      };
      try {
        answer = await match.route.handle(ctx);
      } catch (error) {
        if (!(error instanceof InvocationError)) throw error;
        // The reason is the answer: e.g. "`ms` must be between 1 and 10000 (you sent 0)."
        answer = refuse(error.status, error.message);
      }
    }
    if ('file' in answer) {
      res.statusCode = answer.status;
      res.setHeader('content-type', answer.file.contentType);
      res.setHeader('content-length', answer.file.data.length);
      res.end(answer.file.data);
      return;
    }
    sendJson(res, answer.status, answer.body);
  }
}
