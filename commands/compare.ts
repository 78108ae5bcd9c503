/**
 * /compare — the same work, every way LoopLab teaches, one after the other: block, nonblock,
 * io and yield. One table and one picture make the difference obvious at a glance.
 */
import { compareStrategies } from '../src/demos/compare.js';
import { compareMessage, comparePicture } from '../src/report/compare-report.js';
import { compareProgressLine } from '../src/report/progress.js';
import { defineCommand } from '../src/router/define.js';
import { msOption, workOption } from '../src/router/options.js';

const STRATEGIES = ['block', 'nonblock', 'io', 'yield'] as const;

export default defineCommand({
  definition: {
    name: 'compare',
    description:
      'Run the same work blocking, offloaded, as async I/O and sliced, and compare them side by side',
    options: [msOption, workOption],
  },
  demo: true,
  // Its block row and its yield row both run on the main thread.
  mainThreadMs: (args) => 2 * args.ms,
  async execute(run) {
    if (!(await run.session.defer())) return { type: 'none' }; // the token already died: nothing to compare into
    const { ms } = run.args;
    const kind = run.args.work ?? 'cpu';
    // Rows of 5 s or more show a line between them (shorter ones finish within Discord's "thinking…").
    const progress = run.session.progress('comparing', ms, { periodic: false });
    const entries = await compareStrategies(run, kind, ms, STRATEGIES, async (entry, i) => {
      progress.note(compareProgressLine(entry, i, STRATEGIES));
    }).finally(() => progress.stop());
    return {
      type: 'message',
      message: compareMessage(run.holder.label, kind, ms, entries),
      picture: comparePicture(run.holder.label, kind, entries),
    };
  },
});
