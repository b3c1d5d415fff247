/**
 * Neural material compression on the GPU: latent grids + decoder trained with the kernels of
 * kernels.ts (quantization-aware below 8 bits), then latents quantized to their codes and the decoder
 * fine-tuned against them.
 */
import { LimitError } from '../../errors.js';
import { ShaderMLP } from '../mlp.js';
import { roundHalf } from '../half.js';
import { featuresOf, gridInputs, INPUT_CENTRE, layerSizes, paramLayout, type GridShape, type TrainShape } from './kernels.js';
import { makeTrainer, psnrOf, type ProgressFn } from './trainer.js';
import { refinePlan } from './refine.js';
import { boxDown, levelSize, mipLevels, type LatentMip } from './mips.js';
import { positionCount, positionCpu, positionFor, type PositionChoice, type PositionInput } from './position.js';

export { psnrOf } from './trainer.js';
import type { MaterialTargets } from './textures.js';

/**
 * A latent grid: resolution = texture size / scale, `features` latents a texel of `bits` bits each; `concat`: the
 * decoder reads its four taps side by side rather than blended (kernels.ts GridShape).
 */
export interface GridOption { scale: number; features: number; bits: number; concat?: boolean }

export interface CompressOptions {
  /** Latent grid = texture size / scale (default 2: measured better than 16 features at /4 for the same 8 bits a texel). */
  scale?: number;
  /** Latent features (default 4: one RGBA8 latent texture). */
  features?: number;
  /** Bits per latent of the finest grid: 2, 4 or 8 (default 8); below 8, training is quantization-aware. */
  bits?: number;
  /** The finest grid's taps concatenated, not blended (GridOption.concat). */
  concat?: boolean;
  /** Quantization-aware training (default: when any grid has fewer than 8 bits). */
  qat?: boolean;
  /** Coarser grids read beside the finest one (multi-resolution latents, as NTC does). */
  coarse?: GridOption[];
  hidden?: number;
  /** What the decoder is told of a texel's position (position.ts; default 'auto': by the finest grid). */
  position?: PositionChoice;
  /** Steps before and after quantizing latents (defaults 4000 and 800). */
  steps?: number;
  fineTuneSteps?: number;
  /**
   * Sweeps of code refinement after quantization (refine.ts: every code tried one step up and down against the
   * decode's error, kept where better) before the decoder's fine-tuning, and a quarter as many after it; 0 turns it
   * off. Default 8.
   */
  refine?: number;
  /**
   * Fractions of the training steps, above 0 and below 1, at which codes are also refined (half the sweeps) and
   * training goes on from them; with quantization-aware training (latents below 8 bits) and `refine` > 0. Default
   * {@link REFINE_DURING}; [] turns it off.
   */
  refineDuring?: readonly number[];
  /** With quantization-aware training, the fraction of the steps after which latents are read rounded (straight-through) rather than with noise; default {@link STE_FROM}. */
  steFrom?: number;
  /** The latents' learning rate once they are read rounded (from `steFrom` on), as a fraction of its schedule's (default 1). */
  steLatentLr?: number;
  /** Texels per step (default min(all, 65536)). */
  batch?: number;
  lrMlp?: number;
  lrLatent?: number;
  /** Adam's second-moment decay (trainer.ts ADAM_BETA2). */
  adamBeta2?: number;
  seed?: number;
  /**
   * Loss weight per texture, adapted during training towards the textures with the larger error
   * (default on): the target is that every texture, not the average, reaches a PSNR.
   */
  balance?: boolean;
  /**
   * How hard balancing pushes: a texture's weight is (its MSE / the textures' mean MSE)^power, 0.25…4× (default
   * {@link BALANCE_POWER}). 1 leaves a texture whose error stays 1.5× the mean only 1.5× the weight; larger powers push
   * the textures' errors closer together, but on the H100 2 and 4 lowered the mean weakest texture of four sets (39.88 →
   * 39.69 / 39.02 dB) by overshooting in long runs (bench/NOTES-materials.md, "Training at the kernels' rate").
   */
  balancePower?: number;
  /**
   * Mip levels with latents of their own, trained with level 0 through the shared decoder (mips.ts):
   * levels down to 4×4 unless `levels` says fewer. Off by default: they cost level 0 some PSNR.
   * Single-grid materials only.
   */
  mips?: { levels?: number; /** Loss weight of the mip levels against level 0 (default 0.25). */ weight?: number } | false;
  /** Called every few steps with the phase, step and the batch's PSNR. */
  onProgress?: ProgressFn;
  /** Called once at the end with the wall seconds of each phase ({@link PhaseSeconds}). */
  onSeconds?: (t: PhaseSeconds) => void;
}

