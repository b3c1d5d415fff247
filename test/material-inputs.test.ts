/**
 * Texture folders as users bring them beyond the common case: 16-bit, grey+alpha, palette and tRNS PNGs; grey, CMYK
 * and 12-bit JPEGs; alpha that is content, two-channel and DirectX normal maps, odd sizes, stray files and folders, empty, cut-short and
 * corrupt files. Each is read to its real texel values or refused naming the file. CPU only.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { decodeImage } from '../src/shaderml/material/images.js';
import { bcFormatOf, bcTextureBytes, loadMaterialFolder, textureNote, textureRgba, MaterialInputError, type MaterialTargets } from '../src/shaderml/material/textures.js';
import { ShapeError, WgmlError } from '../src/errors.js';
import { encodePng, COLOR_TYPES as CT } from './fixtures/material-inputs/png.js';
import { crc32 } from '../src/ir/checksum.js';

const root = mkdtempSync(join(tmpdir(), 'wgml-inputs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let nDir = 0;
/** A fresh folder with `files` (name → bytes; null: a folder). */
function folder(files: Record<string, Uint8Array | string | null>): string {
  const dir = join(root, `m${nDir++}`);
  mkdirSync(dir);
  for (const [f, b] of Object.entries(files)) b === null ? mkdirSync(join(dir, f)) : writeFileSync(join(dir, f), b);
  return dir;
}
/** Samples of a w×h image, `spp` per texel, from f(x, y). */
function samples(w: number, h: number, f: (x: number, y: number) => number[]): number[] {
  const out: number[] = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.push(...f(x, y));
  return out;
}
function caught<T extends WgmlError>(f: () => unknown, type: new (...a: never[]) => T): T {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(type); return e as T; }
  throw new Error('expected an error');
}
/** Channel `k` of texture `name` at texel p. */
function texel(m: MaterialTargets, name: string, p: number, k = 0): number {
  const i = m.textures.findIndex((t) => t.name === name);
  expect(i, name).toBeGreaterThanOrEqual(0);
  return m.data[p * m.channels + m.textures.slice(0, i).reduce((a, t) => a + t.channels, 0) + k]!;
}
const kinds = (m: MaterialTargets) => Object.fromEntries(m.textures.map((t) => [t.name, `${t.kind}/${t.channels}`]));

const N = 16;
/** A small baseline JPEG, colourful so it stays colour. */
const jpegBytes = () => new Uint8Array(jpeg.encode({ width: N, height: N, data: Buffer.from(samples(N, N, (x, y) => [x * 15, 255 - y * 15, 128, 255])) }, 90).data);
const rgb8 = () => encodePng({ width: N, height: N, colorType: CT.rgb, depth: 8, samples: samples(N, N, (x, y) => [40 + 9 * x, 30 + 11 * y, (x * y) % 200]) });

describe('16-bit PNGs', () => {
  it('keeps 16-bit samples at full precision (grey height, RGB normal map) and says so', () => {
    // Steps of 64/65535, a quarter of an 8-bit level: rounded to 8 bits, four neighbours would read the same.
    const height = samples(N, N, (x, y) => [(y * N + x) * 64 + 7]);
    const normal = samples(N, N, (x, y) => {
      const v = [0.3 * Math.sin(x / 3), 0.3 * Math.cos(y / 4), 1], l = Math.hypot(...v);
      return v.map((c) => Math.round((c / l / 2 + 0.5) * 65535));
    });
    const dir = folder({ 'height.png': encodePng({ width: N, height: N, colorType: CT.grey, depth: 16, samples: height }), 'rock_normal.png': encodePng({ width: N, height: N, colorType: CT.rgb, depth: 16, samples: normal }) });
    const m = loadMaterialFolder(dir);
    expect(kinds(m)).toEqual({ height: 'scalar/1', rock_normal: 'normal/2' });
    for (let p = 0; p < N * N; p++) {
      expect(texel(m, 'height', p)).toBeCloseTo(height[p]! / 65535, 7);
      expect(texel(m, 'rock_normal', p, 0)).toBeCloseTo(normal[p * 3]! / 65535, 7);
      expect(texel(m, 'rock_normal', p, 1)).toBeCloseTo(normal[p * 3 + 1]! / 65535, 7);
    }
    expect(new Set(Array.from({ length: N * N }, (_, p) => texel(m, 'height', p))).size).toBe(N * N);
    expect(m.textures.map(textureNote)).toEqual(['16 bits per channel, trained at full precision', '16 bits per channel, trained at full precision']);
    // The RGBA8 view (classification) is the rounding pngjs itself makes.
    const im = decodeImage(encodePng({ width: 2, height: 1, colorType: CT.grey, depth: 16, samples: [65535, 128] }), 'g.png');
    expect([Array.from(im.rgba), Array.from(im.rgba16!)]).toEqual([[255, 255, 255, 255, 0, 0, 0, 255], [65535, 65535, 65535, 65535, 128, 128, 128, 65535]]);
  });

  it('measures the greyness of 16-bit RGB on its own samples: a spread under one 8-bit level is not an exact grey', () => {
    const grey = samples(N, N, (x) => [x * 4000, x * 4000 + 100, x * 4000]);
    const m = loadMaterialFolder(folder({ 'gloss.png': encodePng({ width: N, height: N, colorType: CT.rgb, depth: 16, samples: grey }) }));
    expect(kinds(m)).toEqual({ gloss: 'scalar/1' });
    expect(m.textures[0]!.fromRgb!.maxSpread).toBeCloseTo(100 / 257, 6);
    expect(textureNote(m.textures[0]!)).toBe('near-grey RGB (channels within 0.39 levels) stored as one channel; 16 bits per channel, trained at full precision');
    expect(texel(m, 'gloss', 5)).toBeCloseTo((3 * 20000 + 100) / 3 / 65535, 7);
  });
});

