/**
 * The .wgmat file: "WGMT", u32 version, u32 manifest length, the manifest (JSON), padding to 4,
 * then the sections the manifest points at (offsets from the data start, each with a CRC-32):
 * latent codes for grid 0, its mips and any coarser grids, and the decoder as F16 safetensors.
 * 8-bit codes are bytes in layer-major RGBA groups of 4 features (the rgba8unorm textures they
 * upload as, padded to 4); 2- and 4-bit codes are texel-major, F a texel, packed low bits first
 * with no padding, so any feature count stores exactly its bits.
 * Version 1 (still read) is version 2 with 8-bit grid-0 latents only; version 3 is version 2 with a decoder
 * whose position inputs are not u, v (`decoder.position`, position.ts), so an older reader refuses it
 * rather than decoding it with the wrong inputs; files with u, v are still written as version 2. Version 4 is version 3
 * with a grid whose four taps the decoder reads side by side (`concat`, kernels.ts GridShape), written only then.
 * The file stays packed however it is loaded: by default every code becomes an rgba8unorm byte
 * code·255/(2^bits − 1) on the GPU (exact for 2, 4 and 8 bits, so hardware filtering works), or stays
 * packed with `latents: 'packed'` (upload.ts); the stored size is what `bitsPerTexel` counts, the GPU's `gpuBitsPerTexel` and
 * `gpuBitsPerTexelPacked` (report.ts).
 * Browser-safe: no node imports.
 */
import { ShaderMLP } from '../mlp.js';
import { crc32 } from '../half.js';
import { WeightFileError } from '../errors.js';
import { gridsOf, type CompressedMaterial, type LatentGrid } from './train.js';
import type { TextureTarget } from './textures.js';
import { parsePosition, positionCount, type PositionInput } from './position.js';
import { featuresOf } from './kernels.js';

export const WGMAT_VERSION = 4;
const MAGIC = 0x544d4757; // 'WGMT' little-endian

export interface WgmatSection { offset: number; bytes: number; crc32: number }
export interface WgmatManifest {
  format: 'wgmat';
  version: number;
  width: number;
  height: number;
  channels: number;
  textures: (TextureTarget & { bcFormat?: string })[];
  latent: WgmatSection & {
    width: number; height: number; features: number; layers: number; format: 'rgba8unorm';
    /** Latents of mip levels 1, 2, … (sizes max(1, ⌊size/2^m⌋)), same layout as level 0; absent in files without mips. */
    mips?: (WgmatSection & { width: number; height: number })[];
    /** Bits per latent code (version 2; absent: 8). */
    bits?: number;
    /** The decoder reads this grid's four taps side by side, tap-major (version 4; absent: their bilinear blend). */
    concat?: true;
    /** Coarser grids read after this one (version 2), features in decoder-input order. */
    coarse?: (WgmatSection & { width: number; height: number; features: number; layers: number; bits: number; concat?: true })[];
  };
  /**
   * Decoder input: the latent features as unorm (bilinear, clamp to edge, texel centres) then the position
   * (`position`, version 3; absent: u, v).
   */
  decoder: WgmatSection & { format: 'safetensors'; dtype: 'F16'; sizes: number[]; position?: PositionInput };
  /** Free-form training record (PSNR, steps…). */
  stats?: Record<string, unknown>;
}

/** Layer-major RGBA images, one per 4 features (texel-major features in), values scaled by `mul`. */
export function toLayers(latents: Uint8Array, n: number, F: number, mul = 1): Uint8Array {
  const out = new Uint8Array(n * Math.ceil(F / 4) * 4);
  for (let p = 0; p < n; p++) for (let f = 0; f < F; f++) out[(Math.floor(f / 4) * n + p) * 4 + (f % 4)] = latents[p * F + f]! * mul;
  return out;
}
function fromLayers(lat: Uint8Array, n: number, F: number): Uint8Array {
  const out = new Uint8Array(n * F);
  for (let p = 0; p < n; p++) for (let f = 0; f < F; f++) out[p * F + f] = lat[(Math.floor(f / 4) * n + p) * 4 + (f % 4)]!;
  return out;
}

