/**
 * Texture images as RGBA8, top row first: PNG (pngjs), JPEG (jpeg-js) and TGA (read here: true-colour
 * and grey, plain or RLE), the formats game packages and texture packs ship. 16-bit PNGs keep their
 * samples at full precision beside the RGBA8 rounding (height maps are saved so to avoid terracing). Node-only.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import pngjs from 'pngjs';
import jpeg from 'jpeg-js';
import { WgmlError, fileError } from '../../errors.js';
import { crc32 } from '../../ir/checksum.js';

/** A texture folder or image wgml cannot take as a material; `details.path` names the file. */
export class MaterialInputError extends WgmlError {
  constructor(message: string, hint: string, details: Record<string, unknown> = {}) {
    super('E_MATERIAL_INPUT', message, hint, details);
  }
}

export interface Image {
  width: number; height: number; rgba: Uint8Array;
  /** A 16-bit PNG's samples as stored (RGBA, 0…65535); `rgba` holds them rounded to 8 bits. */
  rgba16?: Uint16Array;
}
export type ImageFormat = 'png' | 'jpeg' | 'tga';

const FORMAT_OF: Record<string, ImageFormat> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.jpe': 'jpeg', '.jfif': 'jpeg', '.tga': 'tga' };
/** What the material loader reads, for messages. */
export const READ_FORMATS = '.png, .jpg/.jpeg and .tga';

/**
 * Image files that may sit in a texture folder but that wgml does not decode. A folder holding one is
 * refused rather than trained without it: a material silently missing its DDS normal map would look fine
 * in the report and wrong in the game.
 */
const OTHER_IMAGES = new Set(['.webp', '.dds', '.bmp', '.gif', '.tif', '.tiff', '.ktx', '.ktx2', '.exr', '.hdr', '.psd', '.xcf', '.avif', '.heic', '.heif',
  '.jxl', '.jp2', '.j2k', '.basis', '.crn', '.pvr', '.astc', '.qoi', '.pcx', '.ppm', '.pgm', '.pnm', '.pbm', '.pfm', '.ico', '.svg', '.wal', '.blp', '.vtf']);

/** 'png' | 'jpeg' | 'tga' for a file wgml reads, 'other' for an image it does not, null for anything else. */
export function imageKind(file: string): ImageFormat | 'other' | null {
  const ext = extname(file).toLowerCase();
  return FORMAT_OF[ext] ?? (OTHER_IMAGES.has(ext) ? 'other' : null);
}

function readTexture(path: string): Buffer {
  try { return readFileSync(path); } catch (e) { throw fileError(e, path, 'read', 'texture'); }
}

export function readImage(path: string): Image {
  return decodeImage(readTexture(path), path);
}

/**
 * Decode by signature where there is one (packs do ship JPEGs named .tga or .png), else by the
 * extension of `path`: TGA has no signature.
 */
export function decodeImage(bytes: Uint8Array, path: string): Image {
  // Said as such: the decoders' own words for no bytes ("SOI not found", "read requests waiting") hide it.
  if (!bytes.length) throw new MaterialInputError(`${path} is empty (0 bytes)`, 'a copy or download that did not finish leaves such files: export or copy it again, or move it out of the folder', { path, bytes: 0 });
  const png = bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const jpg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  const fmt = png ? 'png' : jpg ? 'jpeg' : (FORMAT_OF[extname(path).toLowerCase()] ?? 'png');
  return fmt === 'png' ? decodePng(bytes, path) : fmt === 'jpeg' ? decodeJpeg(bytes, path) : decodeTga(bytes, path);
}

export function readPng(path: string): Image {
  return decodePng(readTexture(path), path);
}

/** What went wrong in pngjs's words, in a user's: it names stream states and zlib codes. */
function pngProblem(e: unknown, bytes: number): string {
  const m = (e as Error)?.message ?? String(e);
  if (/read requests waitng|read requests waiting|unexpected end/i.test(m)) return `it ends after ${bytes} bytes, before its image data does: the file is truncated (${m})`;
  if (/crc error/i.test(m)) return `a chunk's checksum does not match: the file is corrupt (${m})`;
  if (/header check|invalid (distance|code|block|stored)|too many|incorrect|unrecognised content|unknown compression|filter type/i.test(m)) return `its pixel data is corrupt (${m})`;
  return m;
}

