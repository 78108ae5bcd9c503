// `prepare` (npm install in this repository, npm ci in the Docker build): compiles src/ to dist/.
// Where TypeScript is not installed — `npm prune --omit=dev` runs prepare again after removing it —
// an existing dist/ is kept as it is.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  if (existsSync(new URL('./dist/index.js', import.meta.url))) process.exit(0);
  console.error('@looplab/doctor: TypeScript is not installed and dist/ is missing: run npm install first.');
  process.exit(1);
}
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: here, stdio: 'inherit' });
