import { beforeAll, describe, expect, it } from 'vitest';
import { loadSpecValidator, type SpecValidator } from './support/openapi.js';

function author(): Record<string, unknown> {
  return {
    id: '1100000000000000001',
    username: 'looplab',
    avatar: null,
    discriminator: '0000',
    public_flags: 0,
    flags: 0,
    bot: true,
    global_name: null,
    primary_guild: null,
  };
}

function message(): Record<string, unknown> {
  return {
    id: '1200000000000000001',
    channel_id: '1300000000000000001',
    type: 20,
    content: 'hello',
    author: author(),
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    components: [],
    timestamp: '2025-01-01T00:00:00.000000+00:00',
    edited_timestamp: '2025-01-01T00:00:01.000000+00:00',
    flags: 0,
    pinned: false,
    mention_everyone: false,
    tts: false,
    webhook_id: '1400000000000000001',
    application_id: '1400000000000000001',
  };
}

describe('OpenAPI response validator', () => {
  let spec: SpecValidator;
  beforeAll(() => {
    spec = loadSpecValidator();
  });

  it('accepts a well-formed message on PATCH @original and names the operation', () => {
    const result = spec.check('PATCH', '/webhooks/1/tok/messages/@original', 200, message());
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.operation).toBe('PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original');
    const encoded = spec.check('PATCH', '/webhooks/1/tok/messages/%40original?wait=true', 200, message());
    expect(encoded.ok).toBe(true);
    expect(encoded.operation).toBe(result.operation);
  });

  it('rejects a message whose author lacks public_flags', () => {
    const body = message();
    delete (body.author as Record<string, unknown>).public_flags;
    const result = spec.check('PATCH', '/webhooks/1/tok/messages/@original', 200, body);
    expect(result.ok).toBe(false);
    expect(result.errors.join('\n')).toMatch(/\/author.*public_flags/);
  });

  it('checks GET /gateway/bot', () => {
    const body = {
      url: 'wss://gateway.discord.gg',
      shards: 1,
      session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
    };
    expect(spec.check('GET', '/gateway/bot', 200, body)).toEqual({
      ok: true,
      operation: 'GET /gateway/bot',
      errors: [],
    });
    const { shards: _shards, ...noShards } = body;
    const result = spec.check('GET', '/gateway/bot', 200, noShards);
    expect(result.ok).toBe(false);
    expect(result.errors.join('\n')).toMatch(/shards/);
  });

  it('uses the 4XX error schema and accepts an empty 204 on the interaction callback', () => {
    const notFound = spec.check('POST', '/interactions/1/t/callback', 404, {
      code: 10062,
      message: 'Unknown interaction',
    });
    expect(notFound).toEqual({
      ok: true,
      operation: 'POST /interactions/{interaction_id}/{interaction_token}/callback',
      errors: [],
    });
    expect(spec.check('POST', '/interactions/1/t/callback', 404, { message: 'x' }).ok).toBe(false);
    expect(spec.check('POST', '/interactions/1/t/callback', 204, undefined).ok).toBe(true);
    expect(spec.check('POST', '/interactions/1/t/callback', 204, {}).ok).toBe(false);
  });

  it('prefers literal segments and rejects unknown paths and methods', () => {
    expect(spec.check('GET', '/users/@me', 404, { code: 0, message: 'x' }).operation).toBe('GET /users/@me');
    expect(spec.check('GET', '/users/5', 404, { code: 0, message: 'x' }).operation).toBe(
      'GET /users/{user_id}',
    );
    const unknown = spec.check('GET', '/no/such/route', 200, {});
    expect(unknown.ok).toBe(false);
    expect(unknown.operation).toBeNull();
    expect(unknown.errors[0]).toMatch(/no path/);
    expect(spec.check('PUT', '/gateway/bot', 200, {}).ok).toBe(false);
  });
});
