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
 *   whose texel's codes do not fill a whole r8/r16/r32 texel (a full-resolution feature of 4-bit codes; 20 bits of
 *   s2f5b4) packs each row as one stream of bits in r32uint texels instead (`stream`), so it costs its bits.
 * - 'balanced': the finest grid packed where that takes less memory than its bytes (2-bit codes, or features that
 *   would pad an rgba8 texel: s1f3b2 is 6–8 bits a texel packed, 32 expanded), the coarser grids expanded. The finest
 *   grid holds four times the texels of the next, so most of the GPU memory, while each grid read by hand costs about
 *   the same: this keeps most of the saving for part of the slower decode.
 * 8-bit grids are rgba8unorm either way. The file itself is the same for all three (format.ts).
 * Browser-safe: no node imports.
 */
import { toLayers } from './format.js';
import { gridsOf, type CompressedMaterial, type LatentGrid } from './train.js';

export type LatentStorage = 'expanded' | 'packed' | 'balanced';
export const LATENT_STORAGE: readonly LatentStorage[] = ['expanded', 'packed', 'balanced'];
/** How one grid sits under a {@link LatentStorage}. */
export type GridStorage = 'expanded' | 'packed';

/**
 * `stream`: each row's latent texels as one stream of bits in r32uint texels, texel x's codes at bit x·features·bits
 * (those of a texel may straddle two words); otherwise one integer texel a latent texel. bytesPerTexel: an integer
 * texel's.
 */
export type GpuLayout = { packed: false; textures: number; bytesPerTexel: number } | { packed: true; format: GPUTextureFormat; words: number; bytesPerTexel: number; stream: boolean };

/** The unorm8 format of an expanded texture holding `channels` (1–4) features: r8, rg8, or rgba8 (no rgb8 exists). */
export const byteFormat = (channels: number): { format: GPUTextureFormat; bytes: number } =>
  channels === 1 ? { format: 'r8unorm', bytes: 1 } : channels === 2 ? { format: 'rg8unorm', bytes: 2 } : { format: 'rgba8unorm', bytes: 4 };

/** Features in texture k of an expanded grid of F features. */
const channelsOf = (F: number, k: number) => Math.min(4, F - 4 * k);

/**
 * How grid `g` sits on the GPU: unorm8 layers of four features (8-bit or expanded codes; the last one r8 or rg8
 * when it holds one or two, so a one-feature full-resolution grid costs 8 bits a texel, not 32), or packed integer
 * texels, one a latent texel, or rows of bit streams where a texel's codes (under 32 bits) would leave part of its
 * integer texel empty, the grid has one level (`levels`: a mip chain's stream widths would not halve with the
 * latents') and the streams are smaller (`g.lw`: a row pads to a word).
 */
export function gpuLayout(g: { features: number; bits: number; lw?: number }, latents: GridStorage = 'expanded', levels = 1): GpuLayout {
  if (g.bits === 8 || latents === 'expanded') {
    const textures = Math.ceil(g.features / 4);
    return { packed: false, textures, bytesPerTexel: Array.from({ length: textures }, (_, k) => byteFormat(channelsOf(g.features, k)).bytes).reduce((a, b) => a + b, 0) };
  }
  const bits = g.features * g.bits;
  const one: Extract<GpuLayout, { packed: true }> = bits <= 8 ? { packed: true, format: 'r8uint', words: 1, bytesPerTexel: 1, stream: false }
    : bits <= 16 ? { packed: true, format: 'r16uint', words: 1, bytesPerTexel: 2, stream: false }
    : (() => { const words = Math.ceil(bits / 32); return { packed: true, format: words === 1 ? 'r32uint' : words === 2 ? 'rg32uint' : 'rgba32uint', words, bytesPerTexel: (words === 3 ? 4 : words) * 4, stream: false } as const; })();
  const lw = g.lw ?? Infinity;
  const smaller = !Number.isFinite(lw) || Math.ceil((lw * bits) / 32) * 4 < lw * one.bytesPerTexel;
  return bits < 32 && bits !== one.bytesPerTexel * 8 && levels === 1 && smaller ? { packed: true, format: 'r32uint', words: 1, bytesPerTexel: 4, stream: true } : one;
}

