/**
 * Open-loop load through the sandbox's control API: interactions are created at a set rate, in
 * batches (POST /sandbox/interactions/raw/batch, up to 1 000 a request), whatever the bot does, as
 * Discord's users would. The payload is one the sandbox built for a real /invoke (a template), with
 * a different user each time so the classroom's one-demo-per-person rule never refuses.
 */
import { performance } from 'node:perf_hooks';
import type { BotChild } from './child.js';
import type { Usage } from './child-protocol.js';
import type { BenchSandbox, Timing } from './sandbox.js';
import { round, sleep, summary } from './stats.js';

export type Payload = Record<string, unknown>;

/** The payload the sandbox sent for a real invocation of `command`, to send again in batches. */
export async function templateFor(
  sandbox: BenchSandbox,
  command: string,
  options: Record<string, unknown> = {},
): Promise<Payload> {
  const { id } = await sandbox.client.send({ user: 'bench-template', command, options });
  await sandbox.wait(id, 'settled', 10_000);
  const payload = await sandbox.payload(id);
  if (!payload) throw new Error(`no payload for the /${command} template`);
  await sandbox.forget();
  return payload;
}

/** `count` distinct users (snowflake ids the sandbox never saw: Discord's users are many). */
export function userPool(template: Payload, count: number, prefix = 'load'): Payload[] {
  const member = (template.member ?? {}) as Payload;
  const base = (member.user ?? {}) as Payload;
  return Array.from({ length: count }, (_, i) => ({
    ...base,
    id: String(300_000_000_000_000_000n + BigInt(i)),
    username: `${prefix}${i}`,
    global_name: null,
  }));
}

export interface SendResult {
  ids: string[];
  /** How long each batch POST took, ms. */
  postMs: number[];
  /** Wall time of the sending, ms. */
  sendMs: number;
  /** Payloads the sandbox refused (none expected). */
  rejected: number;
  errors: string[];
}

let userCursor = 0;

/** Sends `rate`/s for `durationMs` (ticks every `tickMs`), then waits for the last batch to be accepted. */
export async function openLoop(
  sandbox: BenchSandbox,
  template: Payload,
  users: Payload[],
  rate: number,
  durationMs: number,
  tickMs = 10,
): Promise<SendResult> {
  const member = (template.member ?? {}) as Payload;
  const total = Math.max(1, Math.round((rate * durationMs) / 1000));
  const posts: Promise<void>[] = [];
  const ids: string[] = [];
  const postMs: number[] = [];
  const errors: string[] = [];
  let rejected = 0;
  let sent = 0;
  const started = performance.now();
  while (sent < total) {
    const elapsed = performance.now() - started;
    const due = Math.min(total, Math.floor((rate * elapsed) / 1000) + 1);
    while (sent < due) {
      const n = Math.min(1_000, due - sent);
      const batch: Payload[] = [];
      for (let i = 0; i < n; i++) {
        const user = users[userCursor++ % users.length];
        batch.push({ ...template, member: { ...member, user } });
      }
      sent += n;
      const t0 = performance.now();
      posts.push(
        sandbox.client.rawBatch(batch).then(
          (answer) => {
            postMs.push(performance.now() - t0);
            for (const id of answer.ids) {
              if (id) ids.push(id);
              else rejected += 1;
            }
          },
          (error: Error) => {
            if (errors.length < 5) errors.push(error.message);
            rejected += n;
          },
        ),
      );
    }
    if (sent < total) await sleep(tickMs);
  }
  await Promise.all(posts);
  return { ids, postMs, sendMs: performance.now() - started, rejected, errors };
}

/** Waits until every recorded interaction is settled (or failed), or `timeoutMs`. */
export async function drain(sandbox: BenchSandbox, expected: number, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const c = await sandbox.counters();
    if (c.created >= expected && c.settled >= c.created) return true;
    if (performance.now() > until) return false;
    await sleep(50);
  }
}

export interface StepStats {
  offered: number;
  n: number;
  acked: number;
  failed: number;
  /** Answered with an ephemeral message (a refusal: classroom policy, arguments). */
  ephemeral: number;
  /** Interactions with a refused request (10062, 40060, 5xx …). */
  refused: number;
  refusalCodes: Record<string, number>;
  ack: { p50: number; p99: number; max: number };
  /** Created → first edit of the original message that carried the report. */
  report: { p50: number; p99: number; max: number };
  reports: number;
  withFile: number;
  /** Acks per second over the step: acked / (last ack − first created). */
  ackRate: number;
  /** Reports per second: reports / (last report − first created). */
  reportRate: number;
  /** The bot process's CPU (all threads) per interaction it received, ms. */
  cpuMsPerInteraction: number | null;
  /** The bot's main thread busy (event-loop active) per interaction, ms. */
  mainThreadMsPerInteraction: number | null;
  sandboxUtilization: number | null;
  postMs: { p50: number; p99: number };
  drained: boolean;
}

