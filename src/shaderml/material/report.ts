/** Quality and size of a compressed material against its block-compressed footprint. */
import { decodeMaterialCpu, gridBytes, gridsOf, psnrOf, type CompressedMaterial } from './train.js';
import { bcFormatOf, bcTextureBytes, textureNote, type MaterialTargets } from './textures.js';
import { mipPsnr } from './mips.js';
import { gridLayout, levelBytes, type LatentStorage } from './upload.js';

export interface TextureReport {
  name: string; kind: string; channels: number; psnr: number; bcFormat: string; bcBytes: number;
  /** How the texture was read where it is not plain (textures.ts textureNote): a near-grey RGB kept as one channel… */
  note?: string;
}
export interface MaterialReport {
  width: number; height: number;
  psnr: number;
  textures: TextureReport[];
  /** Latents + decoder weights as stored (the manifest is not counted). */
  bytes: number;
  /** Latent codes as stored (packed at each grid's bits). */
  latentBytes: number;
  decoderBytes: number;
  /** Stored bits per texel of the whole material (all textures together). */
  bitsPerTexel: number;
  /**
   * Latents as loadMaterial uploads them by default (every grid as rgba8unorm, 8 bits per feature per
   * latent texel: upload.ts) + decoder, per texel: the GPU memory of the fast decode.
   */
  gpuBitsPerTexel: number;
  /** The same with `latents: 'packed'` (2/4-bit codes packed into 16/32-bit texels, decoded in the shader). */
  gpuBitsPerTexelPacked: number;
  /** The same with `latents: 'balanced'` (the finest grid packed where that is smaller, the others expanded). */
  gpuBitsPerTexelBalanced: number;
  /** The latent grids: size, features, bits. */
  grids: { width: number; height: number; features: number; bits: number; concat?: boolean }[];
  bcBytes: number;
  bcBitsPerTexel: number;
  /** BC footprint / neural footprint: above 1 means smaller than block compression. */
  bcRatio: number;
  /** With mip levels (mips.ts): PSNR of each level 1, 2, … against the box-filtered originals. */
  mipPsnr?: number[];
  mipBytes?: number;
  /** Level 0 + stored mips + decoder, per level-0 texel, and against BC with its full mip chain. */
  bitsPerTexelWithMips?: number;
  bcRatioWithMips?: number;
  fileBytes?: number;
  /** Wall time of training + quantization + fine-tuning (the device's queue drained). */
  trainSeconds?: number;
}

/**
 * Compare the decoded material (values clamped to [0, 1], as a texture would hold them) with the
 * targets: `decoded` as decodeMaterialGpu gives it, else decoded here on the CPU.
 */
export function materialReport(m: MaterialTargets, c: CompressedMaterial, decoderBytes: number, decoded?: Float32Array): MaterialReport {
  const d = decoded ?? decodeMaterialCpu(c), T = m.width * m.height, C = m.channels;
  let c0 = 0, seAll = 0;
  const textures = m.textures.map((t) => {
    let se = 0;
    for (let p = 0; p < T; p++) {
      for (let k = 0; k < t.channels; k++) {
        const i = p * C + c0 + k, v = Math.min(1, Math.max(0, d[i]!));
        se += (v - m.data[i]!) ** 2;
      }
    }
    seAll += se; c0 += t.channels;
    const note = textureNote(t);
    return { name: t.name, kind: t.kind, channels: t.channels, psnr: psnrOf(se / (T * t.channels)), bcFormat: bcFormatOf(t).format, bcBytes: bcTextureBytes(t, m.width, m.height), ...(note ? { note } : {}) };
  });
  const grids = gridsOf(c), latentBytes = grids.reduce((a, g) => a + gridBytes(g), 0), bytes = latentBytes + decoderBytes;
  const bcBytes = textures.reduce((a, t) => a + t.bcBytes, 0), gpu = (l: LatentStorage) => footprint(c, decoderBytes, l).gpuBitsPerTexel;
  const r: MaterialReport = {
    width: m.width, height: m.height, psnr: psnrOf(seAll / (T * C)), textures, bytes, latentBytes, decoderBytes,
    bitsPerTexel: (bytes * 8) / T, gpuBitsPerTexel: gpu('expanded'), gpuBitsPerTexelPacked: gpu('packed'), gpuBitsPerTexelBalanced: gpu('balanced'), grids: grids.map((g) => ({ width: g.lw, height: g.lh, features: g.features, bits: g.bits, ...(g.concat ? { concat: true } : {}) })), bcBytes, bcBitsPerTexel: (bcBytes * 8) / T, bcRatio: bcBytes / bytes,
  };
  if (c.mips?.length) {
    const mipBytes = c.mips.reduce((a, l) => a + gridBytes({ ...l, features: c.features, bits: c.bits ?? 8 }), 0);
    // BC blocks are 4×4: every level down to 1×1 takes at least one block per texture.
    let bcChain = 0;
    for (let k = 0; (m.width >> k) >= 1 || (m.height >> k) >= 1; k++) {
      const w = Math.max(1, m.width >> k), h = Math.max(1, m.height >> k);
      bcChain += m.textures.reduce((a, t) => a + bcTextureBytes(t, w, h), 0);
      if (w === 1 && h === 1) break;
    }
    Object.assign(r, { mipPsnr: mipPsnr(c, m, (lv) => decodeMaterialCpu(c, lv)), mipBytes, bitsPerTexelWithMips: ((bytes + mipBytes) * 8) / T, bcRatioWithMips: bcChain / (bytes + mipBytes) });
  }
  return r;
}

/**
 * Level 0's latent grids + the decoder per material texel (mips not counted, as in bitsPerTexel): as
 * stored, and in GPU memory when loaded with `latents`.
 */
export function footprint(c: CompressedMaterial, decoderBytes: number, latents: LatentStorage): { bitsPerTexel: number; gpuBitsPerTexel: number } {
  const grids = gridsOf(c), T = c.width * c.height;
  const stored = grids.reduce((a, g) => a + gridBytes(g), 0), gpu = grids.reduce((a, g, i) => a + levelBytes(g, g.lw, g.lh, gridLayout(g, latents, i, i === 0 ? 1 + (c.mips?.length ?? 0) : 1)), 0);
  return { bitsPerTexel: ((stored + decoderBytes) * 8) / T, gpuBitsPerTexel: ((gpu + decoderBytes) * 8) / T };
}

/** Decoder weight bytes as stored (F16). */
export function decoderBytes(c: CompressedMaterial): number {
  return c.decoder.layers.reduce((a, l) => a + 2 * (l.weight.length + l.bias.length), 0);
}
