import type { GuildOverrides } from './settings-store.js';

/** A guild_settings row as both backends return it (PostgreSQL returns BIGINT as text). */
export interface SettingsRow {
  max_ms: number | null;
  cooldown_ms: number | null;
  budget_ms: number | null;
  concurrent: number | null;
  paused: number;
  updated_by: string | null;
  updated_at: number | string | null;
}

export function fromRow(row: SettingsRow): GuildOverrides {
  return definedOnly({
    maxMs: row.max_ms ?? undefined,
    cooldownMs: row.cooldown_ms ?? undefined,
    budgetMs: row.budget_ms ?? undefined,
    concurrent: row.concurrent ?? undefined,
    paused: row.paused === 1 ? true : undefined,
    updatedBy: row.updated_by ?? undefined,
    updatedAt: row.updated_at !== null ? Number(row.updated_at) : undefined,
  });
}

/** The row's values for an upsert, in the column order both backends' statements use. */
export function toValues(guildId: string, o: GuildOverrides): Array<string | number | null> {
  return [
    guildId,
    o.maxMs ?? null,
    o.cooldownMs ?? null,
    o.budgetMs ?? null,
    o.concurrent ?? null,
    o.paused ? 1 : 0,
    o.updatedBy ?? null,
    o.updatedAt ?? null,
  ];
}

/** The guild's overrides with `patch` applied (undefined fields keep their value), stamped now. */
export function merge(current: GuildOverrides, patch: Omit<GuildOverrides, 'updatedAt'>): GuildOverrides {
  return { ...current, ...definedOnly(patch), updatedAt: Date.now() };
}

function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export const UPSERT_COLUMNS =
  'guild_id, max_ms, cooldown_ms, budget_ms, concurrent, paused, updated_by, updated_at';
export const UPSERT_UPDATE = `max_ms = excluded.max_ms, cooldown_ms = excluded.cooldown_ms, budget_ms = excluded.budget_ms,
  concurrent = excluded.concurrent, paused = excluded.paused,
  updated_by = excluded.updated_by, updated_at = excluded.updated_at`;
