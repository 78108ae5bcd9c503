import { pbkdf2Sync } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { threadId } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';

/**
 * The kinds of synchronous work LoopLab can run. The same function runs on the main thread (/block),
 * in a piscina worker (/nonblock) and in slices with `await setImmediate()` in between (/yield), so
 * every kind is time-bounded: "do kind K for about `ms` milliseconds".
 */
export const WORK_KINDS = ['cpu', 'crypto', 'fs', 'json', 'sleep', 'regex'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

export const WORK_DESCRIPTIONS: Record<WorkKind, string> = {
  cpu: 'a busy CPU loop (hashing numbers)',
  crypto: 'crypto.pbkdf2Sync, the synchronous key derivation',
  fs: 'synchronous file reads and zlib.gzipSync',
  json: 'JSON.parse/JSON.stringify of a large document',
  sleep: 'Atomics.wait — a synchronous sleep, the twin of time.sleep() in async code',
  regex: 'a catastrophic regular expression (ReDoS) on a crafted input',
};

export interface WorkResult {
  kind: WorkKind;
  /** The budget asked for. */
  requestedMs: number;
  /** Wall time actually spent (≥ requestedMs, overshoot at most one unit). */
  elapsedMs: number;
  /** How many units of work were done (loop chunks, hashes, file reads, round trips, waits, matches). */
  units: number;
  /** CPU time used meanwhile, see {@link CPU_MS_SCOPE}. */
  cpuMs: number;
  /** worker_threads.threadId of the thread that did the work (0 = main thread). */
  threadId: number;
  detail?: string;
}

export const MIN_WORK_MS = 1;
export const MAX_WORK_MS = 600_000;

export function isWorkKind(value: unknown): value is WorkKind {
  return typeof value === 'string' && (WORK_KINDS as readonly string[]).includes(value);
}

/** Throws a clear Error unless `kind` is a WorkKind and `ms` a finite number in 1..600000. */
export function assertWorkArgs(kind: unknown, ms: unknown): asserts kind is WorkKind {
  if (!isWorkKind(kind)) {
    throw new Error(`Unknown work kind ${JSON.stringify(kind)}; expected one of ${WORK_KINDS.join(', ')}`);
  }
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new Error(`Work duration must be a finite number of milliseconds, got ${String(ms)}`);
  }
  if (ms < MIN_WORK_MS || ms > MAX_WORK_MS) {
    throw new RangeError(`Work duration must be between ${MIN_WORK_MS} and ${MAX_WORK_MS} ms, got ${ms}`);
  }
}

// --- CPU accounting -------------------------------------------------------------------------------
// Node 20 has no per-thread CPU clock: process.cpuUsage() is user+system time of the WHOLE process
// (every thread), so a result measured in a worker also counts the main thread and other workers.
// Node >= 23.9 added process.threadCpuUsage(); use it when present so the number is this thread's.
type CpuReader = () => NodeJS.CpuUsage;
const threadCpuUsage = (process as unknown as { threadCpuUsage?: CpuReader }).threadCpuUsage;
const readCpu: CpuReader = threadCpuUsage ? () => threadCpuUsage.call(process) : () => process.cpuUsage();

/** Whether WorkResult.cpuMs covers only the working thread or the whole process (always so on Node 20). */
export const CPU_MS_SCOPE: 'thread' | 'process' = threadCpuUsage ? 'thread' : 'process';

// Results land here so the JIT cannot drop the work as dead code.
let sink = 0;

const round2 = (x: number): number => Math.round(x * 100) / 100;

type UnitRunner = (remainingMs: number) => void;

/**
 * Does `kind` synchronously for about `ms` milliseconds: repeats small units until the budget is
 * spent, so it never returns early and overshoots by at most one unit (a few ms; for regex the unit
 * is one match, sized to the remaining budget). Blocks the calling thread for the whole time.
 */
export function runWork(kind: WorkKind, ms: number): WorkResult {
  assertWorkArgs(kind, ms);
  const prepared = prepare(kind);
  const cpu0 = readCpu();
  const start = performance.now();
  const deadline = start + ms;
  let units = 0;
  let now = start;
  do {
    prepared.unit(deadline - now);
    units++;
    now = performance.now();
  } while (now < deadline);
  const cpu = readCpu();
  const result: WorkResult = {
    kind,
    requestedMs: ms,
    elapsedMs: round2(now - start),
    units,
    cpuMs: round2((cpu.user - cpu0.user + cpu.system - cpu0.system) / 1000),
    threadId,
  };
  const detail = prepared.detail();
  if (detail !== undefined) result.detail = detail;
  return result;
}

