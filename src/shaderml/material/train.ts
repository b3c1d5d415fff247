/**
 * Neural material compression on the GPU: latent grid + decoder trained with the kernels of
 * kernels.ts, then latents quantized to 8 bits and the decoder fine-tuned against them.
 */
import { ShaderMLP } from '../mlp.js';
import { roundHalf } from '../half.js';
import { layerSizes, paramLayout, type TrainShape } from './kernels.js';
import { makeTrainer, type ProgressFn } from './trainer.js';
import { boxDown, levelSize, mipLevels, type LatentMip } from './mips.js';

export { psnrOf } from './trainer.js';
import type { MaterialTargets } from './textures.js';

export interface CompressOptions {
  /** Latent grid = texture size / scale (default 2: measured better than 16 features at /4 for the same 8 bits a texel). */
  scale?: number;
  /** Latent features (default 4: one RGBA8 latent texture). */
  features?: number;
  hidden?: number;
  /** Steps before and after quantizing latents (defaults 4000 and 800). */
  steps?: number;
  fineTuneSteps?: number;
  /** Texels per step (default min(all, 65536)). */
  batch?: number;
  lrMlp?: number;
  lrLatent?: number;
  seed?: number;
  /**
   * Mip levels with latents of their own, trained with level 0 through the shared decoder (mips.ts):
   * levels down to 4×4 unless `levels` says fewer. Off by default: they cost level 0 some PSNR.
   */
  mips?: { levels?: number; /** Loss weight of the mip levels against level 0 (default 0.25). */ weight?: number } | false;
  /** Called every few steps with the phase, step and the batch's PSNR. */
  onProgress?: ProgressFn;
}

/** A trained, quantized material: 8-bit latents and a decoder that takes their unorm values. */
export interface CompressedMaterial {
  width: number; height: number; lw: number; lh: number; features: number;
  /** lh×lw×features, texel-major. */
  latents: Uint8Array;
  /** Decoder over [latents as unorm in 0..1, u, v]; f16-rounded weights (as stored). */
  decoder: ShaderMLP;
  /** Latents of mip levels 1, 2, … (mips.ts); absent: level 0 only. */
  mips?: LatentMip[];
}

export const ALPHA = 0.01;

