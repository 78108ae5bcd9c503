/**
 * /lag — how the bot's event loop is doing right now: loop delay over the last 10 s and 60 s,
 * demos in flight, the worker pool and the gateway heartbeat. The picture follows the answer.
 */
import { loopHealth } from '../src/measure/lag.js';
import { lagMessage, lagPicture } from '../src/report/lag-report.js';
import { defineCommand } from '../src/router/define.js';

export default defineCommand({
  definition: {
    name: 'lag',
    description:
      'Show the bot’s event-loop delay now (last 10 s and 60 s), demos in flight and the worker pool',
  },
  demo: false,
  async execute(run) {
    const { measure, pool, inFlight } = run.ctx;
    const health = loopHealth(measure);
    const { now } = health;
    const gateway = run.ctx.gateway();
    const message = lagMessage({
      ...health,
      inFlight: [...inFlight.values()],
      pool: pool.stats(),
      // Each /lag closes the pool's wait/run window and opens the next.
      poolWindow: pool.resetWindow(),
      heartbeat: {
        pingMs: gateway.pingMs,
        measuredAgoMs: gateway.lastAckAt !== null ? now - gateway.lastAckAt : null,
      },
      ...(run.ctx.shards ? { shards: run.ctx.shards() } : {}),
    });
    const picture = lagPicture(
      measure.recorder.chartSamples(now - 60_000, now),
      measure.ledger.spans(now - 60_000, now),
      now,
    );
    return { type: 'message', message, picture };
  },
});
