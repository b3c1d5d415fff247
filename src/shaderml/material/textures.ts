/**
 * A material as training targets: every PNG of a folder, classified as colour (BC7, 8 bpp), normal
 * map (BC5, 8 bpp: x and y stored, z rebuilt) or single channel (BC4, 4 bpp), all of one size.
 * Node-only (fs, pngjs); decoding a .wgmat does not need it.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import pngjs from 'pngjs';
import { ShapeError, WgmlError, fileError } from '../../errors.js';

export type TextureKind = 'color' | 'normal' | 'scalar';
export interface TextureTarget { name: string; kind: TextureKind; channels: number; alpha: boolean }
export interface MaterialTargets {
  width: number;
  height: number;
  textures: TextureTarget[];
  /** Total channels C; `data` holds width×height rows of C values in [0, 1], textures in order. */
  channels: number;
  data: Float32Array;
}

/** Bits per texel of the block-compressed format each kind would use. */
export const BC_BITS: Record<TextureKind, number> = { color: 8, normal: 8, scalar: 4 };
export const BC_FORMAT: Record<TextureKind, string> = { color: 'BC7', normal: 'BC5', scalar: 'BC4' };

export class MaterialInputError extends WgmlError {
  constructor(message: string, hint: string, details: Record<string, unknown> = {}) {
    super('E_MATERIAL_INPUT', message, hint, details);
  }
}

export function readPng(path: string): { width: number; height: number; rgba: Uint8Array } {
  let bytes: Buffer;
  try { bytes = readFileSync(path); } catch (e) { throw fileError(e, path, 'read', 'texture'); }
  let png: pngjs.PNG;
  try { png = pngjs.PNG.sync.read(bytes); } catch (e) {
    throw new MaterialInputError(`${path} is not a PNG wgml can read: ${(e as Error).message}`, 'save it as an 8-bit PNG, or move it out of the folder', { path });
  }
  return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
}

export function writePng(path: string, width: number, height: number, rgba: Uint8Array): void {
  const png = new pngjs.PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.length);
  try { writeFileSync(path, pngjs.PNG.sync.write(png)); } catch (e) { throw fileError(e, path, 'write', 'image'); }
}

const isNormalName = (n: string) => /(^|[_\-. ])(normal|nrm|nor|n)([_\-. ]|$)/i.test(n) || /normal/i.test(n);

/** Load every .png in `folder`; `normals` names textures to treat as normal maps (default: by name). */
export function loadMaterialFolder(folder: string, normals?: string[]): MaterialTargets {
  let entries: string[];
  try { entries = readdirSync(folder); } catch (e) {
    throw (e as { code?: string }).code === 'ENOTDIR'
      ? new MaterialInputError(`${folder} is a file, not a folder of textures`, 'point at the folder that holds the material\'s PNGs (albedo.png, normal.png, roughness.png…)', { folder })
      : fileError(e, folder, 'read', 'texture folder');
  }
  const files = entries.filter((f) => f.toLowerCase().endsWith('.png')).sort();
  if (!files.length) throw new MaterialInputError(`no .png files in ${folder}`, 'point at a folder of material textures (albedo.png, normal.png, roughness.png…)', { folder });
  const imgs = files.map((f) => ({ name: basename(f, '.png'), ...readPng(join(folder, f)) }));
  const { width, height } = imgs[0]!;
  for (const n of normals ?? []) if (!imgs.some((im) => im.name === n))
    throw new MaterialInputError(`--normal names '${n}', which is not a texture of ${folder}`, `the textures are: ${imgs.map((im) => im.name).join(', ')}`, { texture: n });
  for (const im of imgs) {
    if (im.width !== width || im.height !== height) {
      throw new ShapeError(`texture ${im.name} is ${im.width}×${im.height}, but ${imgs[0]!.name} is ${width}×${height}`, `resize the textures of a material to one size (e.g. ${width}×${height}), or move ${im.name}.png out of ${folder}`, { texture: im.name });
    }
  }
  const textures: TextureTarget[] = imgs.map((im) => {
    const n = width * height;
    let grey = true, opaque = true;
    for (let i = 0; i < n; i++) {
      const r = im.rgba[i * 4]!, g = im.rgba[i * 4 + 1]!, b = im.rgba[i * 4 + 2]!;
      if (r !== g || g !== b) grey = false;
      if (im.rgba[i * 4 + 3] !== 255) opaque = false;
    }
    const normal = normals ? normals.includes(im.name) : isNormalName(im.name);
    if (normal) return { name: im.name, kind: 'normal', channels: 2, alpha: false };
    if (grey && opaque) return { name: im.name, kind: 'scalar', channels: 1, alpha: false };
    return { name: im.name, kind: 'color', channels: opaque ? 3 : 4, alpha: !opaque };
  });
  const C = textures.reduce((a, t) => a + t.channels, 0);
  const data = new Float32Array(width * height * C);
  let c0 = 0;
  imgs.forEach((im, ti) => {
    const t = textures[ti]!;
    for (let p = 0; p < width * height; p++) for (let c = 0; c < t.channels; c++) data[p * C + c0 + c] = im.rgba[p * 4 + c]! / 255;
    c0 += t.channels;
  });
  return { width, height, textures, channels: C, data };
}

/** One texture's texels (RGBA8) from rows of C channels; normal maps get z rebuilt from x, y. */
export function textureRgba(m: { width: number; height: number; textures: TextureTarget[]; channels: number }, data: Float32Array, index: number): Uint8Array {
  const t = m.textures[index]!;
  const c0 = m.textures.slice(0, index).reduce((a, x) => a + x.channels, 0);
  const n = m.width * m.height, out = new Uint8Array(n * 4);
  const q = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255);
  for (let p = 0; p < n; p++) {
    const v = (c: number) => data[p * m.channels + c0 + c]!;
    if (t.kind === 'scalar') { out.fill(q(v(0)), p * 4, p * 4 + 3); out[p * 4 + 3] = 255; continue; }
    if (t.kind === 'normal') {
      const x = v(0) * 2 - 1, y = v(1) * 2 - 1, z = Math.sqrt(Math.max(0, 1 - x * x - y * y));
      out[p * 4] = q(v(0)); out[p * 4 + 1] = q(v(1)); out[p * 4 + 2] = q(z * 0.5 + 0.5); out[p * 4 + 3] = 255;
      continue;
    }
    for (let c = 0; c < 3; c++) out[p * 4 + c] = q(v(c));
    out[p * 4 + 3] = t.alpha ? q(v(3)) : 255;
  }
  return out;
}