/** Codes of `bits` bits each, packed low bits first (8 bits: the bytes themselves). */
export function packCodes(codes: Uint8Array, bits: number): Uint8Array {
  if (bits === 8) return codes;
  const per = 8 / bits, out = new Uint8Array(Math.ceil(codes.length / per));
  for (let i = 0; i < codes.length; i++) out[Math.floor(i / per)]! |= codes[i]! << ((i % per) * bits);
  return out;
}
export function unpackCodes(bytes: Uint8Array, bits: number, n: number): Uint8Array {
  if (bits === 8) return bytes.subarray(0, n);
  const per = 8 / bits, mask = (1 << bits) - 1, out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (bytes[Math.floor(i / per)]! >> ((i % per) * bits)) & mask;
  return out;
}

/** Serialize a compressed material. */
export function encodeWgmat(c: CompressedMaterial, textures: TextureTarget[], stats?: Record<string, unknown>): Uint8Array {
  const [g0, ...coarse] = gridsOf(c);
  const pack = (g: { lw: number; lh: number; latents: Uint8Array }, F: number, bits: number) => (bits === 8 ? toLayers(g.latents, g.lw * g.lh, F) : packCodes(g.latents, bits));
  // Sections in file order: grid 0, decoder, grid 0's mips, coarse grids; each 8-aligned.
  const lat = pack(g0!, c.features, g0!.bits);
  const dec = c.decoder.toSafetensors('F16');
  const parts: Uint8Array[] = [lat, dec];
  let at = 0;
  const place = (bytes: Uint8Array) => { const off = at; at = Math.ceil((at + bytes.length) / 8) * 8; return { offset: off, bytes: bytes.length, crc32: crc32(bytes) }; };
  const latSec = place(lat), decSec = place(dec);
  const mips = (c.mips ?? []).map((l) => { const b = pack(l, c.features, g0!.bits); parts.push(b); return { ...place(b), width: l.lw, height: l.lh }; });
  const coarseSecs = coarse.map((g) => { const b = pack(g, g.features, g.bits); parts.push(b); return { ...place(b), width: g.lw, height: g.lh, features: g.features, layers: Math.ceil(g.features / 4), bits: g.bits, ...(g.concat ? { concat: true as const } : {}) }; });
  const channels = textures.reduce((a, t) => a + t.channels, 0);
  const pos = c.position && c.position !== 'uv' ? c.position : undefined;
  const version = gridsOf(c).some((g) => g.concat) ? 4 : pos ? 3 : 2;
  const manifest: WgmatManifest = {
    format: 'wgmat', version, width: c.width, height: c.height, channels, textures,
    latent: { ...latSec, width: c.lw, height: c.lh, features: c.features, layers: Math.ceil(c.features / 4), format: 'rgba8unorm', ...(mips.length ? { mips } : {}),
      ...(g0!.bits !== 8 ? { bits: g0!.bits } : {}), ...(g0!.concat ? { concat: true as const } : {}), ...(coarseSecs.length ? { coarse: coarseSecs } : {}) },
    decoder: { ...decSec, format: 'safetensors', dtype: 'F16', sizes: [...c.decoder.sizes], ...(pos ? { position: pos } : {}) },
    ...(stats ? { stats } : {}),
  };
  const mj = new TextEncoder().encode(JSON.stringify(manifest));
  const head = 12 + Math.ceil(mj.length / 4) * 4;
  const secs = [latSec, decSec, ...mips, ...coarseSecs];
  const out = new Uint8Array(head + Math.max(...secs.map((x) => x.offset + x.bytes)));
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true); dv.setUint32(4, version, true); dv.setUint32(8, mj.length, true);
  out.set(mj, 12);
  parts.forEach((p, i) => out.set(p, head + secs[i]!.offset));
  return out;
}

