/**
 * /lag — how the bot's event loop is doing right now: loop delay over the last 10 s and 60 s,
 * demos in flight, and the worker pool.
 */
import { lagReport } from '../src/report/lag-report.js';
import { defineCommand } from '../src/router/define.js';

export default defineCommand({
  definition: {
    name: 'lag',
    description:
      'Show the bot’s event-loop delay now (last 10 s and 60 s), demos in flight and the worker pool',
  },
  demo: false,
  async execute(run) {
    await run.respond.reply(await lagReport(run.ctx));
  },
});
