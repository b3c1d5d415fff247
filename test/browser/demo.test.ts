/**
 * The live page (web/demo.html) and the three.js example (web/three.html) in Debian's Chromium with
 * WebGPU on SwiftShader: the page must render frames with no console errors, and the frame must show
 * AO: the network's AO and the canvas pixels are darker in a box/floor corner than on open floor.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import type { Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
// @ts-expect-error plain ESM helper without types
import { serve } from '../../web/serve.mjs';

/** The flag set that gives navigator.gpu on SwiftShader headless here and lets a WebGPU canvas present
 * (without the Vulkan/ANGLE SwiftShader flags, configuring a canvas loses the device). */
const ARGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--no-sandbox', '--headless=new',
  '--enable-features=Vulkan,SharedImageWebGPU', '--use-vulkan=swiftshader', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
  '--disable-background-networking', '--disable-component-update'];
const SIZE = 192;

let server: Server, base = '', browser: Browser;

beforeAll(async () => {
  execFileSync('node', ['web/build.mjs'], { stdio: 'pipe' });
  ({ server, url: base } = await serve());
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
}, 120_000);
afterAll(async () => { await browser?.close(); server?.close(); });

async function open(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) errors.push(`off-line page fetched ${r.url()}`); });
  await page.goto(`${base}${path}`);
  return { page, errors };
}

describe('browser demo (Chromium, WebGPU on SwiftShader)', () => {
  it('renders the frame live with neural AO: a box/floor corner is darker than open floor', async () => {
    const { page, errors } = await open(`/web/demo.html?size=${SIZE}&ao=network`);
    await page.waitForFunction('(window.__wgml && window.__wgml.frames >= 2) || window.__wgmlError', null, { timeout: 90_000 });
    expect(await page.evaluate(() => window.__wgmlError ?? null)).toBeNull();
    const r = await page.evaluate(async () => {
      const w = window.__wgml!;
      // Freeze nothing: the camera is static unless dragged, so every frame is the same image.
      const [ao, color] = await Promise.all([w.readAO(), w.readColor()]);
      return { ao, color, corner: w.project([0.1, 0, 0.62]), open: w.project([0.5, 0, 2.2]), passMs: w.passMs, size: w.width };
    });
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

  it("adds wgml's AO to a three.js WebGPURenderer scene on three's device, without errors", async () => {
    const { page, errors } = await open(`/web/three.html?size=${SIZE}`);
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
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});

declare global {
  interface Window {
    __wgml?: { frames: number; width: number; passMs: Record<string, number>; project(p: [number, number, number]): [number, number]; readAO(): Promise<number[]>; readColor(): Promise<number[]> };
    __wgmlThree?: { frames: number; aoMin: number; aoMean: number; aoMax: number; covered: number };
    __wgmlError?: string;
  }
}
