import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config, { E2E_FILES, STARTS_A_SANDBOX } from '../vitest.config.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const scripts = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** Runs an npm script's command (`depcruise …`, `biome …`) from node_modules/.bin in `cwd`, as npm would. */
async function runScript(
  name: string,
  cwd: string,
  extra: string[] = [],
): Promise<{ code: number; output: string }> {
  const [bin, ...args] = [...scripts[name]!.split(/\s+/), ...extra];
  try {
    const { stdout, stderr } = await run(join(ROOT, 'node_modules', '.bin', bin!), args, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** A copy of the repo's source and its rule configs, with node_modules linked, for scratch files. */
function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'looplab-architecture-'));
  for (const entry of [
    'src',
    'commands',
    'packages',
    'examples',
    'biome-plugins',
    'package.json',
    'tsconfig.json',
    'biome.json',
    '.dependency-cruiser.cjs',
    '.gitignore',
  ])
    cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** The scratch files that must break the rules (and two that must not), keyed by path in the copy. */
const SCRATCH: Record<string, string> = {
  // dependency rules
  'src/report/scratch.ts':
    "import { createDispatcher } from '../router/dispatch.js';\n\nexport const scratch = createDispatcher;\n",
  'src/report/scratch-types.ts':
    "import type { Dispatcher } from '../router/dispatch.js';\n\nexport type Scratch = Dispatcher;\n",
  'src/contracts/scratch-types.ts':
    "import type { LoopDelayRecorder } from '../measure/loop-delay.js';\n\nexport type Scratch = LoopDelayRecorder;\n",
  'src/contracts/scratch-value.ts':
    "import { LoopDelayRecorder } from '../measure/loop-delay.js';\n\nexport const scratch = new LoopDelayRecorder(10);\n",
  'src/sandbox/scratch.ts':
    "import { createBot } from '../bot/create-bot.js';\n\nexport const scratch = createBot;\n",
  'src/demos/scratch.ts': "import { Client } from 'discord.js';\n\nexport const scratch = Client;\n",
  // Discord's numbers
  'src/report/scratch-numbers.ts': [
    'export const code = 10062;',
    'export const late = 50_027;',
    "export const reply = { content: 'hi', flags: 64 };",
    'export const isEphemeral = (flags: number): boolean => (flags & 64) !== 0;',
    'export const loading = 1 << 7;',
    'export const width = 64;',
    'export const ms = 3000;',
    "export const text = 'Discord answered 10062';",
    '',
  ].join('\n'),
  'src/discord/scratch-numbers.ts': 'export const code = 10062;\nexport const flags = 1 << 6;\n',
};

let copy: string;
let rulesInCopy: { code: number; output: string };
let rulesInTree: { code: number; output: string };
let lintInCopy: { code: number; output: string };

beforeAll(async () => {
  copy = scratchCopy();
  for (const [file, text] of Object.entries(SCRATCH)) writeFileSync(join(copy, file), text);
  // Three processes at once: the unit project runs its files one by one, so the second core is free.
  [rulesInCopy, rulesInTree, lintInCopy] = await Promise.all([
    runScript('rules', copy),
    runScript('rules', ROOT),
    runScript('lint', copy, ['--max-diagnostics=none']),
  ]);
});

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

describe('npm test runs the architecture rules', () => {
  it('npm test = typecheck, lint (with the Discord-number plugin), rules, then vitest', () => {
    expect(scripts.test).toBe('npm run typecheck && npm run lint && npm run rules && vitest run');
    expect(scripts.rules).toMatch(
      /^depcruise src commands packages\/doctor\/src examples --config \.dependency-cruiser\.cjs$/,
    );
    expect(scripts.lint).toBe('biome check .');
    const biome = JSON.parse(readFileSync(join(ROOT, 'biome.json'), 'utf8')) as {
      plugins: Array<{ path: string; includes: string[] }>;
    };
    expect(biome.plugins).toEqual([
      { path: './biome-plugins/discord-numbers.grit', includes: ['**', '!src/discord/**', '!tests/**'] },
    ]);
  });
});

describe('dependency rules (dependency-cruiser), on a copy with scratch files', () => {
  it('a report importing the router fails `npm run rules`, naming the file and the rule', () => {
    expect(rulesInCopy.code).not.toBe(0);
    expect(rulesInCopy.output).toMatch(
      /error report-is-pure: src\/report\/scratch\.ts → src\/router\/dispatch\.ts/,
    );
  });

  it('a type-only import counts too, except where a rule allows it (contracts may name measure types)', () => {
    expect(rulesInCopy.output).toMatch(
      /error report-is-pure: src\/report\/scratch-types\.ts → src\/router\/dispatch\.ts/,
    );
    expect(rulesInCopy.output).toMatch(
      /error contracts-types-only: src\/contracts\/scratch-value\.ts → src\/measure\/loop-delay\.ts/,
    );
    expect(rulesInCopy.output).not.toMatch(/src\/contracts\/scratch-types\.ts/);
  });

  it('the sandbox importing the bot, and a demo importing discord.js, fail too', () => {
    expect(rulesInCopy.output).toMatch(
      /error sandbox-knows-only-platform: src\/sandbox\/scratch\.ts → src\/bot\/create-bot\.ts/,
    );
    expect(rulesInCopy.output).toMatch(
      /error demos-return-outcomes: src\/demos\/scratch\.ts → node_modules\/discord\.js\//,
    );
  });
});

describe("Discord's numbers only in src/discord/ (the Biome plugin), on the same copy", () => {
  it('an error code or the ephemeral flag written outside src/discord/ fails `npm run lint`, naming the file', () => {
    expect(lintInCopy.code).not.toBe(0);
    // Only the scratch files: the rest of the copy is the real tree, which `npm run lint` checks itself.
    const flagged = [...lintInCopy.output.matchAll(/^(src\/\w+\/scratch[\w-]*\.ts):(\d+):\d+ plugin/gm)].map(
      (m) => `${m[1]}:${m[2]}`,
    );
    // Lines 1-5 (codes, flags: 64, & 64, 1 << 7); not 64 as a width, 3000, nor a string; and
    // nothing in src/discord/.
    expect(flagged).toEqual([
      'src/report/scratch-numbers.ts:1',
      'src/report/scratch-numbers.ts:2',
      'src/report/scratch-numbers.ts:3',
      'src/report/scratch-numbers.ts:4',
      'src/report/scratch-numbers.ts:5',
    ]);
    expect(lintInCopy.output).toContain("Discord's numbers live in src/discord/ only");
  });
});

describe('the real tree', () => {
  it('passes every dependency rule', () => {
    expect(rulesInTree.output).not.toMatch(/error /);
    expect(rulesInTree.code).toBe(0);
  });
});

describe('vitest projects', () => {
  it('puts the files that start the sandbox, the bot or a process in e2e, and only those', () => {
    for (const f of ['bot', 'classroom', 'guards', 'robustness', 'sandbox', 'scripts', 'teaching'])
      expect(E2E_FILES).toContain(`tests/${f}.test.ts`);
    for (const f of ['architecture', 'snowflake', 'measure', 'timeline', 'logger', 'config', 'work'])
      expect(E2E_FILES).not.toContain(`tests/${f}.test.ts`);
    // What decides it: a call that starts one, not an import of a helper or a type.
    expect(STARTS_A_SANDBOX.test("import { embedText } from './support/looplab.js';")).toBe(false);
    expect(STARTS_A_SANDBOX.test("import type { SandboxThread } from '../src/sandbox/thread.js';")).toBe(
      false,
    );
    // (Assembled, so that this file itself does not look like one that starts a sandbox.)
    expect(STARTS_A_SANDBOX.test(`lab = await start${'LoopLab'}({ env });`)).toBe(true);
    expect(STARTS_A_SANDBOX.test(`const child = ${'spawn'}('npm', ['start']);`)).toBe(true);
  });

  it('runs the e2e files one at a time in forks, after the unit files', () => {
    const projects = (config.test?.projects ?? []) as Array<{ test: Record<string, unknown> }>;
    const byName = Object.fromEntries(projects.map((p) => [p.test.name, p.test]));
    expect(Object.keys(byName)).toEqual(['unit', 'e2e']);
    expect(byName.e2e).toMatchObject({ include: E2E_FILES, pool: 'forks', fileParallelism: false });
    expect(byName.unit).toMatchObject({ include: ['tests/**/*.test.ts'], exclude: E2E_FILES });
    const order = (p: Record<string, unknown>) => (p.sequence as { groupOrder: number }).groupOrder;
    expect(order(byName.unit!)).toBeLessThan(order(byName.e2e!));
  });
});
