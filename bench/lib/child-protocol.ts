/** Messages between the bench and its bot processes (bot-child.ts). */
export type ChildCommand =
  | { ref: number; cmd: 'usage' | 'gc' | 'loop-start' | 'loop-stop' | 'stop'; args?: undefined }
  | { ref: number; cmd: 'charts'; args?: { mode?: 'on' | 'off'; reset?: boolean } }
  | { ref: number; cmd: 'logs'; args?: { reset?: boolean } };

export type ChildReply =
  | { type: 'reply'; ref: number; ok: true; value: unknown }
  | { type: 'reply'; ref: number; ok: false; error: string };

export interface Usage {
  /** The child's performance.now(). */
  at: number;
  /** process.cpuUsage(), user + system, every thread of the process, ms. */
  cpuMs: number;
  /** Main-thread event-loop active / idle time since the process started (ms). */
  eluActiveMs: number;
  eluIdleMs: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Interactions the bot received so far. */
  handled: number;
  charts: { mode: 'on' | 'off'; rendered: number; skipped: number; wallMs: number; encodeMs: number };
}

export interface LoopStats {
  p50: number;
  p99: number;
  max: number;
  mean: number;
  count: number;
  utilization: number;
}

export interface LogCounts {
  lines: number;
  /** "warn: msg" / "error: msg" → count. */
  warnings: Record<string, number>;
  /** Classroom refusals by kind (already-running, cooldown, concurrent, budget, …). */
  refusals: Record<string, number>;
  /** Interaction outcomes as logged (answered, deferred, expired, refused, …). */
  outcomes: Record<string, number>;
}
