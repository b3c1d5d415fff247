/**
 * Finding your way around the graph page in Chromium at 1280×800 (software rendering): a U-Net as
 * torch.onnx exports one (test/fixtures/debug/models.ts, 31 nodes unfused) fits on open; zoom keeps the point under the pointer; drag, wheel and
 * keys pan; search finds by name, op or value and centres the node; a BERT-shaped graph of 300+ nodes
 * opens interactive in under 2 s with a minimap that moves the view.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { inspectJson } from '../../src/cli/models.js';
import { writeGraphHtml, inspectOfProgram } from '../../src/debug/html.js';
import { debugRun } from '../../src/debug/capture.js';
import { debugModel } from '../../src/debug/model.js';
import { withBrokenKernel } from '../helpers/broken-kernel.js';
import { loadGraph } from '../../src/runtime/library.js';
import { hostTensor } from '../../src/ir/types.js';
import { testDevice } from '../helpers/gpu.js';
import { rng, randn, testSeed } from '../helpers/random.js';
import { PAGE_DIR, launchChromium, openGraph, nodeBoxes, canvasBox, inside, viewOf, type Box } from '../helpers/graph-page.js';
import { transformerModel, unetModel } from '../fixtures/debug/models.js';
import { writeFileSync } from 'node:fs';

const seed = testSeed();
const UNET = join(PAGE_DIR, 'unet.onnx');
let browser: Browser;
const unetPage = join(PAGE_DIR, 'unet.html');
let unetNodes: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  writeFileSync(UNET, unetModel());
  const cap = await debugRun(await testDevice(), (await loadGraph(UNET)).graph, { gbuffer: hostTensor('float32', [1, 4, 16, 16], randn(rng(seed), 1024)) });
  unetNodes = cap.nodes.map((n) => n.name);
  await writeGraphHtml(unetPage, inspectOfProgram(cap.program), { capture: cap, title: 'unet.onnx (U-Net)' });
});
afterAll(async () => { await browser?.close(); });

const centre = (b: Box) => ({ x: (b.left + b.right) / 2, y: (b.top + b.bottom) / 2 });
const boxOf = async (page: Page, name: string) => (await nodeBoxes(page)).find((b) => b.name === name)!;
const allInside = async (page: Page) => { const c = await canvasBox(page); return (await nodeBoxes(page)).filter((b) => !inside(b, c)).map((b) => b.name); };

describe('graph page navigation (Chromium, 1280×800)', () => {
  it('fits the U-Net on open with every node on screen and clear of the legend, zooms at the pointer, pans by drag, wheel and keys', async () => {
    const { page, errors } = await openGraph(browser, unetPage);
    expect(unetNodes.length).toBeGreaterThanOrEqual(30);
    expect(await page.$$eval('g.node.op', (g) => g.length)).toBe(unetNodes.length);
    expect(await allInside(page)).toEqual([]);
    const legend = await page.$eval('#legendbox', (l) => l.getBoundingClientRect().top);
    const boxes = await nodeBoxes(page);
    expect(Math.max(...boxes.map((b) => b.bottom))).toBeLessThanOrEqual(legend);
    // zoomed out, each node is one block labelled in type that stays readable
    const label = await page.$eval('g.node[data-name="/mid/mid.0/Conv"] text.mid', (t) => ({ shown: getComputedStyle(t).display !== 'none', h: t.getBoundingClientRect().height }));
    expect(label.shown).toBe(true);
    expect(label.h).toBeGreaterThanOrEqual(8);

    // Ctrl+wheel zooms in keeping the node under the pointer where it was
    const v0 = await viewOf(page), at = centre(await boxOf(page, '/mid/mid.0/Conv'));
    await page.mouse.move(at.x, at.y);
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -300);
    await page.keyboard.up('Control');
    const v1 = await viewOf(page), after = centre(await boxOf(page, '/mid/mid.0/Conv'));
    expect(v1.scale).toBeGreaterThan(v0.scale * 1.5);
    expect(Math.abs(after.x - at.x)).toBeLessThan(1);
    expect(Math.abs(after.y - at.y)).toBeLessThan(1);
    // a drag that starts on a node pans by exactly the drag and selects nothing
    const from = centre(await boxOf(page, '/mid/mid.0/Conv'));
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + 60, from.y + 30, { steps: 4 });
    await page.mouse.move(from.x + 120, from.y + 70, { steps: 4 });
    await page.mouse.up();
    const v2 = await viewOf(page);
    expect([v2.tx - v1.tx, v2.ty - v1.ty]).toEqual([120, 70]);
    expect(await page.$('#details h2')).toBeNull();
    // the wheel scrolls, arrows pan, + zooms about the centre, F fits again
    await page.mouse.wheel(0, 100);
    const v3 = await viewOf(page);
    expect(v3.ty).toBeCloseTo(v2.ty - 100, 5);
    await page.keyboard.press('ArrowRight');
    expect((await viewOf(page)).tx).toBeCloseTo(v3.tx - 80, 5);
    const s = (await viewOf(page)).scale;
    await page.keyboard.press('+');
    expect((await viewOf(page)).scale).toBeCloseTo(s * 1.25, 5);
    await page.keyboard.press('f');
    expect(await allInside(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('finds a node by name, op or value name, lists and centres it; Escape clears', async () => {
    const { page, errors } = await openGraph(browser, unetPage);
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('search');
    await page.keyboard.type('mid.2');
    // the Conv by name, then the Relu that reads its output by value name
    expect(await page.$$eval('#results li', (ls) => ls.map((l) => l.querySelector('b')!.textContent))).toEqual(['/mid/mid.2/Conv', '/mid/mid.3/Relu']);
    expect(await page.textContent('#count')).toBe('– / 2');
    await page.keyboard.press('Enter');
    expect(await page.textContent('#details h2')).toBe('/mid/mid.2/Conv');
    const c = await canvasBox(page), b = await boxOf(page, '/mid/mid.2/Conv');
    expect(Math.abs(centre(b).x - (c.left + c.right) / 2)).toBeLessThan(2);
    expect(Math.abs(centre(b).y - (c.top + c.bottom) / 2)).toBeLessThan(2);
    expect((await viewOf(page)).scale).toBeGreaterThanOrEqual(1);
    const dim = await page.$eval('g.node[data-name="/down/Pad"]', (g) => Number(getComputedStyle(g).opacity));
    expect(dim).toBeLessThan(0.5);
    await page.keyboard.press('Enter');
    expect(await page.textContent('#details h2')).toBe('/mid/mid.3/Relu');
    // names before ops before value names: every Conv before the nodes that only read a Conv's output
    await page.fill('#search', 'conv');
    const listed = await page.$$eval('#results li b', (bs) => bs.map((b) => b.textContent!));
    const convs = unetNodes.filter((n) => /\/Conv$/.test(n));
    expect(listed.slice(0, convs.length)).toEqual(convs);
    expect(listed.length).toBeGreaterThan(convs.length);
    expect(listed.slice(convs.length).filter((n) => /Conv$/.test(n))).toEqual([]);
    // by op, any case
    await page.fill('#search', 'sigmoid');
    await page.press('#search', 'Enter');
    expect(await page.textContent('#details h2')).toBe('/Sigmoid');
    expect(inside(await boxOf(page, '/Sigmoid'), await canvasBox(page))).toBe(true);
    await page.press('#search', 'Escape');
    expect(await page.$eval('#view', (g) => g.classList.contains('searching'))).toBe(false);
    await page.fill('#search', 'no-such-node');
    expect(await page.textContent('#count')).toBe('no match');
    expect(errors).toEqual([]);
  });

  it('opens a U-Net whose MaxPool kernel is broken on that node, zoomed to it and coloured by error against onnxruntime', async () => {
    const device = await testDevice();
    const gbuffer = hostTensor('float32', [1, 4, 16, 16], randn(rng(seed), 1024));
    const { report, capture } = await withBrokenKernel('MaxPool', () => debugModel(device, UNET, { inputs: { gbuffer }, reference: true, rtol: 1e-3 }));
    expect(report.firstBadNode?.name).toBe('/pool/MaxPool');
    const html = join(PAGE_DIR, 'unet-reference.html');
    await writeGraphHtml(html, inspectOfProgram(capture.program), { capture, report, rtol: 1e-3 });
    const { page, errors } = await openGraph(browser, html);
    expect(await page.textContent('#details h2')).toBe('/pool/MaxPool');
    expect((await viewOf(page)).scale).toBeGreaterThanOrEqual(1);
    const c = await canvasBox(page), b = await boxOf(page, '/pool/MaxPool');
    expect(Math.abs(centre(b).x - (c.left + c.right) / 2)).toBeLessThan(2);
    expect(Math.abs(centre(b).y - (c.top + c.bottom) / 2)).toBeLessThan(2);
    expect(await page.$eval('g.node[data-name="/pool/MaxPool"]', (g) => g.classList.contains('firstbad'))).toBe(true);
    expect(await page.$eval('#overlay', (o) => (o as HTMLSelectElement).value)).toBe('err');
    // B comes back to it after wandering off
    await page.keyboard.press('f');
    await page.click('g.node[data-name="/head/Conv"] rect.body');
    await page.keyboard.press('b');
    expect(await page.textContent('#details h2')).toBe('/pool/MaxPool');
    // ] and [ step through the nodes in execution order
    const k = unetNodes.indexOf('/pool/MaxPool');
    await page.keyboard.press(']');
    expect(await page.textContent('#details h2')).toBe(unetNodes[k + 1]);
    await page.keyboard.press('[');
    await page.keyboard.press('[');
    expect(await page.textContent('#details h2')).toBe(unetNodes[k - 1]);
    expect(errors).toEqual([]);
  });

  it('opens a 300+ node transformer interactive in under 2 s, with a minimap that moves the view', async () => {
    // 48 blocks: after fusion (LayerNorm, attention, epilogues) a block is ~7 nodes on the page
    const model = join(PAGE_DIR, 'bert48.onnx');
    writeFileSync(model, transformerModel(48));
    const j = await inspectJson(model, {}, await testDevice());
    expect(j.nodes.length).toBeGreaterThanOrEqual(300);
    const html = join(PAGE_DIR, 'bert48.html');
    const t0 = performance.now();
    await writeGraphHtml(html, j);
    const writeMs = performance.now() - t0;
    const { page, errors, openMs } = await openGraph(browser, html);
    const readyMs = Number(await page.getAttribute('body', 'data-ready'));
    console.log(`${j.nodes.length} nodes: page written (layout) in ${writeMs.toFixed(0)} ms; open → interactive ${openMs.toFixed(0)} ms (in-page ${readyMs} ms)`);
    expect(openMs).toBeLessThan(2000);
    // a long chain opens at a readable zoom at its top, the minimap showing the whole
    expect((await viewOf(page)).scale).toBeGreaterThanOrEqual(0.5);
    const input = (await nodeBoxes(page)).find((b) => b.name === 'tokens');
    expect(input && inside(input, await canvasBox(page))).toBe(true);
    expect(await page.$eval('#minimap', (m) => !m.classList.contains('off') && m.getBoundingClientRect().height > 100)).toBe(true);
    const mm = await page.$eval('#minimap', (m) => { const r = m.getBoundingClientRect(); return { x: r.left + r.width / 2, y: r.top + r.height * 0.9 }; });
    await page.mouse.click(mm.x, mm.y);
    const v = await viewOf(page), c = await canvasBox(page);
    const gy = ((c.bottom - c.top) / 2 - v.ty) / v.scale;
    const height = await page.evaluate(() => (window as unknown as { wgmlGraph: { data: { height: number } } }).wgmlGraph.data.height);
    expect(gy / height).toBeGreaterThan(0.85);
    expect(gy / height).toBeLessThan(0.95);
    // stays responsive: 20 zoom steps at the pointer, each with its repaint
    const t1 = performance.now();
    await page.mouse.move(400, 400);
    await page.keyboard.down('Control');
    for (let i = 0; i < 20; i++) { await page.mouse.wheel(0, i < 10 ? 120 : -120); await page.evaluate(() => new Promise(requestAnimationFrame)); }
    await page.keyboard.up('Control');
    console.log(`20 zoom steps with repaint: ${((performance.now() - t1) / 20).toFixed(1)} ms each`);
    // search across the whole model, then fit
    await page.fill('#search', 'layer.8.mlp.down');
    await page.press('#search', 'Enter');
    expect(await page.textContent('#details h2')).toMatch(/^layer\.8\.mlp\.down/);
    const name = (await page.textContent('#details h2'))!;
    expect(inside(await boxOf(page, name), await canvasBox(page))).toBe(true);
    await page.press('#search', 'Escape');
    await page.keyboard.press('f');
    expect(await allInside(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
