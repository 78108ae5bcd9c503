// Drives a running LoopLab container through its sandbox's control API, for .ci/docker-check.sh.
// Usage: node .ci/docker-drive.mjs <demo|show> <sandbox base URL> <metrics base URL>
// Prints one JSON line with what it found; exits 1 (with the reason on stderr) when a check fails.
import { PNG } from 'pngjs';

const [phase, base, metrics] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function fail(message) {
  console.error(`docker-drive: ${message}`);
  process.exit(1);
}

async function json(path, init) {
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  if (!res.ok) fail(`${init?.method ?? 'GET'} ${path} → ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

const invoke = (body) =>
  json('/sandbox/invoke?wait=settled', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** Reads the interaction again until `ok` holds (a picture follows the words in an edit). */
async function until(id, ok, what, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const view = await json(`/sandbox/interactions/${id}`);
    if (ok(view)) return view;
    if (Date.now() > end) fail(`timed out waiting for ${what}: ${JSON.stringify(view).slice(0, 400)}`);
    await sleep(250);
  }
}

const textOf = (message) =>
  [
    message.content ?? '',
    ...(message.embeds ?? []).flatMap((e) => [
      e.title ?? '',
      e.description ?? '',
      ...(e.fields ?? []).flatMap((f) => [f.name, f.value]),
      e.footer?.text ?? '',
    ]),
  ].join('\n');

/** Pixels close to the chart's text colour #dbdee1 in the title strip (top left): 0 means no font. */
function titleTextPixels(png) {
  const image = PNG.sync.read(png);
  let count = 0;
  for (let y = 0; y < Math.min(32, image.height); y++) {
    for (let x = 0; x < Math.min(420, image.width); x++) {
      const i = (y * image.width + x) * 4;
      const [r, g, b] = [image.data[i], image.data[i + 1], image.data[i + 2]];
      if (Math.abs(r - 0xdb) <= 12 && Math.abs(g - 0xde) <= 12 && Math.abs(b - 0xe1) <= 12) count++;
    }
  }
  return { count, width: image.width, height: image.height };
}

async function waitForCommands() {
  const end = Date.now() + 30_000;
  for (;;) {
    const info = await json('/sandbox');
    if ((info.commands ?? []).length >= 8) return info;
    if (Date.now() > end) fail('the commands were never registered');
    await sleep(300);
  }
}

const teacher = { user: 'teacher', teacher: true };

async function classroomShow() {
  const shown = await invoke({ ...teacher, command: 'classroom show', options: {} });
  const message = shown.messages?.[0];
  if (!message) fail(`/classroom show got no answer: ${JSON.stringify(shown).slice(0, 300)}`);
  return textOf(message);
}

if (phase === 'demo') {
  const info = await waitForCommands();
  // /block: answered on the main thread; its timeline picture follows in an edit.
  const blocked = await invoke({ user: 'alice', command: 'block', options: { ms: 1500 } });
  if (blocked.status !== 'replied') fail(`/block 1500 was ${blocked.status}, not replied`);
  const withPicture = await until(
    blocked.id,
    (v) => (v.messages?.[0]?.attachments ?? []).length > 0,
    "the /block report's chart",
  );
  const attachment = withPicture.messages[0].attachments[0];
  const url = attachment.url ?? `${base}/sandbox/attachments/${attachment.id}/${attachment.filename}`;
  const png = Buffer.from(await (await fetch(url.replace(/^https?:\/\/[^/]+/, base))).arrayBuffer());
  const pixels = titleTextPixels(png);
  if (pixels.count < 30)
    fail(`the chart's title strip has ${pixels.count} text pixels: no font in the image`);
  // /nonblock: deferred at once, edited with the report when the pool's worker is done.
  const offloaded = await invoke({ user: 'bob', command: 'nonblock', options: { ms: 1500 } });
  if (offloaded.status !== 'deferred') fail(`/nonblock 1500 was ${offloaded.status}, not deferred`);
  await until(offloaded.id, (v) => /done in/i.test(textOf(v.messages?.[0] ?? {})), "/nonblock's report");
  // A teacher's setting, written to the SQLite store on the volume.
  const set = await invoke({ ...teacher, command: 'classroom set', options: { cooldown_s: 30 } });
  if (!set.messages?.[0]) fail(`/classroom set got no answer: ${JSON.stringify(set).slice(0, 300)}`);
  const shown = await classroomShow();
  if (!/\b30(\.0)? s\b/.test(shown) || !/set here/.test(shown))
    fail(`/classroom show does not say 30 s set here:\n${shown}`);
  const scrape = await (await fetch(`${metrics}/metrics`)).text();
  if (!/looplab_interactions_total\{command="block",outcome="answered"\} 1/.test(scrape))
    fail('/metrics does not count the answered /block');
  console.log(JSON.stringify({ guildId: info.guild?.id ?? info.guildId, chartTextPixels: pixels.count }));
} else if (phase === 'show') {
  const info = await waitForCommands();
  console.log(JSON.stringify({ guildId: info.guild?.id ?? info.guildId, show: await classroomShow() }));
} else {
  fail(`unknown phase ${phase}`);
}
