/**
 * /nonblock — the right way for CPU work. Defers at once ("thinking…"), runs the same work on a
 * worker thread, then edits the reply with the report. The event loop stays free throughout.
 */
import { deferAndOffload } from '../src/demos/offload.js';
import { defineCommand } from '../src/router/define.js';
import { msOption, workOption } from '../src/router/options.js';

export default defineCommand({
  definition: {
    name: 'nonblock',
    description: 'Defer at once, run the same work on a worker thread, then edit the reply (the right way)',
    options: [msOption, workOption],
  },
  demo: true,
  async execute(run) {
    const outcome = await deferAndOffload(run, run.args.work ?? 'cpu', run.args.ms);
    return { type: 'report', outcome };
  },
});
