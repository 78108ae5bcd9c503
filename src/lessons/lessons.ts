/**
 * The nine lessons behind /explain: short, concrete, each with a Node snippet, its asyncio/discord.py
 * twin and a demo command to try. Plain data: renderers add the ```js / ```py fences.
 */

export interface LessonTryIt {
  command: 'block' | 'nonblock' | 'io' | 'yield' | 'lag' | 'compare';
  options: Record<string, string | number | boolean>;
  /** Button text, at most 40 characters. */
  label: string;
}

export interface Lesson {
  id: string;
  title: string;
  /** One sentence, at most 150 characters. */
  summary: string;
  /** Discord markdown, at most 1500 characters. */
  body: string;
  /** discord.js v14 / Node snippet without fences, at most 600 characters. */
  node: string;
  /** asyncio / discord.py counterpart without fences, at most 600 characters. */
  python: string;
  tryIt: LessonTryIt;
}

export const LESSONS = [
  {
    id: 'event-loop',
    title: 'The event loop: one thread runs your JS',
    summary: 'Node runs all of your JavaScript on one thread, and the event loop decides what runs next.',
    body: [
      'Node runs your JavaScript on **one thread**. The **event loop** (from the C library **libuv**) waits for something to happen (a timer, a socket message, a finished file read) and runs its callback.',
      'One pass through the loop (timers → I/O poll → `setImmediate` → close callbacks) is a **tick**. After every callback Node drains the microtasks (resolved promises, `process.nextTick`).',
      '- While a callback runs, **nothing else runs**: no other command, no timer, no heartbeat.',
      "- Sockets are watched by the OS (epoll/kqueue/IOCP). Files, `dns.lookup`, `crypto.pbkdf2` and zlib run on libuv's **thread pool** (4 threads by default, `UV_THREADPOOL_SIZE`). Your JS never runs there.",
      '- discord.js is one WebSocket plus timers on this loop: the gateway heartbeat every **41.25 s**, every `interactionCreate`, every REST reply.',
      '- **Loop delay** (lag) is how late a timer fires. A healthy bot sits at a few ms; 2000 ms means someone held the thread for 2 s.',
      "Python's asyncio is the same design: one thread, one loop (`asyncio.get_running_loop()`).",
      '`/lag` shows the delay right now, how busy the loop is (utilisation) and a verdict.',
    ].join('\n'),
    node: `import { monitorEventLoopDelay } from 'node:perf_hooks';

const h = monitorEventLoopDelay({ resolution: 10 });
h.enable();
setInterval(() => {
  // nanoseconds -> ms; high p99 = something held the thread
  console.log('p99 loop delay', (h.percentile(99) / 1e6).toFixed(1), 'ms');
  h.reset();
}, 5000);`,
    python: `import asyncio, time

async def lag_monitor():
    while True:
        t = time.perf_counter()
        await asyncio.sleep(1)
        lag = time.perf_counter() - t - 1
        print(f'loop lag {lag * 1000:.1f} ms')

# loop.set_debug(True) also logs callbacks slower than 100 ms`,
    tryIt: { command: 'lag', options: {}, label: 'Try /lag' },
  },
  {
    id: 'blocking',
    title: 'Blocking vs non-blocking',
    summary:
      "One blocking handler freezes the whole bot: everyone's commands, timers and heartbeats wait for it.",
    body: [
      '**Blocking** code keeps the thread until it finishes: a busy `while` loop, a huge `JSON.parse`, `fs.readFileSync`, `crypto.pbkdf2Sync`. **Non-blocking** code starts the work, hands the loop a callback or promise, and returns at once.',
      "There is one thread for the whole bot, so one student's `/block 2000` freezes **everyone** for 2 s:",
      '- other commands queue up; any that wait over 3 s lose their token (`10062`, *This interaction failed*)',
      '- timers fire late and gateway heartbeats (every 41.25 s) are delayed; block long enough and Discord drops the connection, so the bot has to reconnect',
      '- incoming events pile up in the socket and are handled in a burst afterwards',
      '- `/lag` jumps to about 2000 ms',
      'discord.py prints the same warning in its own words: *heartbeat blocked for more than 10 seconds*.',
      'Rule of thumb: a few ms per callback is fine, 100 ms is noticeable, 3000 ms kills tokens.',
      'Fixes: async I/O (`/io`), a worker pool for CPU work (`/nonblock`), or slicing and yielding (`/yield`).',
    ].join('\n'),
    node: `client.on('interactionCreate', async (interaction) => {
  if (!interaction.isChatInputCommand() || interaction.commandName !== 'block') return;
  const end = Date.now() + 2000;
  while (Date.now() < end) {} // nothing else runs: no commands, no heartbeats
  await interaction.reply('done (and everyone waited 2 s)');
});`,
    python: `@bot.tree.command()
async def block(interaction: discord.Interaction):
    end = time.perf_counter() + 2
    while time.perf_counter() < end:
        pass  # the loop is stuck here: no commands, no heartbeats
    await interaction.response.send_message('done (and everyone waited 2 s)')`,
    tryIt: { command: 'block', options: { ms: 2000, work: 'cpu' }, label: 'Try /block 2000' },
  },
  {
    id: 'async-await',
    title: 'async/await, promises and coroutines',
    summary:
      '`await` pauses only your function and gives the thread back to the loop until the result is ready.',
    body: [
      'A **promise** is a placeholder for a result that arrives later. `await p` pauses *your* async function and gives the thread back to the loop, which resumes you when `p` settles. Nothing else is paused.',
      'Coming from asyncio, mind the differences:',
      '- Python: calling an `async def` returns a **coroutine object** and runs **nothing** until it is awaited or scheduled (`asyncio.create_task`). Forget the `await` and you get *coroutine ... was never awaited*.',
      '- JavaScript: calling an `async function` runs it **synchronously up to its first `await`**, then returns a **promise**. Forget the `await` and the work still happens, but its errors become unhandled rejections, which crash Node by default.',
      "- Python needs `asyncio.run(main())` (or `bot.run()`, which wraps it) to start a loop. Node's loop is always there: in an ES module you can `await client.login(token)` at top level.",
      '`await` does not make work non-blocking: `await crunch()` on a synchronous CPU-heavy function still blocks for the whole run. Only real async work (timers, sockets, `fs.promises`, jobs on the libuv pool) frees the thread.',
      '`/io` awaits a real 1 s timer: the bot stays responsive the whole time.',
    ].join('\n'),
    node: `import { setTimeout as sleep } from 'node:timers/promises';

async function slowHello() {
  console.log('runs now, synchronously, up to the first await');
  await sleep(1000); // gives the loop back for 1 s
  return 'hello';
}

const p = slowHello(); // already running; p is a pending Promise
console.log(await p); // top-level await works in ES modules`,
    python: `import asyncio

async def slow_hello():
    print('runs only once awaited or scheduled')
    await asyncio.sleep(1)  # gives the loop back for 1 s
    return 'hello'

async def main():
    c = slow_hello()  # a coroutine object: nothing has run yet
    print(await c)

asyncio.run(main())  # Python starts the loop explicitly`,
    tryIt: { command: 'io', options: { ms: 1000, kind: 'timer' }, label: 'Try /io 1000 timer' },
  },
  {
    id: 'offloading',
    title: 'Offloading CPU work to a worker pool',
    summary: 'Async I/O cannot speed up CPU work, so move it to another thread and keep the event loop free.',
    body: [
      'CPU work (math, `*Sync` hashing, parsing, images) is not waiting on anything, so `await` cannot help: some thread has to run it. Make it **another** thread.',
      '- `/nonblock` calls `deferReply()` at once, runs the work with `pool.run()` on a **piscina** pool of worker threads, then calls `editReply()`. Loop delay stays low while a worker spins.',
      '- A **worker thread** has its own V8 isolate and event loop. No shared variables: data is copied (structured clone) or transferred. Starting one costs tens of ms, so a pool keeps them warm.',
      '- A **child process** (`child_process.fork`) isolates more (own memory, can crash alone) but costs more to start and to talk to.',
      'Python twins: `await loop.run_in_executor(pool, fn, arg)` and `await asyncio.to_thread(fn, arg)`. With a `ProcessPoolExecutor` the work runs in other processes.',
      "**The GIL aside:** in CPython only one thread runs Python bytecode at a time, so `to_thread` helps with blocking I/O and C code that releases the GIL, not pure-Python CPU loops: use processes (free-threaded 3.13t builds change this). Node's workers have no GIL and run truly in parallel, one per core.",
    ].join('\n'),
    node: `import { Piscina } from 'piscina';

const pool = new Piscina({ filename: new URL('./worker.js', import.meta.url).href });

// inside the /nonblock handler:
await interaction.deferReply(); // answer inside 3 s first
const result = await pool.run({ ms: 2000 }); // CPU work on a worker thread
await interaction.editReply('done: ' + result);`,
    python: `import asyncio
from concurrent.futures import ProcessPoolExecutor

pool = ProcessPoolExecutor()  # processes: pure-Python CPU work dodges the GIL

@bot.tree.command()
async def nonblock(interaction: discord.Interaction):
    await interaction.response.defer()
    loop = asyncio.get_running_loop()
    result = await loop.run_in_executor(pool, crunch, 2.0)
    await interaction.followup.send(f'done: {result}')`,
    tryIt: { command: 'nonblock', options: { ms: 2000, work: 'cpu' }, label: 'Try /nonblock 2000 cpu' },
  },
  {
    id: 'deadline',
    title: 'The 3-second deadline and deferReply',
    summary:
      'Send a first response within 3 s, usually deferReply(), and you get 15 minutes to finish the job.',
    body: [
      'Discord gives you **3 s** to send the **first response** to an interaction. Miss it and the token is dead: your late reply gets 404 `10062 Unknown interaction` and the user sees *This interaction failed*.',
      'Deferring is a first response that says "working on it": the user sees *Bot is thinking…*. After any first response the token works for **15 min** on webhook routes (edit, follow-up, delete). After that: 401 `50027 Invalid Webhook Token`.',
      '- discord.js: `await interaction.deferReply()` → work → `editReply()` / `followUp()`',
      '- discord.py: `await interaction.response.defer()` → work → `interaction.edit_original_response()` / `interaction.followup.send()`',
      'Rules:',
      '- Defer **first**, before any slow call, not after it.',
      '- Respond once: a second first response gets 400 `40060 Interaction has already been acknowledged`.',
      '- Deferring cannot save you if the loop is already blocked when the interaction arrives: your handler only runs once the thread is free.',
      '- Want a private answer? Defer with `flags: MessageFlags.Ephemeral`; the choice is fixed at defer time.',
      '`/block 3500` holds the thread 3.5 s before its first reply: watch it fail.',
    ].join('\n'),
    node: `client.on('interactionCreate', async (interaction) => {
  if (!interaction.isChatInputCommand()) return;
  await interaction.deferReply(); // first response, well inside 3 s
  const report = await buildSlowReport(); // up to 15 min is fine now
  await interaction.editReply(report);
  await interaction.followUp('more, as a new message');
});`,
    python: `@bot.tree.command()
async def report(interaction: discord.Interaction):
    await interaction.response.defer()  # first response, well inside 3 s
    text = await build_slow_report()  # up to 15 min is fine now
    await interaction.edit_original_response(content=text)
    await interaction.followup.send('more, as a new message')`,
    tryIt: { command: 'block', options: { ms: 3500, work: 'cpu' }, label: 'Try /block 3500' },
  },
  {
    id: 'threads-async-goroutines',
    title: 'Threads vs async vs goroutines',
    summary:
      "Threads and goroutines get preempted by a scheduler; async code must yield by itself, and Node's loop never preempts.",
    body: [
      'Three ways to do many things at once:',
      "- **OS threads** (C, Java, Python `threading`): the kernel **preempts**, pausing a thread anywhere to run another. A hog can't freeze the rest, but shared data needs locks. CPython's GIL lets one thread run bytecode at a time and switches every 5 ms (`sys.getswitchinterval()`).",
      "- **async** (Node, asyncio): **cooperative**. A task runs until it `await`s or returns; only then can the loop run anything else. No locks needed between awaits, but one hog stalls everyone. **Node's loop never preempts a callback.**",
      '- **goroutines** (Go): cheap green threads (KB-sized stacks) multiplexed on `GOMAXPROCS` OS threads. Blocking I/O parks only that goroutine, and since Go 1.14 the runtime **preempts** a goroutine that runs too long (about 10 ms), so even a tight `for {}` cannot stall the others.',
      'So with blocking code you cannot avoid:',
      '- threads: the OS schedules around it',
      '- Go: the runtime schedules around it',
      '- Node / asyncio: move it to a worker or executor, or slice it and yield',
      '`/compare 1500 cpu` puts the blocking and the offloaded versions side by side.',
    ].join('\n'),
    node: `import { Worker } from 'node:worker_threads';

setTimeout(() => console.log('tick'), 100);
// a worker is an OS thread: it spins without touching the main loop
new Worker('const e = Date.now() + 1500; while (Date.now() < e) {}', { eval: true });
// the loop is cooperative: this spin delays 'tick' by 1.5 s
const end = Date.now() + 1500;
while (Date.now() < end) {}`,
    python: `import asyncio, threading, time

def spin(s):
    end = time.perf_counter() + s
    while time.perf_counter() < end:
        pass

async def main():
    asyncio.get_running_loop().call_later(0.1, print, 'tick')
    threading.Thread(target=spin, args=(1.5,)).start()  # preempted
    spin(1.5)  # not preempted: 'tick' waits 1.5 s

asyncio.run(main())`,
    tryIt: { command: 'compare', options: { ms: 1500, work: 'cpu' }, label: 'Try /compare 1500 cpu' },
  },
  {
    id: 'why-failed',
    title: 'Why did my interaction fail?',
    summary:
      'This interaction failed means no first response reached Discord within 3 s; here are the usual causes and fixes.',
    body: [
      '*This interaction failed* means Discord got no first response within **3 s**; your late reply then gets `10062 Unknown interaction`. Usual causes:',
      "1. **Held by another interaction**: someone's `/block` had the thread when yours arrived. Fix: never block the loop; offload (`/nonblock`).",
      '2. **Your own slow work before the first response.** Fix: `deferReply()` first, work after.',
      '3. **Arrived late**: slow network, overloaded host, or a skewed clock that makes age checks lie. Fix: watch `/lag`, host closer to Discord, sync the clock (NTP).',
      '4. **REST queue or rate limit**: your reply waits behind other requests or a 429. Fix: defer first; make fewer calls before responding.',
      '5. **Another process answered first**: two copies of the bot on one token; the loser gets `40060 Interaction has already been acknowledged`. Fix: stop the old copy (old terminal, host panel) or reset the token.',
      '6. **The 15-minute window**: edits and follow-ups after 15 min get 401 `50027 Invalid Webhook Token`. Fix: finish sooner or post a normal channel message.',
      '7. **`time.sleep()` / `Atomics.wait` in async code** sleeps the whole loop. Fix: `await setTimeout(ms)` from `node:timers/promises` / `await asyncio.sleep()`.',
      '8. **Catastrophic regex** (ReDoS): `/^(a+)+$/` on 30 `a`s and a `!` tries ~2^30 paths. Fix: a linear pattern, capped input, or a worker with a timeout.',
    ].join('\n'),
    node: `try {
  await interaction.reply('hi');
} catch (err) {
  if (err.code === 10062) console.warn('too late: 3 s passed before this reply');
  else if (err.code === 40060) console.warn('already acknowledged: another copy of the bot?');
  else if (err.code === 50027) console.warn('token expired: past 15 min');
  else throw err;
}`,
    python: `try:
    await interaction.response.send_message('hi')
except discord.NotFound:  # 10062 Unknown interaction: past 3 s
    log.warning('too late: 3 s passed before this reply')
except discord.HTTPException as e:
    if e.code == 40060:  # another copy of the bot?
        log.warning('already acknowledged')
    elif e.code == 50027:  # past 15 min
        log.warning('token expired')
    else:
        raise`,
    tryIt: { command: 'block', options: { ms: 3500, work: 'sleep' }, label: 'Try /block 3500 sleep' },
  },
  {
    id: 'sharding',
    title: 'Sharding: what separate processes isolate, and what not',
    summary:
      'Shards in their own processes each get an event loop: a /block stalls only its shard. Shared things stay shared.',
    body: [
      "Discord splits a bot's guilds into **shards**: guild `(id >> 22) % shard_count` is served by one gateway connection. It is **required from 2 500 guilds** per shard.",
      '**Isolated** when each shard runs in its **own process** (discord.js `ShardingManager`, `SHARD_COUNT`): its event loop, its heap, its crashes. A `/block 3000` in one guild stalls only the guilds of that shard; a crashed shard is respawned while the others keep answering.',
      '**Not isolated**: guilds on the **same** shard still share one loop (one busy guild delays its neighbours), and so does every shard of a process that runs several (`SHARD_COUNT` read by a plain `Client`: internal sharding).',
      '`WorkerShardingStrategy` moves only the WebSocket to a worker thread: events come back to the main thread, so handlers share its loop.',
      '**Shared across processes**: the REST rate limits (one bot token: share them through one `@discordjs/proxy`), the 5 s identify limit per bucket, and state (settings in PostgreSQL, not in memory).',
      'Sharding spreads load; it does not cure blocking. Offload (`/nonblock`) still matters inside every shard.',
      "`/lag` shows which shard answered, and the other shards' loop delay.",
    ].join('\n'),
    node: `// npm start with SHARD_COUNT=2: one process per shard
import { ShardingManager } from 'discord.js';

const manager = new ShardingManager('./bot.js', {
  totalShards: 2,
  respawn: true, // a crashed shard comes back
});
manager.on('shardCreate', (s) => console.log('shard', s.id));
await manager.spawn(); // 5.5 s apart: identify limit

// in bot.js, client.shard.ids says which shard this is`,
    python: `import discord

# one process, several shards: ONE event loop for all
client = discord.AutoShardedClient(intents=discord.Intents.default())

# one process per shard: run the bot once per id
# client = discord.Client(shard_id=0, shard_count=2, ...)
# and route REST through one proxy for the shared limits`,
    tryIt: { command: 'lag', options: {}, label: 'Try /lag' },
  },
  {
    id: 'yielding',
    title: 'Yielding: cooperative multitasking',
    summary:
      'Do CPU work in short slices and yield to the loop between them, so everyone else stays answered.',
    body: [
      'If CPU work must stay on the main thread, do it in **slices** and give the loop back between them.',
      '- Node: `await setImmediate()` from `node:timers/promises`. The loop runs its timers and I/O callbacks (other commands, heartbeats), then resumes you.',
      '- Python: `await asyncio.sleep(0)`, the same idea.',
      '- Classic mistake: `await Promise.resolve()` (or `queueMicrotask`, `process.nextTick`) does **not** yield to I/O. Microtasks drain before the loop moves on, so a loop of them still blocks everyone.',
      '**Slice length is a trade-off.** Others wait about one slice at most, so 10 ms slices keep loop delay near 10 ms. Shorter slices mean lower delay but more yields (3000 ms of work in 1 ms slices is ~3000 trips round the loop): more overhead and a longer total time. Longer slices finish sooner but others feel the lag.',
      '**Yielding saves the others, not you.** With `defer:false`, `/yield` replies only at the end: 3 s of work plus overhead means its own 3 s token dies (`10062`) while every other command stays answered. Defer **first**, then slice.',
      'For long jobs a worker (`/nonblock`) is still better: it uses another core and the loop never waits at all.',
    ].join('\n'),
    node: `import { setImmediate as yieldToLoop } from 'node:timers/promises';

async function crunchInSlices(totalMs, sliceMs = 10) {
  const end = Date.now() + totalMs;
  while (Date.now() < end) {
    const sliceEnd = Math.min(end, Date.now() + sliceMs);
    while (Date.now() < sliceEnd) {} // one slice of work
    await yieldToLoop(); // timers, I/O, other commands run here
  }
}
// await Promise.resolve() would NOT let I/O run: microtasks drain first`,
    python: `import asyncio, time

async def crunch_in_slices(total, slice_s=0.01):
    end = time.perf_counter() + total
    while time.perf_counter() < end:
        slice_end = min(end, time.perf_counter() + slice_s)
        while time.perf_counter() < slice_end:
            pass  # one slice of work
        await asyncio.sleep(0)  # other tasks and I/O run here`,
    tryIt: {
      command: 'yield',
      options: { ms: 3000, work: 'cpu', slice: 10, defer: true },
      label: 'Try /yield 3000 cpu slice 10',
    },
  },
] as const satisfies readonly Lesson[];

export type LessonId = (typeof LESSONS)[number]['id'];

const BY_ID: ReadonlyMap<string, Lesson> = new Map<string, Lesson>(
  LESSONS.map((lesson) => [lesson.id, lesson]),
);

export function lessonById(id: string): Lesson | undefined {
  return BY_ID.get(id);
}
