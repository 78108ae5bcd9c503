import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createBot, type LoopLabBot } from '../../src/bot/create-bot.js';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/log/logger.js';
import type { CommandRegistry } from '../../src/router/registry.js';
import type { SandboxOptions } from '../../src/sandbox/server.js';
import { type SandboxThread, startSandboxThread } from '../../src/sandbox/thread.js';

export interface LogLine {
  level: number;
  time: number;
  msg: string;
  [key: string]: unknown;
}

/**
 * The real LoopLab bot (real discord.js, real router and commands) against the sandbox, as
 * `npm start` runs it, with its logs captured for assertions.
 */
export async function startLoopLab(
  options: {
    env?: Record<string, string>;
    sandbox?: SandboxOptions;
    commands?: CommandRegistry;
    watchdogLogFile?: string;
  } = {},
) {
  const sandbox: SandboxThread = await startSandboxThread({ recordResponses: true, ...options.sandbox });
  // Tests drive many demos per user and guild in a few seconds: the classroom's brakes are off
  // unless a test is about them, and each bot keeps its settings in a folder of its own.
  const config = loadConfig(
    {
      POOL_SIZE: '1',
      LOG_LEVEL: 'debug',
      COOLDOWN_MS: '0',
      MAIN_THREAD_BUDGET_MS: '60000',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'looplab-data-')),
      ...options.env,
    },
    false,
  );
  const logs: LogLine[] = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        raw.push(line);
        logs.push(JSON.parse(line) as LogLine);
      }
      done();
    },
  });
  const logger = createLogger({ level: config.logLevel, destination });
  const bot: LoopLabBot = await createBot({
    config,
    logger,
    token: sandbox.botToken,
    apiUrl: sandbox.apiUrl,
    commands: options.commands,
    watchdogLogFile: options.watchdogLogFile,
  });
  await bot.start();
  await bot.deploy(sandbox.guildId);
  return {
    sandbox,
    api: sandbox.client,
    bot,
    logs,
    rawLogs: raw,
    channelId: sandbox.channelId,
    async stop() {
      await bot.stop();
      await sandbox.close();
    },
  };
}

export type LoopLab = Awaited<ReturnType<typeof startLoopLab>>;

/** The number after `label` in a text, e.g. numberAfter('max 512 ms', 'max') → 512. */
export function numberAfter(text: string, label: string): number {
  const match = new RegExp(`${label}\\s+\\**([\\d.]+)`).exec(text);
  if (!match?.[1]) throw new Error(`no number after "${label}" in: ${text}`);
  return Number(match[1]);
}

/** All the text of a message and its embeds (footers included), for assertions on what a learner reads. */
export function embedText(message: {
  content: string;
  embeds: Array<{
    title?: string;
    description?: string;
    fields?: Array<{ name: string; value: string }>;
    footer?: { text: string };
  }>;
}): string {
  return [
    message.content,
    ...message.embeds.flatMap((e) => [
      e.title ?? '',
      e.description ?? '',
      ...(e.fields ?? []).flatMap((f) => [f.name, f.value]),
      e.footer?.text ?? '',
    ]),
  ].join('\n');
}
