/**
 * The demo's materials from disk (Node): examples/materials/<name>.wgmat and, for the 'original'
 * material mode, the PNG folder it was compressed from (examples/materials/<name>/*.png).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PNG } from 'pngjs';
import { fileError } from '../errors.js';
import type { MaterialSet, RgbaImage } from './material.js';

/** The package's examples/materials folder. */
export const MATERIALS_DIR = new URL('../../examples/materials/', import.meta.url).pathname;

/** Every PNG of a folder by file name without .png (null when the folder does not exist). */
export function readOriginals(folder: string): Record<string, RgbaImage> | null {
  if (!existsSync(folder)) return null;
  const out: Record<string, RgbaImage> = {};
  for (const f of readdirSync(folder).filter((n) => n.toLowerCase().endsWith('.png')).sort()) {
    const png = PNG.sync.read(readFileSync(join(folder, f)));
    out[basename(f, '.png')] = { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
  }
  return out;
}

/** Materials by name, in index order (material i + 1 is names[i]), with their originals where present. */
export function loadMaterialSet(names: readonly string[], dir = MATERIALS_DIR): MaterialSet {
  const wgmats = names.map((n) => {
    const p = join(dir, `${n}.wgmat`);
    try { return new Uint8Array(readFileSync(p)); } catch (e) { throw fileError(e, p, 'read', 'material'); }
  });
  return { wgmats, originals: names.map((n) => readOriginals(join(dir, n))) };
}
