import { INITIAL_RESPONSE_DEADLINE_MS } from '../discord/facts.js';
import { renderPng } from './charts/png.js';
import { type TimelineMark, type TimelineSpan, timelineSvg } from './charts/timeline-chart.js';
import type { ReportFacts } from './facts.js';

export const CHART_FILE = 'timeline.png';

/** The picture of one report: loop delay over the interaction's window, marks and held spans. */
export function reportTimelineSvg(facts: ReportFacts): string {
  const m = facts.marks;
  const marks: TimelineMark[] = [
    { at: m.created, label: 'created', kind: 'created' },
    { at: m.created + INITIAL_RESPONSE_DEADLINE_MS, label: '3 s deadline', kind: 'deadline' },
  ];
  if (m.received - m.created > 20) marks.push({ at: m.received, label: 'received', kind: 'received' });
  if (m.ackConfirmed !== undefined) marks.push({ at: m.ackConfirmed, label: 'ack', kind: 'ack' });
  if (m.expiredAt !== undefined) marks.push({ at: m.expiredAt, label: 'refused', kind: 'failed' });
  marks.push({ at: facts.now, label: 'done', kind: 'done' });
  const spans: TimelineSpan[] = [
    ...facts.ownSpans.map((s) => ({
      start: s.start,
      end: s.end,
      label: 'this command',
      kind: 'self' as const,
    })),
    ...facts.blockers.map((b) => ({
      start: b.start,
      end: b.end,
      label: `${b.user} ${b.label}`,
      kind: 'other' as const,
    })),
  ];
  const { work, strategy } = facts.outcome;
  if (work && work.threadId !== 0 && m.workStart !== undefined && m.workEnd !== undefined) {
    spans.push({
      start: m.workStart,
      end: m.workEnd,
      label: `worker thread ${work.threadId}`,
      kind: 'worker',
    });
  }
  if (strategy === 'io' && m.workStart !== undefined && m.workEnd !== undefined) {
    spans.push({ start: m.workStart, end: m.workEnd, label: 'awaiting I/O', kind: 'io' });
  }
  const end = Math.max(facts.now, m.created + INITIAL_RESPONSE_DEADLINE_MS + 300);
  return timelineSvg({
    title: `${facts.outcome.label} · ${facts.user.name}`,
    start: m.created - 150,
    origin: m.created,
    end: end + 150,
    delaySamples: facts.delaySamples,
    marks,
    spans,
  });
}

export async function renderReportChart(facts: ReportFacts): Promise<{ png: Buffer; renderMs: number }> {
  return renderPng(reportTimelineSvg(facts));
}
