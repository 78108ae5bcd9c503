/**
 * A one-line progress bar on standard error (standard output is kept for the table). On a
 * terminal it redraws in place; elsewhere (CI, a pipe) it prints one line per step, so a log shows
 * where a run spent its time.
 */
export class Progress {
  #done = 0;
  #label = '';
  readonly #started = Date.now();
  readonly #tty = process.stderr.isTTY === true;
  #lastWidth = 0;

  constructor(
    private total: number,
    private readonly width = 28,
  ) {}

  /** Starts step `label` (counts as one unit of `total` when the next step starts or done() is called). */
  step(label: string): void {
    if (this.#label) this.#done += 1;
    this.#label = label;
    this.#draw();
  }

  /** Extra detail for the current step (redraws in place on a terminal; ignored elsewhere). */
  detail(text: string): void {
    if (this.#tty) this.#draw(text);
  }

  /** More steps than planned (a ladder went further). */
  grow(extra: number): void {
    this.total += extra;
  }

  done(): void {
    this.#done = this.total;
    this.#label = 'done';
    this.#draw();
    if (this.#tty) process.stderr.write('\n');
  }

  #draw(detail = ''): void {
    const share = Math.min(1, this.#done / Math.max(1, this.total));
    const filled = Math.round(share * this.width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(this.width - filled)}`;
    const seconds = ((Date.now() - this.#started) / 1000).toFixed(1);
    const line = `[${bar}] ${String(Math.round(share * 100)).padStart(3)}%  ${seconds.padStart(5)} s  ${this.#label}${detail ? ` · ${detail}` : ''}`;
    if (this.#tty) {
      const pad = Math.max(0, this.#lastWidth - line.length);
      process.stderr.write(`\r${line}${' '.repeat(pad)}`);
      this.#lastWidth = line.length;
    } else if (!detail) {
      process.stderr.write(`${line}\n`);
    }
  }
}
