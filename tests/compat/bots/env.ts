/**
 * What every bot of the compatibility matrix is told by its test (tests/compat.test.ts), and the one
 * scenario they all implement. Each bot is a separate process running one real library.
 *
 *   /block    holds the event loop for 4 s (a busy-wait), then replies: too late, refused with 10062;
 *             the bot then posts "<library>: late reply refused: <code>" to the channel
 *   /defer    defers, then follows up
 *   /secret   answers ephemerally
 *   /buttons  sends a button (custom id "press") whose press edits the message: "pressed by <user>"
 */
export interface CompatEnv {
  /** REST base with the version, e.g. http://127.0.0.1:PORT/api/v10. */
  restUrl: string;
  /** e.g. http://127.0.0.1:PORT/api (discord.js style: the version is added by the library). */
  apiUrl: string;
  gatewayUrl: string;
  token: string;
  guildId: string;
}

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (tests/compat.test.ts sets it)`);
  return value;
}

export function compatEnv(): CompatEnv {
  const restUrl = need('SANDBOX_API_URL');
  return {
    restUrl,
    apiUrl: restUrl.replace(/\/v\d+$/, ''),
    gatewayUrl: need('SANDBOX_GATEWAY_URL'),
    token: need('SANDBOX_BOT_TOKEN'),
    guildId: need('SANDBOX_GUILD_ID'),
  };
}

export const BLOCK_MS = 4_000;

/** The scenario's commands, as every library registers them (guild commands, no options). */
export const COMMANDS = [
  { name: 'block', description: 'holds the event loop for 4 s, then replies (too late)' },
  { name: 'defer', description: 'defers, then follows up' },
  { name: 'secret', description: 'answers only you' },
  { name: 'buttons', description: 'sends a button' },
] as const;

/** Holds this process's only thread, as a blocking handler does. */
export function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spinning on purpose
  }
}

/** The Discord error code a library's REST error carries, whatever the library calls it. */
export function errorCode(error: unknown): number | string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' || typeof code === 'string' ? code : String(error);
}
