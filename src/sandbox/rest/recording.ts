/** REST responses kept for conformance checks (GET /sandbox/responses, with `recordResponses`). */

import { tokenlessPath } from '../../discord/paths.js';
import { TimeWindow } from '../../lib/bounded.js';
import { RECORDED_RESPONSE_BOUNDS, realNow } from '../bounds.js';

export interface RecordedResponse {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

export class ResponseRecorder {
  readonly #responses: TimeWindow<RecordedResponse>;

  constructor(private readonly now: () => number = realNow) {
    this.#responses = new TimeWindow(RECORDED_RESPONSE_BOUNDS, now);
  }

  /** Interaction tokens stay out of the record: it is served over HTTP. */
  record(method: string, path: string, search: string, status: number, body: unknown): void {
    this.#responses.push(this.now(), { method, path: `${tokenlessPath(path)}${search}`, status, body });
  }

  values(): RecordedResponse[] {
    this.#responses.prune();
    return this.#responses.values();
  }
}
