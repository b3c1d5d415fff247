/**
 * A material as training targets: every image of a folder (PNG, JPEG, TGA: images.ts), classified as
 * colour (BC7, 8 bpp), normal map (BC5, 8 bpp: x and y stored, z rebuilt), single channel (BC4, 4 bpp) or grey
 * with alpha (two channels, BC5-sized),
 * all of one size. Node-only (fs); decoding a .wgmat does not need it.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { extname, join } from 'node:path';
import { ShapeError, fileError } from '../../errors.js';
import { MaterialInputError, READ_FORMATS, imageKind, readImage, type Image } from './images.js';

export { MaterialInputError, READ_FORMATS, readImage, readPng, writePng } from './images.js';

export type TextureKind = 'color' | 'normal' | 'scalar';
export interface TextureTarget {
  name: string; kind: TextureKind; channels: number; alpha: boolean;
  /** An opaque RGB image within {@link NEAR_GREY_LEVELS} of grey, kept as one channel (the mean of R, G, B); its largest spread. */
  fromRgb?: { maxSpread: number };
  /** 'content': a normal map by its texels ({@link looksLikeNormalMap}), not by its name or `--normal`. */
  detected?: 'content';
  /** A normal map whose alpha (often a height map) was not opaque: only x and y are kept. */
  droppedAlpha?: boolean;
  /**
   * A normal map found by content whose blue is this one value everywhere: x and y in red and green, blue a
   * placeholder (BC5 unpacked to PNG: 0; some tools write 255 or 128). z is rebuilt from x and y, as for any normal map.
   */
  constantBlue?: number;
  /** 16: read from 16-bit samples at full precision (absent: 8 bits). */
  bitDepth?: 16;
}
export interface MaterialTargets {
  width: number;
  height: number;
  textures: TextureTarget[];
  /** Entries of the folder not read, for the report: other files, dot files, folders (with a trailing /). */
  skipped?: string[];
  /** Total channels C; `data` holds width×height rows of C values in [0, 1], textures in order. */
  channels: number;
  data: Float32Array;
}

/**
 * The block-compressed format a texture would use, and its bits per texel: colour BC7, normal maps BC5, one
 * channel BC4, and grey with alpha BC5 (grey and alpha as its two channels, each coded as BC4 codes one).
 */
export function bcFormatOf(t: { kind: TextureKind; alpha?: boolean }): { format: string; bits: number } {
  if (t.kind === 'scalar') return t.alpha ? { format: 'BC5', bits: 8 } : { format: 'BC4', bits: 4 };
  return t.kind === 'normal' ? { format: 'BC5', bits: 8 } : { format: 'BC7', bits: 8 };
}
/**
 * Bytes of one texture block-compressed at width×height: BC formats code 4×4 blocks, so a side that is not a
 * multiple of 4 is padded to one (a 33×17 BC7 texture takes 9×5 blocks of 16 bytes, not 33·17 bytes).
 */
export const bcTextureBytes = (t: { kind: TextureKind; alpha?: boolean }, width: number, height: number) => Math.ceil(width / 4) * Math.ceil(height / 4) * 2 * bcFormatOf(t).bits;

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

/**
 * Largest max − min of R, G, B over the texels in 8-bit levels, and whether alpha is full everywhere; on a
 * 16-bit image's own samples (a fraction of a level is a spread: 8-bit rounding would call it an exact grey).
 */
function spreadOf(im: Image): { spread: number; opaque: boolean } {
  const px = im.rgba16 ?? im.rgba, full = im.rgba16 ? 65535 : 255;
  let spread = 0, opaque = true;
  for (let i = 0; i < px.length; i += 4) {
    const r = px[i]!, g = px[i + 1]!, b = px[i + 2]!;
    const s = Math.max(r, g, b) - Math.min(r, g, b);
    if (s > spread) spread = s;
    if (px[i + 3] !== full) opaque = false;
  }
  return { spread: (spread * 255) / full, opaque };
}

/** Blue's value where it is the same in every texel, else undefined. */
function constantBlue(rgba: Uint8Array): number | undefined {
  const b = rgba[2]!;
  for (let i = 6; i < rgba.length; i += 4) if (rgba[i] !== b) return undefined;
  return b;
}

/** Blue values that tools write for the missing z of a two-channel normal map. */
const BLUE_PLACEHOLDERS = [0, 127, 128, 255];

/**
 * Whether red and green read as the x, y of a two-channel (BC5-style) tangent-space normal map: ≥ 99% of
 * texels inside the unit disc (2% over for 8-bit rounding), mean x and y within ±0.2 as in
 * {@link looksLikeNormalMap}, and not one value throughout (a flat map and a flat olive colour are the
 * same texels; as colour nothing is lost). Only asked of images whose blue is a placeholder value everywhere.
 */
