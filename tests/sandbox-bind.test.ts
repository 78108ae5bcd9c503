import { describe, expect, it } from 'vitest';
import { startSandbox } from '../src/sandbox/server.js';

describe('a sandbox bound to every interface (0.0.0.0, as in a container)', () => {
  it('advertises loopback URLs a client can dial, in its info and in GET /gateway/bot', async () => {
    const sandbox = await startSandbox({ host: '0.0.0.0' });
    try {
      expect(sandbox.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(sandbox.gatewayUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/gateway$/);
      const response = await fetch(`${sandbox.restUrl}/gateway/bot`, {
        headers: { authorization: `Bot ${sandbox.botToken}` },
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { url: string };
      expect(body.url).toBe(sandbox.gatewayUrl);
      expect(body.url).not.toContain('0.0.0.0');
    } finally {
      await sandbox.close();
    }
  });
});
