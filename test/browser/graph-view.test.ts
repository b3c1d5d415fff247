import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { inspectJson } from '../../src/cli/models.js';
import { writeGraphHtml, inspectOfProgram } from '../../src/debug/html.js';
import { debugRun } from '../../src/debug/capture.js';
import { loadGraph } from '../../src/runtime/library.js';
import { hostTensor } from '../../src/ir/types.js';
import { testDevice } from '../helpers/gpu.js';
import { rng, randn, testSeed } from '../helpers/random.js';
import { convModel, fusedModel, nanModel } from '../fixtures/debug/models.js';

const dir = mkdtempSync(join(tmpdir(), 'wgml-html-'));
let server: Server, base = '', browser: Browser;

beforeAll(async () => {
  server = createServer((req, res) => {
    try { const body = readFileSync(join(dir, basename(req.url ?? ''))); res.writeHead(200, { 'content-type': 'text/html' }); res.end(body); }
    catch { res.writeHead(404); res.end(); }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--headless', '--disable-gpu'] });
});
afterAll(async () => { await browser?.close(); server?.close(); });

/** Open a page, failing on any console error or uncaught exception; every request must stay on 127.0.0.1. */
async function open(file: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) errors.push(`off-line page fetched ${r.url()}`); });
  await page.goto(`${base}/${file}`);
  return { page, errors };
}

describe('graph view (Chromium)', () => {
  it('shows every node of `wgml inspect` output, with what fusion folded in, and details on click', async () => {
    const model = join(dir, 'fused.onnx');
    writeFileSync(model, fusedModel());
    const j = await inspectJson(model, {}, await testDevice());
    await writeGraphHtml(join(dir, 'fused.html'), j);
    const { page, errors } = await open('fused.html');
    const names = await page.$$eval('g.node.op', (gs) => gs.map((g) => g.getAttribute('data-name')));
    expect(names.sort()).toEqual(j.nodes.map((n) => n.name).sort());
    expect(await page.$$eval('g.node.input', (g) => g.length)).toBe(2);
    expect(await page.$$eval('g.node.output', (g) => g.length)).toBe(1);
    expect(await page.$$eval('path.edge', (p) => p.length)).toBeGreaterThanOrEqual(j.nodes.length);
    const fused = j.nodes.find((n) => 'wgml_act' in n.attrs)!;
    expect(fused).toBeDefined();
    await page.click(`g.node[data-name="${fused.name}"]`);
    const text = await page.textContent('#details');
    expect(text).toContain(fused.name);
    expect(text).toContain('MatMul');
    expect(text).toMatch(/activation relu/);
    expect(text).toMatch(/residual Add/);
    expect(text).toMatch(/heap @\d+|output|input/);
    // another node replaces the details
    const other = j.nodes.find((n) => n !== fused)!;
    await page.click(`g.node[data-name="${other.name}"]`);
    expect(await page.textContent('#details h2')).toBe(other.name);
    expect(errors).toEqual([]);
  });

  it('shows capture statistics, tensor previews and marks the bad node', async () => {
    const device = await testDevice();
    const seed = testSeed();
    const img = hostTensor('float32', [1, 2, 6, 6], randn(rng(seed), 72));
    const cap = await debugRun(device, (await loadGraph(convModel())).graph, { img });
    await writeGraphHtml(join(dir, 'conv.html'), inspectOfProgram(cap.program), cap);
    const { page, errors } = await open('conv.html');
    expect(await page.$$eval('g.node.op', (g) => g.length)).toBe(cap.nodes.length);
    await page.click('g.node[data-name="conv1"]');
    expect(await page.textContent('pre.stats')).toMatch(/out c1: \[/);
    const w = await page.$eval('img.preview', (i) => (i as HTMLImageElement).naturalWidth);
    expect(w).toBeGreaterThan(0);
    const x = hostTensor('float32', [2, 8], randn(rng(seed), 16));
    const bad = await debugRun(device, (await loadGraph(nanModel())).graph, { x });
    await writeGraphHtml(join(dir, 'nan.html'), inspectOfProgram(bad.program), bad);
    const p2 = await open('nan.html');
    expect(await p2.page.$$eval('g.node.bad', (g) => g.map((n) => n.getAttribute('data-name')))).toContain('sqrt_planted');
    expect([...errors, ...p2.errors]).toEqual([]);
  });
});
