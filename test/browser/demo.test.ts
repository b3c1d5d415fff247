/**
 * The live page (web/demo.html) and the three.js example (web/three.html) in Debian's Chromium with
 * WebGPU on SwiftShader, launched with exactly the flags the README gives: the pages must render
 * frames with no console errors, the frame must show AO (darker at the foot of a wall than on open
 * floor), and the page's toggles must switch the AO slot and the materials while it runs. With those flags a WebGPU canvas cannot present here, so the pages show read-back frames on a
 * 2D canvas; a second browser with the flags that let SwiftShader present checks the direct path. On
 * both, what is on screen is the frame the page rendered.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import pngjs from 'pngjs';
// @ts-expect-error plain ESM helper without types
import { serve } from '../../web/serve.mjs';

/** The README's headless command: its flags, word for word (the line that starts `chromium --headless`). */
const README_ARGS = (() => {
  const line = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').split('\n').find((l) => /^chromium --headless/.test(l));
  if (!line) throw new Error('the README has no `chromium --headless …` line');
  return line.split(/\s+/).filter((w) => w.startsWith('--'));
})();
/** Flags that also let SwiftShader present a WebGPU canvas (Vulkan SwiftShader, shared images). */
const PRESENTING_ARGS = [...README_ARGS, '--enable-features=Vulkan,SharedImageWebGPU', '--use-vulkan=swiftshader', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
  '--disable-background-networking', '--disable-component-update'];
const W = 128, H = 72;
/** World points of the showcase seen from the path's start: the floor at the foot of the fountain's basin, and open floor. */
const FOOT: [number, number, number] = [0, 0, 1.33], OPEN: [number, number, number] = [-2.0, 0, -0.5];

let server: Server, base = '', browser: Browser, presenting: Browser;
/** The showcase page the first two tests share (README flags). */
let page: Page, errors: string[] = [];

beforeAll(async () => {
  execFileSync('node', ['web/build.mjs'], { stdio: 'pipe' });
  ({ server, url: base } = await serve());
  // headless: false, so Playwright adds no headless flag of its own: the README's --headless=new decides.
  [browser, presenting] = await Promise.all([README_ARGS, PRESENTING_ARGS].map((args) => chromium.launch({ executablePath: '/usr/bin/chromium', headless: false, args })));
}, 120_000);
afterAll(async () => { await browser?.close(); await presenting?.close(); server?.close(); });

async function open(b: Browser, path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await b.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) errors.push(`off-line page fetched ${r.url()}`); });
  await page.goto(`${base}${path}`);
  return { page, errors };
}

/** Mean absolute difference between what the canvas shows (a screenshot) and RGBA rows. */
async function shownVersus(page: Page, rgba: number[], w = W, h = H): Promise<number> {
  // The canvas is drawn at its own size for the comparison (the page's CSS scales it up).
  await page.evaluate(() => { (document.getElementById('view') as HTMLCanvasElement).style.width = 'auto'; });
  const shot = pngjs.PNG.sync.read(await page.locator('#view').screenshot());
  expect([shot.width, shot.height]).toEqual([w, h]);
  let sum = 0;
  for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) sum += Math.abs(shot.data[4 * i + c]! - rgba[4 * i + c]!);
  return sum / (3 * w * h);
}

