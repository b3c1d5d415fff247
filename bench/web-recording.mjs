/**
 * Issue 18's recording cost in a browser: opens web/bench.html in headless Chromium with the README's
 * flags (WebGPU on SwiftShader, or the machine's GPU where Chromium finds one) for each model and prints
 * encodeNetwork's median CPU time per dispatch with one shared bind group and with a bind group per
 * dispatch. In a browser every WebGPU call also crosses Dawn's wire, so per-call costs differ from Node's.
 *   node web/build.mjs && node bench/web-recording.mjs [--runs 5000] [MODEL[:NAME=AxBxC] ...]
 * Default models: the test model exports (python3 scripts/export_models.py) at small input sizes.
 */
import { chromium } from 'playwright-core';
import { readFileSync, existsSync } from 'node:fs';
import { serve } from '../web/serve.mjs';

const argv = process.argv.slice(2);
const ri = argv.indexOf('--runs');
const runs = ri >= 0 ? Number(argv.splice(ri, 2)[1]) : 5000;
// 500 recordings per timed batch: the page's clock is coarse (0.1 ms), a batch takes tens of ms.
const batch = Math.min(500, runs);
const models = argv.length ? argv : [
  'test/.cache/models/resnet18.onnx:input=1x3x64x64',
  'test/.cache/models/mobilenet_v2.onnx:input=1x3x64x64',
  'test/.cache/models/vit_tiny.onnx',
  'models/ao/ao.onnx:gbuffer=1x4x64x64',
];
const flags = readFileSync(new URL('../README.md', import.meta.url), 'utf8').split('\n').find((l) => /^chromium --headless/.test(l))
  .split(/\s+/).filter((w) => w.startsWith('--'));

const { server, url } = await serve();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: false, args: flags });
console.log(`Chromium ${browser.version()} ${flags.join(' ')}; ${runs} recordings per mode, timed in batches of ${batch}`);
console.log('model | recording | dispatches | pipelines | createPipeline ms | encode µs | µs/dispatch | outputs equal');
try {
  for (const spec of models) {
    const [file, dims] = spec.split(':');
    if (!existsSync(file)) { console.log(`${file}: missing (python3 scripts/export_models.py exports the test models)`); continue; }
    const page = await browser.newPage();
    const q = new URLSearchParams({ model: `../${file}`, runs: String(runs), batch: String(batch) });
    if (dims) q.append('dims', dims);
    await page.goto(`${url}/web/bench.html?${q}`);
    await page.waitForFunction(() => window.__wgmlBench || window.__wgmlError, null, { timeout: 600_000 });
    const r = await page.evaluate(() => ({ bench: window.__wgmlBench, error: window.__wgmlError }));
    if (r.error) { console.log(`${file}: error: ${r.error}`); await page.close(); continue; }
    for (const x of r.bench.rows) {
      console.log([file.split('/').pop(), x.recording, x.dispatches, x.pipelines, x.createPipelineMs.toFixed(0), x.encodeUs.toFixed(1), x.usPerDispatch.toFixed(2),
        x.reason ?? String(x.outputsEqual ?? '—')].join(' | '));
    }
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
