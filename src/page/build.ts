/**
 * `npm run build`'s last step: writes the classroom page's bundle beside the compiled page server
 * (dist/src/page/client-bundle/), so a compiled build serves the page without its sources or esbuild.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { buildPageBundle, PREBUILT_DIR } from './bundle.js';

const bundle = await buildPageBundle();
await mkdir(PREBUILT_DIR, { recursive: true });
await writeFile(`${PREBUILT_DIR}app.js`, bundle.js);
await writeFile(`${PREBUILT_DIR}app.css`, bundle.css);
console.log(`classroom page bundle: ${PREBUILT_DIR} (${bundle.js.length + bundle.css.length} bytes)`);
