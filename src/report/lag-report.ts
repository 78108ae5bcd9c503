import { AttachmentBuilder, type InteractionReplyOptions } from 'discord.js';
import type { BotContext } from '../bot/context.js';
import type { DelayStats } from '../measure/loop-delay.js';
import { Colors } from './demo-embed.js';
import { ms, seconds } from './format.js';
import { renderPng, timelineSvg } from './timeline.js';

/** /lag's verdict thresholds (the README states them). Over the last 10 s: */
export const LagThresholds = {
  /** A single stall this long means the loop was blocked. */
  blockedMaxMs: 1_000,
  /** p99 delay this high, or a max this high, means the loop is delayed. */
  delayedP99Ms: 100,
  delayedMaxMs: 200,
  /** Main-thread utilisation this high means it is saturated even without long stalls. */
  busyElu: 0.9,
  /** Warn when the clocks differ by more than this. */
  clockWarnMs: 2_000,
} as const;

export type LagVerdict = 'healthy' | 'loop delayed' | 'loop blocked';

export function lagVerdict(last10s: DelayStats, elu: number): { verdict: LagVerdict; advice: string } {
  if (last10s.max >= LagThresholds.blockedMaxMs) {
    return {
      verdict: 'loop blocked',
      advice: `Something held the main thread for ${seconds(last10s.max)}: every command, timer and heartbeat waited. Move synchronous work to a worker (/nonblock), await real I/O (/io), or slice it (/yield).`,
    };
  }
  if (
    last10s.p99 >= LagThresholds.delayedP99Ms ||
    last10s.max >= LagThresholds.delayedMaxMs ||
    elu >= LagThresholds.busyElu
  ) {
    return {
      verdict: 'loop delayed',
      advice:
        'The loop is slow to come back to pending work. Look for long synchronous steps (big JSON, sync fs, crypto *Sync, regexes) and offload or slice them.',
    };
  }
  return {
    verdict: 'healthy',
    advice: 'The event loop answers promptly: nothing is holding the main thread.',
  };
}

/** The numbers /lag shows (also for tests and, later, the classroom page). */
export function lagNumbers(ctx: BotContext, now = Date.now()) {
  const last10s = ctx.recorder.stats(now - 10_000, now);
  const elu10s = ctx.utilization.window(now - 10_000, now);
  const shard = ctx.client.ws.shards.first();
  const lastPing = shard?.lastPingTimestamp ?? -1;
  return {
    last10s,
    last60s: ctx.recorder.stats(now - 60_000, now),
    elu10s,
    elu60s: ctx.utilization.window(now - 60_000, now),
    inFlight: [...ctx.inFlight.values()],
    pool: ctx.pool.stats(),
    heartbeat: { pingMs: ctx.client.ws.ping, measuredAgoMs: lastPing > 0 ? now - lastPing : null },
    clock: {
      offsetMs: ctx.clock.offsetMs,
      uncertaintyMs: ctx.clock.uncertaintyMs,
      samples: ctx.clock.samples,
    },
    ...lagVerdict(last10s, elu10s.elu),
  };
}

export function clockLine(offsetMs: number, uncertaintyMs: number, samples: number): string {
  if (samples === 0) return 'clock: not measured yet (no REST answer so far)';
  const sign = offsetMs >= 0 ? '+' : '−';
  const value = `clock: ${sign}${(Math.abs(offsetMs) / 1000).toFixed(1)} s vs Discord (±${(Math.min(uncertaintyMs, 1_000) / 1000).toFixed(1)} s, ${samples} samples)`;
  if (Math.abs(offsetMs) <= LagThresholds.clockWarnMs) return value;
  const ahead = offsetMs > 0 ? 'ahead of' : 'behind';
  return `⚠️ ${value}: Discord's clock is ${ahead} this machine's by more than ${LagThresholds.clockWarnMs / 1000} s. Reports correct for it; fix the host's time sync (NTP).`;
}

export async function lagReport(ctx: BotContext): Promise<InteractionReplyOptions> {
  const now = Date.now();
  const n = lagNumbers(ctx, now);
  // Pool wait vs run since the previous /lag: each /lag closes the window and opens the next.
  const w = ctx.pool.resetWindow();
  const line = (s: DelayStats) => `p50 ${ms(s.p50)} · p99 ${ms(s.p99)} · max ${ms(s.max)}`;
  const demos = n.inFlight.length
    ? n.inFlight.map((d) => `• \`${d.label}\` by ${d.user}, for ${seconds(now - d.startedAt)}`).join('\n')
    : 'None right now.';
  const workers = n.pool.perWorker.map((w) => `${Math.round(w.utilization * 100)}%`).join(', ') || '—';
  const heartbeat =
    n.heartbeat.measuredAgoMs === null
      ? 'no heartbeat acknowledged yet'
      : `round trip ${ms(n.heartbeat.pingMs)}, measured ${seconds(n.heartbeat.measuredAgoMs)} ago (refreshed at every heartbeat, 41.25 s on Discord). While the loop is blocked no heartbeat goes out, so this number goes stale.`;
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
  const color =
    n.verdict === 'loop blocked' ? Colors.failed : n.verdict === 'loop delayed' ? Colors.close : Colors.ok;
  return {
    embeds: [
      {
        title: `Event loop now: ${n.verdict}`,
        description: `**${n.verdict}**: ${n.advice}\n${clockLine(n.clock.offsetMs, n.clock.uncertaintyMs, n.clock.samples)}`,
        color,
        fields: [
          { name: 'Loop delay, last 10 s', value: line(n.last10s) },
          { name: 'Loop delay, last 60 s', value: line(n.last60s) },
          {
            name: 'Main-thread utilisation',
            value: `last 10 s ${Math.round(n.elu10s.elu * 100)}% · last 60 s ${Math.round(n.elu60s.elu * 100)}% (process CPU ${seconds(n.elu10s.cpuMs)} in the last 10 s)`,
          },
          { name: `Demos in flight (${n.inFlight.length})`, value: demos.slice(0, 1_024) },
          {
            name: 'Worker pool',
            value: `${n.pool.threads} threads · utilisation ${Math.round(n.pool.utilization * 100)}% (per worker: ${workers}) · queue ${n.pool.queueSize} · ${n.pool.completed} tasks done\nSince the last /lag: ${w.tasks} tasks, wait mean ${ms(w.waitMs.mean)} (p99 ${ms(w.waitMs.p99)}) vs run mean ${ms(w.runMs.mean)} (p99 ${ms(w.runMs.p99)})`,
          },
          { name: 'Gateway heartbeat', value: heartbeat },
        ],
        footer: {
          text: `Verdicts over the last 10 s: blocked if a stall ≥ ${LagThresholds.blockedMaxMs} ms; delayed if p99 ≥ ${LagThresholds.delayedP99Ms} ms, max ≥ ${LagThresholds.delayedMaxMs} ms or utilisation ≥ ${LagThresholds.busyElu * 100}%.`,
        },
        ...(chart ? { image: { url: 'attachment://lag.png' } } : {}),
      },
    ],
    files: chart ? [new AttachmentBuilder(chart.png, { name: 'lag.png' })] : [],
  };
}
