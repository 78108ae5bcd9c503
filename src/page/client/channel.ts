/** The channel, drawn as Discord draws it, from the sandbox's records. Each item is redrawn only when it changed. */
import type { PageChannel, PageEmbed, PageInteraction, PageMessage } from '../protocol.js';
import { renderMarkdown } from './markdown.js';
import { avatarColour, displayName } from './students.js';

export interface ChannelActions {
  click(messageId: string, customId: string): void;
}

type Item =
  | { key: string; at: number; kind: 'interaction'; interaction: PageInteraction; reply: PageMessage | null }
  | { key: string; at: number; kind: 'message'; message: PageMessage };

const DEADLINE_MS = 3_000;

export class ChannelView {
  readonly #list: HTMLOListElement;
  readonly #drawn = new Map<string, { sig: string; el: HTMLLIElement }>();
  #botName = 'The bot';
  /** The sandbox clock, estimated here: server now minus the offset measured at the last live event. */
  #clockOffset = 0;
  #pending = new Map<string, PageInteraction>();

  constructor(
    list: HTMLOListElement,
    private readonly actions: ChannelActions,
  ) {
    this.#list = list;
  }

  set clockOffset(offset: number) {
    this.#clockOffset = offset;
  }

  serverNow(): number {
    return Date.now() + this.#clockOffset;
  }

  render(channel: PageChannel): void {
    this.#botName = channel.botName;
    const originals = new Set(channel.interactions.map((i) => i.originalMessageId).filter(Boolean));
    const byId = new Map(channel.messages.map((m) => [m.id, m]));
    const items: Item[] = [];
    for (const interaction of channel.interactions) {
      const reply = interaction.originalMessageId ? (byId.get(interaction.originalMessageId) ?? null) : null;
      // A button that updated its own message shows as that message, edited.
      if (reply && reply.interactionId !== interaction.id && interaction.kind === 'component') continue;
      items.push({
        key: `i${interaction.id}`,
        at: interaction.createdAt,
        kind: 'interaction',
        interaction,
        reply,
      });
    }
    for (const message of channel.messages) {
      const owned = channel.interactions.some(
        (i) => i.originalMessageId === message.id && message.interactionId === i.id,
      );
      if (owned && originals.has(message.id)) continue;
      items.push({ key: `m${message.id}`, at: message.createdAt, kind: 'message', message });
    }
    items.sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
    const atBottom = this.#nearBottom();
    const wanted = new Set(items.map((i) => i.key));
    for (const [key, drawn] of this.#drawn) {
      if (!wanted.has(key)) {
        drawn.el.remove();
        this.#drawn.delete(key);
      }
    }
    this.#pending.clear();
    let previous: HTMLLIElement | null = null;
    for (const item of items) {
      if (item.kind === 'interaction' && item.interaction.status === 'pending') {
        this.#pending.set(item.key, item.interaction);
      }
      const sig = JSON.stringify(item) + this.#failedByNow(item);
      let drawn = this.#drawn.get(item.key);
      if (!drawn || drawn.sig !== sig) {
        const el = this.#draw(item);
        const hadFocus = drawn?.el.contains(document.activeElement) ? this.#focusKey() : null;
        if (drawn) drawn.el.replaceWith(el);
        drawn = { sig, el };
        this.#drawn.set(item.key, drawn);
        if (hadFocus) this.#restoreFocus(el, hadFocus);
      }
      const expectedAfter: Element | null = previous
        ? previous.nextElementSibling
        : this.#list.firstElementChild;
      if (expectedAfter !== drawn.el) {
        if (previous) previous.after(drawn.el);
        else this.#list.prepend(drawn.el);
      }
      previous = drawn.el;
    }
    if (atBottom) this.#list.parentElement?.scrollTo({ top: this.#list.parentElement.scrollHeight });
  }

