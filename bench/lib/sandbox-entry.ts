/**
 * The bench's sandbox thread: LoopLab's own Discord-compatible sandbox (src/sandbox/server.ts,
 * unchanged), started on a worker thread of the bench process exactly as startSandboxThread() does,
 * plus what a benchmark needs and the control API does not give:
 *
 * - timestamps at microsecond resolution, taken on this thread (Discord's side): when each
 *   interaction was created (just before INTERACTION_CREATE is dispatched), when its first response
 *   was accepted, when its original message was first edited, whether that edit carried a file;
 * - the payload of an interaction (a template the bench sends again, in batches, through the
 *   control API's raw route);
 * - larger stores: the sandbox remembers 5 000 interactions and 2 000 messages per channel, which a
 *   load test at 2 000/s passes in 2.5 s (an interaction forgotten before its 3 s deadline would
 *   meet 10062 for reasons Discord does not have). The bench raises both bounds; nothing else
 *   changes.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { MessageFlag } from '../../src/discord/facts.js';
import { CHANNEL_MESSAGE_BOUNDS, INTERACTION_BOUNDS } from '../../src/sandbox/bounds.js';
import type { InteractionRecord } from '../../src/sandbox/interaction-store.js';
import { type SandboxOptions, startSandbox } from '../../src/sandbox/server.js';
import type { Timing } from './sandbox-protocol.js';

const port = parentPort;
if (!port) throw new Error('sandbox-entry runs only as a worker thread');

const { options, maxInteractions } = workerData as { options: SandboxOptions; maxInteractions: number };
(INTERACTION_BOUNDS as { maxEntries: number }).maxEntries = maxInteractions;
(CHANNEL_MESSAGE_BOUNDS as { maxEntries: number }).maxEntries = maxInteractions;

const timings = new Map<string, Timing>();
type Waiter = { id: string; until: 'ack' | 'settled' | 'file'; resolve: () => void };
const waiters = new Map<string, Waiter[]>();

try {
  const sandbox = await startSandbox(options);
  const { world, interactions } = sandbox;

  const reached = (t: Timing, until: Waiter['until']): boolean => {
    if (t.failed !== null) return true;
    if (until === 'ack') return t.acked !== null;
    if (until === 'file') return t.files > 0;
    return t.settled !== null;
  };
  const wake = (id: string, t: Timing) => {
    const list = waiters.get(id);
    if (!list) return;
    const left = list.filter((w) => {
      if (!reached(t, w.until)) return true;
      w.resolve();
      return false;
    });
    if (left.length === 0) waiters.delete(id);
    else waiters.set(id, left);
  };

  const create = interactions.create.bind(interactions);
  interactions.create = (fields) => {
    const created = performance.now();
    const record = create(fields);
    timings.set(record.id, {
      created,
      acked: null,
      callbackType: null,
      edited: null,
      settled: null,
      failed: null,
      edits: 0,
      files: 0,
      embeds: 0,
      ephemeral: false,
      content: '',
      refusals: [],
    });
    return record;
  };
  const note = (record: InteractionRecord) => {
    const t = timings.get(record.id);
    if (!t) return;
    const now = performance.now();
    if (t.acked === null && record.ackedAt !== null && record.status !== 'failed' && !record.ackedElsewhere) {
      t.acked = now;
      t.callbackType = record.callbackType;
    }
    if (record.status === 'failed' && t.failed === null) t.failed = now;
    const original = record.originalMessageId ? world.messages.get(record.originalMessageId) : undefined;
    if (original) {
      const edits = original.edits.values().length;
      if (record.originalEdited && t.edited === null) t.edited = now;
      t.edits = edits;
      t.files = Math.max(t.files, original.attachments.length);
      t.embeds = original.embeds.length;
      t.ephemeral ||= (original.flags & MessageFlag.Ephemeral) !== 0;
      t.content = original.content.slice(0, 200);
    }
    if (t.settled === null && interactions.isSettled(record)) t.settled = now;
    wake(record.id, t);
  };
  const changed = interactions.changed.bind(interactions);
  interactions.changed = (record) => {
    note(record);
    changed(record);
  };
  const refuse = interactions.refuse.bind(interactions);
  interactions.refuse = (record, refusal) => {
    timings.get(record.id)?.refusals.push(refusal.code || refusal.status);
    refuse(record, refusal);
  };

  port.on('message', async (message: { type: string; ref: number; [k: string]: unknown }) => {
    const answer = (value: unknown) => port.postMessage({ type: 'answer', ref: message.ref, value });
    switch (message.type) {
      case 'timings': {
        const ids = message.ids as string[] | undefined;
        const list = ids ?? [...timings.keys()];
        answer(list.map((id) => [id, timings.get(id) ?? null]));
        if (message.forget) for (const id of list) timings.delete(id);
        return;
      }
      case 'counters': {
        const c = { created: 0, acked: 0, settled: 0, failed: 0, edited: 0, files: 0 };
        for (const t of timings.values()) {
          c.created += 1;
          if (t.acked !== null) c.acked += 1;
          if (t.settled !== null) c.settled += 1;
          if (t.failed !== null) c.failed += 1;
          if (t.edited !== null) c.edited += 1;
          if (t.files > 0) c.files += 1;
        }
        answer(c);
        return;
      }
      case 'forget':
        timings.clear();
        answer(true);
        return;
      case 'payload': {
        const record = interactions.get(message.id as string);
        answer(record ? record.payload : null);
        return;
      }
      case 'wait': {
        const id = message.id as string;
        const until = message.until as Waiter['until'];
        const t = timings.get(id);
        if (!t || reached(t, until)) {
          answer(t ?? null);
          return;
        }
        const timer = setTimeout(
          () => answer(timings.get(id) ?? null),
          (message.timeoutMs as number) ?? 5_000,
        );
        const list = waiters.get(id) ?? [];
        list.push({
          id,
          until,
          resolve: () => {
            clearTimeout(timer);
            answer(timings.get(id) ?? null);
          },
        });
        waiters.set(id, list);
        return;
      }
      case 'close':
        await sandbox.close();
        answer(true);
        port.close();
        return;
    }
  });
  const { world: _w, interactions: _i, gateway: _g, clock: _c, close: _close, ...info } = sandbox;
  port.postMessage({ type: 'ready', info });
} catch (error) {
  port.postMessage({ type: 'error', message: (error as Error).stack ?? String(error) });
}
