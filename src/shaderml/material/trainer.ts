/**
 * Training on the GPU: parameter, target and optimizer buffers, the pipelines of kernels.ts, and
 * phases of steps. One TrainShape per mip level (level 0 first) sharing one parameter buffer
 * [decoder | level-0 latents | level-1 latents | …]: every step runs each level's forward/backward and
 * adds its weight gradient, then one Adam step updates the decoder and all latents (mips.ts says why).
 */
import { withErrorScope } from '../../gpu/scope.js';
import { makeRefiner, type RefinePass, type Refiner, type RefinerOptions, type RefineResult } from './refine.js';
import { fwdBwdTileFor, fwdBwdTiledGroups, fwdBwdTiledWgsl } from './fwd-bwd-tiled.js';
import { adamWgsl, fwdBwdWgsl, gradSlices, gradSumWgsl, latentCount, layerSizes, lossMeanWgsl, paramLayout, QAT_NOISE, QAT_OFF, QAT_STE, TICK_WGSL, weightGradGrid, weightGradWgsl, type TrainShape } from './kernels.js';

export type TrainPhase = 'train' | 'refine' | 'finetune';
export type ProgressFn = (phase: TrainPhase, step: number, total: number, loss: number, psnr: number) => void;

export const psnrOf = (mse: number) => 10 * Math.log10(1 / Math.max(mse, 1e-12));

/** A storage buffer of `data` (or of that many bytes, zeroed), as the trainer and its tests and bench make them. */
export function buf(device: GPUDevice, label: string, data: Float32Array | Uint32Array | number, usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST): GPUBuffer {
  const size = typeof data === 'number' ? data : data.byteLength;
  const b = device.createBuffer({ label: `wgmat ${label}`, size: Math.max(16, Math.ceil(size / 4) * 4), usage, mappedAtCreation: typeof data !== 'number' });
  if (typeof data !== 'number') { new Uint8Array(b.getMappedRange(), 0, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)); b.unmap(); }
  return b;
}

