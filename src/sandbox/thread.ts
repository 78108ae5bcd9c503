import { once } from 'node:events';
import { startWorker } from '../work/worker-file.js';
import { SandboxClient } from './client.js';
import type { SandboxInfo, SandboxOptions } from './server.js';

export interface SandboxThread extends SandboxInfo {
  client: SandboxClient;
  /** False once the sandbox's thread has exited (closed, or crashed). */
  readonly alive: boolean;
  close(): Promise<void>;
}

export interface SandboxThreadHooks {
  /** Called if the sandbox's thread dies unexpectedly (it should never; the bot then has no Discord). */
  onCrash?: (error: Error) => void;
}

type Ready = { type: 'ready'; info: SandboxInfo } | { type: 'error'; message: string };

/**
 * Runs the sandbox in its own worker thread. Discord is another machine: a sandbox on the bot's
 * main thread would freeze with it during /block, and its 3 s deadline, heartbeat checks and
 * classroom page would all lie.
 */
export async function startSandboxThread(
  options: SandboxOptions = {},
  hooks: SandboxThreadHooks = {},
): Promise<SandboxThread> {
  const worker = startWorker(import.meta.url, 'thread-entry', { workerData: options });
  let alive = true;
  let closing = false;
  const exited = once(worker, 'exit').then(() => {
    alive = false;
  });
  // Permanent listeners: an error after start must never go unheard (or crash the bot).
  worker.on('error', (error) => {
    if (!closing) hooks.onCrash?.(error);
  });
  const first = (await Promise.race([
    once(worker, 'message').then(([message]) => message as Ready),
    once(worker, 'error').then(([error]) => ({ type: 'error', message: (error as Error).message }) as Ready),
  ])) as Ready;
  if (first.type === 'error') {
    closing = true;
    await worker.terminate();
    throw new Error(`the sandbox could not start: ${first.message}`);
  }
  const { info } = first;
  return {
    ...info,
    client: new SandboxClient(info.baseUrl),
    get alive() {
      return alive;
    },
    async close() {
      if (!alive || closing) return exited;
      closing = true;
      worker.postMessage({ type: 'close' });
      const timer = setTimeout(() => void worker.terminate(), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
