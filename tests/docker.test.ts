import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KNOWN_FONT_FILES, prepareFonts, renderPng, textPixels } from '../src/report/charts/png.js';

/**
 * What the image promises a self-hoster, read from the Dockerfile, .dockerignore and compose.yaml.
 * The real-engine check (.ci/docker-check.sh, run by .ci/run) builds and runs it; this file keeps
 * the promises from drifting between two CI runs, in a second.
 */
const ROOT = join(import.meta.dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const dockerfile = read('Dockerfile');
/** Instructions without comments, continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const stages = instructions.join('\n').split(/^(?=FROM )/m);
const runtime = stages.at(-1)!;

describe('the Dockerfile', () => {
  it('builds in one stage with the development dependencies and runs from another with none', () => {
    const froms = instructions.filter((l) => l.startsWith('FROM '));
    expect(froms).toEqual(['FROM node:24-slim AS build', 'FROM node:24-slim']);
    expect(stages[0]).toMatch(/RUN .*npm ci/);
    expect(stages[0]).toMatch(/npm run build/);
    expect(stages[0]).toMatch(/npm prune --omit=dev/);
    // better-sqlite3 is built once, in the build stage, and copied over.
    expect(stages[0]).toMatch(/python3 make g\+\+/);
    expect(runtime).not.toMatch(/g\+\+|python3|npm (ci|install)/);
    expect(runtime).toMatch(/^COPY --from=build \/app \.\/$/m);
  });

  it('gives npm ci every workspace it needs: @looplab/doctor is copied in before it, and built by it', () => {
    const build = stages[0]!.split('\n');
    const ci = build.findIndex((l) => /^RUN .*npm ci/.test(l));
    const workspace = build.indexOf('COPY packages/doctor/ packages/doctor/');
    expect(workspace).toBeGreaterThan(-1);
    expect(workspace).toBeLessThan(ci);
    const root = JSON.parse(read('package.json')) as { workspaces: string[] };
    expect(root.workspaces).toEqual(['packages/*']);
    const doctor = JSON.parse(read('packages/doctor/package.json')) as { scripts: Record<string, string> };
    // npm ci runs the workspace's prepare: dist/ exists before `npm run build` compiles LoopLab against it
    // (and `npm prune --omit=dev`, which runs it again without TypeScript, keeps that dist/).
    expect(doctor.scripts.prepare).toBe('node prepare.mjs');
  });

  it('runs node dist/main.js as PID 1 (exec form: no npm, no shell), as the node user, in production', () => {
    expect(runtime).toMatch(/^CMD \["node", "--enable-source-maps", "dist\/main\.js"\]$/m);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/NODE_ENV=production/);
    expect(runtime).toMatch(/LOG_FORMAT=json/);
  });

  it('has a HEALTHCHECK on /healthz, a volume for DATA_DIR, and exposes the sandbox and metrics ports', () => {
    expect(runtime).toMatch(/^HEALTHCHECK .*CMD \["node", "dist\/src\/telemetry\/healthcheck\.js"\]$/m);
    expect(runtime).toMatch(/DATA_DIR=\/data/);
    expect(runtime).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(runtime).toMatch(/chown node:node \/data/);
    expect(runtime).toMatch(/^EXPOSE 8080 9464$/m);
    expect(runtime).toMatch(/SANDBOX_HOST=0\.0\.0\.0/);
    expect(runtime).toMatch(/METRICS_HOST=0\.0\.0\.0/);
  });

  it('passes the chart fonts to resvg as files that the font package it installs provides', () => {
    expect(runtime).toMatch(/apt-get install -y --no-install-recommends fonts-dejavu-core/);
    const files = /LOOPLAB_FONT_FILE=(\S+)/.exec(runtime)![1]!.split(':');
    expect(files.length).toBeGreaterThan(0);
    for (const file of files)
      expect(file).toMatch(/^\/usr\/share\/fonts\/truetype\/dejavu\/DejaVuSans.*\.ttf$/);
  });
});

describe('.dockerignore', () => {
  const lines = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('lets in only the sources: no .env, node_modules, tests, .git or data', () => {
    expect(lines[0]).toBe('*');
    const allowed = lines.filter((l) => l.startsWith('!'));
    expect(allowed.sort()).toEqual(
      [
        '!commands/',
        '!package-lock.json',
        '!packages/doctor/package.json',
        '!packages/doctor/prepare.mjs',
        '!packages/doctor/src/',
        '!packages/doctor/tsconfig.json',
        '!package.json',
        '!src/',
        '!tsconfig.build.json',
        '!tsconfig.json',
      ].sort(),
    );
    expect(lines).toEqual(expect.arrayContaining(['**/.env', '**/node_modules']));
  });
});

describe('compose.yaml', () => {
  const compose = read('compose.yaml');

  it('runs the bot with .env, a restart policy, the health check and the data volume', () => {
    expect(compose).toMatch(/^ {2}bot:$/m);
    expect(compose).toMatch(/env_file: \.env/);
    expect(compose).toMatch(/restart: unless-stopped/);
    expect(compose).toMatch(/test: \["CMD", "node", "dist\/src\/telemetry\/healthcheck\.js"\]/);
    expect(compose).toMatch(/- looplab-data:\/data/);
    // Published on loopback only.
    for (const port of compose.match(/^ +- "[^"]*:\d+"/gm) ?? []) expect(port).toMatch(/"127\.0\.0\.1:/);
  });

  it('has the offline classroom behind a profile', () => {
    expect(compose).toMatch(/^ {2}classroom:$/m);
    expect(compose).toMatch(/profiles: \[classroom\]/);
    expect(compose).toMatch(/DISCORD_TOKEN: ""/);
  });
});

describe('chart fonts', () => {
  afterAll(async () => {
    await prepareFonts(); // back to this machine's own fonts for whatever runs next
  });

  it('sees that no font loads (then the charts would have no text)', async () => {
    expect(await textPixels({ loadSystemFonts: false })).toBe(0);
    expect(await prepareFonts({ LOOPLAB_SYSTEM_FONTS: 'off' }, [])).toEqual({
      ok: false,
      fallback: [],
      configured: [],
    });
    // Files the operator named that do not load are reported, never replaced silently.
    const named = await prepareFonts({
      LOOPLAB_SYSTEM_FONTS: 'off',
      LOOPLAB_FONT_FILE: '/nonexistent/No.ttf',
    });
    expect(named).toEqual({ ok: false, fallback: [], configured: ['/nonexistent/No.ttf'] });
  });

  it('draws text with the font files alone (what the image does), and falls back to DejaVu when the lookup finds nothing', async () => {
    const files = /LOOPLAB_FONT_FILE=(\S+)/.exec(runtime)![1]!;
    expect(await textPixels({ loadSystemFonts: false, fontFiles: files.split(':') })).toBeGreaterThan(100);
    expect(await prepareFonts({ LOOPLAB_SYSTEM_FONTS: 'off', LOOPLAB_FONT_FILE: files })).toMatchObject({
      ok: true,
    });
    const fallback = await prepareFonts({ LOOPLAB_SYSTEM_FONTS: 'off' });
    expect(fallback.ok).toBe(true);
    expect(fallback.fallback.length).toBeGreaterThan(0);
    expect(KNOWN_FONT_FILES).toEqual(expect.arrayContaining(fallback.fallback));
    // renderPng uses the fallback from then on.
    const { png } = await renderPng(
      '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="20"><text x="2" y="15" font-size="14" fill="#fff">ok</text></svg>',
    );
    expect(png.length).toBeGreaterThan(100);
  });
});
