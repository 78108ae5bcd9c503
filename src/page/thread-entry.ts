/**
 * The sandbox's thread with the classroom page mounted: the same sandbox as src/sandbox/thread-entry,
 * plus the page's routes and its live feed, which read the bot's shared heartbeat from here.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type RunningSandbox, type SandboxOptions, startSandbox } from '../sandbox/server.js';
import type { BotStats } from './protocol.js';
import { classroomPage } from './server.js';

const port = parentPort;
if (!port) throw new Error('the classroom thread-entry runs only as a worker thread');

type Data = SandboxOptions & { pageHeartbeat?: SharedArrayBuffer };
const data = workerData as Data;
const { pageHeartbeat, ...options } = data;

let sandbox: RunningSandbox | null = null;
const page = classroomPage(() => sandbox, options.host ?? '127.0.0.1', pageHeartbeat ?? null);
try {
  sandbox = await startSandbox(options, { http: page.http });
  const { world: _w, interactions: _i, gateway: _g, clock: _c, close, ...info } = sandbox;
  port.on('message', async (message: { type: string } | BotStats) => {
    if (message.type === 'bot-stats') page.botStats(message as BotStats);
    else if (message.type === 'close') {
      page.close();
      await close();
      port.close();
    }
  });
  port.postMessage({ type: 'ready', info });
} catch (error) {
  page.close();
  port.postMessage({ type: 'error', message: (error as Error).message });
}