/**
 * Where a compression's wall time went: building the trainer (pipelines, buffers), training (with any refinement rounds
 * during it), code refinement after it, and fine-tuning. Phases end where the CPU next waits on the GPU (a chunk's loss,
 * the parameters read back), so each phase's GPU work is counted in it.
 */
export interface PhaseSeconds { setup: number; train: number; refine: number; finetune: number }

/**
 * One grid of quantized latents: codes 0 … 2^bits − 1, lh×lw×features texel-major; the decoder reads code/(2^bits − 1),
 * the four taps' blend or, with `concat`, the four taps side by side.
 */
export interface LatentGrid { lw: number; lh: number; features: number; bits: number; latents: Uint8Array; concat?: boolean }

/** A trained, quantized material: latent grids and a decoder that takes their unorm values. */
export interface CompressedMaterial {
  width: number; height: number;
  /** The finest grid (grid 0): size, features, codes. */
  lw: number; lh: number; features: number;
  latents: Uint8Array;
  /** Bits per latent of grid 0 (absent: 8). */
  bits?: number;
  /** Grid 0's taps concatenated (LatentGrid.concat). */
  concat?: boolean;
  /** Coarser grids after grid 0; their features follow grid 0's in the decoder input. */
  coarse?: LatentGrid[];
  /** Decoder over [grid features as unorm in 0..1, position]; f16-rounded weights (as stored). */
  decoder: ShaderMLP;
  /** The decoder's position inputs (position.ts); absent: 'uv'. */
  position?: PositionInput;
  /** Latents of mip levels 1, 2, … of grid 0 (mips.ts); absent: level 0 only. */
  mips?: LatentMip[];
}

export const ALPHA = 0.01;
/**
 * Latents are read with noise of one code step to the end of training (1: never rounded, straight-through); quantization,
 * code refinement and the decoder's fine-tuning against the codes follow. Rounding from 70% of the steps had measured
 * +0.1–0.2 dB in the CPU prototype's short runs, but the longer the training the more it cost: on re-jojo-concrete
 * (4.5 bits) the batch loss doubled at the switch after 64000 steps (7.4e-5 to 1.5e-4; a sixth at 8000) and rose while
 * rounded, to 37.13 dB on the weakest texture where 8000 steps had reached 40.25. Noise to the end, weakest texture, H100
 * (bench/materials-2026-12-06-ste-h100): re-jojo-concrete 42.78 (37.13) at 64000 steps and 41.04 (40.25) at 8000;
 * nx-cretewall 40.23 (39.98), re-pk-wall 39.81 (39.55), re-pk-panels 41.08 (40.87), re-mp-bricks 35.32 (35.19) at 64000.
 * Rounding from 90%, code refinement at the switch or a latent learning rate ×0.1 while rounded did not mend it; the
 * latents frozen while rounded (`steLatentLr` 0) came close (42.73 on re-jojo-concrete, 0.06–0.14 dB under noise
 * elsewhere).
 */
export const STE_FROM = 1;
/**
 * Where in training (fractions of the steps) codes are refined by default with half the sweeps, training going on from
 * them: nowhere. On the H200 rounds at 0.75, 0.85 and 0.95 added 0.05–0.07 dB on the weakest texture for a third more
 * training time, which put two `--psnr 40` searches over a minute (bench/NOTES-materials.md, "Refinement during
 * training"); `refineDuring` / `--refine-during` ask for them.
 */
