/**
 * The .wgmat file: "WGMT", u32 version, u32 manifest length, the manifest (JSON), padding to 4,
 * then the sections the manifest points at (offsets from the data start, each with a CRC-32):
 * 8-bit latents (texel-major, features padded to RGBA groups) and the decoder as F16 safetensors.
 * Browser-safe: no node imports.
 */
import { ShaderMLP, type MlpStorage } from '../mlp.js';
import { crc32 } from '../half.js';
import { WeightFileError } from '../errors.js';
import type { CompressedMaterial } from './train.js';
import type { TextureTarget } from './textures.js';

export const WGMAT_VERSION = 1;
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
  };
  /** Decoder input: the latent features as unorm (bilinear, clamp to edge, texel centres) then u, v. */
  decoder: WgmatSection & { format: 'safetensors'; dtype: 'F16'; sizes: number[] };
  /** Free-form training record (PSNR, steps…). */
  stats?: Record<string, unknown>;
}

/** Layer-major RGBA8 images, one per 4 features, ready for writeTexture (texel-major features in). */
function toLayers(latents: Uint8Array, n: number, F: number): Uint8Array {
  const out = new Uint8Array(n * Math.ceil(F / 4) * 4);
  for (let p = 0; p < n; p++) for (let f = 0; f < F; f++) out[(Math.floor(f / 4) * n + p) * 4 + (f % 4)] = latents[p * F + f]!;
  return out;
}
function fromLayers(lat: Uint8Array, n: number, F: number): Uint8Array {
  const out = new Uint8Array(n * F);
  for (let p = 0; p < n; p++) for (let f = 0; f < F; f++) out[p * F + f] = lat[(Math.floor(f / 4) * n + p) * 4 + (f % 4)]!;
  return out;
}

/** Serialize a compressed material. */
export function encodeWgmat(c: CompressedMaterial, textures: TextureTarget[], stats?: Record<string, unknown>): Uint8Array {
  const layers = Math.ceil(c.features / 4);
  const lat = toLayers(c.latents, c.lw * c.lh, c.features);
  const dec = c.decoder.toSafetensors('F16');
  const decOff = Math.ceil(lat.length / 8) * 8;
  const mipData = (c.mips ?? []).map((l) => ({ l, bytes: toLayers(l.latents, l.lw * l.lh, c.features) }));
  let at = Math.ceil((decOff + dec.length) / 8) * 8;
  const mips = mipData.map(({ l, bytes }) => { const sec = { offset: at, bytes: bytes.length, crc32: crc32(bytes), width: l.lw, height: l.lh }; at = Math.ceil((at + bytes.length) / 8) * 8; return sec; });
  const channels = textures.reduce((a, t) => a + t.channels, 0);
  const manifest: WgmatManifest = {
    format: 'wgmat', version: WGMAT_VERSION, width: c.width, height: c.height, channels, textures,
    latent: { offset: 0, bytes: lat.length, crc32: crc32(lat), width: c.lw, height: c.lh, features: c.features, layers, format: 'rgba8unorm', ...(mips.length ? { mips } : {}) },
    decoder: { offset: decOff, bytes: dec.length, crc32: crc32(dec), format: 'safetensors', dtype: 'F16', sizes: [...c.decoder.sizes] },
    ...(stats ? { stats } : {}),
  };
  const mj = new TextEncoder().encode(JSON.stringify(manifest));
  const head = 12 + Math.ceil(mj.length / 4) * 4;
  const out = new Uint8Array(head + (mips.length ? mips[mips.length - 1]!.offset + mips[mips.length - 1]!.bytes : decOff + dec.length));
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true); dv.setUint32(4, WGMAT_VERSION, true); dv.setUint32(8, mj.length, true);
  out.set(mj, 12); out.set(lat, head); out.set(dec, head + decOff);
  mipData.forEach(({ bytes }, i) => out.set(bytes, head + mips[i]!.offset));
  return out;
}

/** Parse and verify a .wgmat file (magic, version, section bounds and checksums). */
export function decodeWgmat(bytes: Uint8Array): { manifest: WgmatManifest; material: CompressedMaterial } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || dv.getUint32(0, true) !== MAGIC) throw new WeightFileError('not a .wgmat file (bad magic)', 'make one with `wgml compress`', { offset: 0 });
  const version = dv.getUint32(4, true);
  if (version !== WGMAT_VERSION) throw new WeightFileError(`.wgmat version ${version}; this wgml reads version ${WGMAT_VERSION}`, 'recompress the material with this wgml', { offset: 4, version });
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
  const lat = section('latent', manifest.latent), dec = section('decoder', manifest.decoder);
  const { width: lw, height: lh, features: F } = manifest.latent;
  const latents = fromLayers(lat, lw * lh, F);
  const mips = (manifest.latent.mips ?? []).map((sec, i) => {
    const m = i + 1, w = Math.max(1, lw >> m), h = Math.max(1, lh >> m);
    if (sec.width !== w || sec.height !== h) throw new WeightFileError(`mip ${m} latents are ${sec.width}×${sec.height}; a ${lw}×${lh} level 0 makes level ${m} ${w}×${h}`, 'recompress the material with this wgml', { section: `mip ${m}` });
    return { lw: w, lh: h, latents: fromLayers(section(`mip ${m}`, sec), w * h, F) };
  });
  const decoder = ShaderMLP.fromSafetensors(dec);
  return { manifest, material: { width: manifest.width, height: manifest.height, lw, lh, features: F, latents, decoder, ...(mips.length ? { mips } : {}) } };
}