describe('alpha, grey+alpha, palettes', () => {
  it('keeps alpha that is content as a fourth channel, and drops only an all-opaque one', () => {
    const cut = samples(N, N, (x, y) => [x * 15, y * 15, 90, x < 8 ? 255 : (x * 20) % 256]);
    const dir = folder({
      'leaves_albedo.png': encodePng({ width: N, height: N, colorType: CT.rgba, depth: 8, samples: cut }),
      'opaque.png': encodePng({ width: N, height: N, colorType: CT.rgba, depth: 8, samples: samples(N, N, (x, y) => [x * 15, y * 15, 90, 255]) }),
      'mask.png': encodePng({ width: N, height: N, colorType: CT.greyAlpha, depth: 8, samples: samples(N, N, (x, y) => [100 + x, (x + y) % 3 ? 0 : 200]) }),
    });
    const m = loadMaterialFolder(dir);
    // Grey with alpha is two channels, grey and alpha (until 2026-12-04 it was trained as RGBA, four).
    expect(kinds(m)).toEqual({ leaves_albedo: 'color/4', mask: 'scalar/2', opaque: 'color/3' });
    expect(m.textures.map((t) => [t.alpha, textureNote(t)])).toEqual([[true, 'alpha kept as a fourth channel'], [true, 'grey with alpha: two channels, grey and alpha'], [false, undefined]]);
    const mi = m.textures.findIndex((t) => t.name === 'mask'), back = textureRgba(m, m.data, mi);
    for (let p = 0; p < N * N; p++) {
      expect(texel(m, 'leaves_albedo', p, 3)).toBeCloseTo(cut[p * 4 + 3]! / 255, 7);
      const [x, y] = [p % N, Math.floor(p / N)];
      expect([0, 1].map((k) => Math.round(texel(m, 'mask', p, k) * 255))).toEqual([100 + x, (x + y) % 3 ? 0 : 200]);
      // Back to RGBA as written: grey in R, G and B, alpha in A.
      expect([...back.subarray(p * 4, p * 4 + 4)]).toEqual([100 + x, 100 + x, 100 + x, (x + y) % 3 ? 0 : 200]);
    }
    // Its BC peer is BC5 (grey and alpha, 8 bits a texel), not BC4 (one channel, 4) or BC7.
    expect(bcFormatOf(m.textures[mi]!)).toEqual({ format: 'BC5', bits: 8 });
    expect(bcTextureBytes(m.textures[mi]!, N, N)).toBe((N / 4) ** 2 * 16);
    expect(bcFormatOf({ kind: 'scalar', alpha: false })).toEqual({ format: 'BC4', bits: 4 });
  });

  it('keeps a near-grey RGBA map by meaning (a gloss with alpha) as grey and alpha, and a near-grey albedo with alpha as colour', () => {
    const px = samples(N, N, (x, y) => { const v = 80 + 5 * x; return [v + (y % 3), v, v + 1, 40 + 10 * y]; });
    const png = encodePng({ width: N, height: N, colorType: CT.rgba, depth: 8, samples: px });
    const m = loadMaterialFolder(folder({ 'gloss.png': png, 'albedo.png': png }));
    expect(kinds(m)).toEqual({ albedo: 'color/4', gloss: 'scalar/2' });
    const g = m.textures.find((t) => t.name === 'gloss')!;
    expect(g.fromRgb!.maxSpread).toBe(2);
    expect(textureNote(g)).toBe('near-grey RGB (channels within 2 levels) stored as one channel; grey with alpha: two channels, grey and alpha');
    for (let p = 0; p < N * N; p++) {
      expect(texel(m, 'gloss', p, 0)).toBeCloseTo((px[p * 4]! + px[p * 4 + 1]! + px[p * 4 + 2]!) / 3 / 255, 6);
      expect(texel(m, 'gloss', p, 1)).toBeCloseTo(px[p * 4 + 3]! / 255, 7);
    }
  });

  it('reads palette PNGs (4-bit indices, tRNS alpha) and 1-bit grey to their colours', () => {
    const pal = [[200, 10, 10], [10, 200, 10], [10, 10, 200], [90, 90, 90]];
    const idx = samples(N, N, (x, y) => [(x + 2 * y) % 4]);
    const dir = folder({
      'tiles.png': encodePng({ width: N, height: N, colorType: CT.palette, depth: 4, palette: pal, samples: idx }),
      'decal.png': encodePng({ width: N, height: N, colorType: CT.palette, depth: 8, palette: pal, trns: [255, 128, 0], samples: idx }),
      'holes.png': encodePng({ width: N, height: N, colorType: CT.grey, depth: 1, samples: samples(N, N, (x, y) => [((x >> 2) ^ (y >> 2)) & 1]) }),
    });
    const m = loadMaterialFolder(dir);
    expect(kinds(m)).toEqual({ decal: 'color/4', holes: 'scalar/1', tiles: 'color/3' });
    for (let p = 0; p < N * N; p++) {
      const [x, y] = [p % N, Math.floor(p / N)];
      expect([0, 1, 2].map((k) => Math.round(texel(m, 'tiles', p, k) * 255))).toEqual(pal[idx[p]!]);
      expect(Math.round(texel(m, 'decal', p, 3) * 255)).toBe([255, 128, 0, 255][idx[p]!]);
      expect(texel(m, 'holes', p)).toBe(((x >> 2) ^ (y >> 2)) & 1);
    }
  });
});