/** `bytes` of a buffer read back as f32. */
export async function read(device: GPUDevice, src: GPUBuffer, bytes: number): Promise<Float32Array> {
  const rb = device.createBuffer({ label: 'wgmat readback', size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(src, 0, rb, 0, bytes);
  device.queue.submit([enc.finish()]);
  await rb.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(rb.getMappedRange().slice(0));
  rb.unmap(); rb.destroy();
  return out;
}

export interface RunOptions {
  /** Quantization-aware training: latents read with one quantization step of noise (kernels.ts). */
  qat?: boolean;
  /** With qat: from this step on, latents are read rounded to their codes (straight-through) instead. */
  steFrom?: number;
  /** With qat, from `steFrom` on: the latents' learning rate times this (default 1). */
  steLatentLr?: number;
  onProgress?: ProgressFn;
  /**
   * Called after every chunk of steps with the mean squared error of each channel over the last
   * batch (level 0); may return new channel loss weights (written before the next chunk).
   */
  onChunk?: (step: number, channelMse: Float32Array) => Float32Array | void;
  /**
   * Run only steps [from, to) of the phase's `steps` (default all of them): the learning rates and the QAT mode follow
   * the whole phase's schedule, so a phase run in windows, with work between them, decays as one run would (exactly,
   * where the windows meet on its chunk grid: the learning rate is set once a chunk).
   */
  from?: number;
  to?: number;
}

export interface Trainer {
  /** `steps` steps with cosine-decayed learning rates; progress every few steps when asked. */
  run(phase: TrainPhase, steps: number, lrMlp: number, lrLat: number, o?: RunOptions): Promise<void>;
  /**
   * Code refinement of one level's latents (refine.ts) against that level's targets, in place: the parameters must
   * hold dequantized codes. Uses the channel loss weights the last chunk left.
   */
  refine(passes: RefinePass[], level?: number): Promise<RefineResult>;
  params(): Promise<Float32Array>;
  /** Overwrite parameters from float `offset` on. */
  write(offset: number, data: Float32Array): void;
  destroy(): void;
}

/**
 * Adam's second-moment decay. 0.95 rather than the usual 0.99 or 0.999, measured better here (probably because with
 * quantization noise on every latent read the gradients' scale drifts, and a shorter memory follows it). wgml on lavapipe, 128² crops, 3000 steps, centred inputs,
 * weakest texture at 0.9 / 0.95 / 0.99 / 0.999: re-mp-bricks 34.51 / 34.38 / 34.16 / 33.42, nx-cretewall 39.37 / 39.79 /
 * 39.66 / 38.00, re-pk-wall 41.77 / 41.62 / 41.27 / 40.01, re-un-grate 39.67 / 40.02 / 39.65 / 38.10
 * (bench/NOTES-materials.md). At 512² and 64000 steps on the H100 (centred inputs) against 0.99 it gave re-mp-bricks,
 * the set nearest the 35 dB target, +0.16 dB and three sets above 39 dB −0.02…−0.19: kept for the weakest set.
 */
export const ADAM_BETA2 = 0.95;

/** How makeTrainer builds its kernels. */
export interface TrainerOptions {
  refine?: RefinerOptions;
  /** Adam's second-moment decay (default {@link ADAM_BETA2}). */
  adamBeta2?: number;
  /**
   * The workgroup-cooperative forward + backward (fwd-bwd-tiled.ts) where its tile fits the device, or the per-texel
   * one (default: tiled; fwdBwdTileFor).
   */
  tiled?: boolean;
  /**
   * The tiled kernel's fused weight gradient (fwd-bwd-tiled.ts TiledOptions): each workgroup reduces its tile's part,
   * grad_sum sums the workgroups' parts, and the weight_grad kernel and the A/D rows are skipped. Per level, where a
   * fused tile fits (otherwise that level runs unfused). Default on: a step 0.171 ms against 0.263 on the H100 at 512²,
   * 0.302 against 0.388 at 2048² (bench/materials-2026-12-06-next-h100/train-bench.txt); false for the unfused kernels.
   */
  fusedGrad?: boolean;
}

/** Buffers and pipelines for `shapes` (level 0 first), parameters `P0` and one target grid (rows of C) per level. */
export async function makeTrainer(device: GPUDevice, shapes: TrainShape[], P0: Float32Array, targets: Float32Array[], o: TrainerOptions = {}): Promise<Trainer> {
  const latTotal = shapes.reduce((a, s) => a + latentCount(s), 0);
  let off = 0;
  // Every grid of every level gets its range of the latent region, level by level, grid by grid.
  const lv = shapes.map((s, i) => ({ ...s, latTotal, accumulate: i > 0, grids: s.grids.map((g) => { const r = { ...g, offset: off }; off += g.lw * g.lh * g.features; return r; }) }));
  const s0 = lv[0]!, L = paramLayout(s0), sizes = layerSizes(s0);
  const N = L.mlp + latTotal, ACT = sizes[0]! + 2 * s0.hidden, DEL = 2 * s0.hidden + s0.channels, maxB = Math.max(...lv.map((s) => s.batch));
  // Per level: the tile of its forward + backward (null: per texel), and whether that tile reduces the weight gradient.
  const tiles = lv.map((s) => {
    const fused = o.fusedGrad !== false ? fwdBwdTileFor(device, s, o.tiled, { fusedGrad: true }) : null;
    return fused ? { tb: fused, fused: true } : { tb: fwdBwdTileFor(device, s, o.tiled), fused: false };
  });
  const slices = lv.map((s, i) => (tiles[i]!.fused ? fwdBwdTiledGroups(s, tiles[i]!.tb!) : gradSlices(s)));
  // A and D rows only where some level runs unfused.
  const rows = tiles.some((t) => !t.fused) ? maxB : 0;
  const bufs = {
    P: buf(device, 'params', P0), S: buf(device, 'state', 16),
    A: buf(device, 'activations', rows * ACT * 4), D: buf(device, 'deltas', rows * DEL * 4), LOSS: buf(device, 'loss', s0.batch * s0.channels * 4),
    CW: buf(device, 'channel weights', new Float32Array(s0.channels).fill(1)), MSE: buf(device, 'channel mse', s0.channels * 4),
    GL: buf(device, 'latent grads', latTotal * 4), PART: buf(device, 'mlp grad slices', Math.max(...slices) * L.mlp * 4), G: buf(device, 'mlp grads', L.mlp * 4), M: buf(device, 'adam m', N * 4), V: buf(device, 'adam v', N * 4),
    HP: buf(device, 'hyper', 32, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST),
  };
  // Two read-back buffers for the chunks' channel errors: one is mapped while the GPU runs the next chunk into the other.
  const ring = [0, 1].map((i) => buf(device, `channel mse read-back ${i}`, s0.channels * 4, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST));
  const tgt = targets.map((t, i) => buf(device, `targets level ${i}`, t));
  const scratch = lv.slice(1).map((s, i) => buf(device, `loss level ${i + 1}`, s.batch * s.channels * 4));
  const pipe = (code: string, label: string) => device.createComputePipeline({ label: `wgmat ${label}`, layout: 'auto', compute: { module: device.createShaderModule({ label, code }), entryPoint: 'main' } });
  // Binding i gets bs[i]; a hole (null) is a binding the kernel does not have.
  const group = (p: GPUComputePipeline, bs: (GPUBuffer | null)[]) => device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: bs.flatMap((b, i) => (b ? [{ binding: i, resource: { buffer: b } }] : [])) });
  const { levels, ad, tk, lm } = await withErrorScope(device, 'building material training pipelines', () => {
    const levels = lv.map((s, i) => {
      const { tb, fused } = tiles[i]!, loss = i ? scratch[i - 1]! : bufs.LOSS;
      const fb = pipe(tb ? fwdBwdTiledWgsl(s, tb, { fusedGrad: fused }) : fwdBwdWgsl(s), `fwd_bwd${tb ? ` (tile ${tb}${fused ? ', fused weight gradient' : ''})` : ''} level ${i}`);
      const wg = fused ? null : pipe(weightGradWgsl(s), `weight_grad level ${i}`), gs = pipe(gradSumWgsl(s, slices[i]), `grad_sum level ${i}`);
      return {
        s, wgGrid: weightGradGrid(s), fbGroups: tb ? fwdBwdTiledGroups(s, tb) : Math.ceil(s.batch / 64),
        fb: { p: fb, g: group(fb, fused ? [bufs.P, tgt[i]!, bufs.S, bufs.PART, null, loss, bufs.GL, bufs.CW] : [bufs.P, tgt[i]!, bufs.S, bufs.A, bufs.D, loss, bufs.GL, bufs.CW]) },
        wg: wg && { p: wg, g: group(wg, [bufs.A, bufs.D, bufs.PART, bufs.S]) }, gs: { p: gs, g: group(gs, [bufs.PART, bufs.G, bufs.S]) },
      };
    });
    const ad = pipe(adamWgsl(s0), 'adam'), tk = pipe(TICK_WGSL, 'tick'), lm = pipe(lossMeanWgsl(s0), 'loss_mean');
    return { levels, ad: { p: ad, g: group(ad, [bufs.HP, bufs.P, bufs.G, bufs.GL, bufs.M, bufs.V, bufs.S]) }, tk: { p: tk, g: group(tk, [bufs.S]) }, lm: { p: lm, g: group(lm, [bufs.LOSS, bufs.MSE]) } };
  });
  const adGroups = Math.ceil(N / 64), adX = Math.min(adGroups, 65535), adY = Math.ceil(adGroups / adX);
  const refiners: Refiner[] = [];
  const setHyper = (lrMlp: number, lrLat: number) => device.queue.writeBuffer(bufs.HP, 0, new Float32Array([lrMlp, lrLat, 0.9, o.adamBeta2 ?? ADAM_BETA2, 1e-8]));
  return {
    async run(phase, steps, lrMlp, lrLat, o = {}) {
      const chunk = Math.max(1, Math.min(50, Math.ceil(steps / 20)));
      const mode = (done: number) => (!o.qat ? QAT_OFF : o.steFrom !== undefined && done >= o.steFrom ? QAT_STE : QAT_NOISE);
      // A chunk's errors are read while the next chunk runs, so the GPU never waits on the CPU between chunks (waiting
      // cost ~0.2 ms a step on the H100, 40% of a step); new loss weights therefore apply one chunk later. They are read
      // even when no one asks, which also keeps at most two chunks queued.
      type Pending = { done: number; rb: GPUBuffer; mapped: Promise<void> };
      const take = async ({ done, rb, mapped }: Pending) => {
        await mapped;
        const mse = new Float32Array(rb.getMappedRange(0, s0.channels * 4).slice(0));
        rb.unmap();
        const loss = mse.reduce((a, v) => a + v, 0) / mse.length;
        o.onProgress?.(phase, done, steps, loss, psnrOf(loss));
        const w = o.onChunk?.(done, mse);
        if (w) device.queue.writeBuffer(bufs.CW, 0, w);
      };
      // With the latents frozen (fine-tuning) Adam runs over the decoder alone: at 2048² it would visit 7.3 M latents a
      // step only to clear their gradients (a third of a 0.3 ms step on the H100). Their gradients pile up unread (the
      // fixed-point sums may wrap), so every phase starts by clearing them.
      const frozen = lrLat === 0, adGrid: [number, number] = frozen ? [Math.ceil(L.mlp / 64), 1] : [adX, adY];
      let cur = -1;
      const end = Math.min(steps, o.to ?? steps);
      await withErrorScope(device, `material training (${phase})`, async () => {
        const clear = device.createCommandEncoder({ label: 'wgmat clear latent grads' });
        clear.clearBuffer(bufs.GL);
        device.queue.submit([clear.finish()]);
        let pending: Pending | undefined;
        for (let done = Math.max(0, o.from ?? 0), n = 0; done < end; n++) {
          // Chunks lie on one grid of the phase's steps (a window that starts inside one ends it early), and end where
          // straight-through rounding starts, so the switch lands on that step.
          const k = Math.min(chunk - (done % chunk), end - done, o.qat && o.steFrom !== undefined && done < o.steFrom ? o.steFrom - done : Infinity);
          if (mode(done) !== cur) { cur = mode(done); device.queue.writeBuffer(bufs.S, 8, new Uint32Array([cur])); }
          // Cosine decay within the phase; written per chunk since uniforms change only between submits.
          const f = 0.5 * (1 + Math.cos(Math.PI * done / steps)) * 0.9 + 0.1;
          setHyper(lrMlp * f, lrLat * f * (cur === QAT_STE ? o.steLatentLr ?? 1 : 1));
          const enc = device.createCommandEncoder({ label: 'wgmat train' });
          const pass = enc.beginComputePass({ label: 'wgmat train' });
          for (let i = 0; i < k; i++) {
            for (const l of levels) {
              pass.setPipeline(l.fb.p); pass.setBindGroup(0, l.fb.g); pass.dispatchWorkgroups(l.fbGroups);
              if (l.wg) { pass.setPipeline(l.wg.p); pass.setBindGroup(0, l.wg.g); pass.dispatchWorkgroups(...l.wgGrid); }
              pass.setPipeline(l.gs.p); pass.setBindGroup(0, l.gs.g); pass.dispatchWorkgroups(Math.ceil(L.mlp / 64));
            }
            pass.setPipeline(ad.p); pass.setBindGroup(0, ad.g); pass.dispatchWorkgroups(...adGrid);
            pass.setPipeline(tk.p); pass.setBindGroup(0, tk.g); pass.dispatchWorkgroups(1);
          }
          pass.setPipeline(lm.p); pass.setBindGroup(0, lm.g); pass.dispatchWorkgroups(s0.channels);
          pass.end();
          const rb = ring[n % 2]!;
          enc.copyBufferToBuffer(bufs.MSE, 0, rb, 0, s0.channels * 4);
          device.queue.submit([enc.finish()]);
          done += k;
          const mapped = rb.mapAsync(GPUMapMode.READ, 0, s0.channels * 4);
          mapped.catch(() => {}); // awaited by take(); this only keeps a failure seen there from also being unhandled
          // The previous chunk's read-back (the other ring buffer), now that this chunk is queued behind it.
          if (pending) await take(pending);
          pending = { done, rb, mapped };
        }
        if (pending) await take(pending);
      });
    },
    async refine(passes, level = 0) {
      refiners[level] ??= await makeRefiner(device, lv[level]!, bufs.P, tgt[level]!, bufs.CW, o.refine);
      return refiners[level]!.run(passes);
    },
    params: () => read(device, bufs.P, N * 4),
    write: (offset, data) => device.queue.writeBuffer(bufs.P, offset * 4, data),
    destroy: () => { [...Object.values(bufs), ...ring, ...tgt, ...scratch].forEach((b) => b.destroy()); refiners.forEach((r) => r.destroy()); },
  };
}
