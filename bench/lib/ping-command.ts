/** The trivial command the bench sends through LoopLab's router: it replies "pong", like the bare bot. */
import { defineCommand, type SlashCommand } from '../../src/router/define.js';

export const pingCommand = defineCommand({
  definition: { name: 'ping', description: 'bench: reply pong' },
  demo: false,
  async execute() {
    return { type: 'message', message: { content: 'pong' } };
  },
}) as unknown as SlashCommand;
