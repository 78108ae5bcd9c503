/**
 * /explain — the lessons behind the demos, one embed each: the idea, a tiny Node example and its
 * Python asyncio twin, with buttons to page through them and to try the matching demo.
 */
import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import { LESSONS, lessonById } from '../src/lessons/lessons.js';
import { EXPLAIN, lessonMessage } from '../src/lessons/render.js';
import { defineCommand } from '../src/router/define.js';

export default defineCommand({
  definition: {
    name: 'explain',
    description: 'Learn why a bot must never block its event loop, one short lesson at a time',
    options: [
      {
        type: ApplicationCommandOptionType.String,
        name: 'topic',
        description: 'Which lesson (default: the first)',
        choices: LESSONS.map((l) => ({ name: l.title.slice(0, 100), value: l.id })),
      },
    ],
  },
  demo: false,
  async execute(run) {
    const lesson = lessonById(run.args.topic ?? '') ?? LESSONS[0];
    return { type: 'message', message: lessonMessage(lesson) };
  },
  components: [
    {
      name: EXPLAIN,
      async handle([action, id], run) {
        const lesson = lessonById(id ?? '');
        if (!lesson || !run.isButton) return null;
        if (action === 'page') return { type: 'update', message: lessonMessage(lesson) };
        if (action === 'try') {
          // The lessons' examples respect this server's MAX_BLOCK_MS.
          const options = { ...lesson.tryIt.options };
          if (typeof options.ms === 'number') options.ms = Math.min(options.ms, run.ctx.config.maxBlockMs);
          return { type: 'run', command: lesson.tryIt.command, options };
        }
        return null;
      },
    },
  ],
});
