/**
 * /io — awaiting real asynchronous I/O. Defers, then awaits timers, fs.promises, crypto.pbkdf2 or
 * zlib.gzip for about `ms`. The thread goes back to the event loop while it waits.
 */
import { deferAndAwaitIo } from '../src/demos/await-io.js';
import { defineCommand } from '../src/router/define.js';
import { ioKindOption, msOption } from '../src/router/options.js';

export default defineCommand({
  definition: {
    name: 'io',
    description: 'Defer, then await real asynchronous I/O; the event loop serves others while it waits',
    options: [msOption, ioKindOption],
  },
  demo: true,
  async execute(run) {
    const outcome = await deferAndAwaitIo(run, run.args.kind ?? 'timer', run.args.ms);
    return { type: 'report', outcome };
  },
});
