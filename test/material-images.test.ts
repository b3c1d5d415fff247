/**
 * `wgml compress` inputs as game packages ship them: PNG, JPEG and TGA (plain, RLE, colour-mapped, either
 * origin) decoded to the source texels; normal maps found by name and by content; near-grey RGB kept as
 * one channel with a note; and the refusals that name the file. CPU only: fixtures are written here.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { decodeImage, readImage, writePng, type Image } from '../src/shaderml/material/images.js';
import { isColorName, isNormalName, loadMaterialFolder, looksLikeNormalMap, normalStats, textureNote, textureRgba, MaterialInputError } from '../src/shaderml/material/textures.js';
import { materialReport } from '../src/shaderml/material/report.js';
import type { CompressedMaterial } from '../src/shaderml/material/train.js';
import { ShapeError, WgmlError } from '../src/errors.js';
import { rng } from './helpers/random.js';

const root = mkdtempSync(join(tmpdir(), 'wgml-images-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let nDir = 0;
/** A fresh folder with `files` (name → bytes) in it. */
function folder(files: Record<string, Uint8Array | string>): string {
  const dir = join(root, `m${nDir++}`);
  mkdirSync(dir);
  for (const [f, b] of Object.entries(files)) writeFileSync(join(dir, f), b);
  return dir;
}
function image(w: number, h: number, f: (x: number, y: number) => number[]): Image {
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgba.set(f(x, y), (y * w + x) * 4);
  return { width: w, height: h, rgba };
}
function pngBytes(im: Image): Uint8Array {
  const p = join(root, `tmp${nDir++}.png`);
  writePng(p, im.width, im.height, im.rgba);
  return new Uint8Array(readFileSync(p));
}
const jpegBytes = (im: Image, quality: number) => new Uint8Array(jpeg.encode({ width: im.width, height: im.height, data: im.rgba }, quality).data);
/** Error thrown by `f`, checked for its type. */
function caught<T extends WgmlError>(f: () => unknown, type: new (...a: never[]) => T): T {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(type); return e as T; }
  throw new Error('expected an error');
}

/**
 * A TGA written field by field from the TGA 2.0 spec, not with the reader's help: `image` in file order
 * per `topDown`/`rightToLeft`; type 1/9 index into `map`; 9/10/11 run-length encoded (runs cross rows).
 */
function tga(im: Image, o: { type: number; bpp: number; topDown?: boolean; rightToLeft?: boolean; id?: string; map?: { first: number; entries: number[][]; bits: 24 | 32 }; attrBits?: number }): Uint8Array {
  const { width: w, height: h } = im, id = Buffer.from(o.id ?? '');
  const head = Buffer.alloc(18);
  head[0] = id.length; head[1] = o.map ? 1 : 0; head[2] = o.type;
  if (o.map) { head.writeUInt16LE(o.map.first, 3); head.writeUInt16LE(o.map.entries.length, 5); head[7] = o.map.bits; }
  head.writeUInt16LE(w, 12); head.writeUInt16LE(h, 14); head[16] = o.bpp;
  head[17] = (o.attrBits ?? (o.bpp === 32 ? 8 : 0)) | (o.topDown ? 0x20 : 0) | (o.rightToLeft ? 0x10 : 0);
  const map = o.map ? Buffer.from(o.map.entries.flatMap(([r, g, b, a]) => (o.map!.bits === 32 ? [b!, g!, r!, a!] : [b!, g!, r!]))) : Buffer.alloc(0);
  const pixels: number[][] = [];
  for (let fy = 0; fy < h; fy++) {
    for (let fx = 0; fx < w; fx++) {
      const y = o.topDown ? fy : h - 1 - fy, x = o.rightToLeft ? w - 1 - fx : fx, i = (y * w + x) * 4;
      const [r, g, b, a] = [im.rgba[i]!, im.rgba[i + 1]!, im.rgba[i + 2]!, im.rgba[i + 3]!];
      if (o.map) pixels.push([o.map.first + o.map.entries.findIndex((e) => e[0] === r && e[1] === g && e[2] === b)]);
      else if (o.bpp === 8) pixels.push([r]);
      else pixels.push(o.bpp === 32 ? [b, g, r, a] : [b, g, r]);
    }
  }
  const same = (a: number[], b: number[]) => a.every((v, k) => v === b[k]);
  const data: number[] = [];
  if (o.type & 8) {
    for (let i = 0; i < pixels.length;) {
      let run = 1;
      while (i + run < pixels.length && run < 128 && same(pixels[i + run]!, pixels[i]!)) run++;
      if (run > 1) { data.push(0x80 | (run - 1), ...pixels[i]!); i += run; continue; }
      let raw = 1;
      while (i + raw < pixels.length && raw < 128 && !(i + raw + 1 < pixels.length && same(pixels[i + raw]!, pixels[i + raw + 1]!))) raw++;
      data.push(raw - 1, ...pixels.slice(i, i + raw).flat());
      i += raw;
    }
  } else data.push(...pixels.flat());
  // A TGA 2.0 footer, which readers must not take for pixels.
  return new Uint8Array(Buffer.concat([head, id, map, Buffer.from(data), Buffer.alloc(8), Buffer.from('TRUEVISION-XFILE.\0')]));
}

