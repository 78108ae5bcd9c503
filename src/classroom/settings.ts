import {
  type Config,
  DEFAULT_COOLDOWN_MS,
  DEFAULT_MAIN_THREAD_BUDGET_MS,
  DEFAULT_MAX_BLOCK_MS,
  DEFAULT_MAX_CONCURRENT_DEMOS,
} from '../config/env.js';
import type { GuildOverrides } from '../store/settings-store.js';

/** Where a setting in force came from, as `/classroom show` says it. */
export type Source = 'default' | '.env' | 'set here';

export interface Setting<T> {
  value: T;
  source: Source;
}

/** The settings in force in one guild (or a DM: the operator's). */
export interface ClassroomSettings {
  maxMs: Setting<number>;
  cooldownMs: Setting<number>;
  budgetMs: Setting<number>;
  concurrent: Setting<number>;
  paused: Setting<boolean>;
  updatedBy?: string;
  updatedAt?: number;
}

/** The operator's value for each setting, and whether it differs from LoopLab's default. */
function fromConfig<T>(value: T, fallback: T): Setting<T> {
  return { value, source: value === fallback ? 'default' : '.env' };
}

function pick<T>(override: T | undefined, base: Setting<T>): Setting<T> {
  return override === undefined ? base : { value: override, source: 'set here' };
}

/** A teacher's overrides over the operator's settings over LoopLab's defaults. */
export function resolveSettings(config: Config, overrides: GuildOverrides): ClassroomSettings {
  return {
    // A server may lower the ceiling, never raise it above the operator's (Discord's client enforces that one).
    maxMs: pick(
      overrides.maxMs === undefined ? undefined : Math.min(overrides.maxMs, config.maxBlockMs),
      fromConfig(config.maxBlockMs, DEFAULT_MAX_BLOCK_MS),
    ),
    cooldownMs: pick(overrides.cooldownMs, fromConfig(config.cooldownMs, DEFAULT_COOLDOWN_MS)),
    budgetMs: pick(overrides.budgetMs, fromConfig(config.mainThreadBudgetMs, DEFAULT_MAIN_THREAD_BUDGET_MS)),
    concurrent: pick(
      overrides.concurrent,
      fromConfig(config.maxConcurrentDemos, DEFAULT_MAX_CONCURRENT_DEMOS),
    ),
    paused: pick(overrides.paused, { value: false, source: 'default' }),
    ...(overrides.updatedBy ? { updatedBy: overrides.updatedBy } : {}),
    ...(overrides.updatedAt ? { updatedAt: overrides.updatedAt } : {}),
  };
}
