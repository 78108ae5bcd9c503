import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose, type ResponseFacts } from '../packages/doctor/src/diagnose.js';
import * as doctorFacts from '../packages/doctor/src/facts.js';
import {
  ErrorCode,
  INITIAL_RESPONSE_DEADLINE_MS,
  INTERACTION_TOKEN_LIFETIME_MS,
} from '../src/discord/facts.js';
import { snowflakeTime } from '../src/discord/snowflake.js';
import { type SandboxThread, startSandboxThread } from '../src/sandbox/thread.js';
import { until } from './support/tiny-bot.js';

/**
 * @looplab/doctor in a bot that is not LoopLab: examples/doctor-bot (a plain discord.js bot shaped
 * as the discord.js guide teaches) runs as its own process against the sandbox, with the doctor
 * installed in one line, and the test reads the lines it logs. Then the packed package, installed
 * into an empty folder beside discord.js, does the same from there.
 */
const ROOT = join(import.meta.dirname, '..');
const EXAMPLE = join(ROOT, 'examples', 'doctor-bot');
const run = promisify(execFile);

interface Line {
  level: string;
  msg: string;
  cause?: string;
  interactionId?: string;
  closeCall?: boolean;
  firstResponseMs?: number;
  ownHeldMs?: number;
  handlerToResponseMs?: number;
  heldByOthersMs?: number;
  restQueueMs?: number;
  stalledMs?: number;
  holder?: string;
  fix?: string;
  time: number;
}

/** Every JSON line a child writes to standard output, parsed (the others are kept as text). */
function collect(child: ChildProcess): { lines: Line[]; text: string[] } {
  const out = { lines: [] as Line[], text: [] as string[] };
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      try {
        out.lines.push(JSON.parse(line) as Line);
      } catch {
        out.text.push(line);
      }
    });
  }
  return out;
}

function botEnv(sandbox: SandboxThread): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DISCORD_TOKEN: sandbox.botToken,
    DISCORD_API_URL: sandbox.apiUrl,
    CLIENT_ID: sandbox.applicationId,
    GUILD_ID: sandbox.guildId,
  };
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

beforeAll(async () => {
  // The package is built JavaScript (what `npm pack` ships): build it as prepack does.
  await run('npm', ['run', 'build', '--silent', '-w', '@looplab/doctor'], { cwd: ROOT });
}, 120_000);

