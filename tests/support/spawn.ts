import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/** A program the tests run as a user would (`npm start`, `node dist/main.js`…), its output collected. */
export interface Spawned {
  child: ChildProcess;
  /** Standard output and standard error, interleaved as they came. */
  output: { text: string };
  /** Its JSON log lines (a line that is not JSON is left out). */
  lines(): Array<{ pid: number; shardId?: number; msg: string; [key: string]: unknown }>;
  /** SIGTERM; resolves with the exit code and how long it took (at once if it already exited). */
  stop(): Promise<{ code: number | null; afterMs: number }>;
}

/** Spawns `command` with `args`, stdin closed, stdout and stderr collected into `output.text`. */
export function spawnCaptured(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string },
): Spawned {
  const child = spawn(command, args, {
    env: options.env,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { text: '' };
  const collect = (chunk: Buffer) => {
    output.text += chunk;
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return {
    child,
    output,
    lines: () =>
      output.text
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .flatMap((l) => {
          try {
            return [JSON.parse(l)];
          } catch {
            return [];
          }
        }),
    async stop() {
      const at = Date.now();
      if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, afterMs: 0 };
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return { code, afterMs: Date.now() - at };
    },
  };
}
