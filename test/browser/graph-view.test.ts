/**
 * The graph page's content in Chromium: every node of `wgml inspect`, what fusion folded in, the model
 * summary table, the heap view, and the overlays from the debugger (NaN/Inf, max |x|, error against
 * onnxruntime) and the profiler (`wgml profile --html`), each checked against numbers computed here
 * from the capture, the report or the trace of the same run.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { inspectJson } from '../../src/cli/models.js';
import { register as debugCli } from '../../src/cli/debug.js';
import { register as profileCli } from '../../src/cli/profile.js';
import { writeGraphHtml, inspectOfProgram } from '../../src/debug/html.js';
import { debugRun } from '../../src/debug/capture.js';
import { loadGraph } from '../../src/runtime/library.js';
import { hostTensor } from '../../src/ir/types.js';
import { testDevice } from '../helpers/gpu.js';
import { rng, randn, testSeed } from '../helpers/random.js';
import { runCli } from '../helpers/cli.js';
import { withBrokenKernel } from '../helpers/broken-kernel.js';
import { PAGE_DIR, launchChromium, openGraph, nodeBoxes, canvasBox, inside } from '../helpers/graph-page.js';
import { chainModel, convModel, fusedModel, nanModel } from '../fixtures/debug/models.js';

const seed = testSeed();
let browser: Browser;
beforeAll(async () => { browser = await launchChromium(); });
afterAll(async () => { await browser?.close(); });
afterEach(() => { process.exitCode = undefined; });

const file = (name: string, bytes?: Uint8Array) => { const f = join(PAGE_DIR, name); if (bytes) writeFileSync(f, bytes); return f; };
const metric = (page: Page, name: string) => page.$eval(`g.node[data-name="${name}"]`, (g) => g.getAttribute('data-metric'));
const fill = (page: Page, name: string) => page.$eval(`g.node[data-name="${name}"] rect.body`, (r) => getComputedStyle(r).fill);
const rgb = (c: string) => (c.match(/\d+/g) ?? []).slice(0, 3).map(Number) as [number, number, number];
const luminance = (c: string) => { const [r, g, b] = rgb(c); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
const cell = (page: Page, key: string) => page.$eval(`#summary tr[data-key="${key}"] td`, (td) => Number(td.getAttribute('data-value')));

describe('graph page content (Chromium)', () => {
  it('shows every node of `wgml inspect`, what fusion folded in, the summary table and the heap ranges, from one offline file', async () => {
    const j = await inspectJson(file('fused.onnx', fusedModel()), {}, await testDevice());
    const html = file('fused.html');
    await writeGraphHtml(html, j);
    const text = readFileSync(html, 'utf8');
    expect(text).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|(src|href)="https?:/);
    const { page, errors } = await openGraph(browser, html);
    expect((await page.$$eval('g.node.op', (gs) => gs.map((g) => g.getAttribute('data-name')))).sort()).toEqual(j.nodes.map((n) => n.name).sort());
    expect(await page.$$eval('g.node.input', (g) => g.length)).toBe(2);
    expect(await page.$$eval('g.node.output', (g) => g.length)).toBe(1);
    expect(await page.$$eval('path.edge', (p) => p.length)).toBeGreaterThanOrEqual(j.nodes.length);
    // the summary as a table, each number the inspect output's
    for (const k of ['dispatches', 'flops', 'intermediatesHeapSize', 'peakLiveBytes', 'weightsBytes'] as const) expect(await cell(page, k), k).toBe(j[k]);
    expect(await cell(page, 'nodes')).toBe(j.nodes.length);
    expect(await page.textContent('#summary tr[data-key="inputs"]')).toMatch(/x float32 \[4×8\][^]*skip float32 \[4×8\]/);
    const fused = j.nodes.find((n) => 'wgml_epilogue' in n.attrs)!;
    await page.click(`g.node[data-name="${fused.name}"]`);
    const details = await page.textContent('#details');
    expect(details).toContain(fused.name);
    expect(details).toContain('MatMul');
    expect(details).toMatch(/epilogue Add → Relu/);
    // heap view: the node's heap outputs as writes and its weights as reads, at the planner's offsets
    const place = (v: { place?: unknown }) => v.place as { kind: string; offset: number };
    const heapOut = fused.outputs.filter((o) => place(o).kind === 'heap').map((o) => place(o).offset);
    expect(await page.$$eval('#details svg.heapmap rect.write', (rs) => rs.map((r) => Number(r.getAttribute('data-offset'))))).toEqual(heapOut);
    const wts = fused.inputs.filter((i) => place(i).kind === 'weights').map((i) => place(i).offset);
    expect(wts.length).toBeGreaterThan(0);
    expect(await page.$$eval('#details svg.weightsmap rect.read', (rs) => rs.map((r) => Number(r.getAttribute('data-offset'))))).toEqual(wts);
    // another node replaces the details; a neighbour link jumps to the producer
    const other = j.nodes.find((n) => n !== fused)!;
    await page.click(`g.node[data-name="${other.name}"]`);
    expect(await page.textContent('#details h2')).toBe(other.name);
    await page.click(`#details a.node-link[data-id="n${j.nodes.indexOf(fused)}"]`);
    expect(await page.textContent('#details h2')).toBe(fused.name);
    expect(errors).toEqual([]);
  });

  it('shows capture statistics and previews, and opens a NaN capture on its first bad node, coloured by NaN/Inf count', async () => {
    const device = await testDevice();
    const img = hostTensor('float32', [1, 2, 6, 6], randn(rng(seed), 72));
    const cap = await debugRun(device, (await loadGraph(convModel())).graph, { img });
    await writeGraphHtml(file('conv.html'), inspectOfProgram(cap.program), cap);
    const conv = await openGraph(browser, file('conv.html'));
    expect(await conv.page.$$eval('g.node.op', (g) => g.length)).toBe(cap.nodes.length);
    await conv.page.click('g.node[data-name="conv1"]');
    expect(await conv.page.textContent('pre.stats')).toMatch(/out c1: \[/);
    expect(await conv.page.$eval('img.preview', (i) => (i as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);

    const x = hostTensor('float32', [2, 8], randn(rng(seed), 16));
    const bad = await debugRun(device, (await loadGraph(nanModel())).graph, { x });
    await writeGraphHtml(file('nan.html'), inspectOfProgram(bad.program), bad);
    const { page, errors } = await openGraph(browser, file('nan.html'));
    expect(await page.$eval('#overlay', (s) => (s as HTMLSelectElement).value)).toBe('naninf');
    expect(await page.textContent('#details h2')).toBe('sqrt_planted');
    expect(await page.$$eval('g.node.firstbad', (g) => g.map((n) => n.getAttribute('data-name')))).toEqual(['sqrt_planted']);
    const box = (await nodeBoxes(page)).find((b) => b.name === 'sqrt_planted')!;
    expect(inside(box, await canvasBox(page))).toBe(true);
    // the count on the node is the capture's: NaN and ±Inf in its output
    const s = [...bad.values.get('s')!.data];
    const nanInf = s.filter((v) => !Number.isFinite(v)).length;
    expect(nanInf).toBeGreaterThan(0);
    expect(await metric(page, 'sqrt_planted')).toBe(String(nanInf));
    expect(await page.textContent('g.node[data-name="sqrt_planted"] text.badge')).toBe(`${nanInf} NaN/Inf`);
    expect(await metric(page, 'proj')).toBe('0');
    expect(await fill(page, 'sqrt_planted')).not.toBe(await fill(page, 'proj'));
    expect(await page.isVisible('#badbtn')).toBe(true);
    // max |x| of the outputs, on request
    await page.selectOption('#overlay', 'absmax');
    expect(Number(await metric(page, 'proj'))).toBe(Math.max(...[...bad.values.get('h')!.data].map(Math.abs)));
    expect(await page.textContent('#legend')).toMatch(/log/);
    expect([...conv.errors, ...errors]).toEqual([]);
  });

  it('`wgml debug --reference --html` colours by error against onnxruntime and opens on the node a broken kernel breaks', async () => {
    const model = file('chain.onnx', chainModel()), html = file('reference.html');
    const r = await withBrokenKernel('Softmax', () => runCli(debugCli, ['debug', model, '--reference', '--json', '--html', html, '--seed', String(seed), '--rtol', '1e-3']));
    const report = JSON.parse(r.out) as { firstBadNode: { name: string }; nodes: { name: string; relErr: number }[] };
    expect(report.firstBadNode.name).toBe('attn');
    const { page, errors } = await openGraph(browser, html);
    expect(await page.$eval('#overlay', (s) => (s as HTMLSelectElement).value)).toBe('err');
    expect(await page.textContent('#details h2')).toBe('attn');
    for (const n of report.nodes) expect(Number(await metric(page, n.name)), n.name).toBeCloseTo(n.relErr, 12);
    // green under rtol, red over it
    const [pr, pg] = rgb(await fill(page, 'proj')), [ar, ag] = rgb(await fill(page, 'attn'));
    expect(pg).toBeGreaterThan(pr);
    expect(ar).toBeGreaterThan(ag);
    expect(await page.textContent('#legend')).toMatch(/rtol 0\.001/);
    expect(await page.textContent('#details table.metrics')).toMatch(/over rtol/);
    expect(errors).toEqual([]);
  });

  it('`wgml profile --html` colours every node by the GPU time of the frame its trace holds', async () => {
    const model = file('chain-prof.onnx', chainModel()), html = file('profile.html'), trace = file('profile-trace.json');
    await runCli(profileCli, ['profile', model, '--out', trace, '--html', html, '--warmup', '0', '--no-fuse']);
    const events = (JSON.parse(readFileSync(trace, 'utf8')).traceEvents as { ph: string; name: string; dur: number }[]).filter((e) => e.ph === 'X');
    expect(events.length).toBeGreaterThanOrEqual(4);
    const { page, errors } = await openGraph(browser, html);
    expect(await page.$eval('#overlay', (s) => (s as HTMLSelectElement).value)).toBe('time');
    for (const e of events) expect(Number(await metric(page, e.name)), e.name).toBeCloseTo(e.dur * 1000, 3);
    expect(await cell(page, 'gpuTimeNs')).toBeCloseTo(events.reduce((a, e) => a + e.dur * 1000, 0), 3);
    const slowest = events.reduce((a, b) => (b.dur > a.dur ? b : a));
    expect(await page.textContent('#summary table.top tr:first-child td:first-child')).toBe(slowest.name);
    // the slowest node is the darkest on the heat ramp
    const lum = await Promise.all(events.map(async (e) => luminance(await fill(page, e.name))));
    expect(Math.min(...lum)).toBe(lum[events.indexOf(slowest)]);
    expect(errors).toEqual([]);
  });
});
