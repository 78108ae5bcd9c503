import type { APIInteraction } from 'discord-api-types/v10';
import { INITIAL_RESPONSE_DEADLINE_MS, INTERACTION_TOKEN_LIFETIME_MS } from '../discord/facts.js';
import { BoundedMap, type Bounds } from '../lib/bounded.js';
import { FOLLOW_UP_BOUNDS, History, INTERACTION_BOUNDS, REFUSAL_BOUNDS, realNow } from './bounds.js';
import type { SandboxUser } from './stored.js';
import type { SandboxWorld } from './world.js';

export type InteractionStatus = 'pending' | 'replied' | 'deferred' | 'failed';

/**
 * Whether INTERACTION_CREATE reached the bot: written to a live gateway connection (`delivered`),
 * held for a session that is disconnected or silent (`queued`), sent on RESUME (`replayed`), or
 * never (`undelivered`: no session, or only one that was then invalidated; Discord does not replay
 * to a new session, so it fails at 3 s).
 */
export type DeliveryState = 'delivered' | 'queued' | 'replayed' | 'undelivered';

export const INTERACTION_STATUSES: readonly InteractionStatus[] = [
  'pending',
  'replied',
  'deferred',
  'failed',
];
export const DELIVERY_STATES: readonly DeliveryState[] = ['delivered', 'queued', 'replayed', 'undelivered'];

/** Something the sandbox refused, kept so a learner (and a test) can see exactly what Discord said. */
export interface Refusal {
  at: number;
  method: string;
  route: string;
  status: number;
  code: number;
  message: string;
}

export interface InteractionRecord {
  id: string;
  token: string;
  /** The interaction type (1 ping … 5 modal submit); a raw one may carry any number, or none (-1). */
  type: number;
  /** Sent through POST /sandbox/interactions/raw: the payload is exactly the caller's. */
  raw: boolean;
  /** Where it happened: the sandbox's guild, or the user's DM with the bot. */
  context: 'guild' | 'dm';
  /** The member's permission bit string in the payload (null in a DM, or a raw payload's own). */
  memberPermissions: string | null;
  user: SandboxUser;
  command: string | null;
  options: Record<string, string | number | boolean>;
  customId: string | null;
  sourceMessageId: string | null;
  channelId: string;
  createdAt: number;
  deadlineAt: number;
  expiresAt: number;
  status: InteractionStatus;
  callbackType: number | null;
  ackedAt: number | null;
  ackedElsewhere: boolean;
  failedAt: number | null;
  delivery: DeliveryState;
  /** When INTERACTION_CREATE was written to a connection (sandbox clock), first time. */
  deliveredAt: number | null;
  originalMessageId: string | null;
  originalEdited: boolean;
  followUpIds: History<string>;
  refusals: History<Refusal>;
  payload: APIInteraction;
}

/** What a new interaction is made of; the store adds its deadlines and lifecycle. */
export type NewInteraction = Pick<
  InteractionRecord,
  | 'id'
  | 'token'
  | 'type'
  | 'raw'
  | 'context'
  | 'memberPermissions'
  | 'user'
  | 'command'
  | 'options'
  | 'customId'
  | 'sourceMessageId'
  | 'channelId'
  | 'ackedElsewhere'
  | 'createdAt'
  | 'payload'
>;

export interface InteractionSummary {
  /** Interactions counted (those asked for that are still remembered). */
  total: number;
  settled: number;
  counts: Record<InteractionStatus, number>;
  delivery: Record<DeliveryState, number>;
  /** Ids asked for that the sandbox does not (or no longer) remember. */
  missing: string[];
}

export interface InteractionStoreOptions {
  bounds?: Bounds;
  /** This machine's clock, by which records age (tests pass their own). */
  now?: () => number;
}

/** How often forgotten interactions are swept when nothing new arrives. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Interactions and their deadlines. The 3-second timer runs on the sandbox's own thread, so an
 * interaction is marked failed on time even while the bot's event loop is blocked.
 *
 * Records are bounded (INTERACTION_BOUNDS). A deadline timer holds only the interaction's id, never
 * the record, so a timer armed far ahead (the clock was set back) cannot keep a forgotten record
 * alive; a waiter (`?wait=settled`) on a record that is forgotten is answered at once with its
 * last state.
 */