export const REFINE_DURING: readonly number[] = [];
export const LATENT_BITS = [2, 4, 8] as const;

/** Every grid of a material, finest first. */
export function gridsOf(c: CompressedMaterial): LatentGrid[] {
  return [{ lw: c.lw, lh: c.lh, features: c.features, bits: c.bits ?? 8, latents: c.latents, ...(c.concat ? { concat: true } : {}) }, ...(c.coarse ?? [])];
}

/** Stored latent bytes of a grid as .wgmat holds them: 8-bit codes padded to RGBA groups, others packed at `bits` bits. */
export const gridBytes = (g: { lw: number; lh: number; features: number; bits: number }) => (g.bits === 8 ? g.lw * g.lh * Math.ceil(g.features / 4) * 4 : Math.ceil((g.lw * g.lh * g.features * g.bits) / 8));

/** Default {@link CompressOptions.balancePower}. */
export const BALANCE_POWER = 1;

/** Per-texture loss weights from each channel's MSE: textures above the mean error weigh more, (MSE / mean)^power, 0.25…4×. */
export function balanceWeights(textures: { channels: number }[], channelMse: ArrayLike<number>, prev?: Float32Array, power = BALANCE_POWER): Float32Array {
  let c0 = 0;
  const mse = textures.map((t) => { let s = 0; for (let k = 0; k < t.channels; k++) s += channelMse[c0 + k]!; c0 += t.channels; return s / t.channels; });
  const mean = mse.reduce((a, v) => a + v, 0) / mse.length;
  const out = new Float32Array(c0);
  c0 = 0;
  textures.forEach((t, i) => {
    const w = Math.min(4, Math.max(0.25, (mse[i]! / Math.max(mean, 1e-12)) ** power));
    // Half-way to the new weight each chunk: a batch's MSE is noisy.
    for (let k = 0; k < t.channels; k++, c0++) out[c0] = prev ? 0.5 * prev[c0]! + 0.5 * w : w;
  });
  return out;
}

export function gridShape(m: { width: number; height: number }, g: GridOption): GridShape {
  if (!(LATENT_BITS as readonly number[]).includes(g.bits)) throw new RangeError(`latent bits ${g.bits}: use 2, 4 or 8 (codes an rgba8unorm texture holds exactly)`);
  return { lw: Math.max(1, Math.ceil(m.width / g.scale)), lh: Math.max(1, Math.ceil(m.height / g.scale)), features: g.features, bits: g.bits, ...(g.concat ? { concat: true } : {}) };
}

/**
 * The trainer binds the targets (texels × channels f32) and the parameters' Adam moments as one storage buffer each:
 * a 4096² set of 8 channels is 512 MiB, over the 128 MiB binding limit of many phones and of lavapipe. Said before
 * any buffer is made, with the size that fits, rather than as a validation error from inside the trainer.
 */
function checkTrainingFits(device: GPUDevice, m: MaterialTargets, params: number): void {
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const targets = m.width * m.height * m.channels * 4, adam = params * 4;
  if (targets <= limit && adam <= limit) return;
  const what = targets > limit ? `its targets (${m.width}×${m.height} texels × ${m.channels} channels as f32) take ${targets} bytes` : `its latents' optimizer state takes ${adam} bytes`;
  const side = 2 ** Math.floor(Math.log2(Math.sqrt((limit / 4 / m.channels) * (m.width / m.height))));
  throw new LimitError(`this material cannot train on this device: ${what}, over its storage binding limit (${limit} bytes)`,
    `resize the textures (e.g. to ${side}×${Math.max(1, Math.floor((side * m.height) / m.width))} or less) and compress that, train fewer textures at once, or use a device with a larger maxStorageBufferBindingSize`,
    { width: m.width, height: m.height, channels: m.channels, bytes: Math.max(targets, adam), limit });
}

/**
 * Decoder parameters (layout L) with INPUT_CENTRE folded into the first bias (`sign` −1: a decoder trained on centred
 * inputs as one that takes them as they are, b − c·ΣW) or out of it (+1: back).
 */
