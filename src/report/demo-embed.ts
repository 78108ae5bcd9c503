import type { APIEmbed, APIEmbedField } from 'discord-api-types/v10';
import type { Strategy } from '../contracts/outcome.js';
import { IO_DESCRIPTIONS, type IoKind } from '../demos/await-io.js';
import { ErrorCode, INITIAL_RESPONSE_DEADLINE_MS, MessageLimits } from '../discord/facts.js';
import { ms, seconds, truncate } from '../lib/format.js';
import { CLOSE_CALL_MS } from '../measure/doctor.js';
import { WORK_DESCRIPTIONS, type WorkKind } from '../work/kinds.js';
import type { ReportFacts } from './facts.js';

export const Colors = { ok: 0x57f287, close: 0xfee75c, failed: 0xed4245, info: 0x5865f2 } as const;

/** The lesson each strategy teaches, with the /explain topic that goes deeper. */
export const LESSON_BY_STRATEGY: Record<Strategy, { sentence: string; topic: string }> = {
  block: {
    sentence:
      'Synchronous work on the main thread stops everything else in the bot: other people’s commands, timers, even the gateway heartbeat. Defer, then offload it.',
    topic: 'blocking',
  },
  nonblock: {
    sentence:
      '`deferReply()` went out as soon as the handler ran and the work ran on a worker thread, so the event loop stayed free for everyone.',
    topic: 'offloading',
  },
  io: {
    sentence:
      'Awaiting real I/O hands the thread back to the event loop until the result is ready, so this command never holds anyone else up.',
    topic: 'async-await',
  },
  yield: {
    sentence:
      'Yielding between slices (`await setImmediate()`, Python’s `await asyncio.sleep(0)`) lets other commands run in the gaps; it costs some total time.',
    topic: 'yielding',
  },
};

const EXPIRED_LESSON = {
  sentence:
    'Discord waits 3 s for the first response. Send `deferReply()` first and keep slow work off the main thread.',
  topic: 'deadline',
};

/** One line a learner reads first. */
export function verdictLine(facts: ReportFacts): string {
  switch (facts.verdict) {
    case 'answering':
      return `Answered after **${ms(facts.firstResponseMs)}** (Discord allows ${ms(INITIAL_RESPONSE_DEADLINE_MS)}).`;
    case 'deferred':
      return facts.outcome.failure
        ? `Deferred in **${ms(facts.firstResponseMs)}**, but the work **failed** after ${seconds(facts.totalMs)}: ${facts.outcome.failure.reason}.`
        : `Deferred in **${ms(facts.firstResponseMs)}**, then done in **${seconds(facts.totalMs)}**.`;
    case 'expired':
      return `Token **expired** after **${ms(facts.firstResponseMs)}**: Discord showed “This interaction failed”.`;
    case 'edit-expired':
      return `Deferred in ${ms(facts.firstResponseMs)}, but the result came after Discord’s 15-minute window (${seconds(facts.totalMs)}).`;
    case 'acked-elsewhere':
      return `Another process acknowledged this interaction first (Discord said ${ErrorCode.InteractionAlreadyAcknowledged}).`;
  }
}

function timelineField(facts: ReportFacts): APIEmbedField {
  const m = facts.marks;
  const at = (t: number | undefined) => (t === undefined ? '—' : `+${ms(t - m.created)}`);
  const lines = [
    `created by Discord   0 ms`,
    `received by the bot  ${at(m.received)}`,
    `handler started      ${at(m.handlerStart)}`,
  ];
  if (facts.outcome.strategy !== 'block' || facts.verdict !== 'answering') {
    lines.push(`first response sent  ${at(m.ackSent)}`);
    lines.push(
      m.expiredAt
        ? `  refused (${ErrorCode.UnknownInteraction})    ${at(m.expiredAt)}`
        : `  … confirmed        ${at(m.ackConfirmed)}`,
    );
  }
  if (m.workStart !== undefined) lines.push(`work                 ${at(m.workStart)} → ${at(m.workEnd)}`);
  lines.push(`report               ${at(facts.now)}`);
  const delays = restDelays(facts);
  return {
    name: 'Timeline (since Discord created it)',
    value: truncate(`\`\`\`\n${lines.join('\n')}\n\`\`\`${delays}`, MessageLimits.fieldValue),
  };
}

/** What Discord's side did to this interaction's requests: 429s waited out, 5xx retried. */
function restDelays(facts: ReportFacts): string {
  const notes = [
    ...facts.rateLimits.map(
      (r) =>
        `Discord answered **429** on \`${r.route}\`${r.global ? ' (global)' : ''}: @discordjs/rest waited ${ms(r.retryAfterMs)} and retried.`,
    ),
    ...facts.serverErrors.map(
      (e) =>
        `Discord answered **${e.status}** on \`${e.route}\` at +${ms(e.at - facts.marks.created)}: @discordjs/rest retried.`,
    ),
  ];
  return notes.length ? `\n${notes.slice(0, 4).join('\n')}` : '';
}

function loopField(facts: ReportFacts): APIEmbedField {
  const l = facts.loop;
  const stuck =
    l.stalledMs >= 50
      ? `\nThe loop was stuck for **${seconds(l.stalledMs)}** in this window.`
      : '\nThe loop stayed free.';
  const seen = facts.stallsSeen[0];
  const watchdog =
    seen !== undefined
      ? `\nThe watchdog thread saw the stall at +${ms(seen - facts.marks.created)}, while the main thread was still stuck.`
      : '';
  const u = facts.utilization;
  const busyButIdle = u.elu >= 0.8 && u.wallMs > 0 && u.cpuMs < u.wallMs * 0.25;
  const usage = `\nMain thread busy ${Math.round(u.elu * 100)}% of the window · process CPU ${ms(u.cpuMs)} in ${seconds(u.wallMs)}${
    busyButIdle
      ? ': **blocked but idle**, sleeping rather than computing, like `time.sleep()` in async code.'
      : '.'
  }`;
  return {
    name: 'Event-loop delay (this window)',
    value: truncate(
      `p50 ${ms(l.p50)} · p99 ${ms(l.p99)} · max ${ms(l.max)}${stuck}${watchdog}${usage}`,
      MessageLimits.fieldValue,
    ),
  };
}

