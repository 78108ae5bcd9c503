import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_MAX_BLOCK_MS, loadConfig } from '../src/config/env.js';

/** Runs loadConfig expecting a ConfigError, and returns it. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env, false);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

const VALID_TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAw.Gfake0.LoopLabConfigTestTokenNotReal_0123456';

describe('loadConfig defaults (empty env: sandbox mode)', () => {
  it('fills every setting', () => {
    const config = loadConfig({}, false);
    expect(config.discordToken).toBeNull();
    expect(config.applicationId).toBeNull();
    expect(config.apiUrl).toBeNull();
    expect(config.guildId).toBeNull();
    expect(config.logLevel).toBe('info');
    expect(config.maxBlockMs).toBe(10_000);
    expect(DEFAULT_MAX_BLOCK_MS).toBe(10_000);
    expect(config.poolSize).toBeGreaterThanOrEqual(1);
    expect(config.poolSize).toBe(Math.max(1, availableParallelism() - 1));
    expect(config.cooldownMs).toBe(5_000);
    expect(config.maxConcurrentDemos).toBe(8);
    expect(config.mainThreadBudgetMs).toBe(20_000);
    expect(config.dataDir).toBe('./data');
    expect(config.deployOnStart).toBe(true);
    expect(config.sandbox).toEqual({
      host: '127.0.0.1',
      port: 0,
      clockOffsetMs: 0,
      heartbeatIntervalMs: 41_250,
      shards: 1,
      guilds: 1,
      maxConcurrency: 1,
      identifyIntervalMs: null,
    });
    // SHARD_COUNT unset: one process, as ever.
    expect(config.shards).toEqual({ count: null, ids: null, spawnDelayMs: 0 });
  });

  it('logs JSON when not on a TTY and pretty on a TTY', () => {
    expect(loadConfig({}, false).logFormat).toBe('json');
    expect(loadConfig({}, true).logFormat).toBe('pretty');
  });

  it('treats blank values as unset', () => {
    const config = loadConfig({ DISCORD_TOKEN: '   ', POOL_SIZE: '', GUILD_ID: ' ' }, false);
    expect(config.discordToken).toBeNull();
    expect(config.guildId).toBeNull();
    expect(config.poolSize).toBe(Math.max(1, availableParallelism() - 1));
  });
});

describe('loadConfig with values', () => {
  it('reads, trims and converts every setting', () => {
    const config = loadConfig(
      {
        DISCORD_TOKEN: ` ${VALID_TOKEN} `,
        DISCORD_APPLICATION_ID: '175928847299117063',
        GUILD_ID: '81384788765712384',
        DISCORD_API_URL: 'https://discord.com/api/v10',
        LOG_LEVEL: 'DEBUG',
        LOG_FORMAT: 'pretty',
        POOL_SIZE: ' 3 ',
        MAX_BLOCK_MS: '2500',
        COOLDOWN_MS: '15000',
        MAX_CONCURRENT_DEMOS: '2',
        MAIN_THREAD_BUDGET_MS: ' 30000 ',
        DATA_DIR: ' /var/lib/looplab ',
        DATABASE_URL: 'postgresql://looplab:pw@127.0.0.1:5432/looplab',
        METRICS_HOST: '0.0.0.0',
        METRICS_PORT: '9100',
        DEPLOY_ON_START: 'off',
        SANDBOX_HOST: '0.0.0.0',
        SANDBOX_PORT: '8080',
        SANDBOX_CLOCK_OFFSET_MS: '-120400',
        SANDBOX_HEARTBEAT_INTERVAL_MS: '500',
        SANDBOX_SHARDS: '2',
        SANDBOX_GUILDS: '4',
        SANDBOX_MAX_CONCURRENCY: '2',
        SANDBOX_IDENTIFY_INTERVAL_MS: '1000',
        SHARD_COUNT: '4',
        SHARD_IDS: '0-1,3',
        SHARD_SPAWN_DELAY_MS: '1000',
      },
      false,
    );
    expect(config).toEqual({
      discordToken: VALID_TOKEN,
      applicationId: '175928847299117063',
      apiUrl: 'https://discord.com/api',
      guildId: '81384788765712384',
      logLevel: 'debug',
      logFormat: 'pretty',
      poolSize: 3,
      maxBlockMs: 2500,
      cooldownMs: 15_000,
      maxConcurrentDemos: 2,
      mainThreadBudgetMs: 30_000,
      dataDir: '/var/lib/looplab',
      databaseUrl: 'postgresql://looplab:pw@127.0.0.1:5432/looplab',
      metrics: { host: '0.0.0.0', port: 9100, stallLimitMs: 1_000 },
      deployOnStart: false,
      sandbox: {
        host: '0.0.0.0',
        port: 8080,
        clockOffsetMs: -120_400,
        heartbeatIntervalMs: 500,
        shards: 2,
        guilds: 4,
        maxConcurrency: 2,
        identifyIntervalMs: 1_000,
      },
      shards: { count: 4, ids: [0, 1, 3], spawnDelayMs: 1_000 },
    });
  });

  it('LOG_FORMAT=json wins over a TTY', () => {
    expect(loadConfig({ LOG_FORMAT: 'JSON' }, true).logFormat).toBe('json');
  });

  it.each([
    ['1', true],
    ['true', true],
    ['YES', true],
    ['on', true],
    ['0', false],
    ['false', false],
    ['No', false],
    ['off', false],
  ])('DEPLOY_ON_START=%s is %s', (raw, expected) => {
    expect(loadConfig({ DEPLOY_ON_START: raw }, false).deployOnStart).toBe(expected);
  });

  it('normalises DISCORD_API_URL: trailing slashes and the /vNN version go', () => {
    expect(loadConfig({ DISCORD_API_URL: 'http://127.0.0.1:9/api/v10/' }, false).apiUrl).toBe(
      'http://127.0.0.1:9/api',
    );
    expect(loadConfig({ DISCORD_API_URL: 'http://127.0.0.1:9/api///' }, false).apiUrl).toBe(
      'http://127.0.0.1:9/api',
    );
    expect(loadConfig({ DISCORD_API_URL: 'https://discord.com/api' }, false).apiUrl).toBe(
      'https://discord.com/api',
    );
  });

  it('accepts the range limits', () => {
    const low = loadConfig({ POOL_SIZE: '1', MAX_BLOCK_MS: '100', COOLDOWN_MS: '0' }, false);
    expect([low.poolSize, low.maxBlockMs, low.cooldownMs]).toEqual([1, 100, 0]);
    const high = loadConfig({ POOL_SIZE: '64', MAX_BLOCK_MS: '60000', COOLDOWN_MS: '3600000' }, false);
    expect([high.poolSize, high.maxBlockMs, high.cooldownMs]).toEqual([64, 60_000, 3_600_000]);
  });
});

describe('loadConfig problems', () => {
  it.each([
    ['POOL_SIZE', 'abc', /POOL_SIZE must be a whole number from 1 to 64 \(it is "abc"\)/],
    ['POOL_SIZE', '0', /POOL_SIZE must be a whole number from 1 to 64 \(it is "0"\)/],
    ['POOL_SIZE', '2.5', /POOL_SIZE must be a whole number/],
    ['MAX_BLOCK_MS', '5', /MAX_BLOCK_MS must be a whole number from 100 to 60000 \(it is "5"\)/],
    ['MAX_BLOCK_MS', '60001', /MAX_BLOCK_MS must be a whole number from 100 to 60000/],
    ['COOLDOWN_MS', '-1', /COOLDOWN_MS must be a whole number/],
    // Ids are not echoed back: a token pasted on the wrong line must not reach a terminal.
    ['GUILD_ID', 'hello', /^GUILD_ID must be a Discord id: 17-20 digits(?!.*hello)/],
    ['GUILD_ID', '1234', /^GUILD_ID must be a Discord id: 17-20 digits(?!.*1234)/],
    [
      'DISCORD_APPLICATION_ID',
      'my-app',
      /^DISCORD_APPLICATION_ID must be a Discord id: 17-20 digits(?!.*my-app)/,
    ],
    ['DISCORD_API_URL', 'ftp://x', /^DISCORD_API_URL must be an http\(s\) URL(?!.*ftp:\/\/x)/],
    ['DISCORD_API_URL', 'not a url', /^DISCORD_API_URL must be an http\(s\) URL(?!.*not a url)/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/],
    ['LOG_FORMAT', 'xml', /LOG_FORMAT must be pretty or json/],
    ['DEPLOY_ON_START', 'maybe', /DEPLOY_ON_START must be true or false \(it is "maybe"\)/],
    ['DISCORD_TOKEN', 'short', /DISCORD_TOKEN does not look like a bot token/],
    ['DISCORD_TOKEN', `Bot ${VALID_TOKEN}`, /DISCORD_TOKEN does not look like a bot token/],
    [
      'DATABASE_URL',
      'mysql://root:pw@db/looplab',
      /^DATABASE_URL must be a PostgreSQL URL such as postgresql:\/\/.*(?!.*pw@db)/,
    ],
    ['SANDBOX_PORT', '70000', /SANDBOX_PORT must be a whole number from 0 to 65535/],
  ])('%s=%s is one clear problem naming the variable', (name, value, expected) => {
    const error = configError({ [name]: value });
    expect(error.problems).toHaveLength(1);
    const [problem] = error.problems;
    expect(problem).toContain(name);
    expect(problem).toMatch(expected);
    expect(error.message).toContain(problem);
  });

  it('reports several problems at once, in one error', () => {
    const error = configError({
      POOL_SIZE: 'abc',
      MAX_BLOCK_MS: '5',
      GUILD_ID: 'hello',
      DISCORD_API_URL: 'ftp://x',
      LOG_LEVEL: 'loud',
      DEPLOY_ON_START: 'maybe',
      DISCORD_TOKEN: 'short',
    });
    expect(error.problems).toHaveLength(7);
    for (const name of [
      'POOL_SIZE',
      'MAX_BLOCK_MS',
      'GUILD_ID',
      'DISCORD_API_URL',
      'LOG_LEVEL',
      'DEPLOY_ON_START',
      'DISCORD_TOKEN',
    ]) {
      expect(error.problems.filter((p) => p.startsWith(name))).toHaveLength(1);
      expect(error.message).toContain(`  - ${name}`);
    }
    expect(error.message.split('\n')).toHaveLength(8);
  });

  it('never puts the value of DISCORD_TOKEN in the error', () => {
    for (const token of ['short', 'S3cr3tT0ken with a space in it', 'x9Q2-tok']) {
      const error = configError({ DISCORD_TOKEN: token, POOL_SIZE: 'abc' });
      expect(error.problems).toHaveLength(2);
      expect(error.message).not.toContain(token);
      expect(error.problems.join('\n')).not.toContain(token);
    }
    // A well-formed token with another problem: still not echoed.
    const error = configError({ DISCORD_TOKEN: VALID_TOKEN, MAX_BLOCK_MS: '5' });
    expect(error.problems).toHaveLength(1);
    expect(error.message).not.toContain(VALID_TOKEN);
    expect(error.message).not.toContain(VALID_TOKEN.slice(0, 24));
  });
});