export function foldCentre(mlp: Float32Array, L: { w: number[]; b: number[] }, sizes: number[], sign: 1 | -1): Float32Array {
  const out = mlp.slice(), I = sizes[0]!, H = sizes[1]!;
  for (let o = 0; o < H; o++) {
    let s = 0;
    for (let i = 0; i < I; i++) s += mlp[L.w[0]! + o * I + i]!;
    out[L.b[0]! + o] = mlp[L.b[0]! + o]! + sign * INPUT_CENTRE * s;
  }
  return out;
}

/** Train (quantization-aware below 8 bits), quantize the latents, fine-tune the decoder against them. */
export async function compressMaterial(device: GPUDevice, m: MaterialTargets, o: CompressOptions = {}): Promise<CompressedMaterial> {
  const secs: PhaseSeconds = { setup: 0, train: 0, refine: 0, finetune: 0 };
  let mark = performance.now();
  const lap = (phase: keyof PhaseSeconds) => { const now = performance.now(); secs[phase] += (now - mark) / 1000; mark = now; };
  const T = m.width * m.height;
  const during = o.refineDuring ?? REFINE_DURING;
  const bad = during.find((f) => !(f > 0 && f < 1));
  if (bad !== undefined) throw new RangeError(`refineDuring: ${bad} is not a fraction of the training steps above 0 and below 1`);
  const grids = [gridShape(m, { scale: o.scale ?? 2, features: o.features ?? 4, bits: o.bits ?? 8, concat: o.concat }), ...(o.coarse ?? []).map((g) => gridShape(m, g))];
  if (o.mips && grids.length > 1) throw new RangeError('mip levels are trained for single-grid materials only: drop the coarse grids or the mips');
  // A decode between mips blends levels' latents, which concatenated taps are not
  if (o.mips && grids[0]!.concat) throw new RangeError('mip levels are trained for blended latents only: drop the concatenated taps (the grid name\'s "c") or the mips');
  const s: TrainShape = { width: m.width, height: m.height, channels: m.channels, grids, hidden: o.hidden ?? 32, position: positionFor([{ scale: o.scale ?? 2 }], o.position), batch: Math.min(T, o.batch ?? 65536), alpha: ALPHA };
  const L = paramLayout(s), sizes = layerSizes(s);
  // Mip levels train with level 0 (one decoder for all): a shape and box-filtered targets each.
  const g0 = grids[0]!;
  const nMips = !o.mips ? 0 : Math.min(o.mips?.levels ?? Infinity, mipLevels(m.width, m.height, g0.lw, g0.lh));
  const shapes = [s, ...Array.from({ length: nMips }, (_, i): TrainShape => {
    const W = levelSize(m.width, i + 1), H = levelSize(m.height, i + 1);
    return { ...s, width: W, height: H, grids: [{ ...g0, lw: levelSize(g0.lw, i + 1), lh: levelSize(g0.lh, i + 1) }], batch: Math.min(W * H, o.batch ?? 65536), lossWeight: (o.mips || {}).weight ?? 0.25 };
  })];
  const targets = [m.data, ...shapes.slice(1).map((t) => boxDown(m, t.width, t.height).data)];
  // Latents by level, then by grid (trainer.ts lays them out in this order).
  const blocks = shapes.flatMap((t) => t.grids.map((g) => ({ n: g.lw * g.lh * g.features, bits: g.bits })));
  const latTotal = blocks.reduce((a, b) => a + b.n, 0);
  const init = ShaderMLP.random(sizes, ['leaky_relu', 'leaky_relu', 'none'], o.seed ?? 1, 0.5);
  const P0 = new Float32Array(L.mlp + latTotal);
  P0.set(init.packed().data);
  let rs = (o.seed ?? 1) * 7 + 3;
  // Latents start near the middle of their [0, 1] code range.
  for (let i = 0; i < latTotal; i++) { rs = (rs * 1103515245 + 12345) >>> 0; P0[L.mlp + i] = 0.5 + (rs / 4294967296 - 0.5) * 0.2; }

  const N = L.mlp + latTotal;
  checkTrainingFits(device, m, N);
  const tr = await makeTrainer(device, shapes, P0, targets, o.adamBeta2 === undefined ? {} : { adamBeta2: o.adamBeta2 });
  lap('setup');
  const lrMlp = o.lrMlp ?? 1e-2, lrLat = o.lrLatent ?? 5e-2;
  const qat = o.qat ?? grids.some((g) => g.bits < 8);
  let cw: Float32Array | undefined;
  const onChunk = o.balance === false ? undefined : (_: number, mse: Float32Array) => (cw = balanceWeights(m.textures, mse, cw, o.balancePower));

  const steps = o.steps ?? 4000, steFrom = Math.round(steps * (o.steFrom ?? STE_FROM));

  // Quantize every latent to its grid's codes; the decoder then trains on exactly what it will read. Refinement moves
  // codes on the GPU, as code / (2^bits − 1), so reading its result back is the same rounding.
  const q = new Uint8Array(latTotal), deq = new Float32Array(latTotal);
  const toCodes = (lat: Float32Array) => {
    let at = 0;
    for (const b of blocks) {
      const Q = (1 << b.bits) - 1;
      for (let i = at; i < at + b.n; i++) { q[i] = Math.round(Math.min(1, Math.max(0, lat[i]!)) * Q); deq[i] = q[i]! / Q; }
      at += b.n;
    }
  };
  const quantize = async () => { toCodes((await tr.params()).subarray(L.mlp, N)); tr.write(L.mlp, deq); };
  // Code refinement (refine.ts) before the decoder's fine-tuning, then a few sweeps more against the decoder as stored
  // (f16): the fine-tuned decoder reads some codes better one step off.
  const sweeps = o.refine ?? 8;
  const refine = async (n: number) => {
    // Each level against its own targets (a mip level's latents are read by that level only).
    for (let i = 0; i < shapes.length; i++) {
      const r = await tr.refine(refinePlan(shapes[i]!, n), i);
      // Level 0's weighted error as a loss and PSNR, before (step 0) and after (step n) the sweeps.
      if (i === 0) for (const [k, loss] of [[0, r.before], [n, r.after]] as const) o.onProgress?.('refine', k, n, loss, psnrOf(loss));
    }
    toCodes((await tr.params()).subarray(L.mlp, N));
  };
  // Refinement inside training too: the codes are refined, and the decoder (at a learning rate fine-tuning does not have)
  // and the latents go on training from them (bench/NOTES-materials.md, "Refinement during training"). Distinct steps,
  // in order; one that rounds onto either end of training is left out.
  const stops = qat && sweeps > 0 ? [...new Set(during.map((f) => Math.round(steps * f)))].sort((a, b) => a - b).filter((x) => x > 0 && x < steps) : [];
  let at = 0;
  for (const stop of [...stops, steps]) {
    await tr.run('train', steps, lrMlp, lrLat, { qat, steFrom, steLatentLr: o.steLatentLr, from: at, to: stop, onProgress: o.onProgress, onChunk });
    if (stop < steps) { await quantize(); await refine(Math.ceil(sweeps / 2)); }
    at = stop;
  }
  await quantize();
  lap('train');
  if (sweeps > 0) await refine(sweeps);
  lap('refine');
  await tr.run('finetune', o.fineTuneSteps ?? 800, lrMlp * 0.3, 0, { onProgress: o.onProgress, onChunk });
  // The stored decoder takes the inputs uncentred (the first bias folded), in f16; the last sweeps refine against it.
  const mlp = roundHalf(foldCentre((await tr.params()).slice(0, L.mlp), L, sizes, -1));
  lap('finetune');
  if (sweeps > 0) { tr.write(0, foldCentre(mlp, L, sizes, 1)); await refine(Math.ceil(sweeps / 4)); }
  lap('refine');
  tr.destroy();
  o.onSeconds?.(secs);
  const ws = [0, 1, 2].map((l) => ({ weight: mlp.slice(L.w[l], L.b[l]), bias: mlp.slice(L.b[l], l < 2 ? L.w[l + 1] : L.mlp) }));
  const decoder = ShaderMLP.fromLayers(sizes, ws, ['leaky_relu', 'leaky_relu', 'none'], [ALPHA, ALPHA, 0]);
  let off = 0;
  const codes = blocks.map((b) => { const r = q.slice(off, off + b.n); off += b.n; return r; });
  const c: CompressedMaterial = { width: m.width, height: m.height, lw: g0.lw, lh: g0.lh, features: g0.features, latents: codes[0]!, decoder };
  if (g0.bits !== 8) c.bits = g0.bits;
  if (g0.concat) c.concat = true;
  if (s.position !== 'uv') c.position = s.position;
  if (grids.length > 1) c.coarse = grids.slice(1).map((g, i) => ({ lw: g.lw, lh: g.lh, features: g.features, bits: g.bits, latents: codes[i + 1]!, ...(g.concat ? { concat: true } : {}) }));
  if (nMips) c.mips = shapes.slice(1).map((t, i) => ({ lw: t.grids[0]!.lw, lh: t.grids[0]!.lh, latents: codes[grids.length + i]! }));
  return c;
}

