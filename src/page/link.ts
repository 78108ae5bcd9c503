/**
 * The bot's main thread's side of the classroom page: it starts the sandbox's thread with the page
 * mounted, beats a heartbeat into shared memory every 50 ms (the sandbox's thread reads how long
 * ago the last beat was: the live loop-delay figure that keeps moving while the bot is blocked), and
 * posts LoopLab's own numbers (loop delay, utilisation, pool, classroom settings) twice a second.
 */
import type { Classroom } from '../classroom/classroom.js';
import type { Measurements } from '../measure/measurements.js';
import type { SandboxOptions } from '../sandbox/server.js';
import { type SandboxThread, type SandboxThreadHooks, startSandboxThread } from '../sandbox/thread.js';
import type { WorkPool } from '../work/pool.js';
import {
  type BotStats,
  HEARTBEAT_BYTES,
  HEARTBEAT_MS,
  HEARTBEAT_SLOTS,
  HOLDER_LABEL_BYTES,
} from './protocol.js';
import { PAGE_PATH } from './server.js';

const STATS_MS = 500;
/** Pool tasks the panel averages over: the last minute, at most this many. */
const RECENT_TASKS = 100;
const RECENT_TASKS_MS = 60_000;
const SETTINGS_MS = 2_000;

export interface ClassroomSandbox {
  sandbox: SandboxThread;
  /** The page's URL, on the sandbox's port. */
  pageUrl: string;
  /** Starts posting the bot's numbers; returns the function that stops them. */
  attach(sources: BotSources): () => void;
}

export interface BotSources {
  measure: Measurements;
  pool: WorkPool;
  classroom: Classroom;
  guildId: string | null;
}

/** The sandbox on its own thread, with the classroom page and the shared heartbeat. */
export async function startClassroomSandbox(
  options: SandboxOptions,
  hooks: SandboxThreadHooks = {},
): Promise<ClassroomSandbox> {
  const shared = new SharedArrayBuffer(HEARTBEAT_BYTES);
  const slot = new BigInt64Array(shared, 0, HEARTBEAT_SLOTS);
  const label = new Uint8Array(shared, HEARTBEAT_SLOTS * 8, HOLDER_LABEL_BYTES);
  const encoder = new TextEncoder();
  const beat = () => Atomics.store(slot, 0, BigInt(Date.now()));
  beat();
  const beater = setInterval(beat, HEARTBEAT_MS);
  beater.unref();
  let sandbox: SandboxThread;
  try {
    sandbox = await startSandboxThread(options, {
      ...hooks,
      entry: { fromUrl: import.meta.url, name: 'thread-entry' },
      extraData: { pageHeartbeat: shared },
    });
  } catch (error) {
    clearInterval(beater);
    throw error;
  }
  const close = sandbox.close.bind(sandbox);
  sandbox.close = async () => {
    clearInterval(beater);
    await close();
  };
  return {
    sandbox,
    pageUrl: `${sandbox.baseUrl}${PAGE_PATH}`,
    attach(sources) {
      // Who holds the main thread: written before the synchronous work starts, read while it runs.
      const ledger = sources.measure.ledger;
      const previous = ledger.onChange;
      ledger.onChange = (holder, since) => {
        previous?.(holder, since);
        if (holder) {
          const bytes = encoder.encode(`${holder.label} by ${holder.user}`).slice(0, HOLDER_LABEL_BYTES);
          label.set(bytes);
          Atomics.store(slot, 1, BigInt(bytes.length));
        } else {
          Atomics.store(slot, 1, 0n);
        }
      };
      // Wait vs run of the pool's tasks, seen from outside the pool (as the telemetry sees them).
      const tasks: Array<{ at: number; waitMs: number; runMs: number }> = [];
      const pool = sources.pool;
      const ownRun = Object.hasOwn(pool, 'run') ? pool.run : null;
      const run = pool.run;
      pool.run = async (kind, ms, signal) => {
        const started = performance.now();
        const result = await run.call(pool, kind, ms, signal);
        const total = performance.now() - started;
        tasks.push({
          at: Date.now(),
          waitMs: Math.max(0, total - result.elapsedMs),
          runMs: result.elapsedMs,
        });
        if (tasks.length > RECENT_TASKS) tasks.splice(0, tasks.length - RECENT_TASKS);
        return result;
      };
      let settings: BotStats['settings'] = null;
      const readSettings = () => {
        sources.classroom.settings(sources.guildId).then(
          (s) => {
            settings = [
              { name: 'max ms', value: String(s.maxMs.value), source: s.maxMs.source },
              { name: 'cooldown', value: `${s.cooldownMs.value / 1000} s`, source: s.cooldownMs.source },
              {
                name: 'main-thread budget',
                value: `${s.budgetMs.value / 1000} s per minute`,
                source: s.budgetMs.source,
              },
              { name: 'demos at once', value: String(s.concurrent.value), source: s.concurrent.source },
              { name: 'paused', value: s.paused.value ? 'yes' : 'no', source: s.paused.source },
            ];
          },
          () => {},
        );
      };
      readSettings();
      const post = () => {
        const now = Date.now();
        const delay = sources.measure.recorder.stats(now - 10_000, now);
        let pool: BotStats['pool'] = null;
        try {
          const s = sources.pool.stats();
          const recent = tasks.filter((t) => now - t.at < RECENT_TASKS_MS);
          const mean = (pick: (t: (typeof tasks)[number]) => number) =>
            recent.length === 0 ? 0 : recent.reduce((sum, t) => sum + pick(t), 0) / recent.length;
          pool = {
            threads: s.threads,
            queueSize: s.queueSize,
            utilization: s.utilization,
            completed: s.completed,
            recent: { tasks: recent.length, waitMs: mean((t) => t.waitMs), runMs: mean((t) => t.runMs) },
          };
        } catch {
          // A closing pool has no numbers.
        }
        const stats: BotStats = {
          type: 'bot-stats',
          at: now,
          loopDelay10s: { p50: delay.p50, p99: delay.p99, max: delay.max },
          elu10s: sources.measure.utilization.window(now - 10_000, now).elu,
          pool,
          settings,
        };
        sandbox.post(stats);
      };
      post();
      const timer = setInterval(post, STATS_MS);
      const settingsTimer = setInterval(readSettings, SETTINGS_MS);
      timer.unref();
      settingsTimer.unref();
      return () => {
        clearInterval(timer);
        clearInterval(settingsTimer);
        if (ledger.onChange !== previous) ledger.onChange = previous;
        if (ownRun) pool.run = ownRun;
        else delete (pool as Partial<WorkPool>).run;
      };
    },
  };
}