describe('@looplab/doctor in the example bot (examples/doctor-bot)', () => {
  let sandbox: SandboxThread;
  let bot: ChildProcess;
  let out: { lines: Line[]; text: string[] };
  const diagnosesOf = (id: string) => out.lines.filter((l) => l.interactionId === id && l.cause);

  beforeAll(async () => {
    sandbox = await startSandboxThread({ recordResponses: true });
    await run(process.execPath, ['deploy-commands.js'], { cwd: EXAMPLE, env: botEnv(sandbox) });
    bot = spawn(process.execPath, ['index.js'], { cwd: EXAMPLE, env: botEnv(sandbox) });
    out = collect(bot);
    await until(() => out.text.find((l) => l.startsWith('Ready! Logged in as')), 30_000, 'the bot to log in');
  });

  afterAll(async () => {
    await stopChild(bot);
    await sandbox?.close();
  });

  it('a handler that blocks 4 s before replying: its own work before the first response, deferReply', async () => {
    const view = await sandbox.client.invoke({ user: 'alice', command: 'crunch', options: { ms: 4_000 } });
    expect(view.status).toBe('failed');
    const [d, ...more] = await until(() => {
      const found = diagnosesOf(view.id);
      return found.length > 0 ? found : null;
    });
    expect(more).toEqual([]);
    expect(d?.level).toBe('error');
    expect(d?.cause).toBe('own-work');
    expect(d?.msg).toMatch(/own handler's work held the main thread for 4\.\d\d s before the first response/);
    expect(d?.msg).toMatch(/deferReply\(\)/);
    expect(d?.msg).toMatch(/10062/);
    expect(d?.fix).toMatch(/deferReply\(\)/);
    expect(d?.ownHeldMs).toBeGreaterThanOrEqual(3_900);
    expect(d?.ownHeldMs).toBeLessThan(6_000);
    expect(d?.firstResponseMs).toBeGreaterThan(INITIAL_RESPONSE_DEADLINE_MS);
    // The watchdog thread said so while the loop was still stuck, naming the handler that held it.
    const stall = out.lines.find((l) =>
      /^main thread stalled for \d+ ms \(running \/crunch by alice\)$/.test(l.msg),
    );
    expect(stall?.holder).toBe('running /crunch by alice');
    expect(stall?.stalledMs).toBeLessThan(1_000);
    expect(stall!.time).toBeLessThan(d!.time - 2_500);
  });

  it('a 40060 after its only response: a warning that two copies are running, and nothing more', async () => {
    const view = await sandbox.client.invoke({ user: 'carol', command: 'ping', ackedElsewhere: true });
    expect((await sandbox.client.interaction(view.id)).refusals.map((r) => r.code)).toContain(
      ErrorCode.InteractionAlreadyAcknowledged,
    );
    const d = await until(() => diagnosesOf(view.id)[0]);
    expect(d.level).toBe('warn');
    expect(d.cause).toBe('acked-elsewhere');
    expect(d.msg).toMatch(/another process answered `\/ping` first/);
    expect(d.msg).toMatch(/two copies of the bot are running/);
    expect(d.msg).toMatch(/40060/);
    expect(d.fix).toMatch(/Stop the other copy/);
    // The guide's error handler then tries to reply again (another 40060): no second diagnosis.
    await new Promise((r) => setTimeout(r, 300));
    expect(diagnosesOf(view.id)).toHaveLength(1);
  });

  it('a handler that replies after 2.5 s: a close-call warning with the numbers', async () => {
    const view = await sandbox.client.invoke({ user: 'bob', command: 'weather' });
    expect(view.status).toBe('replied');
    const d = await until(() => diagnosesOf(view.id)[0]);
    expect(d.level).toBe('warn');
    expect(d.closeCall).toBe(true);
    expect(d.msg).toMatch(/^close call: `\/weather`'s first response came 2\.\d\d s after the command/);
    expect(d.firstResponseMs).toBeGreaterThanOrEqual(2_500);
    expect(d.firstResponseMs).toBeLessThan(INITIAL_RESPONSE_DEADLINE_MS);
    expect(d.handlerToResponseMs).toBeGreaterThanOrEqual(2_450);
    expect(d.ownHeldMs).toBeLessThan(500);
    expect(d.fix).toMatch(/deferReply\(\)/);
  });

  it("a command held up by another's handler: names that command, its user and how long", async () => {
    const [alice, bob] = await sandbox.client.scenario([
      { afterMs: 0, user: 'alice', command: 'crunch', options: { ms: 3_500 } },
      { afterMs: 300, user: 'bob', command: 'ping' },
    ]);
    const d = await until(() => diagnosesOf(bob!.id)[0], 15_000);
    expect(d.level).toBe('error');
    expect(d.cause).toBe('held-by-other');
    expect(d.msg).toMatch(
      /the event loop was held by alice's `\/crunch` handler for 3\.\d\d s while it waited/,
    );
    expect(d.fix).toMatch(/Move \/crunch's blocking work off the main thread/);
    expect(d.ownHeldMs).toBeLessThan(200);
    expect(d.heldByOthersMs).toBeGreaterThanOrEqual(2_900);
    // Alice's own is her own work.
    expect((await until(() => diagnosesOf(alice!.id)[0])).cause).toBe('own-work');
  });

  it("a rate limit held the first response in @discordjs/rest's queue: names the queue and the limit", async () => {
    await sandbox.client.rateLimit('/interactions/{id}/{token}/callback', 3_300);
    const view = await sandbox.client.invoke({ user: 'frank', command: 'ping' });
    expect(view.status).toBe('failed');
    const d = await until(() => diagnosesOf(view.id)[0], 15_000);
    expect(d.level).toBe('error');
    expect(d.cause).toBe('rest-queue');
    expect(d.msg).toMatch(/the first response waited \d+ ms in @discordjs\/rest's queue \(a rate limit on /);
    expect(d.restQueueMs).toBeGreaterThanOrEqual(3_000);
    expect(d.ownHeldMs).toBeLessThan(200);
  });

  it('a quick reply: no diagnosis, and the bot answers exactly as without the doctor', async () => {
    const view = await sandbox.client.invoke({ user: 'dave', command: 'ping' });
    expect(view.status).toBe('replied');
    expect(view.messages[0]?.content).toBe('Pong!');
    await new Promise((r) => setTimeout(r, 300));
    expect(diagnosesOf(view.id)).toEqual([]);
  });

  // Last: it moves the sandbox's clock 16 minutes ahead.
  it("an edit after the 15 minutes (50027): the token lifetime, in minutes by Discord's clock", async () => {
    const { id } = await sandbox.client.send({ user: 'erin', command: 'report' });
    await until(async () => (await sandbox.client.interaction(id)).ackedAt !== null);
    await sandbox.client.advanceClock(16 * 60_000);
    const d = await until(() => diagnosesOf(id)[0]);
    expect(d.level).toBe('error');
    expect(d.cause).toBe('token-lifetime');
    expect(d.msg).toMatch(
      /`\/report`'s edit came 16\.\d minutes after the command; interaction tokens work for 15 minutes/,
    );
    expect(d.msg).toMatch(/50027/);
    expect(d.fix).toMatch(/within 15 minutes/);
  });
});

describe('the packed @looplab/doctor', () => {
  let dir: string;
  let sandbox: SandboxThread;
  let bot: ChildProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'looplab-doctor-pack-'));
    sandbox = await startSandboxThread({ recordResponses: true });
  });

  afterAll(async () => {
    await stopChild(bot);
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('installs into an empty folder beside discord.js, imports, and diagnoses a blocking handler', async () => {
    await run('npm', ['pack', '--silent', '--pack-destination', dir], {
      cwd: join(ROOT, 'packages', 'doctor'),
    });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    expect(tarball).toMatch(/^looplab-doctor-\d+\.\d+\.\d+\.tgz$/);
    const app = join(dir, 'app');
    await run('mkdir', [app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    await run(
      'npm',
      [
        'install',
        '--offline',
        '--no-audit',
        '--no-fund',
        '--silent',
        join(dir, tarball!),
        join(ROOT, 'node_modules', 'discord.js'),
      ],
      { cwd: app },
    );
    const installed = JSON.parse(
      readFileSync(join(app, 'node_modules', '@looplab', 'doctor', 'package.json'), 'utf8'),
    ) as { dependencies?: Record<string, string>; peerDependencies: Record<string, string> };
    expect(installed.dependencies ?? {}).toEqual({});
    expect(installed.peerDependencies['discord.js']).toMatch(/^\^14/);
    expect(readdirSync(join(app, 'node_modules', '@looplab', 'doctor', 'dist'))).toContain('index.d.ts');
    writeFileSync(
      join(app, 'bot.js'),
      `import { installDoctor } from '@looplab/doctor';
import { Client, Events, GatewayIntentBits } from 'discord.js';
const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: process.env.DISCORD_API_URL } });
const doctor = installDoctor(client, { logger: console });
doctor.on('diagnosis', (d) => console.log(JSON.stringify({ event: 'diagnosis', cause: d.cause, id: d.interactionId })));
client.on(Events.InteractionCreate, async (interaction) => {
  const until = performance.now() + 3_500;
  while (performance.now() < until) {}
  await interaction.reply('done').catch(() => {});
  const s = doctor.snapshot();
  console.log(JSON.stringify({ event: 'snapshot', maxDelay: s.loopDelay.max, diagnoses: s.diagnoses.length, inFlight: s.inFlight.length, clockSamples: s.clockOffset.samples }));
});
client.once(Events.ClientReady, async () => {
  await client.application.commands.set([{ name: 'heavy', description: 'blocks' }], process.env.GUILD_ID);
  console.log('ready');
});
client.login(process.env.DISCORD_TOKEN);
`,
    );
    bot = spawn(process.execPath, ['bot.js'], { cwd: app, env: botEnv(sandbox) });
    const out = collect(bot);
    await until(() => out.text.includes('ready'), 30_000, 'the packed bot to log in');
    const view = await sandbox.client.invoke({ user: 'erin', command: 'heavy' });
    expect(view.status).toBe('failed');
    const line = await until(() => out.lines.find((l) => l.interactionId === view.id && l.cause));
    expect(line.cause).toBe('own-work');
    expect(line.msg).toMatch(/deferReply/);
    const event = await until(() =>
      out.lines.find((l) => (l as unknown as { event?: string }).event === 'diagnosis'),
    );
    expect(event).toMatchObject({ cause: 'own-work', id: view.id });
    const snapshot = (await until(() =>
      out.lines.find((l) => (l as unknown as { event?: string }).event === 'snapshot'),
    )) as unknown as { maxDelay: number; diagnoses: number; inFlight: number; clockSamples: number };
    expect(snapshot.maxDelay).toBeGreaterThanOrEqual(3_000);
    expect(snapshot.diagnoses).toBe(1);
    expect(snapshot.inFlight).toBe(0);
    expect(snapshot.clockSamples).toBeGreaterThan(0);
  });
});

describe("the package's Discord numbers", () => {
  it('are the ones LoopLab checked against discord-api-types (src/discord/facts.ts)', () => {
    expect(doctorFacts.DiscordCode.UnknownInteraction).toBe(ErrorCode.UnknownInteraction);
    expect(doctorFacts.DiscordCode.InteractionAlreadyAcknowledged).toBe(
      ErrorCode.InteractionAlreadyAcknowledged,
    );
    expect(doctorFacts.DiscordCode.InvalidWebhookToken).toBe(ErrorCode.InvalidWebhookToken);
    expect(doctorFacts.INITIAL_RESPONSE_DEADLINE_MS).toBe(INITIAL_RESPONSE_DEADLINE_MS);
    expect(doctorFacts.INTERACTION_TOKEN_LIFETIME_MS).toBe(INTERACTION_TOKEN_LIFETIME_MS);
    expect(doctorFacts.snowflakeTime('1578045119469322258')).toBe(snowflakeTime('1578045119469322258'));
  });
});

describe('diagnose(), most specific first (the numbers alone)', () => {
  const facts = (over: Partial<ResponseFacts> = {}): ResponseFacts => ({
    interactionId: '1',
    command: 'x',
    userId: '2',
    user: 'zoe',
    created: 10_000,
    received: 10_010,
    handlerStart: 10_010,
    firstQueuedAt: 10_020,
    firstSentAt: 10_020,
    firstAnsweredAt: 13_400,
    responsesSent: 1,
    ownHeldMs: 0,
    blockers: [],
    clockUncertaintyMs: 100,
    rateLimits: [],
    ...over,
  });

  it('arrived late: age on arrival beyond the clock uncertainty, when no handler explains it', () => {
    const d = diagnose(
      facts({ received: 12_500, handlerStart: 12_500, firstQueuedAt: 12_510, firstSentAt: 12_510 }),
      { kind: 'expired' },
      2_000,
    );
    expect(d?.cause).toBe('arrived-late');
    expect(d?.text).toMatch(/it reached the bot 2500 ms after Discord created it/);
    // The same age within a wide clock uncertainty is no evidence: it falls through.
    const unsure = diagnose(
      facts({
        received: 11_900,
        handlerStart: 11_900,
        firstQueuedAt: 11_910,
        firstSentAt: 11_910,
        clockUncertaintyMs: 1_000,
      }),
      { kind: 'expired' },
    );
    expect(unsure?.cause).toBe('slow-response');
  });

  it('another handler that held the thread wins over a late arrival and its own small work', () => {
    const d = diagnose(
      facts({
        received: 12_500,
        ownHeldMs: 100,
        blockers: [{ interactionId: '3', command: 'block', userId: '4', user: 'alice', heldMs: 2_400 }],
      }),
      { kind: 'expired' },
    );
    expect(d?.cause).toBe('held-by-other');
    expect(d?.text).toMatch(/held by alice's `\/block` handler for 2\.40 s/);
  });

  it('says nothing when the first response came within the close-call threshold', () => {
    expect(diagnose(facts({ firstAnsweredAt: 11_900 }), { kind: 'accepted' }, 2_000)).toBeNull();
    expect(diagnose(facts({ firstAnsweredAt: 12_100 }), { kind: 'accepted' }, 2_000)?.closeCall).toBe(true);
  });
});
