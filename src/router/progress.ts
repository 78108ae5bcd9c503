import type { Progress } from '../contracts/run.js';
import type { Logger } from '../log/logger.js';
import { progressLine } from '../report/progress.js';
import type { Responder } from './respond.js';

/**
 * Work shorter than this needs no progress line: Discord's own "thinking…" says enough, and the
 * first edit of a deferred reply is then the report itself.
 */
export const PROGRESS_AFTER_MS = 5_000;
export const PROGRESS_EVERY_MS = 2_500;

const NO_PROGRESS: Progress = { note() {}, stop: async () => {} };

/**
 * While long work runs without holding the main thread, edits the deferred reply every 2.5 s.
 * That these edits keep arriving is itself the lesson: the event loop is free. Edits go out one
 * after the other, never in parallel, and stop() waits for the last one.
 */
export function startProgress(
  responder: Responder,
  log: Logger,
  what: string,
  expectedMs: number,
  { periodic = true }: { periodic?: boolean } = {},
): Progress {
  if (responder.state !== 'deferred' || expectedMs < PROGRESS_AFTER_MS) return NO_PROGRESS;
  const started = Date.now();
  let inFlight: Promise<unknown> = Promise.resolve();
  const show = (line: string) => {
    inFlight = inFlight
      .then(() => responder.edit({ content: line }))
      .catch((error) => log.debug({ err: error }, 'progress edit failed'));
  };
  const timer = periodic
    ? setInterval(() => show(progressLine(what, Date.now() - started, expectedMs)), PROGRESS_EVERY_MS)
    : null;
  return {
    note: show,
    async stop() {
      if (timer) clearInterval(timer);
      await inFlight;
    },
  };
}
