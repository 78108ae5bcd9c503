/**
 * /compare — the same work, every way LoopLab teaches, one after the other: block, nonblock,
 * io and yield. One table and one picture make the difference obvious at a glance.
 */
import { compareStrategies } from '../src/demos/compare.js';
import { compareReport } from '../src/report/compare-report.js';
import { defineCommand } from '../src/router/define.js';
import { msOption, workOption } from '../src/router/options.js';

export default defineCommand({
  definition: {
    name: 'compare',
    description:
      'Run the same work blocking, offloaded, as async I/O and sliced, and compare them side by side',
    options: [msOption, workOption],
  },
  demo: true,
  async execute(run) {
    if (!(await run.respond.defer())) return; // the token already died: nothing to compare into
    const kind = run.args.work ?? 'cpu';
    const entries = await compareStrategies(run, kind, run.args.ms, ['block', 'nonblock', 'io', 'yield']);
    await run.respond.edit(await compareReport(run.holder.label, kind, run.args.ms, entries));
  },
});
