/**
 * /ticker — a message that edits itself about once a second with the time and the loop delay.
 * Run it, then someone's /block: the ticker visibly freezes and then jumps. The clearest picture
 * of a blocked event loop.
 */
import { ApplicationCommandOptionType } from 'discord.js';
import { runTicker, TICKER_MAX_SECONDS } from '../src/demos/ticker.js';
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
    await runTicker(run, run.args.seconds ?? TICKER_MAX_SECONDS);
  },
});