/** A tangent-space normal map from a tiling height field: x, y, z as 0…255, green down when `dx`. */
function normals(dx: boolean, strength = 1): number[][] {
  const h = (a: number, b: number) => Math.sin((2 * Math.PI * a) / N) + Math.cos((2 * Math.PI * 2 * b) / N);
  return Array.from({ length: N * N }, (_, p) => {
    const [x, y] = [p % N, Math.floor(p / N)];
    const v = [-strength * (h(x + 1, y) - h(x - 1, y)), -strength * (h(x, y + 1) - h(x, y - 1)), 1], l = Math.hypot(...v);
    if (dx) v[1] = -v[1]!;
    return v.map((c) => Math.round((c / l / 2 + 0.5) * 255));
  });
}
const nmPng = (px: number[][]) => encodePng({ width: N, height: N, colorType: CT.rgb, depth: 8, samples: px.flat() });

describe('normal map conventions', () => {
  it('finds OpenGL and DirectX normal maps alike and keeps green as stored', () => {
    const gl = normals(false), dx = normals(true);
    const m = loadMaterialFolder(folder({ 'gl.png': nmPng(gl), 'dx.png': nmPng(dx) }));
    expect(kinds(m)).toEqual({ dx: 'normal/2', gl: 'normal/2' });
    for (let p = 0; p < N * N; p++) {
      expect(texel(m, 'dx', p, 1)).toBeCloseTo(dx[p]![1]! / 255, 7);
      expect(texel(m, 'gl', p, 1)).toBeCloseTo(gl[p]![1]! / 255, 7);
    }
  });

  it('reads a two-channel (BC5-style) map with blue 0 or 255 throughout as a normal map, and says so', () => {
    const two = (blue: number, strength = 1) => nmPng(normals(false, strength).map(([r, g]) => [r!, g!, blue]));
    const m = loadMaterialFolder(folder({ 'bumps.png': two(0), 'steep.png': two(255, 3), 'ground_albedo.png': two(0), 'olive.png': nmPng(normals(false).map(() => [128, 128, 0])) }));
    // A colour map by name stays colour; so does a flat image (a flat normal map and a flat olive are the same texels).
    expect(kinds(m)).toEqual({ bumps: 'normal/2', ground_albedo: 'color/3', olive: 'color/3', steep: 'normal/2' });
    const bumps = m.textures.find((t) => t.name === 'bumps')!;
    expect([bumps.detected, bumps.constantBlue]).toEqual(['content', 0]);
    expect(textureNote(bumps)).toMatch(/by its texels.*; blue is 0 everywhere: read as a two-channel \(BC5-style\) normal map, x and y kept, z rebuilt from them$/);
    expect(m.textures.find((t) => t.name === 'steep')!.constantBlue).toBe(255);
    const src = normals(false);
    for (let p = 0; p < N * N; p++) expect(texel(m, 'bumps', p, 0)).toBeCloseTo(src[p]![0]! / 255, 7);
  });
});

