import { parentPort, workerData } from 'node:worker_threads';
import { type SandboxOptions, startSandbox } from './server.js';

const port = parentPort;
if (!port) throw new Error('thread-entry runs only as a worker thread');

try {
  const sandbox = await startSandbox(workerData as SandboxOptions);
  const { world: _w, interactions: _i, gateway: _g, clock: _c, close, ...info } = sandbox;
  port.on('message', async (message: { type: string }) => {
    if (message.type === 'close') {
      await close();
      port.close();
    }
  });
  port.postMessage({ type: 'ready', info });
} catch (error) {
  port.postMessage({ type: 'error', message: (error as Error).message });
}
