/**
 * The classroom page: a Discord-like channel, a composer that sends slash commands as the chosen
 * student through the sandbox's control API, and a live panel fed over Server-Sent Events from the
 * sandbox's thread (which keeps running while the bot's main thread is blocked).
 */
import './style.css';
import type { PageChannel, PageCommand, PageLive } from '../protocol.js';
import { ChannelView } from './channel.js';
import { parseCommand, type Suggestion, suggest } from './commands.js';
import { LivePanel } from './panel.js';
import { avatarColour, checkName, displayName, loadStudents, saveStudents } from './students.js';

const EVENTS_URL = '/classroom/events';
const RECONNECT_MS = 1_000;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> & { attrs?: Record<string, string> } = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const { attrs, ...rest } = props;
  const node = Object.assign(document.createElement(tag), rest);
  for (const [k, v] of Object.entries(attrs ?? {})) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

const app = document.getElementById('app') as HTMLDivElement;
let students = loadStudents();
let current = students[0] ?? 'alice';
let commands: PageCommand[] = [];
let botName = 'the bot';
let connected = false;
let botConnected = true;

// --- layout ---------------------------------------------------------------------------------------
const banner = el('div', { className: 'banner', hidden: true, attrs: { role: 'alert', id: 'banner' } });
const title = el('h1', { textContent: '# general' });
const botLabel = el('span', { className: 'bot-name', attrs: { id: 'bot-name' } });
const projector = el('button', {
  type: 'button',
  className: 'toggle',
  textContent: 'Projector mode',
  attrs: { 'aria-pressed': 'false', id: 'projector' },
});
const top = el('header', { className: 'top' }, title, botLabel, projector);
const list = el('ol', {
  className: 'messages',
  attrs: { 'aria-label': 'Channel messages', 'aria-live': 'polite' },
});
const scroller = el('section', { className: 'scroller', attrs: { 'aria-label': 'Channel' } }, list);

const studentSelect = el('select', { id: 'student', attrs: { 'aria-label': 'Send as student' } });
const addName = el('input', {
  id: 'new-student',
  type: 'text',
  placeholder: 'new student',
  autocomplete: 'off',
  attrs: { 'aria-label': 'New student name' },
});
const addButton = el('button', { type: 'button', textContent: 'Add student', id: 'add-student' });
const teacher = el('input', { type: 'checkbox', id: 'teacher' });
const teacherLabel = el(
  'label',
  { htmlFor: 'teacher', className: 'check' },
  teacher,
  ' as teacher (Manage Server)',
);
const studentBar = el(
  'div',
  { className: 'students' },
  el('label', { htmlFor: 'student', textContent: 'Student' }),
  studentSelect,
  addName,
  addButton,
  teacherLabel,
);

const input = el('input', {
  id: 'composer',
  type: 'text',
  autocomplete: 'off',
  spellcheck: false,
  placeholder: 'Message #general — type / for commands',
  attrs: {
    role: 'combobox',
    'aria-label': 'Message or slash command',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': 'suggestions',
  },
});
const suggestions = el('ul', {
  id: 'suggestions',
  className: 'suggestions',
  hidden: true,
  attrs: { role: 'listbox', 'aria-label': 'Commands and options' },
});
const send = el('button', { type: 'submit', textContent: 'Send', id: 'send' });
const wholeClass = el('button', {
  type: 'button',
  textContent: 'Run for the whole class',
  id: 'whole-class',
});
const status = el('div', { className: 'status', attrs: { role: 'status', id: 'composer-status' } });
const form = el(
  'form',
  { className: 'composer', attrs: { 'aria-label': 'Composer' } },
  suggestions,
  el('div', { className: 'row' }, input, send, wholeClass),
  status,
);
const main = el('main', { className: 'channel' }, top, scroller, studentBar, form);
const panelBox = el('aside', { className: 'panel', attrs: { 'aria-label': 'Live panel' } });
app.append(banner, el('div', { className: 'layout' }, main, panelBox));