/** Parse and verify a .wgmat file (magic, version, section bounds and checksums). */
export function decodeWgmat(bytes: Uint8Array): { manifest: WgmatManifest; material: CompressedMaterial } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || dv.getUint32(0, true) !== MAGIC) throw new WeightFileError('not a .wgmat file (bad magic)', 'make one with `wgml compress`', { offset: 0 });
  const version = dv.getUint32(4, true);
  if (version < 1 || version > WGMAT_VERSION) throw new WeightFileError(`.wgmat version ${version}; this wgml reads versions 1 to ${WGMAT_VERSION}`, 'recompress the material with this wgml', { offset: 4, version });
  const ml = dv.getUint32(8, true);
  if (12 + ml > bytes.length) throw new WeightFileError(`manifest length ${ml} runs past the end (${bytes.length} bytes)`, 'the file is truncated', { offset: 8 });
  const manifest = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + ml))) as WgmatManifest;
  const head = 12 + Math.ceil(ml / 4) * 4;
  const section = (name: string, s: WgmatSection) => {
    const a = head + s.offset, b = a + s.bytes;
    if (b > bytes.length) throw new WeightFileError(`${name} section [${a}, ${b}) runs past the end (${bytes.length} bytes)`, 'the file is truncated', { offset: a, section: name });
    const sub = bytes.subarray(a, b);
    const crc = crc32(sub);
    if (crc !== s.crc32) throw new WeightFileError(`${name} section checksum ${crc.toString(16)} != ${s.crc32.toString(16)} in the manifest`, 'the file is corrupt', { offset: a, section: name });
    return sub;
  };
  const { width: lw, height: lh, features: F } = manifest.latent;
  const bits = manifest.latent.bits ?? 8;
  const codes = (name: string, sec: WgmatSection, w: number, h: number, Fg: number, b: number) => {
    const n = b === 8 ? w * h * Math.ceil(Fg / 4) * 4 : w * h * Fg, raw = section(name, sec);
    if (raw.length * (8 / b) < n) throw new WeightFileError(`${name} section holds ${raw.length} bytes; ${w}×${h}×${Fg} latents of ${b} bits need ${Math.ceil((n * b) / 8)}`, 'the file is corrupt', { section: name });
    return b === 8 ? fromLayers(raw, w * h, Fg) : unpackCodes(raw, b, n).slice();
  };
  const latents = codes('latent', manifest.latent, lw, lh, F, bits), dec = section('decoder', manifest.decoder);
  const mips = (manifest.latent.mips ?? []).map((sec, i) => {
    const m = i + 1, w = Math.max(1, lw >> m), h = Math.max(1, lh >> m);
    if (sec.width !== w || sec.height !== h) throw new WeightFileError(`mip ${m} latents are ${sec.width}×${sec.height}; a ${lw}×${lh} level 0 makes level ${m} ${w}×${h}`, 'recompress the material with this wgml', { section: `mip ${m}` });
    return { lw: w, lh: h, latents: codes(`mip ${m}`, sec, w, h, F, bits) };
  });
  const coarse: LatentGrid[] = (manifest.latent.coarse ?? []).map((sec, i) => ({ lw: sec.width, lh: sec.height, features: sec.features, bits: sec.bits, latents: codes(`coarse grid ${i + 1}`, sec, sec.width, sec.height, sec.features, sec.bits), ...(sec.concat ? { concat: true } : {}) }));
  const concat0 = !!manifest.latent.concat;
  if (concat0 && mips.length) throw new WeightFileError('grid 0 has concatenated taps and mip levels; mips are trained for blended latents only', 'the file is corrupt', { section: 'latent' });
  const decoder = ShaderMLP.fromSafetensors(dec);
  let position: PositionInput = 'uv';
  if (manifest.decoder.position !== undefined) {
    try { position = parsePosition(manifest.decoder.position); } catch {
      throw new WeightFileError(`decoder position "${manifest.decoder.position}" is not one this wgml knows`, 'update wgml or recompress the material', { section: 'decoder' });
    }
  }
  const feats = featuresOf({ grids: [{ features: F, concat: concat0 }, ...coarse] }), inputs = feats + positionCount(position);
  if (decoder.sizes[0] !== inputs) throw new WeightFileError(`decoder takes ${decoder.sizes[0]} inputs; the latent grids give ${feats} features + ${positionCount(position)} position inputs (${position})`, 'the file is corrupt', { section: 'decoder' });
  return { manifest, material: { width: manifest.width, height: manifest.height, lw, lh, features: F, latents, decoder, ...(position !== 'uv' ? { position } : {}), ...(bits !== 8 ? { bits } : {}), ...(concat0 ? { concat: true } : {}), ...(mips.length ? { mips } : {}), ...(coarse.length ? { coarse } : {}) } };
}