/** Train, quantize and fine-tune. */
export async function compressMaterial(device: GPUDevice, m: MaterialTargets, o: CompressOptions = {}): Promise<CompressedMaterial> {
  const scale = o.scale ?? 2, T = m.width * m.height;
  const s: TrainShape = {
    width: m.width, height: m.height, channels: m.channels,
    lw: Math.max(1, Math.ceil(m.width / scale)), lh: Math.max(1, Math.ceil(m.height / scale)),
    features: o.features ?? 4, hidden: o.hidden ?? 32, batch: Math.min(T, o.batch ?? 65536), alpha: ALPHA,
  };
  const L = paramLayout(s), sizes = layerSizes(s);
  // Mip levels train with level 0 (one decoder for all): a shape and box-filtered targets each.
  const nMips = !o.mips ? 0 : Math.min(o.mips?.levels ?? Infinity, mipLevels(m.width, m.height, s.lw, s.lh));
  const shapes = [s, ...Array.from({ length: nMips }, (_, i): TrainShape => {
    const W = levelSize(m.width, i + 1), H = levelSize(m.height, i + 1);
    return { ...s, width: W, height: H, lw: levelSize(s.lw, i + 1), lh: levelSize(s.lh, i + 1), batch: Math.min(W * H, o.batch ?? 65536), lossWeight: (o.mips || {}).weight ?? 0.25 };
  })];
  const targets = [m.data, ...shapes.slice(1).map((t) => boxDown(m, t.width, t.height).data)];
  const latN = shapes.map((t) => t.lw * t.lh * t.features), latTotal = latN.reduce((a, v) => a + v, 0);
  const init = ShaderMLP.random(sizes, ['leaky_relu', 'leaky_relu', 'none'], o.seed ?? 1, 0.5);
  const P0 = new Float32Array(L.mlp + latTotal);
  P0.set(init.packed().data);
  let rs = (o.seed ?? 1) * 7 + 3;
  for (let i = 0; i < latTotal; i++) { rs = (rs * 1103515245 + 12345) >>> 0; P0[L.mlp + i] = (rs / 4294967296 - 0.5) * 0.2; }

  const N = L.mlp + latTotal;
  const tr = await makeTrainer(device, shapes, P0, targets);
  const lrMlp = o.lrMlp ?? 1e-2, lrLat = o.lrLatent ?? 5e-2;
  await tr.run('train', o.steps ?? 4000, lrMlp, lrLat, o.onProgress);

  // Quantize latents per feature to 8 bits over their range (all levels: one decoder reads them all; level 0's
  // range alone, mips clamped into it, measured worse for both), then fold the dequantization
  // (x = lo + (hi - lo)·q/255) into the first layer so the decoder takes unorm texels directly.
  const P1 = await tr.params();
  const F = s.features, lat = P1.subarray(L.mlp, N);
  const lo = new Float32Array(F).fill(Infinity), hi = new Float32Array(F).fill(-Infinity);
  for (let i = 0; i < latTotal; i++) { const f = i % F; lo[f] = Math.min(lo[f]!, lat[i]!); hi[f] = Math.max(hi[f]!, lat[i]!); }
  const q = new Uint8Array(latTotal), deq = new Float32Array(latTotal);
  for (let i = 0; i < latTotal; i++) {
    const f = i % F, span = Math.max(hi[f]! - lo[f]!, 1e-8);
    q[i] = Math.round(((lat[i]! - lo[f]!) / span) * 255);
    deq[i] = lo[f]! + (span * q[i]!) / 255;
  }
  tr.write(L.mlp, deq);
  await tr.run('finetune', o.fineTuneSteps ?? 800, lrMlp * 0.3, 0, o.onProgress);

  const P2 = await tr.params();
  tr.destroy();
  const I = sizes[0]!;
  const w0 = P2.slice(L.w[0], L.b[0]), b0 = P2.slice(L.b[0], L.w[1]);
  for (let o2 = 0; o2 < s.hidden; o2++) {
    for (let f = 0; f < F; f++) {
      const span = Math.max(hi[f]! - lo[f]!, 1e-8);
      b0[o2]! += w0[o2 * I + f]! * lo[f]!;
      w0[o2 * I + f]! *= span;
    }
  }
  const ws = [{ weight: w0, bias: b0 }, { weight: P2.slice(L.w[1], L.b[1]), bias: P2.slice(L.b[1], L.w[2]) }, { weight: P2.slice(L.w[2], L.b[2]), bias: P2.slice(L.b[2], L.mlp) }]
    .map((l) => ({ weight: roundHalf(l.weight), bias: roundHalf(l.bias) }));
  const decoder = ShaderMLP.fromLayers(sizes, ws, ['leaky_relu', 'leaky_relu', 'none'], [ALPHA, ALPHA, 0]);
  const c: CompressedMaterial = { width: m.width, height: m.height, lw: s.lw, lh: s.lh, features: F, latents: q.slice(0, latN[0]), decoder };
  if (nMips) {
    let at = latN[0]!;
    c.mips = shapes.slice(1).map((t, i) => { const l = { lw: t.lw, lh: t.lh, latents: q.slice(at, at + latN[i + 1]!) }; at += latN[i + 1]!; return l; });
  }
  return c;
}

/**
 * CPU decode of every texel of mip level `level` (rows of C channels, unclamped): the reference for
 * PSNR. Bilinear, clamp to edge, at the level's texel centres, from that level's latents.
 */
export function decodeMaterialCpu(c: CompressedMaterial, level = 0): Float32Array {
  const lv = level === 0 ? { lw: c.lw, lh: c.lh, latents: c.latents } : c.mips?.[level - 1];
  if (!lv) throw new RangeError(`mip level ${level}: the material has ${c.mips?.length ?? 0} levels below level 0`);
  const { lw: LW, lh: LH, latents } = lv, F = c.features;
  const W = Math.max(1, c.width >> level), H = Math.max(1, c.height >> level);
  const I = F + 2, x = new Float32Array(W * H * I);
  for (let py = 0; py < H; py++) {
    for (let px = 0; px < W; px++) {
      const p = py * W + px;
      const lx = ((px + 0.5) * LW) / W - 0.5, ly = ((py + 0.5) * LH) / H - 0.5;
      const fx = Math.floor(lx), fy = Math.floor(ly), ax = lx - fx, ay = ly - fy;
      const cl = (v: number, n: number) => Math.min(n - 1, Math.max(0, v));
      const x0 = cl(fx, LW), x1 = cl(fx + 1, LW), y0 = cl(fy, LH), y1 = cl(fy + 1, LH);
      const tap = [[y0 * LW + x0, (1 - ax) * (1 - ay)], [y0 * LW + x1, ax * (1 - ay)], [y1 * LW + x0, (1 - ax) * ay], [y1 * LW + x1, ax * ay]] as const;
      for (let f = 0; f < F; f++) {
        let v = 0;
        for (const [i, w] of tap) v += w * (latents[i * F + f]! / 255);
        x[p * I + f] = v;
      }
      x[p * I + F] = (px + 0.5) / W; x[p * I + F + 1] = (py + 0.5) / H;
    }
  }
  return c.decoder.forward(x);
}
