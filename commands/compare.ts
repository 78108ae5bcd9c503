/**
 * /compare — the same work, every way LoopLab teaches, one after the other: block, nonblock,
 * io and yield. One table and one picture make the difference obvious at a glance.
 */
import { compareStrategies } from '../src/demos/compare.js';
import { compareReport } from '../src/report/compare-report.js';
import { seconds } from '../src/report/format.js';
import { PROGRESS_AFTER_MS } from '../src/report/progress.js';
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
    const strategies = ['block', 'nonblock', 'io', 'yield'] as const;
    // Rows of 5 s or more show progress between them (shorter ones finish within Discord's "thinking…").
    const entries = await compareStrategies(run, kind, run.args.ms, strategies, async (entry, i) => {
      if (run.args.ms < PROGRESS_AFTER_MS) return;
      await run.respond.edit({
        content: `⏳ Comparing: **${entry.strategy}** done in ${seconds(entry.durationMs)} (${i + 1} of ${strategies.length})${
          strategies[i + 1] ? `; now **${strategies[i + 1]}**…` : '.'
        }`,
      });
    });
    await run.respond.edit(await compareReport(run.holder.label, kind, run.args.ms, entries));
  },
});
