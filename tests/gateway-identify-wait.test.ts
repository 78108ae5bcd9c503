import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startSandbox } from '../src/sandbox/server.js';

describe('a connection waiting for its identify slot', () => {
  it('stays open while it heartbeats before IDENTIFY (as discord.js does behind its 5 s throttle), then gets READY', async () => {
    const sandbox = await startSandbox({ heartbeatIntervalMs: 500 });
    try {
      const ws = new WebSocket(`${sandbox.gatewayUrl}?v=10&encoding=json`);
      const ops: Array<{ op: number; t?: string }> = [];
      let closedWith: number | null = null;
      ws.on('message', (raw) => ops.push(JSON.parse(raw.toString())));
      ws.on('close', (code) => {
        closedWith = code;
      });
      await new Promise((resolve) => ws.once('open', resolve));
      const beat = setInterval(() => ws.send(JSON.stringify({ op: 1, d: null })), 400);
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // twice the 1.5 s pre-identify limit
      expect(closedWith).toBeNull();
      ws.send(
        JSON.stringify({
          op: 2,
          d: { token: sandbox.botToken, intents: 1, properties: { browser: 'test' } },
        }),
      );
      const end = Date.now() + 3_000;
      while (!ops.some((o) => o.t === 'READY') && Date.now() < end)
        await new Promise((r) => setTimeout(r, 25));
      clearInterval(beat);
      expect(ops.some((o) => o.t === 'READY')).toBe(true);
      ws.close();
    } finally {
      await sandbox.close();
    }
  });
});