interface Prepared {
  unit: UnitRunner;
  detail: () => string | undefined;
}

function prepare(kind: WorkKind): Prepared {
  switch (kind) {
    case 'cpu':
      cpuCalibrate();
      return { unit: cpuUnit, detail: () => undefined };
    case 'crypto': {
      const iterations = cryptoUnitIterations();
      return { unit: cryptoUnit, detail: () => `pbkdf2 sha256, ≤${iterations} iterations a unit` };
    }
    case 'fs':
      ensureFsFile();
      return { unit: fsUnit, detail: () => `read + gzip of a ${FS_FILE_BYTES / 1024} KiB temp file a unit` };
    case 'json': {
      const bytes = jsonDocument().bytes;
      return {
        unit: jsonUnit,
        detail: () => `stringify + parse of a ${(bytes / 1e6).toFixed(1)} MB document`,
      };
    }
    case 'sleep':
      return { unit: sleepUnit, detail: () => undefined };
    case 'regex':
      return regexSession();
  }
}

// --- cpu: ~1 ms chunks of an integer hash loop -------------------------------------------------------

function hashLoop(iterations: number, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < iterations; i++) {
    h = Math.imul(h ^ i, 0x9e3779b1);
    h ^= h >>> 15;
  }
  return h;
}

let cpuItersPerMs = 0;

function cpuCalibrate(): number {
  if (cpuItersPerMs === 0) {
    let best = Number.POSITIVE_INFINITY;
    const probe = 200_000;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      sink ^= hashLoop(probe, i);
      best = Math.min(best, performance.now() - t);
    }
    cpuItersPerMs = Math.max(10_000, Math.round(probe / Math.max(best, 0.01)));
  }
  return cpuItersPerMs;
}

function cpuUnit(remainingMs: number): void {
  const perMs = cpuCalibrate();
  // ~1 ms a unit, less when less budget is left.
  const iterations = Math.max(1_000, Math.round(perMs * Math.min(1, remainingMs)));
  sink ^= hashLoop(iterations, sink);
}

// --- crypto: pbkdf2Sync with small iteration counts (~2 ms a unit) -------------------------------------

let cryptoItersPerMs = 0;
const CRYPTO_UNIT_MS = 2;

function cryptoUnitIterations(): number {
  if (cryptoItersPerMs === 0) {
    let best = Number.POSITIVE_INFINITY;
    const probe = 1_000;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      pbkdf2Sync('looplab', 'calibration', probe, 32, 'sha256');
      best = Math.min(best, performance.now() - t);
    }
    cryptoItersPerMs = Math.max(50, Math.round(probe / Math.max(best, 0.01)));
  }
  return Math.max(100, Math.round(cryptoItersPerMs * CRYPTO_UNIT_MS));
}

function cryptoUnit(remainingMs: number): void {
  const iterations = Math.max(
    50,
    Math.min(cryptoUnitIterations(), Math.round(cryptoItersPerMs * Math.max(remainingMs, 0))),
  );
  const key = pbkdf2Sync('looplab', 'event-loop', iterations, 32, 'sha256');
  sink ^= key.readInt32LE(0);
}

// --- fs: readFileSync a 256 KiB temp file + gzipSync it -----------------------------------------------

const WORDS = ['event', 'loop', 'block', 'yield', 'worker', 'thread', 'tick', 'queue', 'promise', 'timer'];
const FS_FILE_BYTES = 256 * 1024;
// Shared by all threads and processes: the content is deterministic and it is written atomically.
const FS_FILE = join(tmpdir(), 'looplab-work-256k.txt');
let fsFileChecked = false;

function fsFileContent(): Buffer {
  let state = 0x2545f491;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state >>> 8;
  };
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; length < FS_FILE_BYTES; i++) {
    const line = `${String(i).padStart(6, '0')} ${WORDS[next() % 10]} ${WORDS[next() % 10]} ${next().toString(16)} ${WORDS[next() % 10]}\n`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(lines.join('').slice(0, FS_FILE_BYTES), 'latin1');
}

function writeFsFile(): void {
  const temp = `${FS_FILE}.${process.pid}.${threadId}.tmp`;
  writeFileSync(temp, fsFileContent());
  renameSync(temp, FS_FILE);
}

