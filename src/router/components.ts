import { parseCustomId } from '../contracts/custom-id.js';
import type { ComponentHandler, ComponentResult, ComponentRun } from '../contracts/run.js';

/** The buttons LoopLab's messages carry, by the handler name in their custom id. */
export class ComponentRegistry {
  readonly #handlers = new Map<string, ComponentHandler>();

  register(handler: ComponentHandler): this {
    if (this.#handlers.has(handler.name)) throw new Error(`two component handlers are named ${handler.name}`);
    this.#handlers.set(handler.name, handler);
    return this;
  }

  /** What the handler answers; null for ids that are stale, foreign or malformed. */
  async handle(customId: string, run: ComponentRun): Promise<ComponentResult | null> {
    const parsed = parseCustomId(customId);
    const handler = parsed ? this.#handlers.get(parsed.handler) : undefined;
    if (!parsed || !handler) return null;
    return handler.handle(parsed.parts, run);
  }
}