/**
 * Decoder inputs at texels of mip level `level` (rows of features + position): bilinear, clamp to edge, at
 * the level's texel centres, from each grid's codes as unorm (a concatenated grid's four taps side by side,
 * tap-major, unweighted). `every` > 1 takes every n-th texel.
 */
export function decoderInputs(c: CompressedMaterial, level = 0, every = 1): Float32Array {
  const grids: LatentGrid[] = level === 0 ? gridsOf(c) : (() => {
    const lv = c.mips?.[level - 1];
    if (!lv) throw new RangeError(`mip level ${level}: the material has ${c.mips?.length ?? 0} levels below level 0`);
    return [{ ...lv, features: c.features, bits: c.bits ?? 8 }];
  })();
  const W = Math.max(1, c.width >> level), H = Math.max(1, c.height >> level);
  const F = featuresOf({ grids }), I = F + positionCount(c.position), n = Math.ceil((W * H) / every), x = new Float32Array(n * I);
  const cl = (v: number, k: number) => Math.min(k - 1, Math.max(0, v));
  for (let r = 0; r < n; r++) {
    const p = r * every, px = p % W, py = Math.floor(p / W);
    let f0 = 0;
    for (const { lw: LW, lh: LH, features: Fg, bits, latents, concat } of grids) {
      const Q = (1 << bits) - 1;
      const lx = ((px + 0.5) * LW) / W - 0.5, ly = ((py + 0.5) * LH) / H - 0.5;
      const fx = Math.floor(lx), fy = Math.floor(ly), ax = lx - fx, ay = ly - fy;
      const x0 = cl(fx, LW), x1 = cl(fx + 1, LW), y0 = cl(fy, LH), y1 = cl(fy + 1, LH);
      const tap = [[y0 * LW + x0, (1 - ax) * (1 - ay)], [y0 * LW + x1, ax * (1 - ay)], [y1 * LW + x0, (1 - ax) * ay], [y1 * LW + x1, ax * ay]] as const;
      for (let f = 0; f < Fg; f++) {
        let v = 0;
        tap.forEach(([i, w], k) => { if (concat) x[r * I + f0 + k * Fg + f] = latents[i * Fg + f]! / Q; else v += w * (latents[i * Fg + f]! / Q); });
        if (!concat) x[r * I + f0 + f] = v;
      }
      f0 += gridInputs({ features: Fg, concat });
    }
    positionCpu(c.position ?? 'uv', px + 0.5, py + 0.5, W, H, x, r * I + F);
  }
  return x;
}

/** CPU decode of every texel of mip level `level` (rows of C channels, unclamped): the reference for PSNR. */
export function decodeMaterialCpu(c: CompressedMaterial, level = 0): Float32Array {
  return c.decoder.forward(decoderInputs(c, level));
}