describe('browser demo (Chromium, WebGPU on SwiftShader, the README\'s flags)', () => {
  it('the README gives a headless command with the standard WebGPU flags', () => {
    expect(README_ARGS).toEqual(expect.arrayContaining(['--headless=new', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader']));
  });

  it('renders the courtyard live with neural AO: the floor at the foot of the fountain is darker than open floor, and the canvas shows it (README flags)', async () => {
    ({ page, errors } = await open(browser, `/web/demo.html?size=${W}x${H}&ao=network&play=0&rays=16`));
    await page.waitForFunction('(window.__wgml && window.__wgml.frames >= 2) || window.__wgmlError', null, { timeout: 90_000 });
    expect(await page.evaluate(() => window.__wgmlError ?? null)).toBeNull();
    const r = await page.evaluate(async ([foot, open]) => {
      const w = window.__wgml!;
      // play=0 holds the camera on the path's start: every frame is the same image.
      const [ao, color] = await Promise.all([w.readAO(), w.readColor()]);
      return { ao, color, foot: w.project(foot), open: w.project(open), passMs: w.passMs, presentation: w.presentation };
    }, [FOOT, OPEN] as const);
    // With the README's flags this Chromium cannot present WebGPU canvases: the page says so and shows read-back frames.
    if (r.presentation === '2d-readback') expect(await page.textContent('#status')).toMatch(/cannot present WebGPU canvases .*--use-vulkan=swiftshader/);
    expect(await shownVersus(page, r.color)).toBeLessThan(2);
    const at = (p: [number, number]) => p[1] * W + p[0];
    const lum = (i: number) => (r.color[4 * i]! + r.color[4 * i + 1]! + r.color[4 * i + 2]!) / 3;
    const [f, o] = [at(r.foot), at(r.open)];
    expect(r.ao[o]!).toBeGreaterThan(0.85);
    expect(r.ao[f]!).toBeLessThan(r.ao[o]! - 0.1);
    expect(lum(f)).toBeLessThan(lum(o) - 10);
    // Every pass was timed (timestamp-query on SwiftShader) or at least the CPU frame time.
    expect(r.passMs['frame (CPU)']).toBeGreaterThan(0);
    for (const k of ['gbuffer', 'material', 'network', 'lighting']) if (k in r.passMs) expect(r.passMs[k]).toBeGreaterThan(0);
    // The panel's timing table is on screen.
    expect(await page.textContent('#times')).toMatch(/network/);
    expect(errors).toEqual([]);
  }, 120_000);

  it('the toggles switch the AO slot (GTAO, ray-cast, none) and the materials (neural, original) on the running page', async () => {
    // The page of the test above, still running (one page load: compiling the showcase's kernels on SwiftShader takes a while).
    expect(page).toBeDefined();
    const snap = () => page.evaluate(async ([foot, open]) => {
      const w = window.__wgml!;
      return { ao: await w.readAO(), color: await w.readColor(), slot: w.ao, materials: w.materials, passMs: { ...w.passMs }, foot: w.project(foot), open: w.project(open) };
    }, [FOOT, OPEN] as const);
    const switchTo = async (sel: string, value: string, key: 'ao' | 'materials') => {
      await page.selectOption(sel, value);
      const f0 = await page.evaluate(() => window.__wgml!.frames);
      // The frame that reports the new setting was rendered with it.
      await page.waitForFunction(([k, v, f]) => (window.__wgml![k as 'ao'] === v && window.__wgml!.frames > (f as number)) || window.__wgmlError, [key, value, f0] as const, { timeout: 90_000 });
      expect(await page.evaluate(() => window.__wgmlError ?? null)).toBeNull();
      return snap();
    };
    const net = await snap();
    const gtao = await switchTo('#ao', 'gtao', 'ao');
    expect(gtao.slot).toBe('gtao');
    expect(gtao.passMs['frame (CPU)']).toBeGreaterThan(0);
    const diff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
    expect(diff(gtao.ao, net.ao)).toBeGreaterThan(0.05);
    const at = (p: [number, number]) => p[1] * W + p[0];
    expect(gtao.ao[at(gtao.foot)]!).toBeLessThan(gtao.ao[at(gtao.open)]! - 0.1);
    const none = await switchTo('#ao', 'none', 'ao');
    expect(none.ao.every((v) => v === 1)).toBe(true);
    const rc = await switchTo('#ao', 'raycast', 'ao');
    expect(rc.ao[at(rc.foot)]!).toBeLessThan(rc.ao[at(rc.open)]! - 0.1);
    expect(await page.textContent('#times')).toMatch(/raycast-ao/);
    // Original textures: the same AO, a slightly different picture (the neural materials are ~45 dB from their originals).
    const orig = await switchTo('#materials', 'original', 'materials');
    expect(diff(orig.ao, rc.ao)).toBe(0);
    let changed = 0, sum = 0;
    for (let i = 0; i < orig.color.length; i += 4) { const d = Math.abs(orig.color[i]! - rc.color[i]!); sum += d; if (d >= 2) changed++; }
    expect(changed).toBeGreaterThan(20);
    expect(sum / (W * H)).toBeLessThan(3);
    // The guard band (on by default: 4 px at this height) off: the slots are rebuilt at the visible size. Without AO
    // (deterministic) the lit frame is the one the band cropped to: the same focal length and pixel centres.
    expect(await page.evaluate(() => window.__wgml!.guard)).toBe(4);
    const banded = await switchTo('#ao', 'none', 'ao');
    const f0 = await page.evaluate(() => window.__wgml!.frames);
    await page.uncheck('#guard');
    await page.waitForFunction((f) => (window.__wgml!.guard === 0 && window.__wgml!.frames > f + 1) || window.__wgmlError, f0, { timeout: 90_000 });
    expect(await page.evaluate(() => window.__wgmlError ?? null)).toBeNull();
    const bare = await snap();
    let off = 0;
    for (let i = 0; i < W * H * 4; i++) if (i % 4 !== 3) off += Math.abs(bare.color[i]! - banded.color[i]!);
    expect(off / (W * H * 3)).toBeLessThan(1);
    expect(await shownVersus(page, bare.color)).toBeLessThan(2);
    expect(await page.textContent('#times')).not.toMatch(/guard band/);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('presents directly on a WebGPU canvas where Chromium can (the presenting flags), showing the frame it rendered', async () => {
    const { page, errors } = await open(presenting, '/web/demo.html?size=64&ao=none&play=0');
    await page.waitForFunction('(window.__wgml && window.__wgml.frames >= 2) || window.__wgmlError', null, { timeout: 90_000 });
    expect(await page.evaluate(() => window.__wgmlError ?? null)).toBeNull();
    const r = await page.evaluate(async () => ({ color: await window.__wgml!.readColor(), presentation: window.__wgml!.presentation }));
    expect(r.presentation).toBe('webgpu-canvas');
    expect(await page.textContent('#status')).not.toMatch(/cannot present/);
    expect(await shownVersus(page, r.color, 64, 64)).toBeLessThan(2);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("adds wgml's AO to a three.js WebGPURenderer scene on three's device, without errors (README flags)", async () => {
    const { page, errors } = await open(browser, `/web/three.html?size=192`);
    await page.waitForFunction('(window.__wgmlThree && window.__wgmlThree.frames >= 2) || window.__wgmlError', null, { timeout: 90_000 });
    expect(await page.evaluate(() => window.__wgmlError ?? null)).toBeNull();
    const t = await page.evaluate(() => window.__wgmlThree!);
    // three drew the network input (depth channel below the cleared 1 on most pixels) and the
    // network found occluded contact areas there while open surfaces stay near 1.
    expect(t.covered).toBeGreaterThan(0.3);
    expect(t.aoMin).toBeGreaterThanOrEqual(0);
    expect(t.aoMin).toBeLessThan(0.7);
    expect(t.aoMax).toBeLessThanOrEqual(1);
    expect(t.aoMean).toBeGreaterThan(0.8);
    // What the canvas shows is the composite three rendered: sky blue at the top, not a blank canvas.
    const shot = pngjs.PNG.sync.read(await page.locator('#view').screenshot());
    const top = [0, 1, 2].map((c) => shot.data[4 * (2 * shot.width + (shot.width >> 1)) + c]!);
    expect(top[2]).toBeGreaterThan(top[0]! + 20);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});

declare global {
  interface Window {
    __wgml?: { frames: number; width: number; ao: string; materials: string; guard: number; passMs: Record<string, number>; presentation: string; project(p: [number, number, number]): [number, number]; readAO(): Promise<number[]>; readColor(): Promise<number[]> };
    __wgmlThree?: { frames: number; aoMin: number; aoMean: number; aoMax: number; covered: number; presentation: string };
    __wgmlError?: string;
  }
}
