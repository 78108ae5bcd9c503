/**
 * One route table for the sandbox's REST API and its control API: find-my-way (Fastify's router)
 * with Discord's route templates (`/interactions/{id}/{token}/callback`) as the routes' names.
 */
import FindMyWay from 'find-my-way';

export type RouteParams = Record<string, string>;

export type RouteMatch<R> =
  | { route: R; params: RouteParams }
  /** No route here; `otherMethod` says whether the path has one for another method (a 405, not a 404). */
  | { route: null; otherMethod: boolean };

export interface RouteTableOptions {
  /** Regex sources for `{name}` parameters, e.g. `{ id: '\\d{1,20}' }`; others take any one segment. */
  params?: Readonly<Record<string, string>>;
  /** `//` counts as `/` (people type control requests by hand); Discord's REST API is strict. */
  ignoreDuplicateSlashes?: boolean;
}

type Method = FindMyWay.HTTPMethod;

/**
 * The longest path segment a route takes. An interaction token is long and arbitrary text; Node's
 * 16 KB header limit bounds the whole URL anyway.
 */
const MAX_SEGMENT_LENGTH = 4_096;

export class RouteTable<R> {
  readonly #router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;
  readonly #methods = new Set<Method>();
  readonly #templates: string[] = [];

  constructor(private readonly options: RouteTableOptions = {}) {
    this.#router = FindMyWay({
      ignoreTrailingSlash: true,
      ignoreDuplicateSlashes: options.ignoreDuplicateSlashes === true,
      maxParamLength: MAX_SEGMENT_LENGTH,
    });
  }

  /** Registers `route` for `method` on a template like `/channels/{channel}/messages`. */
  add(method: Method, template: string, route: R): void {
    // find-my-way hands the store back on a match; the handler itself is never called.
    this.#router.on(method, this.#toFindMyWay(template), () => undefined, route);
    this.#methods.add(method);
    if (!this.#templates.includes(template)) this.#templates.push(template);
  }

  /** Every template, in the order they were added. */
  get templates(): string[] {
    return [...this.#templates];
  }

  match(method: string, path: string): RouteMatch<R> {
    const normalized = normalize(path);
    const found = this.#find(method as Method, normalized);
    if (found) return found;
    const otherMethod = [...this.#methods].some((m) => m !== method && this.#find(m, normalized) !== null);
    return { route: null, otherMethod };
  }

  #find(method: Method, path: string): { route: R; params: RouteParams } | null {
    if (!this.#methods.has(method)) return null;
    // A malformed escape (`%E0%A4%A`) is not a bad URL but an unknown token: match it as typed.
    const found = this.#router.find(method, isMalformed(path) ? path.replace(/%/g, '%25') : path);
    if (!found) return null;
    const params: RouteParams = {};
    for (const [name, value] of Object.entries(found.params)) if (value !== undefined) params[name] = value;
    return { route: found.store as R, params };
  }

  /** `{name}` → `:name`, with its pattern when it has one (`:id(^\d{1,20}$)`). */
  #toFindMyWay(template: string): string {
    return template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const pattern = this.options.params?.[name];
      return pattern ? `:${name}(^(?:${pattern})$)` : `:${name}`;
    });
  }
}

/** Discord clients may send `@` as `%40` (`/users/%40me`, `messages/%40original`): both name one route. */
function normalize(path: string): string {
  return path.replace(/%40/g, '@');
}

function isMalformed(path: string): boolean {
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}
