import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger, REDACT_PATHS, registerSecret, scrub } from '../src/log/logger.js';

// Fake, but shaped like a bot token: base64(user id).timestamp.hmac
const TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAw.Gfake0.LoopLabLoggerTestTokenNotReal_abcdef';
const INTERACTION_TOKEN = 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5OlNFQ1JFVFRPS0VO';

type LogRecord = Record<string, unknown> & { msg?: string; err?: Record<string, unknown> };

function capture() {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  const logger = createLogger({ level: 'trace', destination });
  const text = () => chunks.join('');
  const records = (): LogRecord[] =>
    text()
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as LogRecord);
  const last = (): LogRecord => {
    const all = records();
    expect(all.length).toBeGreaterThan(0);
    return all[all.length - 1]!;
  };
  return { logger, text, records, last };
}

beforeAll(() => {
  registerSecret(TOKEN);
});

describe('the bot token never reaches the output', () => {
  it('in a field named token', () => {
    const out = capture();
    out.logger.info({ token: TOKEN }, 'login');
    expect(out.text()).not.toContain(TOKEN);
    expect(out.last().token).toBe('[redacted]');
    expect(out.last().msg).toBe('login');
  });

  it('nested: { auth: { token } }', () => {
    const out = capture();
    out.logger.info({ auth: { token: TOKEN, scheme: 'Bot' } }, 'auth');
    expect(out.text()).not.toContain(TOKEN);
    expect(out.last().auth).toEqual({ token: '[redacted]', scheme: 'Bot' });
  });

  it('in headers.authorization', () => {
    const out = capture();
    out.logger.debug({ headers: { authorization: `Bot ${TOKEN}`, 'user-agent': 'DiscordBot' } }, 'request');
    expect(out.text()).not.toContain(TOKEN);
    expect(out.last().headers).toEqual({ authorization: '[redacted]', 'user-agent': 'DiscordBot' });
  });

  it('in the message string, literal or through a format argument', () => {
    const out = capture();
    out.logger.warn(`logging in with ${TOKEN} now`);
    out.logger.warn('logging in with %s now', TOKEN);
    expect(out.text()).not.toContain(TOKEN);
    expect(out.records().map((r) => r.msg)).toEqual([
      'logging in with [redacted] now',
      'logging in with [redacted] now',
    ]);
  });

  it("in an Error's message and stack logged as { err }", () => {
    const out = capture();
    const error = new Error(`401 Unauthorized for token ${TOKEN}`);
    expect(error.stack).toContain(TOKEN);
    out.logger.error({ err: error }, 'login failed');
    expect(out.text()).not.toContain(TOKEN);
    const err = out.last().err!;
    expect(err.message).toBe('401 Unauthorized for token [redacted]');
    expect(String(err.stack)).toMatch(/^Error: 401 Unauthorized for token \[redacted\]\n\s+at /);
    expect(out.last().msg).toBe('login failed');
  });

  it('inside a URL', () => {
    const out = capture();
    out.logger.info({ url: `https://example.test/hook?token=${TOKEN}&x=1` }, 'fetch');
    expect(out.text()).not.toContain(TOKEN);
    expect(out.last().url).toBe('https://example.test/hook?token=[redacted]&x=1');
  });

  it('in arrays and unusual fields', () => {
    const out = capture();
    out.logger.info({ args: ['--token', TOKEN], env: { DISCORD_TOKEN: TOKEN }, note: `Bot ${TOKEN}` });
    expect(out.text()).not.toContain(TOKEN);
    expect(out.last().args).toEqual(['--token', '[redacted]']);
  });

  it('in child-logger bindings', () => {
    const out = capture();
    out.logger.child({ requestUrl: `https://example.test/?t=${TOKEN}` }).info('from a child');
    expect(out.text()).not.toContain(TOKEN);
  });

  it('nested deeper than a few levels', () => {
    const out = capture();
    out.logger.info({ a: { b: { c: { d: { e: { f: { g: { h: `x ${TOKEN}` } } } } } } } }, 'deep');
    out.logger.info({ a: { b: { c: { d: { e: { f: { g: [TOKEN] } } } } } } }, 'deep array');
    expect(out.text()).not.toContain(TOKEN);
  });
});