/**
 * Grid `i`'s layout under `latents` (`levels`: its mip levels, grid 0's trained mips): 'balanced' packs grid 0
 * (the finest) where the packed texels are smaller than the expanded ones, and expands every other grid.
 */
export function gridLayout(g: { features: number; bits: number; lw: number }, latents: LatentStorage, i: number, levels = 1): GpuLayout {
  if (latents !== 'balanced') return gpuLayout(g, latents, levels);
  const ex = gpuLayout(g, 'expanded', levels);
  if (i > 0) return ex;
  const pk = gpuLayout(g, 'packed', levels);
  return layoutWidth(g, g.lw, pk) * pk.bytesPerTexel < g.lw * ex.bytesPerTexel ? pk : ex;
}

/** Width of a grid's lw-wide level in `lay`: lw texels, or a stream's words. */
export const layoutWidth = (g: { features: number; bits: number }, lw: number, lay: GpuLayout) => (lay.packed && lay.stream ? Math.ceil((lw * g.features * g.bits) / 32) : lw);

/** GPU bytes of an lw × lh level of grid `g` in `lay`. */
export const levelBytes = (g: { features: number; bits: number }, lw: number, lh: number, lay: GpuLayout) => layoutWidth(g, lw, lay) * lh * lay.bytesPerTexel;

/**
 * Latent codes of one level packed per texel (feature f at bit f·bits, low bits first), or as each row's bit stream
 * (texel x at bit x·F·bits; a code never straddles a word, since 2 and 4 divide 32 and every code starts at a
 * multiple of its bits).
 */
function packTexels(latents: Uint8Array, lw: number, lh: number, F: number, bits: number, lay: Extract<GpuLayout, { packed: true }>): Uint8Array {
  const n = lw * lh, format = lay.format;
  if (lay.stream) {
    const w = layoutWidth({ features: F, bits }, lw, lay), out = new Uint32Array(w * lh);
    for (let p = 0; p < n; p++) {
      const x = p % lw, y = (p - x) / lw;
      for (let f = 0; f < F; f++) { const b = (x * F + f) * bits, i = y * w + (b >> 5); out[i] = (out[i]! | (latents[p * F + f]! << (b & 31))) >>> 0; }
    }
    return new Uint8Array(out.buffer);
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
  const upload = (g: LatentGrid, levels: { lw: number; lh: number; latents: Uint8Array }[], i: number): GPUTexture[] => {
    const lay = gridLayout(g, latents, i, levels.length), label = `grid ${i}`;
    const how = g.bits === 8 ? '' : lay.packed ? ` (${g.bits}-bit codes, packed${lay.stream ? ' as rows of bits' : ''})` : ` (${g.bits}-bit codes as bytes)`;
    const make = (format: GPUTextureFormat, k: number) => device.createTexture({ label: `wgmat latent ${label}${lay.packed ? '' : ` ${k}`}${how}`, size: [layoutWidth(g, g.lw, lay), g.lh], mipLevelCount: levels.length, format, usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST });
    if (lay.packed) {
      const t = make(lay.format, 0);
      levels.forEach((l, level) => device.queue.writeTexture({ texture: t, mipLevel: level }, packTexels(l.latents, l.lw, l.lh, g.features, g.bits, lay), { bytesPerRow: layoutWidth(g, l.lw, lay) * lay.bytesPerTexel }, [layoutWidth(g, l.lw, lay), l.lh]));
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
  return [...upload(g0!, [g0!, ...(c.mips ?? [])], 0), ...coarse.flatMap((g, i) => upload(g, [g], i + 1))];
}
