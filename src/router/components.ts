import type { MessageComponentInteraction } from 'discord.js';
import type { BotContext } from '../bot/context.js';
import type { Logger } from '../log/logger.js';
import type { InteractionTrace } from '../measure/trace.js';
import type { CommandRegistry } from './registry.js';
import type { Responder } from './respond.js';

/** Custom ids LoopLab sends start with this and a version, so stale or foreign ids are recognised. */
export const CUSTOM_ID_PREFIX = 'll1';

export interface ComponentRun {
  ctx: BotContext;
  trace: InteractionTrace;
  respond: Responder;
  log: Logger;
  commands: CommandRegistry;
  /** Runs a slash command in answer to this component (a "try it" button), through the same checks. */
  runCommand(name: string, options: Record<string, string | number | boolean>): Promise<void>;
}

export interface ComponentHandler {
  /** The first part after the prefix, e.g. "explain" in "ll1:explain:page:blocking". */
  name: string;
  /** Returns false when the id's remaining parts are not valid for this handler. */
  handle(interaction: MessageComponentInteraction, parts: string[], run: ComponentRun): Promise<boolean>;
}

export function customId(name: string, ...parts: string[]): string {
  return [CUSTOM_ID_PREFIX, name, ...parts].join(':');
}

export class ComponentRegistry {
  readonly #handlers = new Map<string, ComponentHandler>();

  register(handler: ComponentHandler): this {
    this.#handlers.set(handler.name, handler);
    return this;
  }

  /** True when a handler took it; false for ids that are stale, foreign or malformed. */
  async handle(interaction: MessageComponentInteraction, run: ComponentRun): Promise<boolean> {
    const [prefix, name, ...parts] = interaction.customId.split(':');
    if (prefix !== CUSTOM_ID_PREFIX || !name) return false;
    const handler = this.#handlers.get(name);
    if (!handler) return false;
    return handler.handle(interaction, parts, run);
  }
}