/** A material ready to decode on the GPU. */
export interface LoadedMaterial {
  manifest: WgmatManifest;
  material: CompressedMaterial;
  /** rgba8unorm latent textures, 4 features each; their mip levels are the material's trained mips (mips.ts). */
  latentTextures: GPUTexture[];
  decoder: ShaderMLP;
}

/** Make the latent textures (with the stored mip levels) and the decoder of a .wgmat on `device`. */
export function loadMaterial(device: GPUDevice, bytes: Uint8Array): LoadedMaterial {
  const { manifest, material } = decodeWgmat(bytes);
  const { width: lw, height: lh, layers } = manifest.latent;
  const head = 12 + Math.ceil(new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true) / 4) * 4;
  const levels = [{ w: lw, h: lh, at: manifest.latent.offset }, ...(manifest.latent.mips ?? []).map((m) => ({ w: m.width, h: m.height, at: m.offset }))];
  const latentTextures = Array.from({ length: layers }, (_, k) => {
    const t = device.createTexture({ label: `wgmat latent ${k}`, size: [lw, lh], mipLevelCount: levels.length, format: 'rgba8unorm', usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST });
    levels.forEach(({ w, h, at }, level) => {
      const a = head + at + k * w * h * 4;
      device.queue.writeTexture({ texture: t, mipLevel: level }, bytes.subarray(a, a + w * h * 4), { bytesPerRow: w * 4 }, [w, h]);
    });
    return t;
  });
  return { manifest, material, latentTextures, decoder: material.decoder };
}

/** How {@link materialWgsl} writes the decoder. */
export interface MaterialDecodeOptions {
  /**
   * 'f32' (default), 'f16' (needs shader-f16) or 'int8': dot4I8Packed with per-layer scales
   * calibrated on the material's own latents (0.35 vs 0.55 ms for a 4K decode on an H100, at a small
   * PSNR cost that `wgml render-material --precision int8` reports).
   */
  precision?: 'f32' | 'f16' | 'int8';
  /** Default 'constants': straight-line code with the weights as literals, the fastest form. */
  storage?: MlpStorage;
}

/**
 * WGSL that decodes the material, two ways:
 * - `fn <name>(p: vec2<u32>) -> array<f32, C>`: at material texel p, bilinear from latent level 0 (what
 *   training saw; exact texel addressing for compute shading and for scoring);
 * - `fn <name>_uv(uv: vec2<f32>, lod: f32) -> array<f32, C>`: at uv in [0, 1], trilinear between the
 *   material's trained mip levels at `lod` (`<name>_lod(dpdx(uv), dpdy(uv))` in a fragment shader), so
 *   a minified surface decodes its own level instead of aliasing. A material compressed without
 *   `--mips` has level 0 only, and every lod reads it.
 * Bindings: the latent textures at binding…binding+layers−1, a filtering sampler after them, then the
 * decoder's weights (none with the default literal storage).
 * @example
 * const m = loadMaterial(device, bytes);
 * const dec = materialWgsl(m, 'mat_at', 1, 0, device, { precision: 'int8' });
 * const code = resolveWgsl({ bindings: [], requires: [dec.module], body: '... mat_at_uv(uv, mat_at_lod(dpdx(uv), dpdy(uv))) ...' });
 */