export function looksLikeTwoChannelNormalMap(rgba: Uint8Array): boolean {
  const n = rgba.length / 4;
  let inDisc = 0, sx = 0, sy = 0, varies = false;
  for (let i = 0; i < n; i++) {
    const x = rgba[i * 4]! / 127.5 - 1, y = rgba[i * 4 + 1]! / 127.5 - 1;
    if (x * x + y * y <= 1.02) inDisc++;
    sx += x; sy += y;
    if (rgba[i * 4] !== rgba[0] || rgba[i * 4 + 1] !== rgba[1]) varies = true;
  }
  return varies && inDisc >= 0.99 * n && Math.abs(sx / n) <= 0.2 && Math.abs(sy / n) <= 0.2;
}

/** What the report should tell about how a texture was read, beyond its kind. */
export function textureNote(t: TextureTarget): string | undefined {
  const notes = [
    t.fromRgb && `near-grey RGB (channels within ${+t.fromRgb.maxSpread.toFixed(2)} level${t.fromRgb.maxSpread === 1 ? '' : 's'}) stored as one channel`,
    t.detected === 'content' && 'a normal map by its texels, not its name (--normal names the normal maps by hand)',
    t.constantBlue !== undefined && `blue is ${t.constantBlue} everywhere: read as a two-channel (BC5-style) normal map, x and y kept, z rebuilt from them`,
    t.droppedAlpha && 'its alpha is not kept (a normal map stores x and y): to keep it, save it as an image of its own beside the normal map',
    t.kind === 'color' && t.alpha && 'alpha kept as a fourth channel',
    t.kind === 'scalar' && t.alpha && 'grey with alpha: two channels, grey and alpha',
    t.bitDepth === 16 && '16 bits per channel, trained at full precision',
  ].filter(Boolean);
  return notes.length ? notes.join('; ') : undefined;
}

function classify(name: string, im: Image, normal: boolean | undefined): TextureTarget {
  const t = classifyTexels(name, im, normal);
  return im.rgba16 ? { ...t, bitDepth: 16 } : t;
}

function classifyTexels(name: string, im: Image, normal: boolean | undefined): TextureTarget {
  const { spread, opaque } = spreadOf(im);
  const dropped = opaque ? {} : { droppedAlpha: true };
  if (normal) return { name, kind: 'normal', channels: 2, alpha: false, ...dropped };
  // Grey with alpha (a mask, a cut-out's coverage) keeps two channels, grey and alpha, not four.
  const grey = { name, kind: 'scalar', channels: opaque ? 1 : 2, alpha: !opaque } as const;
  if (spread === 0) return grey;
  if (spread <= NEAR_GREY_LEVELS && !isColorName(name)) return { ...grey, fromRgb: { maxSpread: spread } };
  if (normal === undefined && looksLikeNormalMap(normalStats(im.rgba))) return { name, kind: 'normal', channels: 2, alpha: false, detected: 'content', ...dropped };
  // A two-channel normal map fails the test above (blue is no z); as colour it would keep a constant channel and
  // lose its meaning. A colour map by name keeps its colour.
  const blue = constantBlue(im.rgba);
  if (normal === undefined && blue !== undefined && BLUE_PLACEHOLDERS.includes(blue) && !isColorName(name) && looksLikeTwoChannelNormalMap(im.rgba)) {
    return { name, kind: 'normal', channels: 2, alpha: false, detected: 'content', constantBlue: blue, ...dropped };
  }
  return { name, kind: 'color', channels: opaque ? 3 : 4, alpha: !opaque };
}

/**
 * Load every texture image in `folder` (.png, .jpg/.jpeg, .tga, any case). `normals` names the normal
 * maps, exactly (['none'], unless a texture is named so: there are none); without it they are found by name ({@link isNormalName})
 * or by content ({@link looksLikeNormalMap}).
 */
