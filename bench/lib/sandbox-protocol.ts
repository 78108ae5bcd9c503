/** What the bench's sandbox thread records of one interaction (performance.now() of that thread, ms). */
export interface Timing {
  /** Just before INTERACTION_CREATE was dispatched to the gateway. */
  created: number;
  /** The first response (callback) was accepted. */
  acked: number | null;
  callbackType: number | null;
  /** The original message was first edited (a deferred reply's report, or a reply's picture). */
  edited: number | null;
  /** Settled as the control API means it: replied, deferred and edited, or failed. */
  settled: number | null;
  /** No first response within 3 s. */
  failed: number | null;
  edits: number;
  /** Files on the original message (a report's chart). */
  files: number;
  embeds: number;
  ephemeral: boolean;
  /** The first 200 characters of the original message's content. */
  content: string;
  /** Codes of what the sandbox refused for it (10062, 40060, …; the HTTP status when there is no code). */
  refusals: number[];
}
