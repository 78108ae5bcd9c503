/** "4 ms", "4012 ms" — whole milliseconds, for numbers a learner compares with 3000. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '?';
  if (value < 10) return `${(Math.round(value * 10) / 10).toString()} ms`;
  return `${Math.round(value)} ms`;
}

/** "0.25 s", "4.01 s", "12.3 s" */
export function seconds(value: number): string {
  if (!Number.isFinite(value)) return '?';
  const s = value / 1000;
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 120) return `${s.toFixed(1)} s`;
  return `${(s / 60).toFixed(1)} min`;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
