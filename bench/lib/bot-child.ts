/**
 * One bot process of the bench, driven by the bench over IPC: the real LoopLab bot (createBot,
 * every command in commands/ plus a trivial /ping, as `npm start` wires it: promise-owner tracking
 * on, JSON logs at info) or the bare discord.js bot (bench/bare-bot.ts). It reports its own CPU,
 * memory, event-loop utilisation and loop delay, so the bench measures each bot apart from the
 * sandbox (which runs in the bench process) and from the other bot.
 *
 * Environment: BENCH_BOT=looplab|bare, BENCH_TOKEN, BENCH_API_URL, BENCH_GUILD_ID,
 * BENCH_MEASURE=on|off, BENCH_CHARTS=on|off, BENCH_LOOPLAB_ENV (JSON of LoopLab settings).
 */
import { mkdtempSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IntervalHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { ChildCommand, ChildReply, LogCounts, Usage } from './child-protocol.js';

const kind = process.env.BENCH_BOT === 'bare' ? 'bare' : 'looplab';
const token = process.env.BENCH_TOKEN ?? '';
const apiUrl = process.env.BENCH_API_URL ?? '';
const guildId = process.env.BENCH_GUILD_ID ?? '';
const measurement = process.env.BENCH_MEASURE === 'off' ? 'off' : 'on';

const send = (message: ChildReply | { type: 'ready'; value: unknown } | { type: 'fatal'; error: string }) =>
  process.send?.(message);

process.on('uncaughtException', (error) => {
  send({ type: 'fatal', error: error.stack ?? String(error) });
  setTimeout(() => process.exit(1), 100);
});

// LoopLab's chart renderer gets the bench's switch (png-swap.ts) before any of the bot is loaded.
register(new URL('./swap-hooks.mjs', import.meta.url), {
  data: {
    swaps: [
      {
        pattern: '/src/report/charts/png\\.(ts|js)$',
        url: new URL('./png-swap.ts', import.meta.url).href,
      },
    ],
  },
});
const { chartStats } = await import('./png-swap.js');
chartStats().mode = process.env.BENCH_CHARTS === 'off' ? 'off' : 'on';

/** Counts log lines cheaply: by level and message for warnings and errors, refusals by kind. */
const logs: LogCounts = { lines: 0, warnings: {}, refusals: {}, outcomes: {} };
const destination = {
  write(line: string) {
    logs.lines += 1;
    const level = Number(line.slice(9, 11));
    if (line.includes('refused by the classroom policy')) {
      const kindAt = line.indexOf('"refusal":"');
      const refusal = kindAt === -1 ? '?' : line.slice(kindAt + 11, line.indexOf('"', kindAt + 11));
      logs.refusals[refusal] = (logs.refusals[refusal] ?? 0) + 1;
    }
    const outcomeAt = line.indexOf('"outcome":"');
    if (outcomeAt !== -1) {
      const outcome = line.slice(outcomeAt + 11, line.indexOf('"', outcomeAt + 11));
      logs.outcomes[outcome] = (logs.outcomes[outcome] ?? 0) + 1;
    }
    if (level >= 40) {
      const msgAt = line.indexOf('"msg":"');
      const msg = msgAt === -1 ? '?' : line.slice(msgAt + 7, line.indexOf('"', msgAt + 7)).slice(0, 120);
      const key = `${level >= 50 ? 'error' : 'warn'}: ${msg}`;
      logs.warnings[key] = (logs.warnings[key] ?? 0) + 1;
    }
  },
};

let handled = 0;
let stop: () => Promise<void> = async () => {};
let info: Record<string, unknown> = {};

if (kind === 'bare') {
  const { startBareBot } = await import('../bare-bot.js');
  const bot = await startBareBot({ token, apiUrl, guildId });
  bot.client.on('interactionCreate', () => {
    handled += 1;
  });
  stop = () => bot.stop();
  info = { kind };
} else {
  const off = measurement === 'off' ? (await import('./measurement-off.js')).turnMeasurementOff() : [];
  const { createBot } = await import('../../src/bot/create-bot.js');
  const { loadConfig } = await import('../../src/config/env.js');
  const { createLogger } = await import('../../src/log/logger.js');
  const { loadCommands } = await import('../../src/router/registry.js');
  const { trackPromiseOwners } = await import('../../src/measure/attribution.js');
  const { pingCommand } = await import('./ping-command.js');
  const overrides = JSON.parse(process.env.BENCH_LOOPLAB_ENV ?? '{}') as Record<string, string>;
  const config = loadConfig(
    {
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'looplab-bench-')),
      ...overrides,
    },
    false,
  );
  const logger = createLogger({ level: config.logLevel, format: 'json', destination });
  // As src/main.ts does before the bot starts: every promise learns its interaction.
  if (measurement === 'on') trackPromiseOwners();
  const commands = new Map(await loadCommands());
  commands.set('ping', pingCommand);
  const bot = await createBot({
    config,
    logger,
    token,
    apiUrl,
    commands,
    watchdogLogFile: join(tmpdir(), `looplab-bench-watchdog-${process.pid}.log`),
  });
  bot.client.on('interactionCreate', () => {
    handled += 1;
  });
  const t0 = performance.now();
  await bot.start();
  const startMs = performance.now() - t0;
  await bot.deploy(guildId);
  stop = async () => {
    await bot.stop(2_000);
  };
  info = { kind, measurement, off, poolSize: config.poolSize, startMs, config: overrides };
}