export class InteractionStore {
  readonly #byId: BoundedMap<string, InteractionRecord>;
  /** Token → id, with the same bounds and stamps as #byId, so both forget the same records. */
  readonly #idByToken: BoundedMap<string, string>;
  readonly #deadlines = new Map<string, NodeJS.Timeout>();
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #createdListeners = new Set<(record: InteractionRecord) => void>();
  readonly #sweeper: NodeJS.Timeout;
  readonly #now: () => number;

  constructor(
    private readonly world: SandboxWorld,
    options: InteractionStoreOptions = {},
  ) {
    const bounds = options.bounds ?? INTERACTION_BOUNDS;
    this.#now = options.now ?? realNow;
    this.#byId = new BoundedMap(bounds, this.#now);
    this.#idByToken = new BoundedMap(bounds, this.#now);
    this.#sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.#sweeper.unref();
  }

  get size(): number {
    this.sweep();
    return this.#byId.size;
  }

  /** Called with each new interaction (the server dispatches INTERACTION_CREATE). */
  onCreated(listener: (record: InteractionRecord) => void): void {
    this.#createdListeners.add(listener);
  }

  /** Adds an interaction, pending (or already acknowledged elsewhere), and arms its 3 s deadline. */
  create(fields: NewInteraction): InteractionRecord {
    const record: InteractionRecord = {
      ...fields,
      deadlineAt: fields.createdAt + INITIAL_RESPONSE_DEADLINE_MS,
      expiresAt: fields.createdAt + INTERACTION_TOKEN_LIFETIME_MS,
      // Acknowledged by another client already: the bot's callback will get 40060.
      status: fields.ackedElsewhere ? 'replied' : 'pending',
      callbackType: null,
      ackedAt: fields.ackedElsewhere ? fields.createdAt : null,
      failedAt: null,
      delivery: 'undelivered',
      deliveredAt: null,
      originalMessageId: null,
      originalEdited: false,
      followUpIds: new History<string>(FOLLOW_UP_BOUNDS, this.#now),
      refusals: new History<Refusal>(REFUSAL_BOUNDS, this.#now),
    };
    const at = this.#now();
    const before = this.#byId.size;
    this.#byId.set(record.id, record, at);
    this.#idByToken.set(record.token, record.id, at);
    // It grew by less than one: older records went (by age or count).
    if (this.#byId.size <= before) this.#forgetTimersAndWaiters();
    this.#armDeadline(record.id);
    for (const listener of this.#createdListeners) listener(record);
    return record;
  }

  get(id: string): InteractionRecord | undefined {
    this.sweep();
    return this.#byId.get(id);
  }

  /** True if an interaction with this id or token is remembered (a raw one that keeps its own must be new). */
  has(id: string, token: string): boolean {
    this.sweep();
    return this.#byId.has(id) || this.#idByToken.has(token);
  }

  /**
   * Counts by status and delivery, over `ids` (every remembered interaction when absent), and one
   * line per interaction asked for: what a test of thousands reads in one request.
   */
  summary(ids?: readonly string[]): InteractionSummary {
    this.sweep();
    const records = ids ? ids.map((id) => this.#byId.get(id)) : this.#byId.values();
    const counts = Object.fromEntries(INTERACTION_STATUSES.map((s) => [s, 0])) as Record<
      InteractionStatus,
      number
    >;
    const delivery = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as Record<DeliveryState, number>;
    const missing: string[] = [];
    let settled = 0;
    records.forEach((record, i) => {
      if (!record) {
        missing.push(ids?.[i] ?? '');
        return;
      }
      this.expireIfLate(record);
      counts[record.status] += 1;
      delivery[record.delivery] += 1;
      if (this.isSettled(record)) settled += 1;
    });
    return { total: records.length - missing.length, settled, counts, delivery, missing };
  }

  /** Every remembered interaction token (only for a sandbox started with exposeTokensForTests). */
  tokens(): string[] {
    this.sweep();
    return this.#byId.values().map((r) => r.token);
  }

  byToken(token: string): InteractionRecord | undefined {
    this.sweep();
    const id = this.#idByToken.get(token);
    return id === undefined ? undefined : this.#byId.get(id);
  }

  /** The newest `limit` interactions, oldest first. */
  recent(limit: number): InteractionRecord[] {
    this.sweep();
    return this.#byId.values().slice(-limit);
  }

  /** Forgets what is past the bounds; returns how many records went. */
  sweep(): number {
    const before = this.#byId.size;
    this.#byId.prune();
    this.#idByToken.prune();
    const removed = before - this.#byId.size;
    if (removed > 0) this.#forgetTimersAndWaiters();
    return removed;
  }

  /** After a clock change: fail what is now late, and re-arm the rest for the new "now". */
  clockChanged(): void {
    for (const timer of this.#deadlines.values()) clearTimeout(timer);
    this.#deadlines.clear();
    for (const record of this.recent(this.#byId.bounds.maxEntries)) {
      if (record.status === 'pending') this.#armDeadline(record.id);
    }
  }

  /** Marks a still-pending interaction failed if its deadline has passed (by the sandbox clock). */
  expireIfLate(record: InteractionRecord): void {
    if (record.status === 'pending' && this.world.clock.now() > record.deadlineAt) {
      record.status = 'failed';
      record.failedAt = this.world.clock.now();
      this.changed(record);
    }
  }

  /**
   * What the gateway did with its INTERACTION_CREATE. Delivery only moves forward (queued →
   * delivered or replayed), except that a queued one whose only session was invalidated is lost.
   */
  delivered(record: InteractionRecord, state: DeliveryState, at: number): void {
    const reached = record.delivery === 'delivered' || record.delivery === 'replayed';
    if (state === 'delivered' || state === 'replayed') {
      if (reached) return;
      record.delivery = state;
      record.deliveredAt = at;
    } else if (state === 'queued') {
      if (record.delivery === 'undelivered') record.delivery = 'queued';
    } else if (record.delivery === 'queued') {
      record.delivery = 'undelivered';
    }
  }

  /** Records what Discord refused for this interaction. */
  refuse(record: InteractionRecord, refusal: Refusal): void {
    record.refusals.add(refusal);
    this.changed(record);
  }

  /** Tells waiters the record changed (they answer once it is settled). */
  changed(record: InteractionRecord): void {
    if (this.isSettled(record)) this.#wake(record.id);
  }

  isSettled(record: InteractionRecord): boolean {
    if (record.status === 'failed' || record.status === 'replied') return true;
    return record.status === 'deferred' && record.originalEdited;
  }

  /** Resolves when the interaction settles, is forgotten, or after `timeoutMs`, with the record. */
  waitSettled(record: InteractionRecord, timeoutMs: number): Promise<InteractionRecord> {
    if (this.isSettled(record) || this.#byId.get(record.id) !== record) return Promise.resolve(record);
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(record.id) ?? new Set<() => void>();
      this.#waiters.set(record.id, waiters);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0 && this.#waiters.get(record.id) === waiters) this.#waiters.delete(record.id);
        resolve(record);
      };
      const timer = setTimeout(done, timeoutMs);
      waiters.add(done);
    });
  }

  close(): void {
    clearInterval(this.#sweeper);
    for (const timer of this.#deadlines.values()) clearTimeout(timer);
    this.#deadlines.clear();
    for (const id of [...this.#waiters.keys()]) this.#wake(id);
  }

  #wake(id: string): void {
    const waiters = this.#waiters.get(id);
    if (!waiters) return;
    this.#waiters.delete(id);
    for (const done of [...waiters]) done();
  }

  /** Deadline timers and waiters of forgotten records: cleared and answered, never left holding them. */
  #forgetTimersAndWaiters(): void {
    for (const [id, timer] of this.#deadlines) {
      if (!this.#byId.has(id)) {
        clearTimeout(timer);
        this.#deadlines.delete(id);
      }
    }
    for (const id of [...this.#waiters.keys()]) if (!this.#byId.has(id)) this.#wake(id);
  }

  /** The 3 s timer, in real time on this thread; re-armed if the clock moved and it is not due yet. */
  #armDeadline(id: string): void {
    const record = this.#byId.get(id);
    const existing = this.#deadlines.get(id);
    if (existing) clearTimeout(existing);
    this.#deadlines.delete(id);
    if (!record) return;
    this.expireIfLate(record);
    if (record.status !== 'pending') return;
    // +1 ms so a callback landing exactly on the deadline still counts as on time.
    const delay = Math.max(0, record.deadlineAt - this.world.clock.now() + 1);
    this.#deadlines.set(
      id,
      setTimeout(() => this.#armDeadline(id), delay),
    );
  }
}