/** 20×12 (not square: a swapped axis shows), with a 150-texel flat stretch across rows for RLE runs. */
const src = image(20, 12, (x, y) => (y * 20 + x < 150 ? [200, 40, 90, 255] : [(x * 13 + y * 7) & 255, (x * 3 + 100) & 255, (y * 21) & 255, 128 + ((x + y) & 127)]));
const grey = (im: Image) => image(im.width, im.height, (x, y) => { const v = im.rgba[(y * im.width + x) * 4]!; return [v, v, v, 255]; });
const opaque = (im: Image) => image(im.width, im.height, (x, y) => [...im.rgba.subarray((y * im.width + x) * 4, (y * im.width + x) * 4 + 3), 255]);

describe('texture images', () => {
  it('reads PNG texels exactly', () => {
    expect(decodeImage(pngBytes(src), 'a.png')).toEqual(src);
  });

  it('reads TGA types 2 (24/32 bits), 3, 10, 11, 1 and 9 exactly, in every origin', () => {
    const pal = [[200, 40, 90, 255], [10, 250, 30, 255], [0, 0, 0, 255], [255, 255, 255, 255]];
    const indexed = image(20, 12, (x, y) => pal[((x >> 2) + (y >> 1)) % 4]!);
    const cases: [string, Image, Parameters<typeof tga>[1]][] = [
      ['24-bit, top-left', opaque(src), { type: 2, bpp: 24, topDown: true, id: 'wgml test' }],
      ['24-bit, bottom-left', opaque(src), { type: 2, bpp: 24 }],
      ['32-bit with alpha, bottom-left', src, { type: 2, bpp: 32 }],
      ['32-bit, top-right', src, { type: 2, bpp: 32, topDown: true, rightToLeft: true }],
      ['8-bit grey', grey(src), { type: 3, bpp: 8 }],
      ['RLE 24-bit, bottom-left', opaque(src), { type: 10, bpp: 24 }],
      ['RLE 32-bit, top-left', src, { type: 10, bpp: 32, topDown: true }],
      ['RLE 8-bit grey', grey(src), { type: 11, bpp: 8, topDown: true }],
      ['colour-mapped', indexed, { type: 1, bpp: 8, map: { first: 0, entries: pal, bits: 24 } }],
      ['RLE colour-mapped, 32-bit map from entry 5', indexed, { type: 9, bpp: 8, topDown: true, map: { first: 5, entries: pal, bits: 32 } }],
    ];
    for (const [what, im, o] of cases) {
      const bytes = tga(im, o);
      if (o.type & 8) expect(bytes.length, `${what}: runs packed`).toBeLessThan(tga(im, { ...o, type: o.type & ~8 }).length);
      expect(decodeImage(bytes, `${what}.tga`), what).toEqual(im);
    }
  });

  it('reads a 32-bit TGA whose alpha bytes are all zero as opaque', () => {
    const im = image(8, 4, (x, y) => [x * 30, y * 60, 7, 0]);
    expect(decodeImage(tga(im, { type: 2, bpp: 32, attrBits: 0 }), 'z.tga')).toEqual(opaque(im));
  });

  it('reads JPEG (.jpg, .JPEG) within JPEG error, and decodes by signature whatever the extension', () => {
    const im = image(32, 32, (x, y) => [40 + 5 * x, 60 + 4 * y, 128 + 60 * Math.sin(x / 5) * Math.cos(y / 7), 255]);
    const bytes = jpegBytes(im, 95);
    for (const name of ['a.jpg', 'b.JPEG', 'misnamed.tga']) {
      const back = decodeImage(bytes, name);
      expect([back.width, back.height]).toEqual([32, 32]);
      let max = 0, sum = 0;
      for (let i = 0; i < im.rgba.length; i++) { const d = Math.abs(back.rgba[i]! - im.rgba[i]!); max = Math.max(max, d); sum += d; }
      // Quality 95 on a smooth image: measured max 3, mean 0.6 levels (4:2:0 chroma, integer IDCT).
      expect(max, name).toBeLessThanOrEqual(8);
      expect(sum / im.rgba.length, name).toBeLessThan(1.5);
    }
    expect(decodeImage(pngBytes(src), 'png-named.jpg')).toEqual(src);
  });

  it('names the file and the header field of a corrupt TGA', () => {
    const good = tga(opaque(src), { type: 2, bpp: 24 });
    const bad = (edit: (b: Uint8Array) => Uint8Array) => caught(() => decodeImage(edit(good.slice()), 'dir/wall.tga'), MaterialInputError);
    let e = bad((b) => { b[2] = 7; return b; });
    expect(e.what).toMatch(/dir\/wall\.tga is not a TGA wgml can read: image type 7 \(byte 2\)/);
    expect(e.details).toMatchObject({ path: 'dir/wall.tga', offset: 2, field: 'image type' });
    expect(e.hint).toMatch(/PNG|move it out/);
    e = bad((b) => { b[16] = 16; return b; });
    expect(e.what).toMatch(/pixel depth 16 \(byte 16\)/);
    expect(e.details).toMatchObject({ offset: 16, field: 'pixel depth' });
    e = bad((b) => b.subarray(0, 10));
    expect(e.what).toMatch(/10 bytes, fewer than the 18 of a TGA header/);
    e = bad((b) => b.subarray(0, 18 + 100));
    expect(e.what).toMatch(/20×12 pixels of 3 bytes from byte 18 run past the end of the file \(118 bytes\)/);
    const rle = tga(opaque(src), { type: 10, bpp: 24 });
    e = caught(() => decodeImage(rle.subarray(0, 40), 'r.tga'), MaterialInputError);
    expect(e.what).toMatch(/r\.tga .*RLE pixel data ends at byte 40/);
    e = caught(() => decodeImage(tga(grey(src), { type: 3, bpp: 8 }).fill(3, 1, 2), 'm.tga'), MaterialInputError);
    expect(e.what).toMatch(/colour map type 3 \(byte 1\)/);
  });

  it('names the file of a corrupt PNG or JPEG', () => {
    expect(caught(() => decodeImage(new TextEncoder().encode('not a png'), 'x/normal.png'), MaterialInputError).what).toMatch(/x\/normal\.png is not a PNG wgml can read/);
    const j = jpegBytes(opaque(src), 90);
    expect(caught(() => decodeImage(j.subarray(0, 30), 'x/albedo.jpg'), MaterialInputError).what).toMatch(/x\/albedo\.jpg is not a JPEG wgml can read/);
  });
});

