import type { APIEmbed } from 'discord-api-types/v10';
import type { InFlightDemo, ShardsView } from '../contracts/context.js';
import type { OutgoingMessage, Picture } from '../contracts/run.js';
import { MessageLimits } from '../discord/facts.js';
import { ms, seconds, truncate } from '../lib/format.js';
import { LagThresholds, type LoopHealth } from '../measure/lag.js';
import type { DelaySample, DelayStats } from '../measure/loop-delay.js';
import type { HoldSpan } from '../measure/main-thread.js';
import type { PoolStats, PoolWindowStats } from '../work/pool.js';
import { renderPng } from './charts/png.js';
import { timelineSvg } from './charts/timeline-chart.js';
import { Colors } from './demo-embed.js';

export const LAG_CHART = 'lag.png';

/** Everything /lag shows, gathered by the command from measure, the pool and the gateway. */
export interface LagView extends LoopHealth {
  inFlight: InFlightDemo[];
  pool: PoolStats;
  /** Pool wait vs run since the previous /lag. */
  poolWindow: PoolWindowStats;
  heartbeat: { pingMs: number; measuredAgoMs: number | null };
  /** Under a ShardingManager: this shard and the others' loop delay (their own processes). */
  shards?: ShardsView;
}

/** The shard lines of /lag: the shard answering, then each other shard's loop, in its own process. */
export function shardLines(view: ShardsView, now: number): string {
  const own = `This answer comes from shard ${view.shardId} of ${view.shardCount}, in its own process: the loop delay above is this shard's only.`;
  const others = [...view.others]
    .sort((a, b) => a.shardId - b.shardId)
    .map((o) =>
      o.alive
        ? `• shard ${o.shardId}: p99 ${ms(o.p99Ms)} · max ${ms(o.maxMs)} over its last 10 s (${o.guilds} guilds, reported ${seconds(Math.max(0, now - o.at))} ago)`
        : `• shard ${o.shardId}: its process is down (being respawned)`,
    );
  return [own, ...(others.length ? others : ['No other shard has reported yet.'])].join('\n');
}

export function clockLine(offsetMs: number, uncertaintyMs: number, samples: number): string {
  if (samples === 0) return 'clock: not measured yet (no REST answer so far)';
  const sign = offsetMs >= 0 ? '+' : '−';
  const value = `clock: ${sign}${(Math.abs(offsetMs) / 1000).toFixed(1)} s vs Discord (±${(Math.min(uncertaintyMs, 1_000) / 1000).toFixed(1)} s, ${samples} samples)`;
  if (Math.abs(offsetMs) <= LagThresholds.clockWarnMs) return value;
  const ahead = offsetMs > 0 ? 'ahead of' : 'behind';
  return `⚠️ ${value}: Discord's clock is ${ahead} this machine's by more than ${LagThresholds.clockWarnMs / 1000} s. Reports correct for it; fix the host's time sync (NTP).`;
}

export function lagMessage(n: LagView): OutgoingMessage {
  const { now } = n;
  const w = n.poolWindow;
  const line = (s: DelayStats) => `p50 ${ms(s.p50)} · p99 ${ms(s.p99)} · max ${ms(s.max)}`;
  const demos = n.inFlight.length
    ? n.inFlight.map((d) => `• \`${d.label}\` by ${d.user}, for ${seconds(now - d.startedAt)}`).join('\n')
    : 'None right now.';
  const workers = n.pool.perWorker.map((w) => `${Math.round(w.utilization * 100)}%`).join(', ') || '—';
  const heartbeat =
    n.heartbeat.measuredAgoMs === null
      ? 'no heartbeat acknowledged yet'
      : `round trip ${ms(n.heartbeat.pingMs)}, measured ${seconds(n.heartbeat.measuredAgoMs)} ago (refreshed at every heartbeat, 41.25 s on Discord). While the loop is blocked no heartbeat goes out, so this number goes stale.`;
  const color =
    n.verdict === 'loop blocked' ? Colors.failed : n.verdict === 'loop delayed' ? Colors.close : Colors.ok;
  const embed: APIEmbed = {
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
      {
        name: `Demos in flight (${n.inFlight.length})`,
        value: truncate(demos, MessageLimits.fieldValue),
      },
      {
        name: 'Worker pool',
        value: `${n.pool.threads} threads · utilisation ${Math.round(n.pool.utilization * 100)}% (per worker: ${workers}) · queue ${n.pool.queueSize} · ${n.pool.completed} tasks done\nSince the last /lag: ${w.tasks} tasks, wait mean ${ms(w.waitMs.mean)} (p99 ${ms(w.waitMs.p99)}) vs run mean ${ms(w.runMs.mean)} (p99 ${ms(w.runMs.p99)})`,
      },
      { name: 'Gateway heartbeat', value: heartbeat },
      ...(n.shards
        ? [{ name: 'Shards', value: truncate(shardLines(n.shards, now), MessageLimits.fieldValue) }]
        : []),
    ],
    footer: {
      text: `Verdicts over the last 10 s: blocked if a stall ≥ ${LagThresholds.blockedMaxMs} ms; delayed if p99 ≥ ${LagThresholds.delayedP99Ms} ms, max ≥ ${LagThresholds.delayedMaxMs} ms or utilisation ≥ ${LagThresholds.busyElu * 100}%.`,
    },
  };
  return { embeds: [embed] };
}

/** The last 60 s of loop delay, with who held the main thread. */
export function lagPicture(samples: DelaySample[], spans: HoldSpan[], now: number): Picture {
  return {
    name: LAG_CHART,
    render: async () =>
      (
        await renderPng(
          timelineSvg({
            title: 'Event-loop delay, last 60 s',
            start: now - 60_000,
            end: now,
            delaySamples: samples,
            marks: [],
            spans: spans.map((s) => ({
              start: s.start,
              end: s.end,
              label: `${s.user} ${s.label}`,
              kind: 'other' as const,
            })),
          }),
        )
      ).png,
  };
}
