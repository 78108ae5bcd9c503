/**
 * Validates REST response bodies against Discord's own OpenAPI 3.1 spec, which lives beside the repo in
 * `../shared/discord-api-spec/openapi.json` (it is never copied into the repo). The spec is JSON Schema
 * 2020-12, so it is compiled with `ajv/dist/2020`; each response schema is compiled lazily the first time it
 * is needed and cached, since a message schema alone takes a noticeable fraction of a second to compile.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

export interface SpecCheck {
  ok: boolean;
  operation: string | null;
  errors: string[];
}

export interface SpecValidator {
  /**
   * method e.g. 'GET'; path is the concrete path AFTER the '/api/v10' prefix, e.g.
   * '/interactions/123/tok/callback' or '/webhooks/1/tok/messages/@original' (also accepts '%40original'); it
   * may include a query string, which is ignored. status is the HTTP status; body is the parsed JSON body or
   * undefined for an empty body.
   */
  check(method: string, path: string, status: number, body: unknown): SpecCheck;
  /**
   * Validates `body` against one of the spec's component schemas by name (e.g. 'Error'): for what
   * the spec has a shape for but declares on no route, such as the bodies of Discord's 5xx.
   */
  checkSchema(name: string, body: unknown): SpecCheck;
}

const SPEC_URL = new URL('../../../shared/discord-api-spec/openapi.json', import.meta.url);
const SPEC_ID = 'https://discord.local/openapi.json';
const MAX_ERRORS = 10;
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

type Json = Record<string, unknown>;

interface Template {
  template: string;
  /** null for a `{param}` segment, otherwise the literal text. */
  segments: (string | null)[];
  literals: number;
  item: Json;
}

interface ResolvedResponse {
  response: Json;
  /** JSON pointer (unescaped segments) to the response object inside the spec. */
  pointer: string[];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toFragment(pointer: string[]): string {
  return `#/${pointer.map((part) => encodeURIComponent(part.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;
}

function splitConcretePath(path: string): string[] {
  let clean = path.split(/[?#]/, 1)[0] ?? '';
  if (clean.length > 1 && clean.endsWith('/')) clean = clean.slice(0, -1);
  return clean
    .split('/')
    .filter((segment, index) => index > 0 || segment !== '')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

function addFormats(ajv: Ajv2020): void {
  // The spec's own formats; without them ajv warns "unknown format" on nearly every schema.
  ajv.addFormat('snowflake', /^(0|[1-9][0-9]*)$/);
  ajv.addFormat('nonce', { type: 'string', validate: (value: string) => value.length <= 25 });
  // int32 is checked loosely (up to 2^32 - 1): some flag fields carry bit 31 as an unsigned value.
  ajv.addFormat('int32', {
    type: 'number',
    validate: (value: number) => Number.isInteger(value) && value >= -(2 ** 31) && value <= 2 ** 32 - 1,
  });
  ajv.addFormat('int64', { type: 'number', validate: (value: number) => Number.isInteger(value) });
  ajv.addFormat('double', { type: 'number', validate: (value: number) => Number.isFinite(value) });
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (value: string) => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)),
  });
  ajv.addFormat('uri', {
    type: 'string',
    validate: (value: string) => /^[a-zA-Z][a-zA-Z0-9+.-]*:\S*$/.test(value),
  });
}

/** Turns ajv's errors into short readable lines, folding enum-style `oneOf: [{const}, ...]` noise into one. */
function formatErrors(errors: ErrorObject[]): string[] {
  const consts = new Map<string, { instancePath: string; values: unknown[] }>();
  const lines: string[] = [];
  const oneOfFolded = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'const') {
      // schemaPath like '.../oneOf/3/const': group by the oneOf it belongs to.
      const parent = error.schemaPath.replace(/\/\d+\/const$/, '');
      const key = `${error.instancePath}|${parent}`;
      const group = consts.get(key) ?? { instancePath: error.instancePath, values: [] };
      group.values.push((error.params as { allowedValue: unknown }).allowedValue);
      consts.set(key, group);
      if (parent !== error.schemaPath) oneOfFolded.add(`${error.instancePath}|${parent}`);
    }
  }
  const emittedConsts = new Set<string>();
  for (const error of errors) {
    const where = error.instancePath || '(root)';
    if (error.keyword === 'const') {
      const parent = error.schemaPath.replace(/\/\d+\/const$/, '');
      const key = `${error.instancePath}|${parent}`;
      if (emittedConsts.has(key)) continue;
      emittedConsts.add(key);
      const values = consts.get(key)?.values ?? [];
      lines.push(
        values.length > 1
          ? `${where} must be one of ${JSON.stringify(values)}`
          : `${where} must be equal to ${JSON.stringify(values[0])}`,
      );
      continue;
    }
    if (error.keyword === 'oneOf' && oneOfFolded.has(`${error.instancePath}|${error.schemaPath}`)) continue;
    let line = `${where} ${error.message ?? error.keyword}`;
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'additionalProperties') line += ` (${String(params.additionalProperty)})`;
    if (error.keyword === 'enum') line += ` ${JSON.stringify(params.allowedValues)}`;
    lines.push(line);
  }
  const unique = [...new Set(lines)];
  if (unique.length > MAX_ERRORS) {
    return [...unique.slice(0, MAX_ERRORS), `... and ${unique.length - MAX_ERRORS} more`];
  }
  return unique;
}

export function loadSpecValidator(): SpecValidator {
  const spec = JSON.parse(readFileSync(fileURLToPath(SPEC_URL), 'utf8')) as Json;
  const paths = (spec.paths ?? {}) as Record<string, Json>;

  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // Register the spec as one schema document so every `#/components/...` ref (and the inline response
  // schemas under `#/paths/...`) resolves inside it.
  ajv.addSchema({ $id: SPEC_ID, paths: spec.paths, components: spec.components });

  const templates: Template[] = Object.entries(paths).map(([template, item]) => {
    const segments = template
      .split('/')
      .slice(1)
      .map((segment) => (/^\{[^}]+\}$/.test(segment) ? null : segment));
    return { template, segments, literals: segments.filter((s) => s !== null).length, item };
  });

