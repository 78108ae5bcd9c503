import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/env.js';

/** Paths pino redacts wherever they appear in a log object. */
export const REDACT_PATHS = [
  'token',
  '*.token',
  '*.*.token',
  'botToken',
  '*.botToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'DISCORD_TOKEN',
  '*.DISCORD_TOKEN',
];

const secrets = new Set<string>();

/** Registers a secret (the bot token) so it is masked even inside messages and error strings. */
export function registerSecret(secret: string | null | undefined): void {
  if (secret && secret.length >= 8) secrets.add(secret);
}

/**
 * Masks secrets in free text: registered secrets, `Bot <token>` headers, and interaction or
 * webhook tokens inside Discord URLs (they appear in DiscordAPIError messages and urls).
 */
export function scrub(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  return out
    .replace(/(Bot\s+)[\w.-]{20,}/g, '$1[redacted]')
    .replace(/(\/interactions\/\d+\/)[^/\s"'?]+/g, '$1[redacted]')
    .replace(/(\/webhooks\/\d+\/)[^/\s"'?]+/g, '$1[redacted]');
}

const MAX_DEPTH = 8;

function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value === null || typeof value !== 'object') return value;
  // Deeper than anything we log on purpose: drop it rather than risk printing a secret.
  if (depth > MAX_DEPTH) return '[nested too deep]';
  if (value instanceof Error) {
    // Keep the class (pino's err.type), message, stack, cause and own fields, scrubbed.
    const copy = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(value)) {
      copy[key] = scrubDeep((value as unknown as Record<string, unknown>)[key], depth + 1);
    }
    return copy;
  }
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, depth + 1);
  return out;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: 'pretty' | 'json';
  /** Where JSON lines go (tests pass a stream; default stdout). */
  destination?: DestinationStream;
  name?: string;
}

/**
 * Whether pino-pretty can be loaded from here. It is a development dependency: a production install
 * (`npm ci --omit=dev`, the Docker image) has none, and then the logs stay JSON whatever LOG_FORMAT says.
 */
export function prettyAvailable(from: string = import.meta.url): boolean {
  try {
    createRequire(from).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * pino, JSON in production and pretty on a terminal (when pino-pretty is installed), with the token
 * redacted everywhere.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const base = {
    name: options.name ?? 'looplab',
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((a) => scrubDeep(a)),
        );
      },
    },
  };
  let logger: Logger;
  if (options.destination) logger = pino(base, options.destination);
  else if (options.format === 'pretty' && prettyAvailable()) {
    logger = pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,name' },
      },
    });
  } else logger = pino(base, pino.destination({ dest: 1, sync: false }));
  return scrubChildBindings(logger);
}

/**
 * Fields bound with .child(...) are scrubbed too: pino runs no hook on them, so wrap `child` on
 * the root logger; every child inherits the wrapper through its prototype.
 */
function scrubChildBindings(logger: Logger): Logger {
  const child = logger.child;
  logger.child = function (this: Logger, bindings, options) {
    return child.call(this, scrubDeep(bindings) as typeof bindings, options);
  } as Logger['child'];
  return logger;
}

export type { Logger };