/** A tangent-space normal map from a tiling height field, as a baker writes it. */
function bakedNormals(n: number, strength: number): Image {
  const hgt = (x: number, y: number) => Math.sin((2 * Math.PI * 2 * x) / n) + 0.6 * Math.cos((2 * Math.PI * 3 * y) / n) + 0.4 * Math.sin((2 * Math.PI * (x + 2 * y)) / n);
  return image(n, n, (x, y) => {
    const dx = (hgt(x + 1, y) - hgt(x - 1, y)) / 2, dy = (hgt(x, y + 1) - hgt(x, y - 1)) / 2;
    const v = [-strength * dx, -strength * dy, 1], l = Math.hypot(...v);
    return [...v.map((c) => Math.round((c / l / 2 + 0.5) * 255)), 255];
  });
}
const N = 32;
/** Sky-like albedo: light blue at the top to deep blue at the bottom, with a little noise. */
const sky = (r: () => number) => image(N, N, (_x, y) => { const t = y / (N - 1), n = () => (r() - 0.5) * 6; return [135 + (30 - 135) * t + n(), 206 + (80 - 206) * t + n(), 235 + (200 - 235) * t + n(), 255].map(Math.round); });
const noise = (r: () => number) => image(N, N, () => [r() * 256, r() * 256, r() * 256, 255].map(Math.floor));
const greyRamp = image(N, N, (x, y) => { const v = 20 + 7 * x + 0.5 * y; return [v, v, v, 255].map(Math.round); });