describe('REDACT_PATHS', () => {
  // Values that were never registered: only the path redaction can hide them.
  it.each(REDACT_PATHS)('redacts %s wherever the path points', (path) => {
    const value = 'unregistered-credential-value';
    const keys = path.split('.').map((k) => (k === '*' ? 'outer' : k));
    let object: Record<string, unknown> = { [keys[keys.length - 1]!]: value };
    for (const key of keys.slice(0, -1).reverse()) object = { [key]: object };
    const out = capture();
    out.logger.info(object, 'path');
    expect(out.text()).not.toContain(value);
    let node: unknown = out.last();
    for (const key of keys) node = (node as Record<string, unknown>)[key];
    expect(node).toBe('[redacted]');
  });
});

describe('interaction and webhook tokens in Discord URLs', () => {
  it('masks the token of an interaction callback URL', () => {
    const out = capture();
    out.logger.info(
      { url: `https://discord.com/api/v10/interactions/123/${INTERACTION_TOKEN}/callback` },
      'ack',
    );
    expect(out.text()).not.toContain(INTERACTION_TOKEN);
    expect(out.last().url).toBe('https://discord.com/api/v10/interactions/123/[redacted]/callback');
  });

  it('masks the token of a webhook (edit original) URL', () => {
    const out = capture();
    out.logger.info({ url: `/webhooks/1/${INTERACTION_TOKEN}/messages/@original` }, 'edit');
    expect(out.text()).not.toContain(INTERACTION_TOKEN);
    expect(out.last().url).toBe('/webhooks/1/[redacted]/messages/@original');
  });

  it('masks URL tokens inside an error (as DiscordAPIError carries them)', () => {
    class FakeDiscordAPIError extends Error {
      override name = 'DiscordAPIError';
      url = `https://discord.com/api/v10/webhooks/99/${INTERACTION_TOKEN}/messages/@original`;
      code = 10015;
    }
    const error = new FakeDiscordAPIError(
      `Unknown Webhook at PATCH /webhooks/99/${INTERACTION_TOKEN}/messages/@original`,
    );
    const out = capture();
    out.logger.error({ err: error }, 'edit failed');
    expect(out.text()).not.toContain(INTERACTION_TOKEN);
    const err = out.last().err!;
    expect(err.url).toBe('https://discord.com/api/v10/webhooks/99/[redacted]/messages/@original');
    expect(err.message).toBe('Unknown Webhook at PATCH /webhooks/99/[redacted]/messages/@original');
    expect(err.code).toBe(10015);
  });

  it('scrub() masks them in plain text and leaves the rest of the path', () => {
    expect(scrub(`/api/v10/interactions/123/${INTERACTION_TOKEN}/callback`)).toBe(
      '/api/v10/interactions/123/[redacted]/callback',
    );
    expect(scrub(`/webhooks/1/${INTERACTION_TOKEN}/messages/@original`)).toBe(
      '/webhooks/1/[redacted]/messages/@original',
    );
    expect(scrub(`/webhooks/1/${INTERACTION_TOKEN}?wait=true`)).toBe('/webhooks/1/[redacted]?wait=true');
    expect(scrub('Authorization: Bot abcdefghijklmnopqrstuvwxyz.0123')).toBe('Authorization: Bot [redacted]');
    expect(scrub('/channels/123/messages/456')).toBe('/channels/123/messages/456');
  });
});

describe('ordinary content passes unchanged', () => {
  it('keeps ids, users, numbers and nested data', () => {
    const out = capture();
    const fields = {
      interactionId: '1234567890123456789',
      user: 'alice',
      command: 'block',
      ms: 2000,
      ok: true,
      nested: { list: [1, 'two', { three: 3 }], none: null },
    };
    out.logger.info(fields, 'interaction received');
    const record = out.last();
    expect(record).toMatchObject({ ...fields, msg: 'interaction received', level: 30, name: 'looplab' });
  });

  it('keeps the class of a logged error as err.type', () => {
    const out = capture();
    out.logger.error({ err: new TypeError('bad input') }, 'failed');
    const err = out.last().err!;
    expect(err.message).toBe('bad input');
    expect(err.type).toBe('TypeError');
  });

  it('ignores secrets too short to be tokens', () => {
    registerSecret('abc');
    registerSecret(null);
    registerSecret(undefined);
    registerSecret('');
    expect(scrub('abc the cat')).toBe('abc the cat');
  });

  it('respects the level', () => {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        chunks.push(String(chunk));
        callback();
      },
    });
    const logger = createLogger({ level: 'warn', destination });
    logger.info('hidden');
    logger.warn('shown');
    expect(chunks.join('')).not.toContain('hidden');
    expect(chunks.join('')).toContain('shown');
  });
});
