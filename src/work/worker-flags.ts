/**
 * A worker thread refuses per-process and V8 flags in an explicit `execArgv`
 * (`node --max-old-space-size=512` or `--trace-gc` → ERR_WORKER_INVALID_EXEC_ARGV, and the worker
 * never starts), yet the parent's whole execArgv is what src/lib/worker-file.ts hands back.
 *
 * - When the wanted execArgv is exactly the parent's, the worker gets `undefined`: it inherits the
 *   parent's options, and Node itself leaves out what a thread cannot take. This is the compiled
 *   build and `tsx src/main.ts` (which already carries the tsx loader).
 * - Otherwise (a loader was added, e.g. under vitest) only the flags a worker thread accepts are
 *   kept: module loaders, export conditions and warning / source-map switches, each with its value.
 */
const WITH_VALUE = new Set([
  '--import',
  '--require',
  '-r',
  '--loader',
  '--experimental-loader',
  '--conditions',
  '-C',
  '--disable-warning',
  '--experimental-default-type',
  '--unhandled-rejections',
]);

const SWITCHES = new Set([
  '--enable-source-maps',
  '--no-warnings',
  '--no-deprecation',
  '--pending-deprecation',
  '--throw-deprecation',
  '--trace-deprecation',
  '--trace-warnings',
  '--trace-uncaught',
  '--trace-exit',
  '--preserve-symlinks',
  '--preserve-symlinks-main',
  '--experimental-vm-modules',
  '--experimental-import-meta-resolve',
  '--experimental-require-module',
  '--experimental-detect-module',
  '--experimental-json-modules',
  '--experimental-wasm-modules',
]);

/** The execArgv to give a worker that should run with `wanted` (see above); `undefined` = inherit. */
export function workerExecArgv(
  wanted: readonly string[],
  parent: readonly string[] = process.execArgv,
): string[] | undefined {
  const same = wanted.length === parent.length && wanted.every((arg, i) => arg === parent[i]);
  return same ? undefined : keepWorkerFlags(wanted);
}

/** Only the flags of `execArgv` that a worker thread's execArgv accepts, each with its value. */
export function keepWorkerFlags(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg;
    if (WITH_VALUE.has(flag)) {
      if (flag !== arg) {
        kept.push(arg);
      } else if (i + 1 < execArgv.length) {
        kept.push(arg, execArgv[i + 1]!);
        i++;
      }
    } else if (SWITCHES.has(flag) && flag === arg) {
      kept.push(arg);
    }
    // Anything else is dropped, and so is a dropped flag's separate value (`--title x`): execArgv
    // holds only node's options and their values, never the script.
  }
  return kept;
}
