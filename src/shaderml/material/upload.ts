/**
 * How a .wgmat's latent codes sit on the GPU (loadMaterial's `latents` option):
 * - 'expanded' (default): every grid as unorm8 textures, four features each (a last one of one or two
 *   features as r8unorm / rg8unorm), a code c of b bits
 *   stored as the byte c·255/(2^b − 1) (×85 for 2 bits, ×17 for 4, ×1 for 8), which the texture unit
 *   reads back as c/(2^b − 1), the value training used. Decoding is then hardware-filtered sampling,
 *   the path measured within the decode limit (0.52–0.55 ms f32 for a 4K decode + shade on the H200;
 *   unpacking 2-bit codes in the shader measured 0.55–0.58 ms there). It costs GPU memory:
 *   8 bits per feature per latent texel (s2f12b2: 6.1 bits/texel stored, 24.1 on the GPU).
 * - 'packed': 2- and 4-bit codes stay as stored, every latent texel's codes in one
 *   r8uint/r16uint/r32uint/rg32uint/rgba32uint texel (feature f at bit f·bits), read with textureLoad and
 *   filtered in WGSL (decode.ts): the stored size in GPU memory too, at the slower decode. A grid of one level
 *   whose texel holds 2 or 4 bits (a full-resolution feature of 4-bit codes) packs 8/bits neighbours along x into
 *   one r8uint texel (`per`), so it costs its bits and not a byte.
 * 8-bit grids are rgba8unorm either way. The file itself is the same for both (format.ts).
 * Browser-safe: no node imports.
 */
import { toLayers } from './format.js';
import { gridsOf, type CompressedMaterial, type LatentGrid } from './train.js';

export type LatentStorage = 'expanded' | 'packed';
export const LATENT_STORAGE: readonly LatentStorage[] = ['expanded', 'packed'];

/** `per`: latent texels an integer texel holds, along x (bytesPerTexel is the integer texel's). */
export type GpuLayout = { packed: false; textures: number; bytesPerTexel: number } | { packed: true; format: GPUTextureFormat; words: number; bytesPerTexel: number; per: number };

/** The unorm8 format of an expanded texture holding `channels` (1–4) features: r8, rg8, or rgba8 (no rgb8 exists). */
export const byteFormat = (channels: number): { format: GPUTextureFormat; bytes: number } =>
  channels === 1 ? { format: 'r8unorm', bytes: 1 } : channels === 2 ? { format: 'rg8unorm', bytes: 2 } : { format: 'rgba8unorm', bytes: 4 };

/** Features in texture k of an expanded grid of F features. */
const channelsOf = (F: number, k: number) => Math.min(4, F - 4 * k);

/**
 * How grid `g` sits on the GPU: unorm8 layers of four features (8-bit or expanded codes; the last one r8 or rg8
 * when it holds one or two, so a one-feature full-resolution grid costs 8 bits a texel, not 32), or packed integer
 * texels, one a latent texel, or `per` of them along x where a texel's codes are 2 or 4 bits and the grid has one
 * level (`levels`: a mip chain's packed widths would not halve with the latents').
 */
export function gpuLayout(g: { features: number; bits: number }, latents: LatentStorage = 'expanded', levels = 1): GpuLayout {
  if (g.bits === 8 || latents === 'expanded') {
    const textures = Math.ceil(g.features / 4);
    return { packed: false, textures, bytesPerTexel: Array.from({ length: textures }, (_, k) => byteFormat(channelsOf(g.features, k)).bytes).reduce((a, b) => a + b, 0) };
  }
  const bits = g.features * g.bits;
  if (bits < 8 && 8 % bits === 0 && levels === 1) return { packed: true, format: 'r8uint', words: 1, bytesPerTexel: 1, per: 8 / bits };
  if (bits <= 8) return { packed: true, format: 'r8uint', words: 1, bytesPerTexel: 1, per: 1 };
  if (bits <= 16) return { packed: true, format: 'r16uint', words: 1, bytesPerTexel: 2, per: 1 };
  const words = Math.ceil(bits / 32);
  return { packed: true, format: words === 1 ? 'r32uint' : words === 2 ? 'rg32uint' : 'rgba32uint', words, bytesPerTexel: (words === 3 ? 4 : words) * 4, per: 1 };
}

/** Width of a grid level's texture in `lay`: its latent width, or fewer integer texels where each holds `per`. */
export const layoutWidth = (lw: number, lay: GpuLayout) => Math.ceil(lw / (lay.packed ? lay.per : 1));

/** GPU bytes of an lw × lh grid level in `lay`. */
export const levelBytes = (lw: number, lh: number, lay: GpuLayout) => layoutWidth(lw, lay) * lh * lay.bytesPerTexel;

