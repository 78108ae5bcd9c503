/** The bench's result rows: a figure, its target, pass / miss, printed as a table and saved as JSON. */

export interface Row {
  /** 1 router, 2 throughput, … as numbered in the issue. */
  section: string;
  figure: string;
  /** What was measured, formatted for the table. */
  value: string;
  /** The target, formatted ("≤ 1.2×"), or "" for figures reported beside a target. */
  target: string;
  /** true pass, false miss, null no target (reported for context) or not measured. */
  pass: boolean | null;
  /** The raw numbers behind the row (JSON only). */
  data?: unknown;
}

export function row(
  section: string,
  figure: string,
  value: string,
  target = '',
  pass: boolean | null = null,
  data?: unknown,
): Row {
  return { section, figure, value, target, pass, ...(data === undefined ? {} : { data }) };
}

const verdict = (r: Row) => (r.pass === null ? (r.target ? '—' : '') : r.pass ? 'pass' : 'MISS');

/** A plain-text table (also valid Markdown) for standard output and the README. */
export function formatTable(rows: readonly Row[]): string {
  const header = ['#', 'figure', 'measured', 'target', ''];
  const lines = rows.map((r) => [r.section, r.figure, r.value, r.target, verdict(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

export const ms = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${v.toFixed(digits)} ms`;
export const ratio = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${v.toFixed(2)}×`;
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
export const pct = (v: number) =>
  Number.isFinite(v) ? `${(v * 100).toFixed(v < 1 && v > 0.99 ? 1 : 0)} %` : 'n/a';