let histogram: IntervalHistogram | null = null;
let eluMark = performance.eventLoopUtilization();

function usage(): Usage {
  const cpu = process.cpuUsage();
  const elu = performance.eventLoopUtilization();
  const mem = process.memoryUsage();
  return {
    at: performance.now(),
    cpuMs: (cpu.user + cpu.system) / 1000,
    eluActiveMs: elu.active,
    eluIdleMs: elu.idle,
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    heapTotal: mem.heapTotal,
    external: mem.external,
    arrayBuffers: mem.arrayBuffers,
    handled,
    charts: { ...chartStats() },
  };
}

async function handle(command: ChildCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'usage':
      return usage();
    case 'gc': {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (!gc) throw new Error('start the child with --expose-gc');
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((r) => setImmediate(r));
      }
      return usage();
    }
    case 'loop-start':
      histogram?.disable();
      histogram = monitorEventLoopDelay({ resolution: 1 });
      histogram.enable();
      eluMark = performance.eventLoopUtilization();
      return true;
    case 'loop-stop': {
      if (!histogram) throw new Error('loop-start first');
      histogram.disable();
      const h = histogram;
      histogram = null;
      const elu = performance.eventLoopUtilization(eluMark);
      return {
        p50: h.percentile(50) / 1e6,
        p99: h.percentile(99) / 1e6,
        max: h.max / 1e6,
        mean: h.mean / 1e6,
        count: h.count,
        utilization: elu.utilization,
      };
    }
    case 'charts': {
      const stats = chartStats();
      const before = { ...stats };
      if (command.args?.mode === 'on' || command.args?.mode === 'off') stats.mode = command.args.mode;
      if (command.args?.reset) Object.assign(stats, { rendered: 0, skipped: 0, wallMs: 0, encodeMs: 0 });
      return before;
    }
    case 'logs': {
      const copy = JSON.parse(JSON.stringify(logs)) as LogCounts;
      if (command.args?.reset) Object.assign(logs, { lines: 0, warnings: {}, refusals: {}, outcomes: {} });
      return copy;
    }
    case 'stop':
      await stop();
      setTimeout(() => process.exit(0), 50);
      return true;
  }
}

process.on('message', (message: ChildCommand) => {
  handle(message).then(
    (value) => send({ type: 'reply', ref: message.ref, ok: true, value }),
    (error: Error) =>
      send({ type: 'reply', ref: message.ref, ok: false, error: error.stack ?? String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));

send({ type: 'ready', value: { ...info, pid: process.pid, url: pathToFileURL(process.argv[1] ?? '').href } });