const PNG_HINT = 'save it again as an 8-bit PNG (16 bits per channel are read too), or move it out of the folder';
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Walk a PNG's chunks up to IEND before pngjs decodes it; returns where IEND ends. pngjs throws the last of the
 * errors it meets, so a checksum mismatch or a missing signature comes out as "unrecognised content at end of
 * stream". Here the chunk and byte are named.
 */
function checkPngChunks(b: Uint8Array, path: string): number {
  if (!PNG_SIGNATURE.every((v, i) => b[i] === v)) {
    throw new MaterialInputError(`${path} is not a PNG wgml can read: it does not begin with the PNG signature (nor is it a JPEG)`, PNG_HINT, { path, offset: 0 });
  }
  const bad = (what: string, offset: number, chunk?: string) => new MaterialInputError(`${path} is not a PNG wgml can read: ${what}`, PNG_HINT, { path, offset, ...(chunk ? { chunk } : {}) });
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  for (let at = 8; ;) {
    if (at + 12 > b.length) throw bad(`it ends after ${b.length} bytes, before its IEND chunk: the file is truncated`, b.length);
    const len = dv.getUint32(at), type = String.fromCharCode(...b.subarray(at + 4, at + 8));
    if (!/^[A-Za-z]{4}$/.test(type)) throw bad(`bytes ${at + 4}–${at + 7} are not a chunk type: the file is corrupt`, at + 4);
    if (at + 12 + len > b.length) throw bad(`its ${type} chunk at byte ${at} holds ${len} bytes, past the end of the file (${b.length} bytes): the file is truncated`, at, type);
    if (crc32(b.subarray(at + 4, at + 8 + len)) !== dv.getUint32(at + 8 + len)) throw bad(`the checksum of its ${type} chunk at byte ${at} does not match: the file is corrupt`, at + 8 + len, type);
    if (type === 'IEND') return at + 12 + len;
    at += 12 + len;
  }
}

function decodePng(bytes: Uint8Array, path: string): Image {
  // Bytes after IEND (some transfers pad files) are not the image's: pngjs would refuse the file for them.
  bytes = bytes.subarray(0, checkPngChunks(bytes, path));
  // IHDR's bit depth (byte 24): 16-bit samples are read as stored, not rounded to 8 bits by pngjs.
  const deep = bytes.length > 25 && bytes[12] === 0x49 && bytes[13] === 0x48 && bytes[14] === 0x44 && bytes[15] === 0x52 && bytes[24] === 16;
  let png: pngjs.PNG;
  try { png = pngjs.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), { skipRescale: deep }); } catch (e) {
    throw new MaterialInputError(`${path} is not a PNG wgml can read: ${pngProblem(e, bytes.length)}`, PNG_HINT, { path });
  }
  const data = png.data as unknown as Uint8Array | Uint16Array;
  if (!(data instanceof Uint16Array)) return { width: png.width, height: png.height, rgba: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  // Rounded as pngjs rounds when it rescales: v·255/65535 to the nearest level.
  const rgba = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) rgba[i] = Math.floor((data[i]! * 255) / 65535 + 0.5);
  return { width: png.width, height: png.height, rgba, rgba16: data };
}

/**
 * The sample precision of a JPEG's frame header (SOF), or undefined when there is none before the scan. jpeg-js reads
 * the field but decodes every frame as 8-bit: a 12-bit JPEG (medical and some texture tools write them) would come
 * out level-shifted and clipped without a word, so it is refused here, where the byte can be named.
 */
