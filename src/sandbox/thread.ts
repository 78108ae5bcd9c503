import { once } from 'node:events';
import { startWorker } from '../lib/worker-file.js';
import { SandboxClient } from './client.js';
import type { SandboxInfo, SandboxOptions } from './server.js';

export interface SandboxThread extends SandboxInfo {
  client: SandboxClient;
  /** Sends a message to the sandbox's thread (what a custom entry, such as the classroom page's, reads). */
  post(message: unknown): void;
  /** False once the sandbox's thread has exited (closed, or crashed). */
  readonly alive: boolean;
  close(): Promise<void>;
}

export interface SandboxThreadHooks {
  /** Called if the sandbox's thread dies unexpectedly (it should never; the bot then has no Discord). */
  onCrash?: (error: Error) => void;
  /**
   * Another module to run the thread (it starts the sandbox itself, e.g. with the classroom page
   * mounted): `fromUrl` is its neighbour's import.meta.url, `name` its base name. Default ./thread-entry.
   */
  entry?: { fromUrl: string; name: string };
  /** Extra workerData for that entry (it may hold a SharedArrayBuffer). */
  extraData?: Record<string, unknown>;
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
  const entry = hooks.entry ?? { fromUrl: import.meta.url, name: 'thread-entry' };
  const worker = startWorker(entry.fromUrl, entry.name, { workerData: { ...options, ...hooks.extraData } });
  let alive = true;
  let ready = false;
  let closing = false;
  let crashed = false;
  const crash = (error: Error) => {
    if (!ready || closing || crashed) return;
    crashed = true;
    hooks.onCrash?.(error);
  };
  // Permanent listeners: a crash after start must never go unheard (or take the bot down silently).
  worker.on('error', crash);
  const exited = once(worker, 'exit').then(([code]) => {
    alive = false;
    crash(new Error(`the sandbox thread exited unexpectedly (code ${code})`));
  });
  const first = await new Promise<Ready>((resolve) => {
    worker.once('message', (message: Ready) => resolve(message));
    worker.once('error', (error) => resolve({ type: 'error', message: error.message }));
    worker.once('exit', (code) =>
      resolve({ type: 'error', message: `its thread exited (code ${code}) before it was ready` }),
    );
  });
  if (first.type === 'error') {
    closing = true;
    await worker.terminate();
    throw new Error(`the sandbox could not start: ${first.message}`);
  }
  ready = true;
  const { info } = first;
  return {
    ...info,
    client: new SandboxClient(info.baseUrl),
    post(message) {
      if (!alive) return;
      try {
        worker.postMessage(message);
      } catch {
        // The thread is closing: a lost message is fine.
      }
    },
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
