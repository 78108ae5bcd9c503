/**
 * /yield — cooperative multitasking, the strategy of the asyncio guide LoopLab grew from: the same
 * work in slices, handing control back to the event loop between them (`await setImmediate()`,
 * Python's `await asyncio.sleep(0)`). With defer:false it answers only at the end.
 */
import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import { sliceAndYield } from '../src/demos/yield.js';
import { defineCommand } from '../src/router/define.js';
import { msOption, workOption } from '../src/router/options.js';

export default defineCommand({
  definition: {
    name: 'yield',
    description: 'Do the work in slices on the main thread, yielding to the event loop between them',
    options: [
      msOption,
      workOption,
      {
        type: ApplicationCommandOptionType.Integer,
        name: 'slice',
        description: 'How long each slice runs before yielding, in ms (default 10)',
        min_value: 1,
        max_value: 1_000,
      },
      {
        type: ApplicationCommandOptionType.Boolean,
        name: 'defer',
        description: 'Send deferReply() first (default true). False: answer only at the end',
      },
    ],
  },
  demo: true,
  // Sliced, but every slice still runs on the main thread.
  mainThreadMs: (args) => args.ms,
  async execute(run) {
    const { ms, work = 'cpu', slice = 10, defer = true } = run.args;
    const outcome = await sliceAndYield(run, work, ms, slice, defer);
    return { type: 'report', outcome };
  },
});
