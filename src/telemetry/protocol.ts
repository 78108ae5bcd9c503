/**
 * What the main thread tells the telemetry thread, and the shared memory the telemetry thread reads
 * when the main thread cannot tell it anything (it is stuck in a /block).
 */
import type { InteractionOutcome } from '../contracts/context.js';

/** Shared memory layout: BigInt64 slots, then the holder's label as UTF-8. */
export const Slot = { Heartbeat: 0, HolderSince: 1, LabelLength: 2 } as const;
export const SLOTS = 3;
export const LABEL_BYTES = 256;
export const SHARED_BYTES = SLOTS * 8 + LABEL_BYTES;

/** How often the main thread beats. A beat older than this is the main thread being late. */
export const BEAT_MS = 100;
/** How often the main thread posts a snapshot of its numbers. */
export const SNAPSHOT_MS = 1_000;

export interface TelemetryThreadData {
  shared: SharedArrayBuffer;
  host: string;
  port: number;
  /** /healthz turns 503 once the main thread has been stuck longer than this. */
  stallLimitMs: number;
  startedAt: number;
}

export interface InteractionEvent {
  type: 'interaction';
  command: string;
  outcome: InteractionOutcome;
  firstResponseMs: number | null;
}

/** One task the worker pool ran: queued for `waitMs`, then ran for `runMs` (null if it failed). */
export interface PoolTaskEvent {
  waitMs: number;
  runMs: number | null;
}

/** Main-thread numbers, posted every SNAPSHOT_MS (and never while the main thread is stuck). */
export interface SnapshotMessage {
  type: 'snapshot';
  at: number;
  /** Every event-loop delay sample (ms) recorded since the previous snapshot. */
  loopDelaySamples: number[];
  /** Over the last 10 s. */
  loopDelay10s: { p50: number; p99: number; max: number };
  /** Main-thread event-loop utilisation over the last 10 s, 0..1. */
  elu10s: number;
  /** Main-thread CPU time since start, s (only where Node can tell one thread's CPU from the process's). */
  mainThreadCpuS: number | null;
  heap: { usedBytes: number; totalBytes: number };
  pool: {
    threads: number;
    queueSize: number;
    utilization: number;
    completed: number;
    tasks: PoolTaskEvent[];
  } | null;
  /** 429s seen since the previous snapshot. */
  rateLimits: Array<{ route: string; global: boolean }>;
  gateway: { connected: boolean; pingMs: number; lastAckAt: number | null } | null;
}

export interface StateMessage {
  type: 'state';
  /** The bot is shutting down: /healthz answers 503 from now on. */
  stopping: boolean;
}

export type ToTelemetryThread = InteractionEvent | SnapshotMessage | StateMessage | { type: 'close' };

export type FromTelemetryThread =
  | { type: 'listening'; host: string; port: number }
  | { type: 'error'; code: string | null; message: string };
