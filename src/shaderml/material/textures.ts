/**
 * A material as training targets: every image of a folder (PNG, JPEG, TGA: images.ts), classified as
 * colour (BC7, 8 bpp), normal map (BC5, 8 bpp: x and y stored, z rebuilt) or single channel (BC4, 4 bpp),
 * all of one size. Node-only (fs); decoding a .wgmat does not need it.
 */
import { readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { ShapeError, fileError } from '../../errors.js';
import { MaterialInputError, READ_FORMATS, imageKind, readImage, type Image } from './images.js';

export { MaterialInputError, readImage, readPng, writePng } from './images.js';

export type TextureKind = 'color' | 'normal' | 'scalar';
export interface TextureTarget {
  name: string; kind: TextureKind; channels: number; alpha: boolean;
  /** An opaque RGB image within {@link NEAR_GREY_LEVELS} of grey, kept as one channel (the mean of R, G, B); its largest spread. */
  fromRgb?: { maxSpread: number };
  /** 'content': a normal map by its texels ({@link looksLikeNormalMap}), not by its name or `--normal`. */
  detected?: 'content';
  /** A normal map whose alpha (often a height map) was not opaque: only x and y are kept. */
  droppedAlpha?: boolean;
}
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

/**
 * Gloss, specular and roughness maps painted or saved as RGB are grey only up to a few levels of noise
 * (JPEG chroma quantization, an RGB paint program). Within 4 levels between the largest and smallest of
 * R, G, B, their mean is within 2.7 levels of every channel, about what BC7 itself loses, so one
 * channel (BC4, and one to train instead of three) keeps what a colour texture would. Of the ~1,270
 * gloss/spec maps of nexuiz-textures and redeclipse-data (Debian), 75% are exact greys, 4% within 4 levels, 3% within
 * 5–8; beyond that they are tinted on purpose, as is a greyish albedo with a visible cast.
 */
export const NEAR_GREY_LEVELS = 4;

/**
 * Names of colour maps (albedo, diffuse, base colour; _d, _col, _diff as tokens): these stay colour when they are
 * nearly grey. The near-grey rule is for maps that are one value by meaning (gloss, roughness, specular) saved as
 * RGB; a greyish albedo (concrete, stone) is colour content whose faint cast is part of it, and an engine stores it as
 * BC7 or BC1, so the BC baseline counts it as colour too. Only an exact grey becomes one channel.
 */
export const isColorName = (n: string) => /(^|[_\-. ])(albedo|alb|diffuse|diff|dif|d|basecolou?r|base[_ ]?colou?r|colou?r|col|rgb)([_\-. ]|$)/i.test(n) || /albedo|diffuse|basecolou?r/i.test(n);

/**
 * Names of normal maps across engines and packs: _normal/_nrm/_nor/_n (Poly Haven, Quake-likes), _nm,
 * _norm (Nexuiz), _local (Doom 3), _ddn (CryEngine), as tokens between _ - . or space; 'normal'
 * anywhere (NormalGL, rockNormal). `n` and `nor` only as whole tokens: they begin many other words.
 */
export const isNormalName = (n: string) => /(^|[_\-. ])(normal|norm|nrm|nor|nm|ddn|local|n)([_\-. ]|$)/i.test(n) || /normal/i.test(n);

/** Texels of a tangent-space normal map decoded as (2c − 1): how many look like unit vectors facing out. */
export interface NormalStats { unit: number; facing: number; mean: [number, number, number] }

export function normalStats(rgba: Uint8Array): NormalStats {
  const n = rgba.length / 4;
  let unit = 0, facing = 0, sx = 0, sy = 0, sz = 0;
  for (let i = 0; i < n; i++) {
    const x = rgba[i * 4]! / 127.5 - 1, y = rgba[i * 4 + 1]! / 127.5 - 1, z = rgba[i * 4 + 2]! / 127.5 - 1;
    const l2 = x * x + y * y + z * z;
    if (l2 >= 0.8 * 0.8 && l2 <= 1.2 * 1.2) unit++;
    if (z >= -0.05) facing++;
    sx += x; sy += y; sz += z;
  }
  return { unit: unit / n, facing: facing / n, mean: [sx / n, sy / n, sz / n] };
}

/**
 * Whether texels read as a tangent-space normal map. Thresholds, checked on the 9,038 TGA/JPEG/PNG
 * textures of two Debian game packages (nexuiz-textures, redeclipse-data): they found 140 normal maps
 * whose names say nothing (wickedrock3n.jpg, norms1.png) and no texture that is not one.
 * - ≥ 90% of vectors of length 0.8–1.2. 8-bit storage moves a unit vector's length by < 0.01 and JPEG by
 *   a few hundredths; downscaled or mipmapped maps average bumps into vectors as short as ~0.8 (±37°).
 *   Hand-painted maps leave patches unnormalized: at 95% the test missed 21 more of the 1,850 maps
 *   named as normals than at 90%, and no albedo passed even at 80% (the tests below reject it).
 * - ≥ 99% with z ≥ −0.05: normals face out of the surface (b ≥ 128); −0.05 tolerates a few levels of
 *   JPEG noise on the rare texel that lies flat to it.
 * - mean x and y within ±0.2, mean z ≥ 0.5: the slopes of a tiling height field average to zero and the
 *   surface faces out on average. All but 3 of the normal maps above had means within 0.15; the albedo
 *   that passed the other tests (flat blues, light greys) had 0.3 or more.
 * Albedo fails: most colours have b < 128 somewhere, a grey has x = y = z, colour noise is half
 * below z = 0, and a sky's blues have a large mean y (green). What passes is a lavender image around
 * (128, 128, 255): the flat normal itself; `--normal` says which textures are normals where this errs.
 */
export function looksLikeNormalMap(s: NormalStats): boolean {
  return s.unit >= 0.9 && s.facing >= 0.99 && Math.abs(s.mean[0]) <= 0.2 && Math.abs(s.mean[1]) <= 0.2 && s.mean[2] >= 0.5;
}

/** Largest max − min of R, G, B over the texels, and whether alpha is 255 everywhere. */
function spreadOf(rgba: Uint8Array): { spread: number; opaque: boolean } {
  let spread = 0, opaque = true;
  for (let i = 0; i < rgba.length; i += 4) {
    const r = rgba[i]!, g = rgba[i + 1]!, b = rgba[i + 2]!;
    const s = Math.max(r, g, b) - Math.min(r, g, b);
    if (s > spread) spread = s;
    if (rgba[i + 3] !== 255) opaque = false;
  }
  return { spread, opaque };
}

/** What the report should tell about how a texture was read, beyond its kind. */
export function textureNote(t: TextureTarget): string | undefined {
  const notes = [
    t.fromRgb && `near-grey RGB (channels within ${t.fromRgb.maxSpread} level${t.fromRgb.maxSpread === 1 ? '' : 's'}) stored as one channel`,
    t.detected === 'content' && 'a normal map by its texels, not its name (--normal names the normal maps by hand)',
    t.droppedAlpha && 'its alpha is not kept (a normal map stores x and y)',
  ].filter(Boolean);
  return notes.length ? notes.join('; ') : undefined;
}

function classify(name: string, im: Image, normal: boolean | undefined): TextureTarget {
  const { spread, opaque } = spreadOf(im.rgba);
  const dropped = opaque ? {} : { droppedAlpha: true };
  if (normal) return { name, kind: 'normal', channels: 2, alpha: false, ...dropped };
  if (opaque && spread === 0) return { name, kind: 'scalar', channels: 1, alpha: false };
  if (opaque && spread <= NEAR_GREY_LEVELS && !isColorName(name)) return { name, kind: 'scalar', channels: 1, alpha: false, fromRgb: { maxSpread: spread } };
  if (normal === undefined && looksLikeNormalMap(normalStats(im.rgba))) return { name, kind: 'normal', channels: 2, alpha: false, detected: 'content', ...dropped };
  return { name, kind: 'color', channels: opaque ? 3 : 4, alpha: !opaque };
}

/**
 * Load every texture image in `folder` (.png, .jpg/.jpeg, .tga, any case). `normals` names the normal
 * maps, exactly (['none'], unless a texture is named so: there are none); without it they are found by name ({@link isNormalName})
 * or by content ({@link looksLikeNormalMap}).
 */
export function loadMaterialFolder(folder: string, normals?: string[]): MaterialTargets {
  let entries: string[];
  try { entries = readdirSync(folder); } catch (e) {
    throw (e as { code?: string }).code === 'ENOTDIR'
      ? new MaterialInputError(`${folder} is a file, not a folder of textures`, 'point at the folder that holds the material\'s images (albedo.png, normal.png, roughness.jpg…)', { folder })
      : fileError(e, folder, 'read', 'texture folder');
  }
  // Dot files are skipped: archives made on macOS leave ._albedo.png metadata beside albedo.png.
  const listed = entries.filter((f) => !f.startsWith('.')).sort();
  const other = listed.filter((f) => imageKind(f) === 'other');
  if (other.length) {
    const them = other.length > 1 ? 'them' : 'it';
    throw new MaterialInputError(`${folder} holds ${other.length > 1 ? 'images' : 'an image'} wgml cannot read: ${other.join(', ')} (it reads ${READ_FORMATS})`,
      `convert ${them} to PNG (e.g. \`magick ${other[0]} ${other[0]!.slice(0, -extname(other[0]!).length)}.png\`) or move ${them} out of ${folder}`, { folder, files: other });
  }
  const files = listed.filter((f) => imageKind(f) !== null);
  if (!files.length) throw new MaterialInputError(`no texture images (${READ_FORMATS}) in ${folder}`, 'point at a folder of material textures (albedo.png, normal.png, roughness.jpg…)', { folder });
  const seen = new Map<string, string>();
  for (const f of files) {
    const key = f.slice(0, -extname(f).length).toLowerCase(), prev = seen.get(key);
    if (prev !== undefined) {
      throw new MaterialInputError(`${prev} and ${f} in ${folder} are both texture '${f.slice(0, -extname(f).length)}'`,
        'a texture is named by its file name without the extension: keep one of the two, or rename one', { folder, files: [prev, f] });
    }
    seen.set(key, f);
  }
  const imgs = files.map((f) => ({ file: f, name: f.slice(0, -extname(f).length), ...readImage(join(folder, f)) }));
  const { width, height } = imgs[0]!;
  const none = normals?.length === 1 && normals[0] === 'none' && !imgs.some((im) => im.name === 'none');
  if (!none) for (const n of normals ?? []) if (!imgs.some((im) => im.name === n))
    throw new MaterialInputError(`--normal names '${n}', which is not a texture of ${folder}`, `the textures are: ${imgs.map((im) => im.name).join(', ')} (--normal none: no normal maps)`, { texture: n });
  for (const im of imgs) {
    if (im.width !== width || im.height !== height) {
      throw new ShapeError(`texture ${im.name} is ${im.width}×${im.height}, but ${imgs[0]!.name} is ${width}×${height}`, `resize the textures of a material to one size (e.g. ${width}×${height}), or move ${im.file} out of ${folder}`, { texture: im.name });
    }
  }
  // undefined: free to detect by content; false: --normal said it is not one.
  const textures = imgs.map((im) => classify(im.name, im, none ? false : normals ? normals.includes(im.name) : isNormalName(im.name) || undefined));
  const C = textures.reduce((a, t) => a + t.channels, 0);
  const data = new Float32Array(width * height * C);
  let c0 = 0;
  imgs.forEach((im, ti) => {
    const t = textures[ti]!, px = im.rgba;
    for (let p = 0; p < width * height; p++) {
      if (t.kind === 'scalar') { data[p * C + c0] = (px[p * 4]! + px[p * 4 + 1]! + px[p * 4 + 2]!) / 3 / 255; continue; }
      for (let c = 0; c < t.channels; c++) data[p * C + c0 + c] = px[p * 4 + c]! / 255;
    }
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
