import { once } from 'node:events';
import { startWorker } from '../work/worker-file.js';
import { SandboxClient } from './client.js';
import type { SandboxInfo, SandboxOptions } from './server.js';

export interface SandboxThread extends SandboxInfo {
  client: SandboxClient;
  close(): Promise<void>;
}

/**
 * Runs the sandbox in its own worker thread. Discord is another machine: a sandbox on the bot's
 * main thread would freeze with it during /block, and its 3 s deadline, heartbeat checks and
 * classroom page would all lie.
 */
export async function startSandboxThread(options: SandboxOptions = {}): Promise<SandboxThread> {
  const worker = startWorker(import.meta.url, 'thread-entry', { workerData: options });
  const [message] = (await Promise.race([
    once(worker, 'message'),
    once(worker, 'error').then(([error]) => {
      throw error;
    }),
  ])) as [{ type: 'ready'; info: SandboxInfo } | { type: 'error'; message: string }];
  if (message.type === 'error') {
    await worker.terminate();
    throw new Error(`the sandbox could not start: ${message.message}`);
  }
  const { info } = message;
  let closed = false;
  return {
    ...info,
    client: new SandboxClient(info.baseUrl),
    async close() {
      if (closed) return;
      closed = true;
      const exited = once(worker, 'exit');
      worker.postMessage({ type: 'close' });
      const timer = setTimeout(() => void worker.terminate(), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