describe('folders as they come', () => {
  it('reads upper-case extensions and names with spaces, and lists what it skips', () => {
    const tga = Buffer.concat([Buffer.from([0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, N, 0, N, 0, 8, 0x20]), Buffer.alloc(N * N, 77)]);
    const m = loadMaterialFolder(folder({ 'Base Color.PNG': rgb8(), 'rough ness.TGA': tga, 'spec.JPEG': jpegBytes(), 'README.txt': 'CC0', '.DS_Store': 'x', '._Base Color.PNG': 'x', 'Thumbs.db': 'x', 'extras': null, 'old.png': null }));
    expect(kinds(m)).toEqual({ 'Base Color': 'color/3', 'rough ness': 'scalar/1', spec: 'color/3' });
    expect(texel(m, 'rough ness', 3)).toBeCloseTo(77 / 255, 7);
    expect(m.skipped).toEqual(['.DS_Store', '._Base Color.PNG', 'README.txt', 'Thumbs.db', 'extras/', 'old.png/']);
  });

  it('loads 1×1 and 4×4 materials, and non-square ones of sides not a multiple of 4', () => {
    for (const [w, h] of [[1, 1], [4, 4], [33, 17], [50, 30]] as const) {
      const px = samples(w, h, (x, y) => [(x * 7 + y) % 256, (y * 5) % 256, 40]);
      const m = loadMaterialFolder(folder({ 'albedo.png': encodePng({ width: w, height: h, colorType: CT.rgb, depth: 8, samples: px }) }));
      expect([m.width, m.height, m.data.length]).toEqual([w, h, w * h * 3]);
      expect(Array.from(m.data, (v) => Math.round(v * 255))).toEqual(px);
    }
  });

  it('refuses an empty folder, and one whose images sit in a folder inside it, saying where', () => {
    expect(caught(() => loadMaterialFolder(folder({})), MaterialInputError).what).toMatch(/^no texture images \(\.png, \.jpg\/\.jpeg and \.tga\) in \S+$/);
    const e = caught(() => loadMaterialFolder(folder({ 'textures': null, '2K': null, 'LICENSE': 'CC0' })), MaterialInputError);
    expect(e.what).toMatch(/no texture images .* \(it holds the folders 2K\/, textures\/: wgml reads the images in the folder given, not in folders inside it\)/);
    expect(e.hint).toMatch(/point at the folder that holds the images, e\.g\. \S+\/2K/);
  });

  it('refuses textures of several sizes, listing every file by size', () => {
    const grey = (w: number, h: number) => encodePng({ width: w, height: h, colorType: CT.grey, depth: 8, samples: samples(w, h, (x) => [x]) });
    const e = caught(() => loadMaterialFolder(folder({ 'albedo.png': grey(32, 32), 'ao.png': grey(16, 16), 'normal.png': grey(32, 32), 'rough.png': grey(16, 8) })), ShapeError);
    expect(e.what).toMatch(/^texture ao is 16×16, but albedo is 32×32: the textures of \S+ are not all one size \(albedo\.png, normal\.png are 32×32; ao\.png is 16×16; rough\.png is 16×8\)$/);
    expect(e.hint).toMatch(/one size \(e\.g\. 32×32\), or move ao\.png, rough\.png out of/);
    expect(e.details).toMatchObject({ files: ['ao.png', 'rough.png'], sizes: { 'albedo.png': [32, 32], 'rough.png': [16, 8] } });
  });
});

