/**
 * /ticker — a message that edits itself about once a second with the time and the loop delay.
 * Run it, then someone's /block: the ticker visibly freezes and then jumps. The clearest picture
 * of a blocked event loop.
 */
import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import { runningTicker, runTicker, TICKER_MAX_SECONDS } from '../src/demos/ticker.js';
import { tickerBusyLine, tickerLine } from '../src/report/ticker.js';
import { defineCommand } from '../src/router/define.js';

export default defineCommand({
  definition: {
    name: 'ticker',
    description: 'Post a clock that updates every second for a minute; watch it freeze during a /block',
    options: [
      {
        type: ApplicationCommandOptionType.Integer,
        name: 'seconds',
        description: `How long it ticks (default ${TICKER_MAX_SECONDS})`,
        min_value: 5,
        max_value: TICKER_MAX_SECONDS,
      },
    ],
  },
  demo: false,
  async execute(run) {
    const channelId = run.channelId ?? 'dm';
    const busy = runningTicker(channelId);
    if (busy) {
      return {
        type: 'message',
        message: { content: tickerBusyLine(busy.userName, busy.endsInMs), ephemeral: true },
      };
    }
    const ticker = runTicker(
      run.ctx.measure,
      channelId,
      run.user.name,
      run.args.seconds ?? TICKER_MAX_SECONDS,
    );
    async function* frames() {
      for await (const frame of ticker) yield { content: tickerLine(frame) };
    }
    return { type: 'live', frames: frames() };
  },
});
