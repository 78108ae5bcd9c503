import { AttachmentBuilder, type InteractionReplyOptions } from 'discord.js';
import type { BotContext } from '../bot/context.js';
import { Colors } from './demo-embed.js';
import { ms, seconds } from './format.js';
import { renderPng, timelineSvg } from './timeline.js';

/** Numbers /lag shows, also used by tests and (later) the classroom page. */
export function lagNumbers(ctx: BotContext, now = Date.now()) {
  const pool = ctx.pool.stats();
  return {
    last10s: ctx.recorder.stats(now - 10_000, now),
    last60s: ctx.recorder.stats(now - 60_000, now),
    inFlight: [...ctx.inFlight.values()],
    pool,
    clockOffsetMs: ctx.clock.offsetMs,
  };
}

export async function lagReport(ctx: BotContext): Promise<InteractionReplyOptions> {
  const now = Date.now();
  const n = lagNumbers(ctx, now);
  const line = (s: typeof n.last10s) => `p50 ${ms(s.p50)} · p99 ${ms(s.p99)} · max ${ms(s.max)}`;
  const demos = n.inFlight.length
    ? n.inFlight.map((d) => `• \`${d.label}\` by ${d.user}, for ${seconds(now - d.startedAt)}`).join('\n')
    : 'None right now.';
  const workers = n.pool.perWorker.map((w) => `${Math.round(w.utilization * 100)}%`).join(', ') || '—';
  const chart = await renderPng(
    timelineSvg({
      title: 'Event-loop delay, last 60 s',
      start: now - 60_000,
      end: now,
      delaySamples: ctx.recorder.chartSamples(now - 60_000, now),
      marks: [],
      spans: ctx.ledger.spans(now - 60_000, now).map((s) => ({
        start: s.start,
        end: s.end,
        label: `${s.user} ${s.label}`,
        kind: 'other' as const,
      })),
    }),
  ).catch(() => null);
  return {
    embeds: [
      {
        title: 'Event loop now',
        color: n.last10s.max > 200 ? Colors.failed : n.last10s.max > 50 ? Colors.close : Colors.ok,
        fields: [
          { name: 'Loop delay, last 10 s', value: line(n.last10s) },
          { name: 'Loop delay, last 60 s', value: line(n.last60s) },
          { name: `Demos in flight (${n.inFlight.length})`, value: demos.slice(0, 1_024) },
          {
            name: 'Worker pool',
            value: `${n.pool.threads} threads · utilisation ${Math.round(n.pool.utilization * 100)}% (per worker: ${workers}) · queue ${n.pool.queueSize} · ${n.pool.completed} tasks done`,
          },
        ],
        ...(chart ? { image: { url: 'attachment://lag.png' } } : {}),
      },
    ],
    files: chart ? [new AttachmentBuilder(chart.png, { name: 'lag.png' })] : [],
  };
}