export function loadMaterialFolder(folder: string, normals?: string[]): MaterialTargets {
  let entries: Dirent[];
  try { entries = readdirSync(folder, { withFileTypes: true }); } catch (e) {
    throw (e as { code?: string }).code === 'ENOTDIR'
      ? new MaterialInputError(`${folder} is a file, not a folder of textures`, 'point at the folder that holds the material\'s images (albedo.png, normal.png, roughness.jpg…)', { folder })
      : fileError(e, folder, 'read', 'texture folder');
  }
  // A link is what it points at; a broken one is no folder (reading it names it).
  const isDir = (d: Dirent) => d.isDirectory() || (d.isSymbolicLink() && !!statSync(join(folder, d.name), { throwIfNoEntry: false })?.isDirectory());
  const dirs = entries.filter(isDir).map((d) => `${d.name}/`).sort();
  // Dot files are not read: archives made on macOS leave ._albedo.png metadata beside albedo.png. They are listed as skipped.
  const listed = entries.filter((d) => !isDir(d)).map((d) => d.name).filter((f) => !f.startsWith('.')).sort();
  const other = listed.filter((f) => imageKind(f) === 'other');
  if (other.length) {
    const them = other.length > 1 ? 'them' : 'it';
    throw new MaterialInputError(`${folder} holds ${other.length > 1 ? 'images' : 'an image'} wgml cannot read: ${other.join(', ')} (it reads ${READ_FORMATS})`,
      `convert ${them} to PNG (e.g. \`magick ${other[0]} ${other[0]!.slice(0, -extname(other[0]!).length)}.png\`) or move ${them} out of ${folder}`, { folder, files: other });
  }
  const files = listed.filter((f) => imageKind(f) !== null);
  if (!files.length) {
    // Packs often nest the images (textures/, 2K/): say where they may be rather than only what is missing.
    throw new MaterialInputError(`no texture images (${READ_FORMATS}) in ${folder}${dirs.length ? ` (it holds the folder${dirs.length > 1 ? 's' : ''} ${dirs.join(', ')}: wgml reads the images in the folder given, not in folders inside it)` : ''}`,
      dirs.length ? `point at the folder that holds the images, e.g. ${join(folder, dirs[0]!)}` : 'point at a folder of material textures (albedo.png, normal.png, roughness.jpg…)', { folder, ...(dirs.length ? { folders: dirs } : {}) });
  }
  const skipped = [...entries.filter((d) => !isDir(d) && !files.includes(d.name)).map((d) => d.name).sort(), ...dirs];
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
  const none = normals?.length === 1 && normals[0] === 'none' && !imgs.some((im) => im.name === 'none');
  if (!none) for (const n of normals ?? []) if (!imgs.some((im) => im.name === n))
    throw new MaterialInputError(`--normal names '${n}', which is not a texture of ${folder}`, `the textures are: ${imgs.map((im) => im.name).join(', ')} (--normal none: no normal maps)`, { texture: n });
  const { width, height } = sameSize(folder, imgs);
  // undefined: free to detect by content; false: --normal said it is not one.
  const textures = imgs.map((im) => classify(im.name, im, none ? false : normals ? normals.includes(im.name) : isNormalName(im.name) || undefined));
  const C = textures.reduce((a, t) => a + t.channels, 0);
  const data = new Float32Array(width * height * C);
  let c0 = 0;
  imgs.forEach((im, ti) => {
    // 16-bit samples as stored: rounding them to 8 bits would terrace a height map.
    const t = textures[ti]!, px = im.rgba16 ?? im.rgba, full = im.rgba16 ? 65535 : 255;
    for (let p = 0; p < width * height; p++) {
      if (t.kind === 'scalar') {
        data[p * C + c0] = (px[p * 4]! + px[p * 4 + 1]! + px[p * 4 + 2]!) / 3 / full;
        if (t.alpha) data[p * C + c0 + 1] = px[p * 4 + 3]! / full;
        continue;
      }
      for (let c = 0; c < t.channels; c++) data[p * C + c0 + c] = px[p * 4 + c]! / full;
    }
    c0 += t.channels;
  });
  return { width, height, textures, channels: C, data, ...(skipped.length ? { skipped } : {}) };
}

/**
 * The one size of a material's images, or a ShapeError naming an odd one out against the most common size (the
 * first image's on a tie) and listing every file by size.
 */
function sameSize(folder: string, imgs: { file: string; name: string; width: number; height: number }[]): { width: number; height: number } {
  const size = (im: { width: number; height: number }) => `${im.width}×${im.height}`;
  const bySize = new Map<string, string[]>();
  for (const im of imgs) bySize.set(size(im), [...(bySize.get(size(im)) ?? []), im.file]);
  if (bySize.size === 1) return { width: imgs[0]!.width, height: imgs[0]!.height };
  const groups = [...bySize].sort((a, b) => b[1].length - a[1].length);
  const common = groups[0]![0], ref = imgs.find((im) => size(im) === common)!, odd = imgs.filter((im) => size(im) !== common), o = odd[0]!;
  throw new ShapeError(`texture ${o.name} is ${size(o)}, but ${ref.name} is ${common}: the textures of ${folder} are not all one size (${groups.map(([sz, f]) => `${f.join(', ')} ${f.length > 1 ? 'are' : 'is'} ${sz}`).join('; ')})`,
    `resize the textures of a material to one size (e.g. ${common}), or move ${odd.map((im) => im.file).join(', ')} out of ${folder}`,
    { texture: o.name, folder, sizes: Object.fromEntries(imgs.map((im) => [im.file, [im.width, im.height]])), files: odd.map((im) => im.file) });
}

/** One texture's texels (RGBA8) from rows of C channels; normal maps get z rebuilt from x, y. */
export function textureRgba(m: { width: number; height: number; textures: TextureTarget[]; channels: number }, data: Float32Array, index: number): Uint8Array {
  const t = m.textures[index]!;
  const c0 = m.textures.slice(0, index).reduce((a, x) => a + x.channels, 0);
  const n = m.width * m.height, out = new Uint8Array(n * 4);
  const q = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255);
  for (let p = 0; p < n; p++) {
    const v = (c: number) => data[p * m.channels + c0 + c]!;
    if (t.kind === 'scalar') { out.fill(q(v(0)), p * 4, p * 4 + 3); out[p * 4 + 3] = t.alpha ? q(v(1)) : 255; continue; }
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
