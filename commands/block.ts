/**
 * /block — the wrong way, on purpose. Does the work on the main thread, then tries to reply.
 * Everyone's commands wait meanwhile; past 3 s Discord refuses the reply (10062).
 */
import { blockMainThread } from '../src/demos/block.js';
import { defineCommand } from '../src/router/define.js';
import { msOption, workOption } from '../src/router/options.js';

export default defineCommand({
  definition: {
    name: 'block',
    description: 'Do the work ON the main thread, then reply. Everyone waits (the wrong way, on purpose)',
    options: [msOption, workOption],
  },
  demo: true,
  mainThreadMs: (args) => args.ms,
  async execute(run) {
    const outcome = blockMainThread(run, run.args.work ?? 'cpu', run.args.ms);
    return { type: 'report', outcome };
  },
});