/**
 * Latent codes of one level packed per texel (feature f at bit f·bits, low bits first); with `per` > 1, latent texel x
 * of a row at bit (x mod per)·F·bits of integer texel ⌊x / per⌋.
 */
function packTexels(latents: Uint8Array, lw: number, lh: number, F: number, bits: number, lay: Extract<GpuLayout, { packed: true }>): Uint8Array {
  const n = lw * lh, format = lay.format;
  if (lay.per > 1) {
    const w = layoutWidth(lw, lay), out = new Uint8Array(w * lh);
    for (let p = 0; p < n; p++) {
      const x = p % lw, y = (p - x) / lw, at = (x % lay.per) * F * bits;
      for (let f = 0; f < F; f++) out[y * w + Math.floor(x / lay.per)]! |= latents[p * F + f]! << (at + f * bits);
    }
    return out;
  }
  const per = format === 'rg32uint' ? 2 : format === 'rgba32uint' ? 4 : 1;
  if (format === 'r8uint' || format === 'r16uint') {
    const out = format === 'r8uint' ? new Uint8Array(n) : new Uint16Array(n);
    for (let p = 0; p < n; p++) for (let f = 0; f < F; f++) out[p]! |= latents[p * F + f]! << (f * bits);
    return new Uint8Array(out.buffer);
  }
  const out = new Uint32Array(n * per);
  for (let p = 0; p < n; p++) for (let f = 0; f < F; f++) { const b = f * bits; out[p * per + (b >> 5)] = (out[p * per + (b >> 5)]! | (latents[p * F + f]! << (b & 31))) >>> 0; }
  return new Uint8Array(out.buffer);
}

/**
 * The latent textures of a material, finest grid first; grid 0's mip levels are the material's trained
 * mips (mips.ts), uploaded level by level in either layout. An rgba8unorm grid has one texture per 4
 * features (features 4k…4k+3 in texture k, unused channels 0), a packed grid one integer texture.
 */
export function uploadLatents(device: GPUDevice, c: CompressedMaterial, latents: LatentStorage): GPUTexture[] {
  const [g0, ...coarse] = gridsOf(c);
  const upload = (g: LatentGrid, levels: { lw: number; lh: number; latents: Uint8Array }[], label: string): GPUTexture[] => {
    const lay = gpuLayout(g, latents, levels.length);
    const how = g.bits === 8 ? '' : lay.packed ? ` (${g.bits}-bit codes, packed${lay.per > 1 ? `, ${lay.per} texels a byte` : ''})` : ` (${g.bits}-bit codes as bytes)`;
    const make = (format: GPUTextureFormat, k: number) => device.createTexture({ label: `wgmat latent ${label}${lay.packed ? '' : ` ${k}`}${how}`, size: [layoutWidth(g.lw, lay), g.lh], mipLevelCount: levels.length, format, usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST });
    if (lay.packed) {
      const t = make(lay.format, 0);
      levels.forEach((l, level) => device.queue.writeTexture({ texture: t, mipLevel: level }, packTexels(l.latents, l.lw, l.lh, g.features, g.bits, lay), { bytesPerRow: layoutWidth(l.lw, lay) * lay.bytesPerTexel }, [layoutWidth(l.lw, lay), l.lh]));
      return [t];
    }
    // 255/(2^bits − 1) is an integer for 2, 4 and 8 bits: the bytes hold the codes' unorm values exactly.
    const mul = 255 / ((1 << g.bits) - 1);
    const imgs = levels.map((l) => toLayers(l.latents, l.lw * l.lh, g.features, mul));
    return Array.from({ length: lay.textures }, (_, k) => {
      const { format, bytes } = byteFormat(channelsOf(g.features, k));
      const t = make(format, k);
      levels.forEach((l, level) => {
        const n = l.lw * l.lh, rgba = imgs[level]!.subarray(k * n * 4, (k + 1) * n * 4);
        let data = rgba;
        if (bytes < 4) {
          data = new Uint8Array(n * bytes);
          for (let p = 0; p < n; p++) for (let c = 0; c < bytes; c++) data[p * bytes + c] = rgba[p * 4 + c]!;
        }
        device.queue.writeTexture({ texture: t, mipLevel: level }, data, { bytesPerRow: l.lw * bytes }, [l.lw, l.lh]);
      });
      return t;
    });
  };
  return [...upload(g0!, [g0!, ...(c.mips ?? [])], 'grid 0'), ...coarse.flatMap((g, i) => upload(g, [g], `grid ${i + 1}`))];
}
