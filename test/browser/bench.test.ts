/**
 * web/bench.html: encodeNetwork's recording cost in Chromium (WebGPU on SwiftShader, the README's flags),
 * with the shared bind group and with a bind group per dispatch; both recordings must give the same
 * outputs. The figures themselves are printed (speed goals are checked by benchmarks, not tests).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import { writePackage } from '../../src/runtime/package.js';
import { hostTensor } from '../../src/ir/types.js';
import { graph, node, f32, int } from '../helpers/graph.js';
// For its `declare global` of window.__wgmlBench / __wgmlError: the page's results, typed where they are made.
import type {} from '../../web/bench.js';
// @ts-expect-error plain ESM helper without types
import { serve } from '../../web/serve.mjs';

const README_ARGS = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').split('\n').find((l) => /^chromium --headless/.test(l))!
  .split(/\s+/).filter((w) => w.startsWith('--'));
let server: Server, base = '', browser: Browser;

beforeAll(async () => {
  execFileSync('node', ['web/build.mjs'], { stdio: 'pipe' });
  // A network of declared (shared-capable) kernels and one that is not, as test/recording.test.ts uses.
  const a = hostTensor('int64', [], [1]), z = hostTensor('int64', [], [0]);
  const g = graph([f32('x', [4, 8])], [f32('y', [4, 8])], [
    node('CumSum', ['x', 'a'], ['c1']), node('CumSum', ['c1', 'z'], ['c2'], { reverse: int(1) }), node('Neg', ['c2'], ['n']), node('CumSum', ['n', 'a'], ['y']),
  ], { a, z });
  mkdirSync('test/.cache', { recursive: true });
  writeFileSync('test/.cache/bench-page.wgml', writePackage(g));
  ({ server, url: base } = await serve());
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: false, args: README_ARGS });
}, 120_000);
afterAll(async () => { await browser?.close(); server?.close(); });

describe('recording bench page (Chromium, README flags)', () => {
  it('times encodeNetwork with shared and per-dispatch bind groups, with equal outputs', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/web/bench.html?model=../test/.cache/bench-page.wgml&runs=500`);
    await page.waitForFunction(() => window.__wgmlBench || window.__wgmlError, null, { timeout: 90_000 });
    const r = await page.evaluate(() => ({ bench: window.__wgmlBench, error: window.__wgmlError }));
    expect(r.error).toBeUndefined();
    const rows = r.bench!.rows;
    expect(rows.map((x) => x.recording)).toEqual(['shared', 'groups']);
    for (const x of rows) { expect(x.dispatches).toBe(4); expect(x.encodeUs).toBeGreaterThan(0); }
    expect(rows[1]!.outputsEqual).toBe(true);
    expect(rows[0]!.pipelines).toBe(4);
    console.log(`bench page on ${r.bench!.adapter}: ${rows.map((x) => `${x.recording} ${x.usPerDispatch.toFixed(2)} µs/dispatch`).join(', ')}`);
    expect(errors).toEqual([]);
  }, 120_000);
});