  const validators = new Map<string, ValidateFunction>();
  function validatorFor(pointer: string[]): ValidateFunction {
    const ref = `${SPEC_ID}${toFragment(pointer)}`;
    let validate = validators.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: ref });
      validators.set(ref, validate);
    }
    return validate;
  }

  function resolveRef(ref: string): ResolvedResponse | null {
    if (!ref.startsWith('#/')) return null;
    const pointer = ref
      .slice(2)
      .split('/')
      .map((part) => decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~'));
    let node: unknown = spec;
    for (const part of pointer) {
      if (!isObject(node)) return null;
      node = node[part];
    }
    return isObject(node) ? { response: node, pointer } : null;
  }

  function matchTemplate(segments: string[]): Template[] {
    const matches = templates.filter(
      (t) =>
        t.segments.length === segments.length &&
        t.segments.every((literal, i) => literal === null || literal === segments[i]),
    );
    // Most literal segments first; on a tie, the template whose first literal comes earliest.
    return matches.sort((a, b) => {
      if (a.literals !== b.literals) return b.literals - a.literals;
      for (let i = 0; i < a.segments.length; i++) {
        const la = a.segments[i] !== null;
        const lb = b.segments[i] !== null;
        if (la !== lb) return la ? -1 : 1;
      }
      return 0;
    });
  }

  return {
    checkSchema(name, body) {
      const schemas = (spec.components as Json | undefined)?.schemas as Json | undefined;
      if (!schemas || !isObject(schemas[name])) {
        return { ok: false, operation: null, errors: [`the spec has no schema ${name}`] };
      }
      const validate = validatorFor(['components', 'schemas', name]);
      if (validate(body)) return { ok: true, operation: `schema ${name}`, errors: [] };
      return { ok: false, operation: `schema ${name}`, errors: formatErrors(validate.errors ?? []) };
    },
    check(method, path, status, body) {
      const verb = method.toLowerCase();
      const segments = splitConcretePath(path);
      const concrete = `/${segments.join('/')}`;
      const candidates = matchTemplate(segments);
      if (candidates.length === 0) {
        return { ok: false, operation: null, errors: [`no path in the spec matches ${concrete}`] };
      }
      const match = HTTP_METHODS.has(verb) ? candidates.find((t) => isObject(t.item[verb])) : undefined;
      if (!match) {
        const known = candidates.map((t) => t.template).join(', ');
        return {
          ok: false,
          operation: null,
          errors: [`no ${method.toUpperCase()} operation in the spec for ${concrete} (paths: ${known})`],
        };
      }
      const operation = `${method.toUpperCase()} ${match.template}`;
      const responses = ((match.item[verb] as Json).responses ?? {}) as Json;
      const key = [String(status), `${Math.floor(status / 100)}XX`, 'default'].find((k) => k in responses);
      if (key === undefined) {
        return {
          ok: false,
          operation,
          errors: [`status ${status} is not declared (declared: ${Object.keys(responses).join(', ')})`],
        };
      }
      let resolved: ResolvedResponse | null = {
        response: responses[key] as Json,
        pointer: ['paths', match.template, verb, 'responses', key],
      };
      for (let hops = 0; resolved && typeof resolved.response.$ref === 'string' && hops < 10; hops++) {
        resolved = resolveRef(resolved.response.$ref);
      }
      if (!resolved) {
        return { ok: false, operation, errors: [`cannot resolve the spec's response for status ${key}`] };
      }

      const content = isObject(resolved.response.content) ? resolved.response.content : {};
      const mediaTypes = Object.keys(content);
      const jsonType = mediaTypes.find((type) => /^application\/(?:[\w.+-]+\+)?json\b/.test(type));
      if (jsonType === undefined) {
        if (mediaTypes.length > 0) return { ok: true, operation, errors: [] }; // e.g. image/png: not JSON
        return body === undefined
          ? { ok: true, operation, errors: [] }
          : { ok: false, operation, errors: [`status ${status} declares no body, but one was sent`] };
      }
      if (body === undefined) {
        return {
          ok: false,
          operation,
          errors: [`status ${status} declares a JSON body, but the body was empty`],
        };
      }
      const media = content[jsonType];
      if (!isObject(media) || media.schema === undefined) return { ok: true, operation, errors: [] };

      const validate = validatorFor([...resolved.pointer, 'content', jsonType, 'schema']);
      if (validate(body)) return { ok: true, operation, errors: [] };
      return { ok: false, operation, errors: formatErrors(validate.errors ?? []) };
    },
  };
}
