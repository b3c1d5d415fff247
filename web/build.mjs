// Bundles the browser page and the three.js example into web/dist/ (npm run build:web).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
await build({
  entryPoints: { demo: `${here}demo.ts`, three: `${here}three.ts`, bench: `${here}bench.ts` },
  outdir: `${here}dist`,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  // Node-only branches (Dawn, node:fs) sit behind dynamic imports that never run in a page.
  external: ['webgpu', 'node:*'],
  logLevel: 'warning',
});
console.log('web/dist: demo.js, three.js, bench.js');
