/** The live panel: the bot's main-thread delay over 60 s, its numbers, what is in flight, the settings. */
import type { PageLive } from '../protocol.js';
import { displayName } from './students.js';

const SVG = 'http://www.w3.org/2000/svg';
const WINDOW_MS = 60_000;

export class LivePanel {
  readonly #now: HTMLElement;
  readonly #nowNote: HTMLElement;
  readonly #poly: SVGPolylineElement;
  readonly #scale: HTMLElement;
  readonly #numbers: HTMLElement;
  readonly #flight: HTMLElement;
  readonly #settings: HTMLElement;
  readonly #hint: HTMLElement;

  constructor(box: HTMLElement) {
    const h = (text: string) => Object.assign(document.createElement('h2'), { textContent: text });
    this.#now = Object.assign(document.createElement('output'), { id: 'loop-delay-now', className: 'big' });
    this.#now.setAttribute('aria-label', 'Main-thread delay now');
    this.#nowNote = Object.assign(document.createElement('p'), { className: 'note', id: 'delay-note' });
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 600 120');
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', 'Main-thread delay over the last 60 seconds');
    svg.classList.add('chart');
    this.#poly = document.createElementNS(SVG, 'polyline');
    svg.append(this.#poly);
    this.#scale = Object.assign(document.createElement('p'), { className: 'note', id: 'chart-scale' });
    this.#numbers = Object.assign(document.createElement('dl'), { className: 'numbers', id: 'bot-numbers' });
    this.#flight = Object.assign(document.createElement('ul'), { className: 'flight', id: 'in-flight' });
    this.#settings = Object.assign(document.createElement('dl'), { className: 'numbers', id: 'settings' });
    this.#hint = Object.assign(document.createElement('p'), { className: 'hint', id: 'hint' });
    this.#hint.setAttribute('role', 'status');
    box.append(
      h('Main-thread delay now'),
      this.#now,
      this.#nowNote,
      svg,
      this.#scale,
      this.#hint,
      h('Interactions in flight'),
      this.#flight,
      h("The bot's numbers"),
      this.#numbers,
      h('Classroom settings in force'),
      this.#settings,
    );
  }

  render(live: PageLive): void {
    if (live.stallMs === null) {
      this.#now.textContent = '—';
      this.#nowNote.textContent = `${live.bot.name} runs in another process: its loop shows only in its answers (below).`;
    } else {
      this.#now.textContent = `${Math.round(live.stallMs)} ms`;
      this.#now.classList.toggle('bad', live.stallMs >= 1000);
      this.#now.classList.toggle('warn', live.stallMs >= 100 && live.stallMs < 1000);
      this.#nowNote.textContent =
        live.holder && live.stallMs >= 100
          ? `The main thread is held: ${live.holder}.`
          : "Time since the bot's main thread last beat, read by the sandbox's own thread: it climbs while the bot is blocked.";
    }
    const top = Math.max(100, ...live.delaySeries.map(([, ms]) => ms));
    this.#poly.setAttribute(
      'points',
      live.delaySeries
        .filter(([age]) => age <= WINDOW_MS)
        .map(
          ([age, ms]) =>
            `${(((WINDOW_MS - age) / WINDOW_MS) * 600).toFixed(1)},${(120 - (ms / top) * 115).toFixed(1)}`,
        )
        .join(' '),
    );
    this.#scale.textContent = `last 60 s · top of chart ${Math.round(top)} ms`;
    this.#hint.textContent = live.hint ?? '';
    this.#hint.hidden = !live.hint;

    this.#flight.replaceChildren(
      ...(live.inFlight.length === 0
        ? [Object.assign(document.createElement('li'), { className: 'note', textContent: 'none' })]
        : live.inFlight.map((f) => {
            const li = document.createElement('li');
            const left = f.deadlineInMs;
            li.textContent = `${displayName(f.user)} ${f.label} — ${
              f.status === 'pending'
                ? left > 0
                  ? `${(left / 1000).toFixed(1)} s to the 3 s deadline`
                  : 'past the deadline'
                : f.status === 'deferred'
                  ? 'deferred, being worked on'
                  : f.status
            }`;
            if (f.status === 'pending') li.className = left > 1000 ? 'ok' : left > 0 ? 'warn' : 'bad';
            return li;
          })),
    );

    const rows: Array<[string, string]> = [
      ['bot', `${live.bot.name}${live.bot.connected ? '' : ' (not connected)'}`],
    ];
    if (live.bot.libraries.length > 0) rows.push(['library', live.bot.libraries.join(', ')]);
    const s = live.stats;
    if (s) {
      rows.push(
        [
          'loop delay 10 s',
          `p50 ${s.loopDelay10s.p50.toFixed(0)} · p99 ${s.loopDelay10s.p99.toFixed(0)} · max ${s.loopDelay10s.max.toFixed(0)} ms`,
        ],
        ['main-thread utilisation', `${Math.round(s.elu10s * 100)} %`],
      );
      if ((live.statsAgeMs ?? 0) > 1_000) {
        rows.push(['posted', `${((live.statsAgeMs ?? 0) / 1000).toFixed(1)} s ago: its main thread is busy`]);
      }
      if (s.pool) {
        rows.push(
          [
            'worker pool',
            `${s.pool.threads} threads, ~${Math.round(s.pool.utilization * s.pool.threads * 10) / 10} busy`,
          ],
          ['queued', String(s.pool.queueSize)],
          [
            'wait vs run',
            s.pool.recent.tasks === 0
              ? 'no pool task in the last minute'
              : `${Math.round(s.pool.recent.waitMs)} ms queued vs ${Math.round(s.pool.recent.runMs)} ms running (mean of ${s.pool.recent.tasks})`,
          ],
          ['pool tasks done', String(s.pool.completed)],
        );
      }
    } else if (live.bot.inProcess) {
      rows.push(['its numbers', 'not posted for a while: its main thread is busy']);
    } else {
      rows.push(['its numbers', 'another process: only what Discord sees']);
    }
    drawList(this.#numbers, rows);
    drawList(
      this.#settings,
      s?.settings?.map((x): [string, string] => [x.name, `${x.value} (${x.source})`]) ?? [
        ['—', 'only for LoopLab in this process'],
      ],
    );
  }
}

function drawList(dl: HTMLElement, rows: Array<[string, string]>): void {
  dl.replaceChildren(
    ...rows.flatMap(([k, v]) => [
      Object.assign(document.createElement('dt'), { textContent: k }),
      Object.assign(document.createElement('dd'), { textContent: v }),
    ]),
  );
}
