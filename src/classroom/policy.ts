import { BoundedMap, TimeWindow } from '../lib/bounded.js';
import { seconds } from '../lib/format.js';
import type { ClassroomSettings } from './settings.js';

/** The budget counts main-thread time spent in the last minute. */
export const BUDGET_WINDOW_MS = 60_000;

/** A demo asking to run. */
export interface DemoRequest {
  guildId: string | null;
  userId: string;
  userName: string;
  /** e.g. "/block 3000" */
  label: string;
  /** The demo's `ms` option, if it has one (checked against the server's max). */
  ms?: number;
  /** How long it will hold the main thread (/block, /yield, /compare), for the budget. */
  mainThreadMs: number;
}

export type RefusalKind = 'paused' | 'max-ms' | 'already-running' | 'cooldown' | 'concurrent' | 'budget';

export type Admission = { ok: true; ticket: Ticket } | { ok: false; kind: RefusalKind; reason: string };

/** A running demo's place: hand it back with finish() when its work ends. */
export interface Ticket {
  readonly id: number;
  readonly guild: string;
  readonly person: string;
  readonly label: string;
  readonly startedAt: number;
}

interface Spend {
  at: number;
  ms: number;
  userName: string;
}

const ALTERNATIVE = 'Try `/nonblock`: it does the same work on a worker thread, and nobody waits.';

/**
 * A teacher's brakes, per guild: paused or not, the server's `ms` ceiling, one demo per person at
 * a time and a cooldown after it ends (so a burst of repeats is refused at once instead of each
 * blocking in turn), demos at once, and a budget of main-thread blocking per minute shared by the
 * whole class. Every refusal is one kind sentence that says what to do instead.
 */
export class ClassroomPolicy {
  readonly #running = new Map<number, Ticket>();
  /** When each person's last demo ended, per guild. */
  readonly #lastEnd = new BoundedMap<string, number>({ keepMs: 3_600_000, maxEntries: 10_000 });
  /** Main-thread time each guild spent, per demo, in the budget window. */
  readonly #spent = new BoundedMap<string, TimeWindow<Spend>>({
    keepMs: 2 * BUDGET_WINDOW_MS,
    maxEntries: 10_000,
  });
  #nextId = 1;

  admit(request: DemoRequest, settings: ClassroomSettings, now = Date.now()): Admission {
    const guild = request.guildId ?? 'dm';
    const person = `${guild}:${request.userId}`;
    if (settings.paused.value) {
      return refuse(
        'paused',
        'A teacher has paused the demos in this server for now. `/explain` and `/lag` still work.',
      );
    }
    const maxMs = settings.maxMs.value;
    if (request.ms !== undefined && request.ms > maxMs) {
      return refuse(
        'max-ms',
        `This server's limit is ${maxMs} ms per demo${settings.maxMs.source === 'set here' ? ' (set by a teacher)' : ''}. Try \`ms:${maxMs}\` or less.`,
      );
    }
    const mine = [...this.#running.values()].find((t) => t.person === person);
    if (mine) {
      return refuse(
        'already-running',
        `Your \`${mine.label}\` is still running (for ${seconds(now - mine.startedAt)}): one demo at a time per person. Try again when it has answered.`,
      );
    }
    const cooldown = settings.cooldownMs.value;
    const ended = this.#lastEnd.get(person);
    if (cooldown > 0 && ended !== undefined && now - ended < cooldown) {
      const wait = Math.max(1, Math.ceil((cooldown - (now - ended)) / 1000));
      return refuse(
        'cooldown',
        `Easy there: this server asks for ${seconds(cooldown)} between one person's demos, counted from the end of the last one. Try again in ${wait} s, or watch someone else's.`,
      );
    }
    const here = [...this.#running.values()].filter((t) => t.guild === guild).length;
    if (here >= settings.concurrent.value) {
      return refuse(
        'concurrent',
        `${here} demos are running in this server right now (the limit here is ${settings.concurrent.value}). Give them a few seconds and try again.`,
      );
    }
    const budget = this.#checkBudget(guild, request, settings.budgetMs.value, now);
    if (budget) return budget;

    if (request.mainThreadMs > 0)
      this.#window(guild).push(now, { at: now, ms: request.mainThreadMs, userName: request.userName });
    const ticket: Ticket = { id: this.#nextId++, guild, person, label: request.label, startedAt: now };
    this.#running.set(ticket.id, ticket);
    return { ok: true, ticket };
  }

  /** The demo's work ended: its slot frees and its person's cooldown starts now. */
  finish(ticket: Ticket, now = Date.now()): void {
    if (!this.#running.delete(ticket.id)) return;
    this.#lastEnd.set(ticket.person, now, now);
  }

  /** Main-thread ms a guild spent in the last minute, by person (for /classroom show). */
  spentBy(guildId: string | null, now = Date.now()): Array<{ userName: string; ms: number }> {
    const byUser = new Map<string, number>();
    for (const s of this.#recent(guildId ?? 'dm', now))
      byUser.set(s.userName, (byUser.get(s.userName) ?? 0) + s.ms);
    return [...byUser].map(([userName, ms]) => ({ userName, ms })).sort((a, b) => b.ms - a.ms);
  }

  /** Demos running now in a guild. */
  runningIn(guildId: string | null): number {
    const guild = guildId ?? 'dm';
    return [...this.#running.values()].filter((t) => t.guild === guild).length;
  }

  #checkBudget(guild: string, request: DemoRequest, budgetMs: number, now: number): Admission | null {
    if (request.mainThreadMs <= 0 || budgetMs >= BUDGET_WINDOW_MS) return null;
    if (request.mainThreadMs > budgetMs) {
      return refuse(
        'budget',
        `\`${request.label}\` would hold the main thread for ${seconds(request.mainThreadMs)}, more than this server's whole budget of ${seconds(budgetMs)} per minute. ${ALTERNATIVE}`,
      );
    }
    const recent = this.#recent(guild, now);
    const used = recent.reduce((t, s) => t + s.ms, 0);
    if (used + request.mainThreadMs <= budgetMs) return null;
    // When enough of the oldest spending has left the window for this one to fit.
    let freed = 0;
    let fitsAt = now + BUDGET_WINDOW_MS;
    for (const s of recent) {
      freed += s.ms;
      if (used - freed + request.mainThreadMs <= budgetMs) {
        fitsAt = s.at + BUDGET_WINDOW_MS;
        break;
      }
    }
    const who = this.spentBy(guild === 'dm' ? null : guild, now)
      .slice(0, 3)
      .map((p) => `**${p.userName}** ${seconds(p.ms)}`)
      .join(', ');
    return refuse(
      'budget',
      `This server's main thread is budgeted at ${seconds(budgetMs)} of blocking per minute, and ${seconds(used)} of it went in the last minute (${who}). \`${request.label}\` would go past it. ${ALTERNATIVE} Or wait ${Math.max(1, Math.ceil((fitsAt - now) / 1000))} s.`,
    );
  }

  #window(guild: string): TimeWindow<Spend> {
    let window = this.#spent.get(guild);
    if (!window) {
      window = new TimeWindow<Spend>({ keepMs: BUDGET_WINDOW_MS, maxEntries: 1_000 });
    }
    this.#spent.set(guild, window);
    return window;
  }

  #recent(guild: string, now: number): Spend[] {
    // A demo admitted exactly a minute ago has left the window.
    return this.#spent.get(guild)?.between(now - BUDGET_WINDOW_MS + 1, now) ?? [];
  }
}

function refuse(kind: RefusalKind, reason: string): Admission {
  return { ok: false, kind, reason };
}