function jpegPrecision(bytes: Uint8Array): { precision: number; offset: number } | undefined {
  let i = 2;
  while (i + 4 <= bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1]!;
    if (marker === 0xff) { i++; continue; }  // fill byte before a marker
    if (marker === 0xda || marker === 0xd9) return undefined;
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    // SOF0-3, 5-7, 9-11, 13-15 (0xc4 DHT, 0xc8 JPG and 0xcc DAC share the range but are not frames)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc && i + 4 < bytes.length) return { precision: bytes[i + 4]!, offset: i + 4 };
    i += 2 + length;
  }
  return undefined;
}

function decodeJpeg(bytes: Uint8Array, path: string): Image {
  const sof = jpegPrecision(bytes);
  if (sof && sof.precision !== 8) {
    throw new MaterialInputError(`${path} is a ${sof.precision}-bit JPEG (sample precision at byte ${sof.offset}); wgml reads 8-bit JPEGs`,
      'save it as a 16-bit PNG to keep its precision, or as an 8-bit JPEG; or move it out of the folder', { path, offset: sof.offset, precision: sof.precision });
  }
  try {
    // jpeg-js's default memory cap (512 MB) refuses 8K textures; 2 GB takes them.
    const im = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 2048 });
    return { width: im.width, height: im.height, rgba: im.data };
  } catch (e) {
    throw new MaterialInputError(`${path} is not a JPEG wgml can read: ${(e as Error).message ?? String(e)}`,
      'save it as a baseline or progressive 8-bit JPEG or as a PNG, or move it out of the folder', { path });
  }
}

export function writePng(path: string, width: number, height: number, rgba: Uint8Array): void {
  const png = new pngjs.PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.length);
  try { writeFileSync(path, pngjs.PNG.sync.write(png)); } catch (e) { throw fileError(e, path, 'write', 'image'); }
}

const TGA_TYPE_NAMES: Record<number, string> = { 0: 'an image without pixel data', 32: 'Huffman-compressed colour-mapped', 33: 'Huffman-compressed colour-mapped' };

/**
 * TGA image types 2 (true-colour, 24/32 bits), 3 (8-bit grey), 1 (8-bit indices into a 24/32-bit colour
 * map: some packs keep their spec maps so) and their RLE forms 10, 11 and 9, in either origin
 * (descriptor bits 4 and 5).
 */
