/**
 * Slash commands as typed in the composer: "/block ms:4000 work:cpu" parsed against the commands
 * the bot registered, and what to suggest while typing (as Discord's client does).
 */
import type { PageCommand, PageOption } from '../protocol.js';

export interface Parsed {
  /** "block", or "classroom set" with a subcommand. */
  command: string;
  options: Record<string, string | number | boolean>;
}

export type ParseResult = { ok: true; value: Parsed } | { ok: false; why: string };

export function parseCommand(text: string, commands: readonly PageCommand[]): ParseResult {
  const trimmed = text.trim();
  if (!trimmed.startsWith('/')) return { ok: false, why: 'Commands start with "/": try /block ms:4000.' };
  const tokens = trimmed.slice(1).split(/\s+/).filter(Boolean);
  const name = (tokens.shift() ?? '').toLowerCase();
  const command = commands.find((c) => c.name === name);
  if (!command) {
    return {
      ok: false,
      why: name ? `The bot registered no /${name}.` : 'Type a command name after "/".',
    };
  }
  let options = command.options;
  let full = command.name;
  const subs = options.filter((o) => o.type === 'subcommand');
  if (subs.length > 0) {
    const sub = subs.find((o) => o.name === (tokens[0] ?? '').toLowerCase());
    if (!sub) return { ok: false, why: `/${name} needs one of: ${subs.map((s) => s.name).join(', ')}.` };
    tokens.shift();
    full = `${command.name} ${sub.name}`;
    options = sub.options ?? [];
  }
  const values: Parsed['options'] = {};
  for (const token of tokens) {
    const colon = token.indexOf(':');
    if (colon <= 0) return { ok: false, why: `Write options as name:value (you wrote "${token}").` };
    const key = token.slice(0, colon).toLowerCase();
    const raw = token.slice(colon + 1);
    const option = options.find((o) => o.name === key);
    if (!option) {
      const known = options.map((o) => o.name).join(', ') || 'none';
      return { ok: false, why: `/${full} has no option "${key}" (its options: ${known}).` };
    }
    if (option.type === 'integer' || option.type === 'number') {
      const n = Number(raw);
      if (raw === '' || !Number.isFinite(n)) return { ok: false, why: `${key} must be a number.` };
      values[key] = n;
    } else if (option.type === 'boolean') {
      if (raw !== 'true' && raw !== 'false') return { ok: false, why: `${key} is true or false.` };
      values[key] = raw === 'true';
    } else {
      values[key] = raw;
    }
  }
  return { ok: true, value: { command: full, options: values } };
}

export interface Suggestion {
  /** What replaces the token being typed. */
  insert: string;
  label: string;
  detail: string;
}

/** What to offer for the text typed so far; `active` is whether Enter should take the first one. */
export function suggest(
  text: string,
  commands: readonly PageCommand[],
): { items: Suggestion[]; active: boolean } {
  const none = { items: [], active: false };
  if (!text.startsWith('/')) return none;
  const endsWithSpace = /\s$/.test(text);
  const tokens = text.slice(1).split(/\s+/).filter(Boolean);
  if (tokens.length === 0 || (tokens.length === 1 && !endsWithSpace)) {
    const prefix = (tokens[0] ?? '').toLowerCase();
    const items = commands
      .filter((c) => c.name.startsWith(prefix))
      .map((c) => ({ insert: `/${c.name} `, label: `/${c.name}`, detail: c.description }));
    const exact = items.length === 1 && items[0]?.label === `/${prefix}`;
    return { items, active: prefix.length > 0 && items.length > 0 && !exact };
  }
  const command = commands.find((c) => c.name === tokens[0]?.toLowerCase());
  if (!command) return none;
  let options = command.options;
  let rest = tokens.slice(1);
  const subs = options.filter((o) => o.type === 'subcommand');
  if (subs.length > 0) {
    const typed = (rest[0] ?? '').toLowerCase();
    const sub = subs.find((s) => s.name === typed);
    if (!sub || (rest.length === 1 && !endsWithSpace)) {
      const items = subs
        .filter((s) => s.name.startsWith(typed))
        .map((s) => ({ insert: `${s.name} `, label: s.name, detail: s.description }));
      return { items, active: typed.length > 0 && items.length > 0 && !sub };
    }
    options = sub.options ?? [];
    rest = rest.slice(1);
  }
  const current = endsWithSpace ? '' : (rest[rest.length - 1] ?? '');
  const used = new Set(rest.slice(0, endsWithSpace ? rest.length : -1).map((t) => t.split(':')[0]));
  const colon = current.indexOf(':');
  if (colon > 0) {
    const option = options.find((o) => o.name === current.slice(0, colon).toLowerCase());
    if (!option) return none;
    const typed = current.slice(colon + 1).toLowerCase();
    if (option.choices) {
      const items = option.choices
        .filter((c) => String(c.value).toLowerCase().startsWith(typed))
        .map((c) => ({ insert: `${option.name}:${c.value} `, label: String(c.value), detail: c.name }));
      const exact = option.choices.some((c) => String(c.value).toLowerCase() === typed);
      return { items, active: typed.length > 0 && items.length > 0 && !exact };
    }
    if (option.type === 'boolean') {
      const items = ['true', 'false']
        .filter((v) => v.startsWith(typed))
        .map((v) => ({ insert: `${option.name}:${v} `, label: v, detail: option.description }));
      return { items, active: false };
    }
    // A number or free text: say what is allowed, take nothing on Enter.
    return { items: [{ insert: '', label: `${option.name}:`, detail: describe(option) }], active: false };
  }
  const typed = current.toLowerCase();
  const items = options
    .filter((o) => !used.has(o.name) && o.name.startsWith(typed))
    .map((o) => ({ insert: `${o.name}:`, label: `${o.name}${o.required ? '' : '?'}`, detail: describe(o) }));
  return { items, active: typed.length > 0 && items.length > 0 };
}

export function describe(option: PageOption): string {
  const parts = [option.description];
  if (option.min !== undefined || option.max !== undefined) {
    parts.push(`${option.min ?? '…'}–${option.max ?? '…'}`);
  }
  if (option.choices) parts.push(option.choices.map((c) => c.value).join(' | '));
  parts.push(option.required ? 'required' : 'optional');
  return parts.join(' · ');
}