export function materialWgsl(m: LoadedMaterial, name: string, group: number, binding: number, device?: GPUDevice, o: MaterialDecodeOptions = {}) {
  const L = m.manifest.latent.layers, F = m.manifest.latent.features, C = m.manifest.channels;
  const precision = o.precision ?? 'f32';
  const decoder = precision === 'int8' ? calibratedDecoder(m) : m.decoder;
  const net = decoder.wgsl({ name: `${name}_mlp`, group, binding: binding + L + 1, device, precision, storage: o.storage ?? 'constants' });
  const decls = Array.from({ length: L }, (_, k) => `@group(${group}) @binding(${binding + k}) var ${name}_lat${k}: texture_2d<f32>;`).join('\n');
  const W = m.manifest.width, H = m.manifest.height, LW = m.manifest.latent.width, LH = m.manifest.latent.height;
  const feats = (k: number) => [0, 1, 2, 3].filter((c) => k * 4 + c < F).map((c) => `    x[${k * 4 + c}] = s[${c}];`).join('\n');
  const code = `${decls}
@group(${group}) @binding(${binding + L}) var ${name}_samp: sampler;
fn ${name}(p: vec2<u32>) -> array<f32, ${C}> {
  let l = (vec2<f32>(p) + 0.5) * vec2(${LW}.0 / ${W}.0, ${LH}.0 / ${H}.0) - 0.5;
  let fl = floor(l); let a = l - fl;
  let hi = vec2<i32>(${LW - 1}, ${LH - 1});
  let c0 = clamp(vec2<i32>(fl), vec2(0), hi); let c1 = clamp(vec2<i32>(fl) + 1, vec2(0), hi);
  var x: array<f32, ${F + 2}>;
${Array.from({ length: L }, (_, k) => `  {
    let s = mix(mix(textureLoad(${name}_lat${k}, c0, 0), textureLoad(${name}_lat${k}, vec2(c1.x, c0.y), 0), a.x),
                mix(textureLoad(${name}_lat${k}, vec2(c0.x, c1.y), 0), textureLoad(${name}_lat${k}, c1, 0), a.x), a.y);
${feats(k)}
  }`).join('\n')}
  x[${F}] = (f32(p.x) + 0.5) / ${W}.0; x[${F + 1}] = (f32(p.y) + 0.5) / ${H}.0;
  return ${name}_mlp(x);
}
fn ${name}_uv(uv: vec2<f32>, lod: f32) -> array<f32, ${C}> {
  let u = clamp(uv, vec2(0.0), vec2(1.0));
  var x: array<f32, ${F + 2}>;
${Array.from({ length: L }, (_, k) => `  {
    let s = textureSampleLevel(${name}_lat${k}, ${name}_samp, u, lod);
${feats(k)}
  }`).join('\n')}
  x[${F}] = u.x; x[${F + 1}] = u.y;
  return ${name}_mlp(x);
}
// Mip level for uv derivatives (dpdx(uv), dpdy(uv)): log2 of the footprint in *material* texels, since
// latent level m was trained to give material level m (the latents being smaller does not shift it).
fn ${name}_lod(dx: vec2<f32>, dy: vec2<f32>) -> f32 {
  let s = vec2(${W}.0, ${H}.0);
  return max(0.0, log2(max(length(dx * s), length(dy * s))));
}`;
  return {
    module: { name: `wgmat_${name}`, code, requires: [net.module], enables: net.module.enables },
    layoutEntries: (visibility: GPUShaderStageFlags): GPUBindGroupLayoutEntry[] => [
      ...Array.from({ length: L }, (_, k) => ({ binding: binding + k, visibility, texture: { sampleType: 'float' as const } })),
      { binding: binding + L, visibility, sampler: { type: 'filtering' as const } },
      ...net.layoutEntries(visibility)],
    bindGroupEntries: (dev: GPUDevice): GPUBindGroupEntry[] => [
      ...m.latentTextures.map((t, k) => ({ binding: binding + k, resource: t.createView() })),
      { binding: binding + L, resource: latentSampler(dev) },
      ...net.bindGroupEntries(dev)],
  };
}

/** Trilinear, clamp to edge (the decoder was trained on clamped bilinear taps). One per device. */
const samplers = new WeakMap<GPUDevice, GPUSampler>();
function latentSampler(device: GPUDevice): GPUSampler {
  let s = samplers.get(device);
  if (!s) {
    s = device.createSampler({ label: 'wgmat latents (trilinear)', magFilter: 'linear', minFilter: 'linear', mipmapFilter: 'linear', addressModeU: 'clamp-to-edge', addressModeV: 'clamp-to-edge' });
    samplers.set(device, s);
  }
  return s;
}

/**
 * A copy of the decoder with int8 input ranges measured on the material itself: every latent texel
 * (bilinear taps only mix them, so they bound the inputs) with its uv, at most 16384 of them.
 */
const calibrated = new WeakMap<LoadedMaterial, ShaderMLP>();
function calibratedDecoder(m: LoadedMaterial): ShaderMLP {
  const hit = calibrated.get(m);
  if (hit) return hit;
  const c = m.material, n = c.lw * c.lh, F = c.features, step = Math.max(1, Math.ceil(n / 16384));
  const x: number[] = [];
  for (let p = 0; p < n; p += step) {
    for (let f = 0; f < F; f++) x.push(c.latents[p * F + f]! / 255);
    x.push(((p % c.lw) + 0.5) / c.lw, (Math.floor(p / c.lw) + 0.5) / c.lh);
  }
  const d = ShaderMLP.fromLayers([...c.decoder.sizes], c.decoder.layers.map((l) => ({ weight: l.weight, bias: l.bias })), c.decoder.layers.map((l) => l.activation), c.decoder.layers.map((l) => l.alpha));
  d.calibrate(x);
  calibrated.set(m, d);
  return d;
}