function ensureFsFile(): void {
  if (fsFileChecked) return;
  let ok = false;
  try {
    ok = statSync(FS_FILE).size === FS_FILE_BYTES;
  } catch {
    ok = false;
  }
  if (!ok) writeFsFile();
  fsFileChecked = true;
}

function fsUnit(): void {
  ensureFsFile();
  let data: Buffer;
  try {
    data = readFileSync(FS_FILE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    writeFsFile(); // someone cleaned the temp dir
    data = readFileSync(FS_FILE);
  }
  sink ^= gzipSync(data).length;
}

// --- json: stringify + parse of a ~1 MB document -------------------------------------------------------

let jsonDoc: { doc: unknown; bytes: number } | undefined;

function jsonDocument(): { doc: unknown; bytes: number } {
  if (jsonDoc === undefined) {
    const items = [];
    for (let i = 0; i < 5_000; i++) {
      items.push({
        id: i,
        name: `item-${i}`,
        tags: [WORDS[i % 10], WORDS[(i * 7) % 10]],
        score: ((i * 37) % 1000) / 10,
        active: i % 3 === 0,
        nested: { a: i, b: `${WORDS[i % 10]}-${i}`, c: [i, i + 1, i + 2] },
        text: 'lorem ipsum dolor sit amet, consectetur adipiscing elit',
      });
    }
    const doc = { version: 1, generatedBy: 'looplab', items };
    jsonDoc = { doc, bytes: JSON.stringify(doc).length };
  }
  return jsonDoc;
}

function jsonUnit(): void {
  const text = JSON.stringify(jsonDocument().doc);
  const parsed = JSON.parse(text) as { items: unknown[] };
  sink ^= parsed.items.length ^ text.length;
}

// --- sleep: Atomics.wait, a synchronous sleep that uses no CPU ------------------------------------------

let sleepCell: Int32Array | undefined;

function sleepUnit(remainingMs: number): void {
  sleepCell ??= new Int32Array(new SharedArrayBuffer(4));
  // Nobody ever notifies this private cell, so the wait always runs into its timeout.
  Atomics.wait(sleepCell, 0, 0, Math.max(remainingMs, 0));
}

// --- regex: catastrophic backtracking, time doubles per extra input char --------------------------------

const EVIL_REGEX = /^(a+)+$/;
const REGEX_MIN_MATCH_MS = 3;
const REGEX_MIN_N = 8;
const REGEX_MAX_N = 45;
/** Estimated ms for one match on an input with n = 0 ('!' only); a match of n chars ≈ base · 2^n. */
let regexBaseMs = 0;

function timeMatch(n: number): number {
  const input = `${'a'.repeat(n)}!`;
  const t = performance.now();
  const matched = EVIL_REGEX.test(input);
  const elapsed = performance.now() - t;
  sink ^= matched ? 1 : 0;
  return elapsed;
}

function regexCalibrate(): number {
  if (regexBaseMs === 0) {
    // Warm up (the first runs go through V8's regexp interpreter before it tiers up to native code).
    for (let i = 0; i < 3; i++) timeMatch(12);
    let n = 12;
    let elapsed = timeMatch(n);
    while (elapsed < 2 && n < 30) {
      n++;
      elapsed = timeMatch(n);
    }
    regexBaseMs = Math.max(elapsed, 0.001) / 2 ** n;
  }
  return regexBaseMs;
}

function regexSession(): Prepared {
  regexCalibrate();
  let minN = Number.POSITIVE_INFINITY;
  let maxN = 0;
  let matches = 0;
  const unit = (remainingMs: number): void => {
    const base = regexCalibrate();
    const target = Math.max(remainingMs, REGEX_MIN_MATCH_MS);
    // floor: the match should take between target/2 and target.
    const n = Math.min(REGEX_MAX_N, Math.max(REGEX_MIN_N, Math.floor(Math.log2(target / base))));
    const elapsed = timeMatch(n);
    if (elapsed >= 1) regexBaseMs = elapsed / 2 ** n; // keep the estimate honest as the JIT settles
    minN = Math.min(minN, n);
    maxN = Math.max(maxN, n);
    matches++;
  };
  const detail = (): string => {
    if (matches === 0) return 'no match run';
    const suffix = matches === 1 ? '1 match' : `${matches} matches`;
    const size = minN === maxN ? `input of ${maxN} chars` : `inputs of ${minN}–${maxN} chars`;
    return `${size} (${suffix}, /^(a+)+$/ on 'a'×n + '!')`;
  };
  return { unit, detail };
}