describe('texture classification', () => {
  it('finds normal maps by name: nm, local, ddn, norm, nrm, nor, n, normal as tokens', () => {
    for (const n of ['foo_nm', 'foo_local', 'foo_ddn', 'foo_norm', 'foo_nrm', 'rock_nor_gl_1k', 'foo_n', 'foo_normal', 'Foo-NRM', 'wall.Local', 'brick n', 'n', 'Bricks076C_1K_NormalGL', 'rockNormal'])
      expect(isNormalName(n), n).toBe(true);
    for (const n of ['foo_nn', 'brick_north', 'barn', 'wood_norman', 'localized_dirt', 'foo_ddns', 'mn', 'fern', 'foo_n2', 'albedo', 'roughness'])
      expect(isNormalName(n), n).toBe(false);
  });

  it('finds normal maps by content and not albedo: sky gradient, grey, colour noise', () => {
    const r = rng(7);
    for (const s of [0.5, 2, 4]) expect(looksLikeNormalMap(normalStats(bakedNormals(N, s).rgba)), `strength ${s}`).toBe(true);
    // A JPEG of one (quality 75) still reads as one.
    const jp = decodeImage(jpegBytes(bakedNormals(N, 2), 75), 'b.jpg');
    expect(looksLikeNormalMap(normalStats(jp.rgba))).toBe(true);
    const albedo: [string, Image][] = [['sky', sky(r)], ['grey', greyRamp], ['light grey', image(N, N, () => [200, 200, 200, 255])], ['noise', noise(r)],
      ['flat deep blue', image(N, N, () => [30, 90, 230, 255])], ['bricks', image(N, N, (x, y) => ((x >> 3) + (y >> 2)) % 2 ? [150, 60, 40, 255] : [180, 170, 160, 255])]];
    for (const [what, im] of albedo) expect(looksLikeNormalMap(normalStats(im.rgba)), what).toBe(false);
    // Each threshold on its edge, then just past it.
    const edge = { unit: 0.9, facing: 0.99, mean: [0.2, -0.2, 0.5] as [number, number, number] };
    expect(looksLikeNormalMap(edge)).toBe(true);
    for (const s of [{ unit: 0.89 }, { facing: 0.98 }, { mean: [0.21, 0, 0.9] }, { mean: [0, -0.21, 0.9] }, { mean: [0, 0, 0.49] }])
      expect(looksLikeNormalMap({ ...edge, ...s } as typeof edge), JSON.stringify(s)).toBe(false);
  });

  it('loads a folder of PNG/JPEG/TGA and classifies by name, content and greyness', () => {
    const r = rng(3), bumps = bakedNormals(N, 2), nearGrey = image(N, N, (x, y) => { const v = 60 + 4 * x + y; return [v + (x === 3 && y === 5 ? 3 : 0), v + ((x + y) % 2), v, 255]; });
    const dir = folder({
      'albedo.JPG': jpegBytes(sky(r), 90),
      'bumps.png': pngBytes(bumps), // a normal map no name gives away
      'detail.jpg': jpegBytes(bakedNormals(N, 1), 85),
      'height.tga': tga(greyRamp, { type: 3, bpp: 8 }),
      'noise.tga': tga(noise(r), { type: 10, bpp: 24 }),
      'spec.png': pngBytes(nearGrey),
      'tint.png': pngBytes(image(N, N, (x, y) => { const v = 60 + 4 * x + y; return [v + 5, v, v, 255]; })),
      'wall_local.tga': tga(greyRamp, { type: 2, bpp: 24 }), // the name wins, whatever it holds
      'README.txt': 'CC0 texture pack', 'material.mtl': 'newmtl x', '._bumps.png': 'macOS metadata',
    });
    const m = loadMaterialFolder(dir);
    expect(m.textures.map((t) => [t.name, t.kind, t.channels])).toEqual([
      ['albedo', 'color', 3], ['bumps', 'normal', 2], ['detail', 'normal', 2], ['height', 'scalar', 1], ['noise', 'color', 3], ['spec', 'scalar', 1], ['tint', 'color', 3], ['wall_local', 'normal', 2],
    ]);
    const t = Object.fromEntries(m.textures.map((x) => [x.name, x]));
    expect(t.bumps!.detected).toBe('content');
    expect(t.wall_local!.detected).toBeUndefined();
    expect(t.spec!.fromRgb).toEqual({ maxSpread: 3 });
    expect(t.height!.fromRgb).toBeUndefined();
    expect(textureNote(t.spec!)).toBe('near-grey RGB (channels within 3 levels) stored as one channel');
    expect(textureNote(t.height!)).toBeUndefined();
    expect(textureNote(t.bumps!)).toMatch(/normal map by its texels.*--normal/);
    // Texels: a near-grey channel is the mean of R, G, B; a normal map keeps x, y and rebuilds z close to b.
    const col = (name: string) => m.textures.slice(0, m.textures.findIndex((x) => x.name === name)).reduce((a, x) => a + x.channels, 0);
    for (let p = 0; p < N * N; p++) {
      const s = nearGrey.rgba.subarray(p * 4, p * 4 + 3);
      expect(m.data[p * m.channels + col('spec')]).toBeCloseTo((s[0]! + s[1]! + s[2]!) / 3 / 255, 6);
      expect(m.data[p * m.channels + col('height')]).toBeCloseTo(greyRamp.rgba[p * 4]! / 255, 6);
      expect(m.data[p * m.channels + col('bumps') + 1]).toBeCloseTo(bumps.rgba[p * 4 + 1]! / 255, 6);
    }
    const back = textureRgba(m, m.data, m.textures.indexOf(t.bumps!));
    for (let i = 0; i < back.length; i++) expect(Math.abs(back[i]! - bumps.rgba[i]!), `byte ${i}`).toBeLessThanOrEqual(3);
    // What the report and the CLI print carry the note.
    const c = { width: N, height: N, lw: N / 2, lh: N / 2, features: 4, latents: new Uint8Array((N / 2) ** 2 * 4) } as unknown as CompressedMaterial;
    const rep = materialReport(m, c, 1000, m.data);
    expect(rep.textures.find((x) => x.name === 'spec')!.note).toBe('near-grey RGB (channels within 3 levels) stored as one channel');
    expect(rep.textures.find((x) => x.name === 'height')!.note).toBeUndefined();
    expect(rep.textures.find((x) => x.name === 'spec')!.bcFormat).toBe('BC4');

    // --normal names exactly the normal maps; 'none': there are none.
    expect(loadMaterialFolder(dir, ['noise']).textures.filter((x) => x.kind === 'normal').map((x) => x.name)).toEqual(['noise']);
    expect(loadMaterialFolder(dir, ['none']).textures.filter((x) => x.kind === 'normal')).toEqual([]);
    expect(loadMaterialFolder(dir, ['none']).textures.find((x) => x.name === 'bumps')!.kind).toBe('color');
  });

  it('keeps a nearly grey colour map (albedo, diffuse, _d) as colour; only maps of one value by meaning become one channel', () => {
    const greyish = image(N, N, (x, y) => { const v = 90 + 3 * x + y; return [v + 2, v + 1, v, 255]; });
    const dir = folder({ 'albedo.png': pngBytes(greyish), 'wall_d.png': pngBytes(greyish), 'Diffuse.png': pngBytes(greyish), 'roughness.png': pngBytes(greyish), 'gloss.png': pngBytes(image(N, N, (x) => [x, x, x, 255])) });
    const kinds = Object.fromEntries(loadMaterialFolder(dir).textures.map((t) => [t.name, [t.kind, t.channels]]));
    expect(kinds).toEqual({ albedo: ['color', 3], wall_d: ['color', 3], Diffuse: ['color', 3], roughness: ['scalar', 1], gloss: ['scalar', 1] });
    expect(['albedo', 'rock_albedo', 'T_Wall_D', 'basecolor', 'Base_Color', 'wood_col', 'diffuse2'].every(isColorName)).toBe(true);
    expect(['roughness', 'spec', 'gloss', 'height', 'd2', 'decal', 'dirt', 'normal', 'ao'].some(isColorName)).toBe(false);
  });

  it('keeps a JPEG of a near-grey map as one channel, and notes a normal map\'s alpha it drops', () => {
    const r = rng(11);
    const spec = image(N, N, (x, y) => { const v = 90 + 3 * x + 2 * y, d = () => Math.round((r() - 0.5) * 2); return [v + d(), v + d(), v + d(), 255]; });
    const withHeight = image(N, N, (x, y) => { const i = (y * N + x) * 4; return [...bakedNormals(N, 2).rgba.subarray(i, i + 3), 100 + x]; });
    // jpeg-js at quality 90 or less quantizes this chroma noise away (an exact grey); at 95 it keeps 2–3 levels.
    const dir = folder({ 'rock_spec.jpg': jpegBytes(spec, 95), 'rock_n.png': pngBytes(withHeight) });
    const [n, s] = loadMaterialFolder(dir).textures;
    expect(s!.kind).toBe('scalar');
    expect(s!.fromRgb!.maxSpread).toBeGreaterThan(0);
    expect(s!.fromRgb!.maxSpread).toBeLessThanOrEqual(4);
    expect([n!.kind, n!.droppedAlpha, textureNote(n!)]).toEqual(['normal', true, 'its alpha is not kept (a normal map stores x and y): to keep it, save it as an image of its own beside the normal map']);
  });
});

