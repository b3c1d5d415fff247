/**
 * Opening graph pages (src/debug/html.ts) in Debian's Chromium for the browser tests: from file://,
 * with every request that is not the file itself or a data: URL recorded as an error (the page must
 * work offline), console errors and exceptions recorded, and geometry read back in CSS pixels.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Pages are kept here (git-ignored) so a person can open what the tests saw. */
export const PAGE_DIR = join(process.cwd(), 'test/.cache/graph-view');
mkdirSync(PAGE_DIR, { recursive: true });

/** Software rendering only, as on a machine without a GPU. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--headless', '--disable-gpu'] });

export interface Opened { page: Page; errors: string[]; /** ms from navigation to the page's ready mark */ openMs: number }

export async function openGraph(browser: Browser, file: string, viewport = { width: 1280, height: 800 }): Promise<Opened> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  const url = pathToFileURL(file).href;
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => { if (r.url() !== url && !r.url().startsWith('data:')) errors.push(`off-line page fetched ${r.url()}`); });
  const t0 = performance.now();
  await page.goto(url);
  await page.waitForSelector('body[data-ready]');
  return { page, errors, openMs: performance.now() - t0 };
}

export interface Box { name: string; left: number; top: number; right: number; bottom: number }

/** Screen boxes of every node (its body rectangle), by data-name. */
export const nodeBoxes = (page: Page): Promise<Box[]> => page.$$eval('g.node', (gs) => gs.map((g) => {
  const r = g.querySelector('rect.body')!.getBoundingClientRect();
  return { name: g.getAttribute('data-name')!, left: r.left, top: r.top, right: r.right, bottom: r.bottom };
}));

export const canvasBox = (page: Page): Promise<Box> => page.$eval('#canvas', (c) => { const r = c.getBoundingClientRect(); return { name: 'canvas', left: r.left, top: r.top, right: r.right, bottom: r.bottom }; });

export const inside = (b: Box, c: Box) => b.left >= c.left && b.right <= c.right && b.top >= c.top && b.bottom <= c.bottom;

/** The page's pan/zoom state. */
export const viewOf = (page: Page): Promise<{ scale: number; tx: number; ty: number }> =>
  page.evaluate(() => { const v = (window as unknown as { wgmlGraph: { view: { scale: number; tx: number; ty: number } } }).wgmlGraph.view; return { scale: v.scale, tx: v.tx, ty: v.ty }; });