function slicesField(facts: ReportFacts): APIEmbedField | null {
  const { slices, work } = facts.outcome;
  const { workStart, workEnd } = facts.marks;
  if (!slices || !work || workStart === undefined || workEnd === undefined || !facts.workLoop) return null;
  const wall = workEnd - workStart;
  const extra = work.elapsedMs > 0 ? Math.round(((wall - work.elapsedMs) / work.elapsedMs) * 100) : 0;
  return {
    name: 'Slices',
    value: truncate(
      [
        `**${slices.count}** slices of ~${ms(slices.sliceMs)} (longest ${ms(slices.longestMs)}). While they ran, loop delay p99 ${ms(facts.workLoop.p99)}, max ${ms(facts.workLoop.max)}${
          facts.workLoop.max <= slices.longestMs * 2 + 20
            ? ': others waited at most about one slice.'
            : ': something else held the loop meanwhile too.'
        }`,
        `Total ${seconds(wall)} for ${seconds(work.elapsedMs)} of work (+${extra}%): unsliced it takes ${seconds(work.elapsedMs)} but holds everyone for all of it.`,
        `**${slices.othersAnswered}** other interaction${slices.othersAnswered === 1 ? ' was' : 's were'} answered meanwhile.`,
        'asyncio twin: `await asyncio.sleep(0)` between slices.',
      ].join('\n'),
      MessageLimits.fieldValue,
    ),
  };
}

function blockersField(facts: ReportFacts): APIEmbedField {
  const lines = facts.blockers
    .slice(0, 5)
    .map((b) => `• **${b.user}**’s \`${b.label}\` held it for **${seconds(b.heldMs)}**`);
  if (facts.ownHeldMs >= 20)
    lines.push(`• this command’s own work held it for **${seconds(facts.ownHeldMs)}**`);
  if (lines.length === 0) lines.push('Nobody: no command held the main thread while you waited.');
  return { name: 'Who held the main thread', value: truncate(lines.join('\n'), MessageLimits.fieldValue) };
}

function workField(facts: ReportFacts): APIEmbedField | null {
  const { work, io, strategy, failure } = facts.outcome;
  if (failure) {
    return {
      name: 'Work',
      value: truncate(
        `It did not finish: ${failure.reason}. The main thread and everyone else were not affected, and the next task runs on a fresh worker.`,
        MessageLimits.fieldValue,
      ),
    };
  }
  if (work) {
    const where =
      work.threadId === 0
        ? 'on the **main thread**'
        : `on **worker thread ${work.threadId}** (it blocked only that worker)`;
    const desc = WORK_DESCRIPTIONS[work.kind as WorkKind] ?? work.kind;
    return {
      name: 'Work',
      value: truncate(
        `${desc}: ${seconds(work.elapsedMs)} ${where}, ${work.units} units, process CPU ${ms(work.cpuMs)}${work.detail ? ` (${work.detail})` : ''}.`,
        MessageLimits.fieldValue,
      ),
    };
  }
  if (io)
    return {
      name: 'Awaited I/O',
      value: `${IO_DESCRIPTIONS[io.kind as IoKind] ?? io.kind}: ${io.detail} in ${seconds(io.elapsedMs)}; the main thread was free meanwhile.`,
    };
  if (strategy && facts.outcome.skipped) {
    return {
      name: 'Work',
      value:
        facts.verdict === 'acked-elsewhere'
          ? 'Skipped: another process had already answered this interaction.'
          : 'Skipped: the token was already dead.',
    };
  }
  return null;
}

export function lessonFor(facts: ReportFacts): { sentence: string; topic: string } {
  return facts.verdict === 'expired' ? EXPIRED_LESSON : LESSON_BY_STRATEGY[facts.outcome.strategy];
}

/** The compact report embed (its picture, when there is one, is attached by whoever sends it). */
export function demoEmbed(facts: ReportFacts): APIEmbed {
  const lesson = lessonFor(facts);
  const cause = facts.diagnosis?.text ?? null;
  const color =
    facts.verdict === 'expired' || facts.verdict === 'edit-expired' || facts.outcome.failure
      ? Colors.failed
      : facts.firstResponseMs > CLOSE_CALL_MS
        ? Colors.close
        : Colors.ok;
  const description = [
    verdictLine(facts),
    cause ? `**Why:** ${cause}` : null,
    `${lesson.sentence} → \`/explain topic:${lesson.topic}\``,
  ]
    .filter(Boolean)
    .join('\n');
  const fields = [
    timelineField(facts),
    loopField(facts),
    blockersField(facts),
    workField(facts),
    slicesField(facts),
  ].filter((f): f is APIEmbedField => f !== null);
  const embed: APIEmbed = {
    title: truncate(`${facts.outcome.label} · ${facts.user.name}`, MessageLimits.embedTitle),
    description: truncate(description, MessageLimits.embedDescription),
    color,
    fields,
  };
  if (facts.verdict === 'deferred') {
    embed.footer = {
      text: `A deferred reply can be edited for 15 minutes (until ${new Date(facts.editableUntil).toISOString().slice(11, 19)} UTC).`,
    };
  }
  return embed;
}
