import { describe, expect, it } from 'vitest';
import { pageBundle } from '../src/page/bundle.js';
import { parseCommand, suggest } from '../src/page/client/commands.js';
import { blockedHint } from '../src/page/feed.js';
import type { PageCommand } from '../src/page/protocol.js';
import type { InteractionRecord } from '../src/sandbox/interaction-store.js';

const COMMANDS: PageCommand[] = [
  {
    name: 'block',
    description: 'block the loop',
    options: [
      { name: 'ms', description: 'how long', type: 'integer', required: true, min: 1, max: 10000 },
      {
        name: 'work',
        description: 'what work',
        type: 'string',
        required: false,
        choices: [
          { name: 'cpu: a busy loop', value: 'cpu' },
          { name: 'crypto', value: 'crypto' },
        ],
      },
    ],
  },
  { name: 'blocky', description: 'another', options: [] },
  {
    name: 'classroom',
    description: 'teacher',
    options: [
      { name: 'show', description: 'show', type: 'subcommand', required: false },
      {
        name: 'set',
        description: 'set',
        type: 'subcommand',
        required: false,
        options: [{ name: 'paused', description: 'pause', type: 'boolean', required: false }],
      },
    ],
  },
];

describe('the classroom page bundle', () => {
  it('builds from TypeScript with esbuild, with its styles, and nothing from a CDN', async () => {
    const started = performance.now();
    const bundle = await pageBundle();
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(bundle.js).toContain('EventSource');
    expect(bundle.js).toContain('/sandbox/invoke');
    expect(bundle.js).toContain('This interaction failed');
    expect(bundle.css).toContain('.embed');
    expect(bundle.css).toContain(':root.projector');
    expect(bundle.js + bundle.css).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)[a-z]/i);
  });
});

describe('the composer', () => {
  it('parses a typed command with typed options, and subcommands', () => {
    expect(parseCommand('/block ms:4000 work:cpu', COMMANDS)).toEqual({
      ok: true,
      value: { command: 'block', options: { ms: 4000, work: 'cpu' } },
    });
    expect(parseCommand('/classroom set paused:true', COMMANDS)).toEqual({
      ok: true,
      value: { command: 'classroom set', options: { paused: true } },
    });
    const bad = parseCommand('/block ms:abc', COMMANDS);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.why).toMatch(/ms must be a number/);
    const unknown = parseCommand('/nope', COMMANDS);
    expect(!unknown.ok && unknown.why).toMatch(/no \/nope/);
    const option = parseCommand('/block size:3', COMMANDS);
    expect(!option.ok && option.why).toMatch(/its options: ms, work/);
  });

  it('suggests commands, then options with their ranges, then choices, as Discord does', () => {
    const names = suggest('/blo', COMMANDS);
    expect(names.items.map((s) => s.label)).toEqual(['/block', '/blocky']);
    expect(names.active).toBe(true);
    const options = suggest('/block ', COMMANDS);
    expect(options.items.map((s) => s.label)).toEqual(['ms', 'work?']);
    expect(options.items[0]!.detail).toContain('1–10000');
    expect(options.items[0]!.detail).toContain('required');
    // Enter after a complete value sends: nothing is taken.
    expect(suggest('/block ms:4000', COMMANDS).active).toBe(false);
    const choices = suggest('/block ms:4000 work:c', COMMANDS);
    expect(choices.items.map((s) => s.label)).toEqual(['cpu', 'crypto']);
    expect(choices.active).toBe(true);
    expect(suggest('/block ms:4000 ', COMMANDS).items.map((s) => s.label)).toEqual(['work?']);
    expect(suggest('/classroom ', COMMANDS).items.map((s) => s.label)).toEqual(['show', 'set']);
  });
});

describe("the page's Discord-side hint", () => {
  const record = (user: string, fields: Partial<InteractionRecord>): InteractionRecord =>
    ({
      id: user,
      user: { username: user },
      command: 'block',
      options: {},
      customId: null,
      status: 'replied',
      createdAt: 0,
      deliveredAt: 1,
      ackedAt: null,
      ackedElsewhere: false,
      refusals: { values: () => [] },
      ...fields,
    }) as unknown as InteractionRecord;

  it('says the loop looks blocked when two answers arrive bunched after a silence', () => {
    const a = record('alice', { createdAt: 0, ackedAt: 4_010 });
    const b = record('bob', { createdAt: 200, ackedAt: 4_060 });
    expect(blockedHint([a, b], 5_000)).toMatch(/alice's and bob's answers arrived together \(50 ms apart\)/);
  });

  it('says nothing when answers come promptly, and speaks up while one waits', () => {
    const a = record('alice', { createdAt: 0, ackedAt: 20 });
    const b = record('bob', { createdAt: 10, ackedAt: 40 });
    expect(blockedHint([a, b], 5_000)).toBeNull();
    const waiting = record('carol', { status: 'pending', createdAt: 3_000 });
    expect(blockedHint([a, b, waiting], 4_500)).toMatch(/No answer yet to carol's \/block after 1\.5 s/);
    // Failed at 3 s with the bot still silent: still no answer, the loop still looks blocked.
    const failed = record('dave', { status: 'failed', createdAt: 0 });
    expect(blockedHint([failed], 3_500)).toMatch(/No answer yet to dave's \/block after 3\.5 s/);
    expect(blockedHint([failed], 40_000)).toBeNull();
  });
});