describe('texture folder errors', () => {
  const ok = () => pngBytes(opaque(image(16, 16, (x, y) => [x * 9, y * 9, 50, 255])));

  it('refuses image files it cannot read, naming them and the formats it reads', () => {
    const e = caught(() => loadMaterialFolder(folder({ 'albedo.png': ok(), 'normal.webp': 'RIFF', 'rough.DDS': 'DDS ', 'notes.txt': 'x' })), MaterialInputError);
    expect(e.what).toMatch(/holds images wgml cannot read: normal\.webp, rough\.DDS \(it reads \.png, \.jpg\/\.jpeg and \.tga\)/);
    expect(e.hint).toMatch(/convert them to PNG .*or move them out of/);
    expect(e.details.files).toEqual(['normal.webp', 'rough.DDS']);
  });

  it('refuses two files of one texture name', () => {
    const e = caught(() => loadMaterialFolder(folder({ 'albedo.png': ok(), 'Albedo.jpg': jpegBytes(opaque(src), 90) })), MaterialInputError);
    expect(e.what).toMatch(/Albedo\.jpg and albedo\.png in .* are both texture 'albedo'/);
    expect(e.hint).toMatch(/keep one/);
  });

  it('refuses textures of different sizes, naming the file', () => {
    const e = caught(() => loadMaterialFolder(folder({ 'albedo.png': ok(), 'gloss.tga': tga(grey(src), { type: 3, bpp: 8 }) })), ShapeError);
    expect(e.what).toMatch(/^texture gloss is 20×12, but albedo is 16×16: the textures of .* are not all one size \(albedo\.png is 16×16; gloss\.tga is 20×12\)$/);
    expect(e.hint).toMatch(/resize the textures of a material to one size \(e\.g\. 16×16\), or move gloss\.tga out of/);
  });

  it('names a corrupt TGA in a folder, and a folder with no images', () => {
    const bad = tga(grey(src), { type: 3, bpp: 8 });
    bad[2] = 1;
    const e = caught(() => loadMaterialFolder(folder({ 'albedo.png': ok(), 'gloss.tga': bad })), MaterialInputError);
    expect(e.what).toMatch(/gloss\.tga is not a TGA wgml can read: a colour-mapped image without a colour map/);
    const none = caught(() => loadMaterialFolder(folder({ 'README.md': '# pack', 'LICENSE': 'CC0' })), MaterialInputError);
    expect(none.what).toMatch(/no texture images \(\.png, \.jpg\/\.jpeg and \.tga\) in/);
    expect(caught(() => loadMaterialFolder(folder({ 'albedo.png': ok() }), ['normal']), MaterialInputError).hint).toMatch(/albedo \(--normal none: no normal maps\)/);
  });

  it('reads files through readImage with a file error for a missing one', () => {
    expect(() => readImage(join(root, 'missing.tga'))).toThrow(/there is no/);
  });
});
