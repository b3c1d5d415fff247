/**
 * Mip levels of a neural material. Averaging latents does not average what the decoder makes of
 * them: box-filtered latents decoded at 12 dB on the example bricks, where the mean of the level-0
 * decodes scored 41 dB. Latents of their own per level, trained afterwards against a frozen decoder,
 * reached only 20 dB at level 1 (the filtered colours lie off what a level-0 decoder can produce).
 * So every level m has latents of its own and trains together with level 0 from the start, against
 * the originals box-filtered to level m, through one shared decoder (trainer.ts). Sizes follow
 * WebGPU's mip rule (max(1, ⌊size/2^m⌋)), so the levels upload as the latent textures' mip chain
 * and `<name>_uv(uv, lod)` filters trilinearly. Storage grows by about a third, as a BC mip chain does.
 */
import { psnrOf } from './trainer.js';

export interface LatentMip {
  lw: number; lh: number;
  /** lh×lw×features, texel-major, like CompressedMaterial.latents. */
  latents: Uint8Array;
}

interface Grid { width: number; height: number; channels: number; data: Float32Array }

/** Mean of the source texels each level texel covers (⌊x·w/nw⌋ … ⌊(x+1)·w/nw⌋ − 1, the same for y). */
export function boxDown(g: Grid, nw: number, nh: number): Grid {
  const { width: w, height: h, channels: C } = g, out = new Float32Array(nw * nh * C);
  for (let y = 0; y < nh; y++) {
    const y0 = Math.floor((y * h) / nh), y1 = Math.max(y0 + 1, Math.floor(((y + 1) * h) / nh));
    for (let x = 0; x < nw; x++) {
      const x0 = Math.floor((x * w) / nw), x1 = Math.max(x0 + 1, Math.floor(((x + 1) * w) / nw));
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let sy = y0; sy < y1; sy++) for (let sx = x0; sx < x1; sx++) s += g.data[(sy * w + sx) * C + c]!;
        out[(y * nw + x) * C + c] = s / ((y1 - y0) * (x1 - x0));
      }
    }
  }
  return { width: nw, height: nh, channels: C, data: out };
}

/** Size of mip level m of a dimension n (WebGPU's rule). */
export const levelSize = (n: number, m: number) => Math.max(1, n >> m);

/** Default level count: down to a 4×4 material level, within the latent texture's own mip chain. */
export function mipLevels(width: number, height: number, lw: number, lh: number): number {
  let m = 0;
  while (levelSize(width, m + 1) >= 4 && levelSize(height, m + 1) >= 4 && Math.max(lw, lh) >> (m + 1) >= 1) m++;
  return m;
}

/**
 * The part of a CompressedMaterial (train.ts) the mip levels need. Structural, so this module does not
 * import train.ts, which imports it (issue 14: no import cycles).
 */
export interface MippedMaterial { width: number; height: number; mips?: LatentMip[] }

/** PSNR of each stored level's decode against the originals box-filtered to it (values clamped to [0, 1]). */
export function mipPsnr(c: MippedMaterial, targets: Grid, decodeLevel: (m: number) => Float32Array): number[] {
  return (c.mips ?? []).map((_, i) => {
    const m = i + 1, t = boxDown(targets, levelSize(c.width, m), levelSize(c.height, m)), d = decodeLevel(m);
    let se = 0;
    for (let k = 0; k < t.data.length; k++) se += (Math.min(1, Math.max(0, d[k]!)) - t.data[k]!) ** 2;
    return psnrOf(se / t.data.length);
  });
}