  /** Called on every live tick: pending interactions turn "failed" at 3 s, whatever the bot does. */
  tick(): void {
    for (const [key, interaction] of this.#pending) {
      const drawn = this.#drawn.get(key);
      if (!drawn) continue;
      const left = interaction.deadlineAt - this.serverNow();
      const counter = drawn.el.querySelector('.countdown');
      if (left <= 0 && !drawn.el.querySelector('.failed')) {
        const atBottom = this.#nearBottom();
        const el = this.#draw({
          key,
          at: interaction.createdAt,
          kind: 'interaction',
          interaction,
          reply: null,
        });
        drawn.el.replaceWith(el);
        drawn.el = el;
        drawn.sig = '';
        if (atBottom) this.#list.parentElement?.scrollTo({ top: this.#list.parentElement.scrollHeight });
      } else if (counter && left > 0) {
        counter.textContent = `${(left / 1000).toFixed(1)} s left to answer`;
      }
    }
  }

  #failedByNow(item: Item): string {
    return item.kind === 'interaction' &&
      item.interaction.status === 'pending' &&
      this.serverNow() > item.interaction.deadlineAt
      ? 'late'
      : '';
  }

  #nearBottom(): boolean {
    const box = this.#list.parentElement;
    return !box || box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  }

  #focusKey(): string | null {
    const active = document.activeElement as HTMLElement | null;
    return active?.dataset.focusKey ?? null;
  }

  #restoreFocus(el: HTMLElement, key: string): void {
    const target = el.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`);
    target?.focus();
  }

  #draw(item: Item): HTMLLIElement {
    const li = document.createElement('li');
    li.className = 'item';
    if (item.kind === 'message') {
      li.append(this.#message(item.message));
      return li;
    }
    const { interaction, reply } = item;
    li.dataset.interaction = interaction.id;
    li.dataset.user = interaction.user;
    const used = document.createElement('div');
    used.className = 'used';
    const who = document.createElement('span');
    who.className = 'used-name';
    who.textContent = displayName(interaction.user);
    who.style.color = avatarColour(interaction.user);
    used.append('↱ ', who, interaction.kind === 'command' ? ' used ' : ' ');
    const cmd = document.createElement('code');
    cmd.textContent = interaction.label;
    used.append(cmd);
    li.append(used);
    const failed =
      interaction.status === 'failed' ||
      (interaction.status === 'pending' && this.serverNow() > interaction.deadlineAt);
    if (reply) li.append(this.#message(reply));
    else if (!failed && interaction.status === 'pending') {
      const waiting = document.createElement('div');
      waiting.className = 'sending';
      const counter = document.createElement('span');
      counter.className = 'countdown';
      const left = Math.max(0, interaction.deadlineAt - this.serverNow());
      counter.textContent = `${(left / 1000).toFixed(1)} s left to answer`;
      waiting.append('Sending command… ', counter);
      li.append(waiting);
    }
    if (failed) {
      const line = document.createElement('div');
      line.className = 'failed';
      line.setAttribute('role', 'alert');
      line.textContent = '⚠ This interaction failed';
      li.append(line);
    }
    li.append(this.#timeline(interaction));
    return li;
  }

  #message(m: PageMessage): HTMLElement {
    const box = document.createElement('article');
    box.className = `message${m.ephemeral ? ' ephemeral' : ''}`;
    box.dataset.messageId = m.id;
    const avatar = document.createElement('div');
    avatar.className = 'avatar';
    avatar.setAttribute('aria-hidden', 'true');
    avatar.textContent = (m.bot ? m.author : displayName(m.author)).charAt(0).toUpperCase();
    avatar.style.background = m.bot ? '#5865f2' : avatarColour(m.author);
    const body = document.createElement('div');
    body.className = 'body';
    const head = document.createElement('header');
    const name = document.createElement('span');
    name.className = 'author';
    name.textContent = m.bot ? m.author : displayName(m.author);
    if (!m.bot) name.style.color = avatarColour(m.author);
    head.append(name);
    if (m.bot) {
      const tag = document.createElement('span');
      tag.className = 'bot-tag';
      tag.textContent = 'APP';
      head.append(tag);
    }
    const time = document.createElement('time');
    time.textContent = new Date(m.createdAt).toLocaleTimeString();
    head.append(time);
    body.append(head);
    if (m.loading) {
      const thinking = document.createElement('div');
      thinking.className = 'thinking';
      thinking.textContent = `${this.#botName} is thinking…`;
      body.append(thinking);
    }
    if (m.content) {
      const content = document.createElement('div');
      content.className = 'content';
      renderMarkdown(content, m.content);
      if (m.editedAt !== null) {
        const edited = document.createElement('span');
        edited.className = 'edited';
        edited.textContent = m.edits > 1 ? ` (edited ×${m.edits})` : ' (edited)';
        content.append(edited);
      }
      body.append(content);
    } else if (m.editedAt !== null && !m.loading && m.embeds.length === 0) {
      body.append(
        Object.assign(document.createElement('span'), { className: 'edited', textContent: '(edited)' }),
      );
    }
    for (const embed of m.embeds) body.append(this.#embed(embed));
    for (const image of m.images) {
      const img = document.createElement('img');
      img.src = image.url;
      img.alt = image.filename;
      img.className = 'attachment';
      body.append(img);
    }
    m.buttons.forEach((row, r) => {
      const rowEl = document.createElement('div');
      rowEl.className = 'buttons';
      row.forEach((b, c) => {
        if (b.url) {
          const a = document.createElement('a');
          a.className = 'button link';
          a.href = b.url;
          a.target = '_blank';
          a.rel = 'noopener noreferrer';
          a.textContent = `${b.label} ↗`;
          rowEl.append(a);
          return;
        }
        const button = document.createElement('button');
        button.type = 'button';
        button.className = `button ${b.style}`;
        button.textContent = b.label;
        button.disabled = b.disabled || !b.customId;
        button.dataset.focusKey = `${m.id}:${r}:${c}`;
        const customId = b.customId;
        if (customId) button.addEventListener('click', () => this.actions.click(m.id, customId));
        rowEl.append(button);
      });
      body.append(rowEl);
    });
    if (m.ephemeral) {
      const note = document.createElement('div');
      note.className = 'only-you';
      note.textContent = '👁 Only you can see this';
      body.append(note);
    }
    box.append(avatar, body);
    return box;
  }

  #embed(e: PageEmbed): HTMLElement {
    const box = document.createElement('div');
    box.className = 'embed';
    if (e.color !== undefined) box.style.borderLeftColor = `#${e.color.toString(16).padStart(6, '0')}`;
    if (e.title) {
      const t = document.createElement('div');
      t.className = 'embed-title';
      renderMarkdown(t, e.title);
      box.append(t);
    }
    if (e.description) {
      const d = document.createElement('div');
      d.className = 'embed-description';
      renderMarkdown(d, e.description);
      box.append(d);
    }
    if (e.fields.length > 0) {
      const fields = document.createElement('div');
      fields.className = 'embed-fields';
      for (const f of e.fields) {
        const field = document.createElement('div');
        const why = /^why\b/i.test(f.name);
        field.className = `embed-field${f.inline ? ' inline' : ''}${why ? ' why' : ''}`;
        const n = document.createElement('div');
        n.className = 'embed-field-name';
        renderMarkdown(n, f.name);
        const v = document.createElement('div');
        v.className = 'embed-field-value';
        renderMarkdown(v, f.value);
        field.append(n, v);
        fields.append(field);
      }
      box.append(fields);
    }
    if (e.image) {
      const img = document.createElement('img');
      img.src = e.image;
      img.alt = 'timeline chart';
      img.className = 'embed-image';
      box.append(img);
    }
    if (e.footer) {
      const f = document.createElement('div');
      f.className = 'embed-footer';
      f.textContent = e.footer;
      box.append(f);
    }
    return box;
  }

  /** Discord's side of one interaction: created, dispatched, first response (or its refusal), edits, the 3 s line. */
  #timeline(i: PageInteraction): HTMLElement {
    const box = document.createElement('details');
    box.className = 'discord-side';
    const summary = document.createElement('summary');
    const rel = (at: number | null) => (at === null ? null : at - i.createdAt);
    const marks: Array<{ ms: number; label: string; cls: string }> = [];
    const dispatched = rel(i.dispatchedAt);
    if (dispatched !== null) marks.push({ ms: dispatched, label: 'dispatched', cls: 'dispatch' });
    const responded = rel(i.respondedAt);
    if (responded !== null) {
      marks.push({
        ms: responded,
        label: i.status === 'deferred' || i.edits.length > 0 ? 'first response (deferred)' : 'first response',
        cls: responded > DEADLINE_MS ? 'late' : 'ok',
      });
    }
    for (const r of i.refusals) marks.push({ ms: r.at - i.createdAt, label: r.message, cls: 'late' });
    i.edits.forEach((at, n) => {
      marks.push({ ms: at - i.createdAt, label: `edit ${n + 1}`, cls: 'edit' });
    });
    if (i.failedAt !== null) marks.push({ ms: i.failedAt - i.createdAt, label: 'failed', cls: 'late' });
    marks.sort((a, b) => a.ms - b.ms);
    const first = marks.find((m) => m.cls === 'ok' || m.label.includes('too late'));
    summary.textContent = `Discord's side: ${
      first ? `${first.label} at ${fmt(first.ms)}` : i.status === 'failed' ? 'no answer in 3 s' : 'waiting…'
    }`;
    box.append(summary);
    const scale = Math.max(4_000, ...marks.map((m) => m.ms)) * 1.05;
    const bar = document.createElement('div');
    bar.className = 'track';
    bar.setAttribute('aria-hidden', 'true');
    const line = document.createElement('span');
    line.className = 'deadline';
    line.style.left = `${(DEADLINE_MS / scale) * 100}%`;
    line.title = '3 s: the deadline for the first response';
    bar.append(line);
    for (const m of marks) {
      const dot = document.createElement('span');
      dot.className = `mark ${m.cls}`;
      dot.style.left = `${(Math.max(0, m.ms) / scale) * 100}%`;
      dot.title = `${m.label} at ${fmt(m.ms)}`;
      bar.append(dot);
    }
    box.append(bar);
    const list = document.createElement('ul');
    list.className = 'marks';
    for (const m of [
      { ms: 0, label: 'created', cls: '' },
      ...marks,
      { ms: DEADLINE_MS, label: '3 s line', cls: '' },
    ].sort((a, b) => a.ms - b.ms)) {
      const li = document.createElement('li');
      li.textContent = `${fmt(m.ms)} ${m.label}`;
      list.append(li);
    }
    box.append(list);
    return box;
  }
}

function fmt(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