const panel = new LivePanel(panelBox);
const channel = new ChannelView(list, {
  click(messageId, customId) {
    void post('/sandbox/click', { user: current, messageId, customId }).then((answer) => {
      if (answer) say(`${displayName(current)} pressed a button.`);
    });
  },
});

// --- projector mode --------------------------------------------------------------------------------
const setProjector = (on: boolean) => {
  document.documentElement.classList.toggle('projector', on);
  projector.setAttribute('aria-pressed', String(on));
  try {
    localStorage.setItem('looplab.projector', on ? '1' : '0');
  } catch {}
};
setProjector(localStorage.getItem('looplab.projector') === '1' || location.hash === '#projector');
projector.addEventListener('click', () =>
  setProjector(!document.documentElement.classList.contains('projector')),
);

// --- students --------------------------------------------------------------------------------------
function drawStudents(): void {
  studentSelect.replaceChildren(
    ...students.map((s) => el('option', { value: s, textContent: displayName(s), selected: s === current })),
  );
  studentSelect.style.borderColor = avatarColour(current);
}
drawStudents();
studentSelect.addEventListener('change', () => {
  current = studentSelect.value;
  drawStudents();
});
const add = () => {
  const checked = checkName(addName.value);
  if (!checked.ok) {
    say(checked.why, true);
    return;
  }
  if (!students.includes(checked.name)) students = [...students, checked.name];
  current = checked.name;
  saveStudents(students);
  addName.value = '';
  drawStudents();
  say(`${displayName(current)} joined the class.`);
};
addButton.addEventListener('click', add);
addName.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    e.preventDefault();
    add();
  }
});

// --- composer --------------------------------------------------------------------------------------
let shown: Suggestion[] = [];
let selected = -1;

function drawSuggestions(): void {
  const { items, active } = suggest(input.value, commands);
  shown = items;
  if (selected >= items.length || (!active && selected === -1)) selected = active ? 0 : -1;
  if (active && selected === -1) selected = 0;
  suggestions.replaceChildren(
    ...items.map((s, i) =>
      el(
        'li',
        {
          id: `suggestion-${i}`,
          className: i === selected ? 'selected' : '',
          attrs: { role: 'option', 'aria-selected': String(i === selected) },
          onmousedown: (e: MouseEvent) => {
            e.preventDefault();
            take(i);
          },
        },
        el('span', { className: 'label', textContent: s.label }),
        el('span', { className: 'detail', textContent: s.detail }),
      ),
    ),
  );
  const open = items.length > 0;
  suggestions.hidden = !open;
  input.setAttribute('aria-expanded', String(open));
  if (selected >= 0) input.setAttribute('aria-activedescendant', `suggestion-${selected}`);
  else input.removeAttribute('aria-activedescendant');
}

function take(i: number): void {
  const s = shown[i];
  if (!s?.insert) return;
  const text = input.value;
  const start = /\s$/.test(text) ? text.length : text.search(/\S*$/);
  input.value = text.slice(0, start) + s.insert;
  selected = -1;
  input.focus();
  drawSuggestions();
}

input.addEventListener('input', () => {
  selected = -1;
  drawSuggestions();
});
input.addEventListener('focus', drawSuggestions);
input.addEventListener('blur', () => {
  suggestions.hidden = true;
  input.setAttribute('aria-expanded', 'false');
});
input.addEventListener('keydown', (e) => {
  const open = !suggestions.hidden && shown.length > 0;
  if (e.key === 'ArrowDown' && open) {
    e.preventDefault();
    selected = (selected + 1) % shown.length;
    drawSuggestions();
  } else if (e.key === 'ArrowUp' && open) {
    e.preventDefault();
    selected = (selected - 1 + shown.length) % shown.length;
    drawSuggestions();
  } else if ((e.key === 'Tab' || e.key === 'Enter') && open && selected >= 0 && shown[selected]?.insert) {
    e.preventDefault();
    take(selected);
  } else if (e.key === 'Tab' && open && shown.length === 1 && shown[0]?.insert) {
    e.preventDefault();
    take(0);
  } else if (e.key === 'Escape' && open) {
    e.preventDefault();
    suggestions.hidden = true;
    input.setAttribute('aria-expanded', 'false');
  }
});
form.addEventListener('submit', (e) => {
  e.preventDefault();
  void sendAs([current]);
});
wholeClass.addEventListener('click', () => void sendAs(students));

