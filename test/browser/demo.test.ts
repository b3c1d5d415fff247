/**
 * The live page (web/demo.html) and the three.js example (web/three.html) in Debian's Chromium with
 * WebGPU on SwiftShader, launched with exactly the flags the README gives: the pages must render
 * frames with no console errors, and the frame must show AO (darker in a box/floor corner than on open
 * floor). With those flags a WebGPU canvas cannot present here, so the pages show read-back frames on a
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
const SIZE = 192;

let server: Server, base = '', browser: Browser, presenting: Browser;

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
async function shownVersus(page: Page, rgba: number[], size: number): Promise<number> {
  const shot = pngjs.PNG.sync.read(await page.locator('#view').screenshot());
  expect([shot.width, shot.height]).toEqual([size, size]);
  let sum = 0;
  for (let i = 0; i < size * size; i++) for (let c = 0; c < 3; c++) sum += Math.abs(shot.data[4 * i + c]! - rgba[4 * i + c]!);
  return sum / (3 * size * size);
}

describe('browser demo (Chromium, WebGPU on SwiftShader, the README\'s flags)', () => {
  it('the README gives a headless command with the standard WebGPU flags', () => {
    expect(README_ARGS).toEqual(expect.arrayContaining(['--headless=new', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader']));
  });

  it('renders the frame live with neural AO: a box/floor corner is darker than open floor, and the canvas shows it (README flags)', async () => {
    const { page, errors } = await open(browser, `/web/demo.html?size=${SIZE}&ao=network`);
    await page.waitForFunction('(window.__wgml && window.__wgml.frames >= 2) || window.__wgmlError', null, { timeout: 90_000 });
    expect(await page.evaluate(() => window.__wgmlError ?? null)).toBeNull();
    const r = await page.evaluate(async () => {
      const w = window.__wgml!;
      // Freeze nothing: the camera is static unless dragged, so every frame is the same image.
      const [ao, color] = await Promise.all([w.readAO(), w.readColor()]);
      return { ao, color, corner: w.project([0.1, 0, 0.62]), open: w.project([0.5, 0, 2.2]), passMs: w.passMs, size: w.width, presentation: w.presentation };
    });
    // With the README's flags this Chromium cannot present WebGPU canvases: the page says so and shows read-back frames.
    if (r.presentation === '2d-readback') expect(await page.textContent('#status')).toMatch(/cannot present WebGPU canvases .*--use-vulkan=swiftshader/);
    expect(await shownVersus(page, r.color, r.size)).toBeLessThan(2);
    const at = (p: [number, number]) => p[1] * r.size + p[0];
    const lum = (i: number) => (r.color[4 * i]! + r.color[4 * i + 1]! + r.color[4 * i + 2]!) / 3;
    const [c, o] = [at(r.corner), at(r.open)];
    expect(r.ao[o]!).toBeGreaterThan(0.85);
    expect(r.ao[c]!).toBeLessThan(r.ao[o]! - 0.1);
    expect(lum(c)).toBeLessThan(lum(o) - 10);
    // Every pass was timed (timestamp-query on SwiftShader) or at least the CPU frame time.
    expect(r.passMs['frame (CPU)']).toBeGreaterThan(0);
    for (const k of ['gbuffer', 'material', 'network', 'lighting']) if (k in r.passMs) expect(r.passMs[k]).toBeGreaterThan(0);
    // The canvas shows the frame (the panel's timing table is on screen).
    expect(await page.textContent('#times')).toMatch(/network/);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('presents directly on a WebGPU canvas where Chromium can (the presenting flags), showing the frame it rendered', async () => {
    const { page, errors } = await open(presenting, '/web/demo.html?size=64&ao=none');
    await page.waitForFunction('(window.__wgml && window.__wgml.frames >= 2) || window.__wgmlError', null, { timeout: 90_000 });
    expect(await page.evaluate(() => window.__wgmlError ?? null)).toBeNull();
    const r = await page.evaluate(async () => ({ color: await window.__wgml!.readColor(), presentation: window.__wgml!.presentation }));
    expect(r.presentation).toBe('webgpu-canvas');
    expect(await page.textContent('#status')).not.toMatch(/cannot present/);
    expect(await shownVersus(page, r.color, 64)).toBeLessThan(2);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("adds wgml's AO to a three.js WebGPURenderer scene on three's device, without errors (README flags)", async () => {
    const { page, errors } = await open(browser, `/web/three.html?size=${SIZE}`);
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
    __wgml?: { frames: number; width: number; passMs: Record<string, number>; presentation: string; project(p: [number, number, number]): [number, number]; readAO(): Promise<number[]>; readColor(): Promise<number[]> };
    __wgmlThree?: { frames: number; aoMin: number; aoMean: number; aoMax: number; covered: number; presentation: string };
    __wgmlError?: string;
  }
}
