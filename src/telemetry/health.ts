/**
 * /healthz's verdict, from what the telemetry thread knows: the main thread's heartbeat (shared
 * memory, read now) and the last snapshot the main thread posted (gateway state).
 */

export interface HealthInput {
  now: number;
  /** How long ago the main thread last beat, ms. */
  heartbeatAgeMs: number;
  /** How long the main thread has been stuck right now, ms (0 when it beats on time). */
  stuckMs: number;
  /** What holds the main thread now ("/block 2000 (cpu) by alice"), if anything said so. */
  holder: string | null;
  stallLimitMs: number;
  /** null: no snapshot yet (the bot is starting). */
  gateway: { connected: boolean; pingMs: number; lastAckAt: number | null } | null;
  stopping: boolean;
  startedAt: number;
}

export interface HealthVerdict {
  status: 'ok' | 'unhealthy';
  /** Why it is unhealthy, one sentence each (empty when ok). */
  reasons: string[];
  mainThread: { stuckMs: number; heartbeatAgeMs: number; limitMs: number; holder: string | null };
  gateway: { connected: boolean; pingMs: number | null; lastAckAgeMs: number | null } | null;
  uptimeS: number;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

export function healthOf(input: HealthInput): HealthVerdict {
  const reasons: string[] = [];
  if (input.stopping) reasons.push('shutting down');
  if (input.stuckMs > input.stallLimitMs) {
    reasons.push(
      `main thread stuck for ${seconds(input.stuckMs)} (limit ${seconds(input.stallLimitMs)})${
        input.holder ? `, running ${input.holder}` : ''
      }`,
    );
  }
  if (!input.gateway) reasons.push('starting: not connected to the gateway yet');
  else if (!input.gateway.connected) reasons.push('the gateway is not connected');
  const round = (x: number) => Math.round(x);
  return {
    status: reasons.length === 0 ? 'ok' : 'unhealthy',
    reasons,
    mainThread: {
      stuckMs: round(input.stuckMs),
      heartbeatAgeMs: round(input.heartbeatAgeMs),
      limitMs: input.stallLimitMs,
      holder: input.holder,
    },
    gateway: input.gateway
      ? {
          connected: input.gateway.connected,
          pingMs: input.gateway.pingMs >= 0 ? input.gateway.pingMs : null,
          lastAckAgeMs: input.gateway.lastAckAt === null ? null : round(input.now - input.gateway.lastAckAt),
        }
      : null,
    uptimeS: round((input.now - input.startedAt) / 1000),
  };
}
