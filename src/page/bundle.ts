/**
 * The classroom page's browser code (TypeScript, src/page/client/), bundled with esbuild in memory
 * once per process — about a tenth of a second, so `npm start` on a clean clone serves it with no
 * build step. A compiled build (`npm run build`, the Docker image) ships it prebuilt instead
 * (dist/src/page/client-bundle/, written by src/page/build.ts), since its sources and esbuild are
 * gone there. Everything is served from here: no CDN.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export interface PageBundle {
  js: string;
  css: string;
}

const FROM_SOURCE = import.meta.url.endsWith('.ts');
/** Beside this file under tsx; from a compiled build (dist/src/page/), the sources in src/page/client. */
const CLIENT_DIR = fileURLToPath(
  new URL(FROM_SOURCE ? './client/' : '../../../src/page/client/', import.meta.url),
);
/** Where a compiled build keeps the prebuilt bundle. */
export const PREBUILT_DIR = fileURLToPath(new URL('./client-bundle/', import.meta.url));

let built: Promise<PageBundle> | null = null;

/** The bundle (built or read on first call, then kept); rejects with why if there is none. */
export function pageBundle(): Promise<PageBundle> {
  built ??= load().catch((error: unknown) => {
    built = null;
    throw error;
  });
  return built;
}

async function load(): Promise<PageBundle> {
  if (!FROM_SOURCE) {
    try {
      const [js, css] = await Promise.all([
        readFile(`${PREBUILT_DIR}app.js`, 'utf8'),
        readFile(`${PREBUILT_DIR}app.css`, 'utf8'),
      ]);
      return { js, css };
    } catch {
      // No prebuilt bundle: build it from the sources, if they are there.
    }
  }
  return buildPageBundle();
}

/** Bundles src/page/client/main.ts (and its CSS) with esbuild, in memory. */
export async function buildPageBundle(): Promise<PageBundle> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [`${CLIENT_DIR}main.ts`],
    bundle: true,
    write: false,
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    minify: false,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
    outdir: 'out',
    loader: { '.css': 'css' },
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const css = result.outputFiles.find((f) => f.path.endsWith('.css'));
  if (!js) throw new Error('esbuild produced no JavaScript for the classroom page');
  return { js: js.text, css: css?.text ?? '' };
}
