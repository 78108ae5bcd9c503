import type { CommandRun } from '../router/run.js';
import { seconds } from './format.js';

/**
 * Work shorter than this needs no progress line: Discord's own "thinking…" says enough, and the
 * first edit of a deferred reply is then the report itself.
 */
export const PROGRESS_AFTER_MS = 5_000;
export const PROGRESS_EVERY_MS = 2_500;

export interface Progress {
  /** Stops the updates and waits for any edit in flight, so the report's edit comes last. */
  stop(): Promise<void>;
}

/**
 * While long work runs without holding the main thread, edits the deferred reply every 2.5 s. That these edits keep arriving is itself the lesson: the event loop is free.
 */
export function showProgress(run: CommandRun, what: string, expectedMs: number): Progress {
  if (run.respond.state !== 'deferred' || expectedMs < PROGRESS_AFTER_MS) return { stop: async () => {} };
  const started = Date.now();
  let inFlight: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    const line = `⏳ ${what}: ${seconds(Date.now() - started)} of about ${seconds(expectedMs)}. This message keeps updating because the event loop is free.`;
    inFlight = inFlight
      .then(() => run.respond.edit({ content: line }))
      .catch((error) => run.log.debug({ err: error }, 'progress edit failed'));
  }, PROGRESS_EVERY_MS);
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
