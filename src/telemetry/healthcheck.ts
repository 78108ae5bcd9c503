/**
 * The Docker image's HEALTHCHECK: `node dist/src/telemetry/healthcheck.js` asks the bot's own
 * /healthz (METRICS_HOST:METRICS_PORT, as the bot reads them) and exits 0 on 200, 1 otherwise, with
 * the answer's reason on standard output (`docker inspect` shows it). No curl in a slim image, and
 * no shell: the settings come from the container's environment.
 */
const port = process.env.METRICS_PORT?.trim() || '9464';
if (!/^\d+$/.test(port) || port === '0') {
  console.log(`METRICS_PORT=${port}: no fixed health port to ask`);
  process.exit(1);
}
const configured = process.env.METRICS_HOST?.trim() || '127.0.0.1';
// A server bound to every interface is asked through loopback.
const host = configured === '0.0.0.0' ? '127.0.0.1' : configured === '::' ? '::1' : configured;
const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/healthz`;

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_500) });
  const body = (await response.text()).trim();
  console.log(`${response.status} ${body.slice(0, 500)}`);
  process.exit(response.status === 200 ? 0 : 1);
} catch (error) {
  console.log(`${url}: ${(error as Error).message}`);
  process.exit(1);
}