export function analyse(
  ids: readonly string[],
  timings: Map<string, Timing | null>,
  extra: {
    offered: number;
    before?: Usage;
    after?: Usage;
    sandboxUtilization?: number;
    postMs?: number[];
    drained: boolean;
  },
): StepStats {
  const list = ids.map((id) => timings.get(id)).filter((t): t is Timing => t !== null && t !== undefined);
  const ackMs: number[] = [];
  const reportMs: number[] = [];
  let failed = 0;
  let ephemeral = 0;
  let refused = 0;
  let withFile = 0;
  let firstCreated = Number.POSITIVE_INFINITY;
  let lastAck = 0;
  let lastReport = 0;
  const refusalCodes: Record<string, number> = {};
  for (const t of list) {
    firstCreated = Math.min(firstCreated, t.created);
    if (t.failed !== null) failed += 1;
    if (t.refusals.length > 0) refused += 1;
    for (const code of t.refusals) refusalCodes[code] = (refusalCodes[code] ?? 0) + 1;
    if (t.acked !== null) {
      ackMs.push(t.acked - t.created);
      lastAck = Math.max(lastAck, t.acked);
    }
    if (t.ephemeral) ephemeral += 1;
    else if (t.edited !== null && t.embeds > 0) {
      reportMs.push(t.edited - t.created);
      lastReport = Math.max(lastReport, t.edited);
      if (t.files > 0) withFile += 1;
    }
  }
  const ack = summary(ackMs);
  const report = summary(reportMs);
  const handled = extra.before && extra.after ? extra.after.handled - extra.before.handled : list.length;
  const cpu =
    extra.before && extra.after && handled > 0 ? (extra.after.cpuMs - extra.before.cpuMs) / handled : null;
  const main =
    extra.before && extra.after && handled > 0
      ? (extra.after.eluActiveMs - extra.before.eluActiveMs) / handled
      : null;
  const posts = summary(extra.postMs ?? []);
  return {
    offered: extra.offered,
    n: list.length,
    acked: ackMs.length,
    failed,
    ephemeral,
    refused,
    refusalCodes,
    ack: { p50: round(ack.p50, 3), p99: round(ack.p99, 3), max: round(ack.max, 3) },
    report: { p50: round(report.p50, 3), p99: round(report.p99, 3), max: round(report.max, 3) },
    reports: reportMs.length,
    withFile,
    ackRate: ackMs.length > 0 ? round(ackMs.length / ((lastAck - firstCreated) / 1000), 1) : 0,
    reportRate: reportMs.length > 0 ? round(reportMs.length / ((lastReport - firstCreated) / 1000), 1) : 0,
    cpuMsPerInteraction: cpu === null ? null : round(cpu, 3),
    mainThreadMsPerInteraction: main === null ? null : round(main, 3),
    sandboxUtilization: extra.sandboxUtilization === undefined ? null : round(extra.sandboxUtilization, 3),
    postMs: { p50: round(posts.p50, 2), p99: round(posts.p99, 2) },
    drained: extra.drained,
  };
}

/**
 * Waits until the bot is quiet (under 10 % of a core over 250 ms, twice in a row) or `timeoutMs`:
 * a step that overloaded it leaves a backlog (expired tokens to explain, reports to edit) that must
 * not be counted in the next one.
 */
export async function quiesce(bot: BotChild, timeoutMs = 6_000): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  let last = await bot.usage();
  let calm = 0;
  while (performance.now() < until) {
    await sleep(250);
    const now = await bot.usage();
    const share = (now.cpuMs - last.cpuMs) / (now.at - last.at);
    last = now;
    calm = share < 0.1 ? calm + 1 : 0;
    if (calm >= 2) return true;
  }
  return false;
}

/** One open-loop step against a rig: sends, drains, reads the timings and the bot's usage. */
export async function runStep(
  rig: { sandbox: BenchSandbox; bot: BotChild },
  template: Payload,
  users: Payload[],
  rate: number,
  durationMs: number,
  drainMs: number,
): Promise<StepStats> {
  const { sandbox, bot } = rig;
  await quiesce(bot);
  await sandbox.forget();
  const before = await bot.usage();
  const elu0 = sandbox.elu();
  const sent = await openLoop(sandbox, template, users, rate, durationMs);
  const drained = await drain(sandbox, sent.ids.length, drainMs);
  const sandboxUtilization = sandbox.elu(elu0).utilization;
  const after = await bot.usage();
  const timings = await sandbox.timings(sent.ids, true);
  await sandbox.forget();
  return analyse(sent.ids, timings, {
    offered: rate,
    before,
    after,
    sandboxUtilization,
    postMs: sent.postMs,
    drained,
  });
}