// "/" anywhere (outside a text field) goes to the composer, as in Discord.
document.addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement;
  if (e.key === '/' && !['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)) {
    e.preventDefault();
    input.focus();
    input.value = '/';
    drawSuggestions();
  }
});

async function sendAs(users: string[]): Promise<void> {
  const text = input.value;
  const parsed = parseCommand(text, commands);
  if (!parsed.ok) {
    say(commands.length === 0 ? 'The bot has registered no commands yet.' : parsed.why, true);
    return;
  }
  const base = { command: parsed.value.command, options: parsed.value.options, teacher: teacher.checked };
  const answer =
    users.length === 1
      ? await post('/sandbox/invoke', { user: users[0], ...base })
      : await post('/sandbox/scenario', { steps: users.map((user) => ({ afterMs: 0, user, ...base })) });
  if (!answer) return;
  say(
    users.length === 1
      ? `${displayName(users[0] ?? '')} sent ${text.trim()}`
      : `The whole class (${users.length}) sent ${text.trim()}`,
  );
  input.value = '';
  drawSuggestions();
}

/** A control API call; on refusal the sandbox's reason is shown and null returned. */
async function post(path: string, body: unknown): Promise<unknown> {
  try {
    const res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await res.json().catch(() => ({}))) as { error?: string };
    if (!res.ok) {
      say(answer.error ?? `The sandbox answered ${res.status}.`, true);
      return null;
    }
    return answer;
  } catch {
    say('The sandbox cannot be reached; the page retries the live feed by itself.', true);
    return null;
  }
}

function say(text: string, problem = false): void {
  status.textContent = text;
  status.classList.toggle('problem', problem);
}

// --- the live feed ---------------------------------------------------------------------------------
function drawBanner(): void {
  const problems: string[] = [];
  if (!connected) problems.push('Connection to the sandbox lost: reconnecting…');
  else if (!botConnected)
    problems.push(`${botName} is not connected to the sandbox's gateway: waiting for it…`);
  banner.hidden = problems.length === 0;
  banner.textContent = problems.join(' ');
}

let source: EventSource | null = null;
function connect(): void {
  source?.close();
  const es = new EventSource(EVENTS_URL);
  source = es;
  es.addEventListener('open', () => {
    connected = true;
    drawBanner();
  });
  es.addEventListener('error', () => {
    connected = false;
    drawBanner();
    // EventSource retries by itself unless the server refused it; then start again.
    if (es.readyState === EventSource.CLOSED) setTimeout(connect, RECONNECT_MS);
  });
  es.addEventListener('channel', (e) => {
    const data = JSON.parse((e as MessageEvent<string>).data) as PageChannel;
    commands = data.commands;
    botName = data.botName;
    title.textContent = `# ${data.channelName}`;
    input.placeholder = `Message #${data.channelName} — type / for ${data.botName}'s commands`;
    channel.render(data);
    if (document.activeElement === input) drawSuggestions();
  });
  es.addEventListener('live', (e) => {
    const data = JSON.parse((e as MessageEvent<string>).data) as PageLive;
    connected = true;
    botConnected = data.bot.connected;
    botName = data.bot.name;
    const via = data.bot.libraries.length > 0 ? ` (${data.bot.libraries.join(', ')})` : '';
    botLabel.textContent = `${data.bot.name} · ${data.bot.connected ? `connected${via}` : 'not connected'}${
      data.bot.inProcess ? '' : ' · another process'
    }`;
    channel.clockOffset = data.now - Date.now();
    channel.tick();
    panel.render(data);
    drawBanner();
  });
}
connect();