export function decodeTga(b: Uint8Array, path: string): Image {
  const bad = (what: string, offset: number, field: string) => new MaterialInputError(`${path} is not a TGA wgml can read: ${what}`,
    'save it as a true-colour (24/32-bit), 8-bit grey or 8-bit colour-mapped TGA, plain or RLE, or as a PNG; or move it out of the folder', { path, offset, field });
  if (b.length < 18) throw bad(`it has ${b.length} byte${b.length === 1 ? '' : 's'}, fewer than the 18 of a TGA header`, b.length, 'header');
  const u16 = (at: number) => b[at]! | (b[at + 1]! << 8);
  const idLen = b[0]!, mapType = b[1]!, type = b[2]!, mapFirst = u16(3), mapLen = u16(5), mapBits = b[7]!, w = u16(12), h = u16(14), bpp = b[16]!, desc = b[17]!;
  if (mapType > 1) throw bad(`colour map type ${mapType} (byte 1) is neither 0 nor 1`, 1, 'colour map type');
  const base = type & ~8, rle = (type & 8) !== 0;
  if (base < 1 || base > 3) {
    throw bad(`image type ${type} (byte 2)${TGA_TYPE_NAMES[type] ? ` is ${TGA_TYPE_NAMES[type]}` : ' is not a TGA image type'}; wgml reads types 2 and 10 (true-colour), 3 and 11 (grey), 1 and 9 (colour-mapped)`, 2, 'image type');
  }
  const kind = base === 1 ? 'colour-mapped' : base === 2 ? 'true-colour' : 'grey';
  if (base === 2 ? bpp !== 24 && bpp !== 32 : bpp !== 8) throw bad(`pixel depth ${bpp} (byte 16) in a ${kind} image; wgml reads ${base === 2 ? '24 or 32 bits' : '8 bits'}`, 16, 'pixel depth');
  if (base === 1 && mapType !== 1) throw bad('a colour-mapped image without a colour map (byte 1 is 0)', 1, 'colour map type');
  if (base === 1 && mapBits !== 24 && mapBits !== 32) throw bad(`colour map entries of ${mapBits} bits (byte 7); wgml reads 24 or 32`, 7, 'colour map entry size');
  if (!w || !h) throw bad(`its size ${w}×${h} (bytes 12–15) is empty`, w ? 14 : 12, w ? 'height' : 'width');
  const px = bpp / 8, n = w * h, mapAt = 18 + idLen, mapPx = Math.ceil(mapBits / 8), start = mapAt + (mapType ? mapLen * mapPx : 0);
  if (start > b.length) throw bad(`its colour map (${mapLen} entries from byte ${mapAt}) runs past the end of the file (${b.length} bytes)`, b.length, 'colour map');
  let src: Uint8Array;
  if (!rle) {
    if (start + n * px > b.length) throw bad(`its ${w}×${h} pixels of ${px} bytes from byte ${start} run past the end of the file (${b.length} bytes)`, b.length, 'pixel data');
    src = b.subarray(start, start + n * px);
  } else {
    src = new Uint8Array(n * px);
    const short = (at: number, p: number) => bad(`its RLE pixel data ends at byte ${b.length}, ${p} of ${n} pixels in (packet at byte ${at})`, at, 'pixel data');
    let at = start;
    for (let p = 0; p < n;) {
      if (at >= b.length) throw short(at, p);
      const head = b[at]!, count = (head & 0x7f) + 1;
      if (p + count > n) throw bad(`the RLE packet at byte ${at} runs ${p + count - n} pixels past the last of the ${w}×${h} image`, at, 'pixel data');
      if (head & 0x80) {
        if (at + 1 + px > b.length) throw short(at, p);
        const one = b.subarray(at + 1, at + 1 + px);
        for (let k = 0; k < count; k++) src.set(one, (p + k) * px);
        at += 1 + px;
      } else {
        if (at + 1 + count * px > b.length) throw short(at, p);
        src.set(b.subarray(at + 1, at + 1 + count * px), p * px);
        at += 1 + count * px;
      }
      p += count;
    }
  }
  // Colour-mapped pixels become true-colour ones (BGR[A], as the map stores them).
  let cpx = px;
  if (base === 1) {
    const mapped = new Uint8Array(n * mapPx);
    for (let i = 0; i < n; i++) {
      const e = src[i]! - mapFirst;
      if (e < 0 || e >= mapLen) throw bad(`pixel ${i} indexes colour map entry ${src[i]}, outside its ${mapFirst}–${mapFirst + mapLen - 1}`, start, 'pixel data');
      mapped.set(b.subarray(mapAt + e * mapPx, mapAt + (e + 1) * mapPx), i * mapPx);
    }
    src = mapped; cpx = mapPx;
  }
  const topDown = (desc & 0x20) !== 0, rightToLeft = (desc & 0x10) !== 0, rgba = new Uint8Array(n * 4);
  let alphaSeen = false;
  for (let y = 0; y < h; y++) {
    const sy = topDown ? y : h - 1 - y;
    for (let x = 0; x < w; x++) {
      const s = (sy * w + (rightToLeft ? w - 1 - x : x)) * cpx, d = (y * w + x) * 4;
      if (base === 3) { rgba[d] = rgba[d + 1] = rgba[d + 2] = src[s]!; rgba[d + 3] = 255; continue; }
      rgba[d] = src[s + 2]!; rgba[d + 1] = src[s + 1]!; rgba[d + 2] = src[s]!;
      rgba[d + 3] = cpx === 4 ? src[s + 3]! : 255;
      if (rgba[d + 3]) alphaSeen = true;
    }
  }
  // Some writers fill the fourth byte of 32-bit pixels with zeros rather than alpha: read an alpha of
  // zero everywhere as no alpha, not as a texture that is transparent throughout.
  if (cpx === 4 && !alphaSeen) for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
  return { width: w, height: h, rgba };
}