describe('broken files', () => {
  const good = rgb8();
  const refused = (name: string, bytes: Uint8Array) => caught(() => loadMaterialFolder(folder({ 'albedo.png': good, [name]: bytes })), MaterialInputError);

  it('names an empty PNG, JPEG or TGA as empty', () => {
    for (const name of ['rough.png', 'rough.jpg', 'rough.TGA']) {
      const e = refused(name, new Uint8Array(0));
      expect(e.what, name).toMatch(new RegExp(`/${name.replace('.', '\\.')} is empty \\(0 bytes\\)$`));
      expect(e.details).toMatchObject({ bytes: 0 });
      expect(e.hint).toMatch(/copy it again, or move it out of the folder/);
    }
  });

  it('names a truncated PNG, a wrong chunk checksum and corrupt pixel data', () => {
    // IHDR: bytes 8–32 (its checksum 29–32); IDAT from 33, its data (a zlib stream) from 41.
    let e = refused('rough.png', good.subarray(0, 60));
    expect(e.what).toMatch(/rough\.png is not a PNG wgml can read: its IDAT chunk at byte 33 holds \d+ bytes, past the end of the file \(60 bytes\): the file is truncated$/);
    expect(e.details).toMatchObject({ offset: 33, chunk: 'IDAT' });
    expect(refused('rough.png', good.subarray(0, good.length - 12)).what).toMatch(/it ends after \d+ bytes, before its IEND chunk: the file is truncated/);
    const crc = good.slice();
    crc[29] ^= 0xff;
    e = refused('rough.png', crc);
    expect(e.what).toMatch(/rough\.png is not a PNG wgml can read: the checksum of its IHDR chunk at byte 8 does not match: the file is corrupt$/);
    expect(e.details).toMatchObject({ offset: 29, chunk: 'IHDR' });
    // Corrupt compressed data under a checksum that matches it (an encoder's bug, not a transfer's).
    const z = Buffer.from(good), len = z.readUInt32BE(33);
    z[41] = 0x00;
    z.writeUInt32BE(crc32(z.subarray(37, 41 + len)), 41 + len);
    expect(refused('rough.png', z).what).toMatch(/rough\.png is not a PNG wgml can read: its pixel data is corrupt \(.+\)$/);
    // Padding after IEND is not the image's: the image is read.
    const padded = loadMaterialFolder(folder({ 'albedo.png': Buffer.concat([good, Buffer.alloc(100)]) }));
    expect(Array.from(padded.data)).toEqual(Array.from(loadMaterialFolder(folder({ 'albedo.png': good })).data));
    expect(refused('rough.png', new TextEncoder().encode('GIF89a....')).what).toMatch(/rough\.png is not a PNG wgml can read: it does not begin with the PNG signature \(nor is it a JPEG\)$/);
  });
});

describe('JPEG variants', () => {
  const fx = (f: string) => new Uint8Array(readFileSync(join('test/fixtures/material-inputs', f)));
  const ref = JSON.parse(readFileSync('test/fixtures/material-inputs/jpegs-pillow.json', 'utf8')) as { width: number; height: number; rgb: Record<string, string> };

  it('reads grey and CMYK JPEGs as Pillow (libjpeg) does, within 2 levels (their IDCT and colour transform differ)', () => {
    for (const [name, kind] of [['grey.jpg', 'scalar/1'], ['cmyk.jpg', 'color/3']] as const) {
      const m = loadMaterialFolder(folder({ [`rough${name.slice(name.indexOf('.'))}`]: fx(name) }));
      expect(kinds(m), name).toEqual({ rough: kind });
      const want = Buffer.from(ref.rgb[name]!, 'base64'), C = m.channels;
      let worst = 0;
      for (let p = 0; p < ref.width * ref.height; p++) for (let c = 0; c < 3; c++) {
        const got = Math.round(texel(m, 'rough', p, C === 1 ? 0 : c) * 255);
        worst = Math.max(worst, Math.abs(got - want[p * 3 + c]!));
      }
      expect(worst, name).toBeLessThanOrEqual(2);
    }
  });

  it('refuses a 12-bit JPEG, naming the byte, rather than decoding it as 8-bit', () => {
    const d = fx('grey.jpg').slice();
    const sof = d.findIndex((v, i) => v === 0xff && d[i + 1] === 0xc0);
    expect(d[sof + 4]).toBe(8);
    d[sof + 4] = 12;
    const e = caught(() => loadMaterialFolder(folder({ 'rough.jpg': d })), MaterialInputError);
    expect(e.what).toMatch(new RegExp(`rough\\.jpg is a 12-bit JPEG \\(sample precision at byte ${sof + 4}\\); wgml reads 8-bit JPEGs$`));
    expect(e.hint).toMatch(/16-bit PNG/);
    expect(e.details).toMatchObject({ offset: sof + 4, precision: 12 });
  });
});
