import type { IncomingMessage } from 'node:http';
import { isLoopbackHost } from '../../discord/paths.js';

/**
 * The control API acts as any user, unauthenticated: only pages and programs on this machine may
 * use it. A browser page elsewhere cannot (no JSON content type without a preflight, a foreign
 * Origin is refused), and neither can a DNS-rebinding name (the Host must be loopback or ours).
 * Returns why a request is refused, or null.
 */
export function controlRefusal(req: IncomingMessage, boundHost: string): string | null {
  const hostHeader = req.headers.host ?? '';
  const hostName = hostHeader.replace(/:\d+$/, '');
  const wildcard = boundHost === '0.0.0.0' || boundHost === '::';
  // A DNS name other than ours is what rebinding looks like; IP literals cannot be rebound.
  const ipLiteral = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:.]+\])$/i.test(hostName);
  if (!isLoopbackHost(hostName) && hostName !== boundHost && !(wildcard && ipLiteral)) {
    return `the control API answers only on loopback or ${boundHost} (Host: ${hostHeader.slice(0, 100)})`;
  }
  const origin = req.headers.origin;
  if (origin) {
    try {
      if (new URL(origin).host !== hostHeader) return 'cross-origin requests to the control API are refused';
    } catch {
      return 'cross-origin requests to the control API are refused';
    }
  }
  const hasBody =
    Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (req.method === 'POST' && (hasBody || type) && !type.startsWith('application/json')) {
    return 'send control requests with content-type: application/json';
  }
  return null;
}
