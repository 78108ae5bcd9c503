import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

export interface WorkerScript {
  /** Absolute file-system path of the worker module (works for piscina and `new Worker()`). */
  filename: string;
  /** execArgv for the worker: the parent's, plus a tsx loader when the worker is a `.ts` file. */
  execArgv: string[];
}

/**
 * Locates a worker module that sits next to the module at `fromUrl` (pass `import.meta.url`).
 *
 * Under tsx (`tsx src/main.ts`) and vitest the calling module is a `.ts` file, and a worker thread
 * starts without the parent's in-process TypeScript loader (vitest's in particular), so the worker
 * gets `baseName.ts` plus `--import <tsx loader>` (once; kept as is when the parent already runs
 * under tsx). A compiled build (dist/*.js) gets `baseName.js` and the parent's execArgv unchanged.
 */
export function workerScript(fromUrl: string, baseName: string): WorkerScript {
  const fromTs = /\.[cm]?ts$/.test(new URL(fromUrl).pathname);
  const execArgv = [...process.execArgv];
  if (!fromTs) {
    return { filename: fileURLToPath(new URL(`./${baseName}.js`, fromUrl)), execArgv };
  }
  if (!hasTsxLoader(execArgv)) execArgv.push('--import', tsxLoaderSpecifier(fromUrl));
  return { filename: fileURLToPath(new URL(`./${baseName}.ts`, fromUrl)), execArgv };
}

const LOADER_FLAGS = new Set(['--import', '--loader', '--experimental-loader']);

function hasTsxLoader(execArgv: readonly string[]): boolean {
  return execArgv.some((arg, i) => {
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (!LOADER_FLAGS.has(flag)) return false;
    const value = eq === -1 ? (execArgv[i + 1] ?? '') : arg.slice(eq + 1);
    return value === 'tsx' || value.startsWith('tsx/') || /[\\/]tsx[\\/]dist[\\/]/.test(value);
  });
}

/** An absolute file URL of tsx's loader, so the worker does not depend on the current directory. */
function tsxLoaderSpecifier(fromUrl: string): string {
  try {
    // tsx's "." export is unconditional (./dist/loader.mjs), so require.resolve finds the ESM loader.
    return pathToFileURL(createRequire(fromUrl).resolve('tsx')).href;
  } catch {
    return 'tsx';
  }
}

/**
 * Starts a `worker_threads` Worker on the module `baseName` beside `fromUrl`. Node 20 does not
 * apply `--import` loaders to a worker's entry file, so for a `.ts` module the worker boots a
 * one-line script that registers tsx first and then imports the module.
 */
export function startWorker(fromUrl: string, baseName: string, options: WorkerOptions = {}): Worker {
  const script = workerScript(fromUrl, baseName);
  if (script.filename.endsWith('.js')) return new Worker(script.filename, options);
  // tsx's ESM register API (the "import" condition of tsx/esm/api), found from its package root.
  const tsxRoot = new URL('.', pathToFileURL(createRequire(fromUrl).resolve('tsx/package.json')));
  const tsxApi = new URL('dist/esm/api/index.mjs', tsxRoot).href;
  const entry = pathToFileURL(script.filename).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
