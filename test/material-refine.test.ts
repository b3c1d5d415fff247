/**
 * Code refinement (refine.ts): each pass against a brute-force CPU reference that decodes the whole material for
 * every candidate code (decoderInputs + the decoder's float64 forward, clamped, channel-weighted), on a material
 * whose sizes are not multiples of the grid scales (12×10 with grids at scales 1, 2 and 4 → 12×10, 6×5, 3×3), one
 * grid with concatenated taps; then compressMaterial with and without it.
 */
import { describe, it, expect } from 'vitest';
import { compressMaterial, REFINE_DURING, decodeMaterialCpu, decoderInputs, foldCentre, type CompressedMaterial, type LatentGrid } from '../src/shaderml/material/train.js';
import { materialReport } from '../src/shaderml/material/report.js';
import { boxDown } from '../src/shaderml/material/mips.js';
import { makeTrainer } from '../src/shaderml/material/trainer.js';
import { refineLanes, refinePlan, refineWgsl, type RefinePass } from '../src/shaderml/material/refine.js';
import { paramLayout, type TrainShape } from '../src/shaderml/material/kernels.js';
import { ShaderMLP } from '../src/shaderml/mlp.js';
import { testDevice } from './helpers/gpu.js';
import { rng, testSeed } from './helpers/random.js';

const W = 12, H = 10, C = 3, HID = 8;
const GRIDS: Omit<LatentGrid, 'latents'>[] = [{ lw: 12, lh: 10, features: 1, bits: 2 }, { lw: 6, lh: 5, features: 2, bits: 4, concat: true }, { lw: 3, lh: 3, features: 2, bits: 2 }];
const I = 1 + 4 * 2 + 2 + 2;

/** The material of `codes` (one array per grid) and `decoder`. */
function materialOf(codes: Uint8Array[], decoder: ShaderMLP): CompressedMaterial {
  const [g0, ...rest] = GRIDS.map((g, k) => ({ ...g, latents: codes[k]! }));
  return { width: W, height: H, lw: g0!.lw, lh: g0!.lh, features: g0!.features, bits: g0!.bits, latents: g0!.latents, coarse: rest, decoder, position: 'p2' };
}

/** Channel-weighted squared error of the clamped decode, per texel (float64 forward). */
function texelErrors(c: CompressedMaterial, tgt: Float32Array, cw: Float32Array): Float64Array {
  const y = c.decoder.forward(decoderInputs(c)), e = new Float64Array(W * H);
  for (let p = 0; p < W * H; p++) for (let k = 0; k < C; k++) e[p] += cw[k]! * (Math.min(1, Math.max(0, y[p * C + k]!)) - tgt[p * C + k]!) ** 2;
  return e;
}
const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

describe('code refinement', () => {
  it.each([true, false])(`every pass keeps, per latent of its parity class, the code step the brute-force decode says lowers the error (cooperative kernel: %s; seed ${testSeed()})`, async (cooperative) => {
    const device = await testDevice();
    const r = rng(testSeed());
    // Weights of scale 0.5 and outputs centred in [0, 1]: most texels decode inside the clamp (at scale 1 some seeds
    // clamped every output, and no code mattered).
    const decoder = ShaderMLP.random([I, HID, HID, C], ['leaky_relu', 'leaky_relu', 'none'], testSeed() % 1000 + 1, 0.5);
    decoder.layers[2]!.bias.fill(0.5);
    let codes = GRIDS.map((g) => Uint8Array.from({ length: g.lw * g.lh * g.features }, () => Math.floor(r() * (1 << g.bits))));
    const tgt = Float32Array.from({ length: W * H * C }, () => r()), cw = Float32Array.from({ length: C }, () => 0.25 + 3.75 * r());
    const s: TrainShape = { width: W, height: H, channels: C, grids: GRIDS.map(({ lw, lh, features, bits, concat }) => ({ lw, lh, features, bits, ...(concat ? { concat } : {}) })), hidden: HID, position: 'p2', batch: W * H, alpha: 0.01 };
    const L = paramLayout(s), deq = () => codes.flatMap((c, k) => Array.from(c, (v) => v / ((1 << GRIDS[k]!.bits) - 1)));
    // The trainer's decoder takes its inputs centred (kernels.ts INPUT_CENTRE): the same decoder with the centring folded out of its bias.
    const tr = await makeTrainer(device, [s], Float32Array.from([...foldCentre(decoder.packed().data, L, [I, HID, HID, C], 1), ...deq()]), [tgt], { refine: { cooperative } });
    // The channel weights reach the trainer the way balancing writes them: after a chunk (no step moves anything at rate 0).
    await tr.run('finetune', 1, 0, 0, { onChunk: () => cw });
    let decided = 0, ambiguous = 0, accepted = 0;
    try {
      for (const pass of refinePlan(s, 1)) {
        const before = materialOf(codes, decoder), base = texelErrors(before, tgt, cw), g = GRIDS[pass.grid]!, Q = (1 << g.bits) - 1;
        // Expected per class latent: the brute-force delta of each step over the whole material.
        const want = new Map<number, { best: number; step: number; clear: boolean; by: Map<number, number> }>();
        for (let ly = pass.a; ly < g.lh; ly += 2) for (let lx = pass.c; lx < g.lw; lx += 2) {
          const j = (ly * g.lw + lx) * g.features + pass.feature, code = codes[pass.grid]![j]!;
          const deltas = [-1, 1].filter((d) => code + d >= 0 && code + d <= Q).map((d) => {
            const trial = codes.map((c) => c.slice()); trial[pass.grid]![j] = code + d;
            return { d, delta: sum(texelErrors(materialOf(trial, decoder), tgt, cw)) - sum(base) };
          }).sort((x, y) => x.delta - y.delta);
          const best = deltas[0]!, scale = 1e-4 * sum(base) / (W * H);
          // No step helps (a latent the clamp hides has deltas of exactly 0), or one helps clearly; decisions within f32
          // rounding of the kernel's sums, or near a tie between the two steps, are not compared.
          const clear = best.delta >= 0 || (best.delta < -scale && (deltas.length < 2 || deltas[1]!.delta - best.delta > scale));
          want.set(j, { best: best.delta, step: best.delta < 0 ? best.d : 0, clear, by: new Map(deltas.map((x) => [x.d, x.delta])) });
        }
        await tr.refine([pass]);
        const P = await tr.params();
        let at = L.mlp;
        const next = GRIDS.map((gr) => { const n = gr.lw * gr.lh * gr.features, q = Uint8Array.from(P.subarray(at, at + n), (v) => Math.round(v * ((1 << gr.bits) - 1))); at += n; return q; });
        let gain = 0;
        next.forEach((q, k) => q.forEach((v, j) => {
          const w = k === pass.grid ? want.get(j) : undefined, step = v - codes[k]![j]!;
          if (!w) { expect(step, `grid ${k} latent ${j} is outside pass ${JSON.stringify(pass)}`).toBe(0); return; }
          if (step) { expect(w.by.has(step), `latent ${j} moved by ${step}`).toBe(true); gain += w.by.get(step)!; }
          if (!w.clear) { ambiguous++; return; }
          decided++;
          expect(step, `pass ${JSON.stringify(pass)}, latent ${j}: brute-force best delta ${w.best}`).toBe(w.step);
          if (step) accepted++;
        }));
        // The class's footprints are disjoint: the accepted steps' deltas add up to the change of the whole error.
        const after = sum(texelErrors(materialOf(next, decoder), tgt, cw));
        expect(Math.abs(after - (sum(base) + gain)), `pass ${JSON.stringify(pass)}`).toBeLessThan(1e-6 * sum(base) + 1e-3 * Math.abs(gain));
        codes = next;
      }
    } finally { tr.destroy(); }
    expect(decided, 'decisions compared').toBeGreaterThan(10 * ambiguous);
    expect(accepted, 'steps taken').toBeGreaterThan(20);
  });

  it('generates the kernels it did (one grid of each kind: full resolution, concatenated, blended coarse)', async () => {
    const s: TrainShape = { width: W, height: H, channels: C, grids: GRIDS.map(({ lw, lh, features, bits, concat }) => ({ lw, lh, features, bits, ...(concat ? { concat } : {}) })), hidden: HID, position: 'p2', batch: W * H, alpha: 0.01 };
    await expect(refineWgsl(s)).toMatchFileSnapshot('__snapshots__/material-refine.wgsl');
    await expect(refineWgsl(s, false)).toMatchFileSnapshot('__snapshots__/material-refine-single.wgsl');
  });

  it('shares a latent\'s footprint among about as many invocations as texels read it, up to a workgroup', () => {
    expect([refineLanes(512, 512, 512, 512), refineLanes(512, 512, 256, 256), refineLanes(512, 512, 128, 128), refineLanes(512, 512, 64, 64)]).toEqual([4, 16, 64, 64]);
    // Sides that are not multiples of the scale round up (12×10 at 3×3 latents: 8 × 7 texels read one).
    expect(refineLanes(12, 10, 3, 3)).toBe(64);
    expect(refineLanes(12, 10, 6, 5)).toBe(16);
  });

  it('lists every grid, feature and parity class once per sweep', () => {
    const s = { grids: [{ features: 1 }, { features: 3 }] } as TrainShape;
    const plan: RefinePass[] = refinePlan(s, 2);
    expect(plan.length).toBe(2 * 4 * 4);
    expect(new Set(plan.slice(0, 16).map((p) => JSON.stringify(p))).size).toBe(16);
    expect(plan.slice(16)).toEqual(plan.slice(0, 16));
  });

  /** A batch-64 training shape of GRIDS, its parameter layout, random parameters (decoder seed `mlpSeed`) and targets. */
  const trainingInputs = (seedOffset: number, mlpSeed: number) => {
    const r = rng(testSeed() + seedOffset);
    const s: TrainShape = { width: W, height: H, channels: C, grids: GRIDS.map(({ lw, lh, features, bits, concat }) => ({ lw, lh, features, bits, ...(concat ? { concat } : {}) })), hidden: HID, position: 'p2', batch: 64, alpha: 0.01 };
    const L = paramLayout(s), n = GRIDS.reduce((a, g) => a + g.lw * g.lh * g.features, 0);
    const P0 = Float32Array.from([...ShaderMLP.random([I, HID, HID, C], ['leaky_relu', 'leaky_relu', 'none'], mlpSeed, 0.5).packed().data, ...Array.from({ length: n }, () => 0.3 + 0.4 * r())]);
    return { s, L, P0, tgt: Float32Array.from({ length: W * H * C }, () => r()) };
  };

  it('a training phase run in windows (refinement between them) follows the schedule of the phase run in one go', async () => {
    const device = await testDevice();
    const { s, L, P0, tgt } = trainingInputs(2, 5);
    // 40 steps (chunks of 2), straight-through from step 28; the windows meet on the chunk grid, one across the switch.
    const run = async (windows: [number, number][]) => {
      const tr = await makeTrainer(device, [s], P0, [tgt]);
      try {
        for (const [from, to] of windows) await tr.run('train', 40, 1e-2, 5e-2, { qat: true, steFrom: 28, from, to });
        return await tr.params();
      } finally { tr.destroy(); }
    };
    const whole = await run([[0, 40]]), split = await run([[0, 14], [14, 30], [30, 40]]), short = await run([[0, 39]]);
    expect(Array.from(split)).toEqual(Array.from(whole));
    // and the windows do run: one step fewer is not the same training.
    expect(Array.from(short.subarray(0, L.mlp)).some((v, i) => v !== whole[i])).toBe(true);
  });

  it('steLatentLr 0 holds the latents still once they are read rounded, while the decoder trains on', async () => {
    const device = await testDevice();
    const { s, L, P0, tgt } = trainingInputs(3, 7);
    const run = async (to: number, steLatentLr?: number) => {
      const tr = await makeTrainer(device, [s], P0, [tgt]);
      try {
        await tr.run('train', 40, 1e-2, 5e-2, { qat: true, steFrom: 28, to, ...(steLatentLr === undefined ? {} : { steLatentLr }) });
        return await tr.params();
      } finally { tr.destroy(); }
    };
    const atSwitch = await run(28), frozen = await run(40, 0), moving = await run(40);
    const lat = (p: Float32Array) => Array.from(p.subarray(L.mlp));
    expect(lat(frozen)).toEqual(lat(atSwitch));
    expect(Array.from(frozen.subarray(0, L.mlp)).some((v, i) => v !== atSwitch[i])).toBe(true);
    // At the schedule's rate the rounded latents do move, so the check above is not vacuous.
    expect(lat(moving).some((v, i) => v !== atSwitch[L.mlp + i])).toBe(true);
  });

  it(`compressMaterial with refinement: a lower error than without on the same training (seed ${testSeed()})`, async () => {
    const device = await testDevice();
    const r = rng(testSeed() + 1), n = 24 * 20;
    // Texel-scale detail on a smooth base, as real albedo and normal maps have; a grid of 2-bit codes at half resolution.
    const data = Float32Array.from({ length: n * 3 }, (_, i) => { const p = Math.floor(i / 3), x = p % 24, y = Math.floor(p / 24); return 0.5 + 0.3 * Math.sin(x * 0.4 + (i % 3)) * Math.cos(y * 0.3) + 0.15 * (r() - 0.5); });
    const m = { width: 24, height: 20, channels: 3, data, textures: [{ name: 'albedo', kind: 'color' as const, channels: 3, alpha: false }] };
    const o = { scale: 2, features: 3, bits: 2, steps: 300, fineTuneSteps: 60, hidden: 16, seed: 3 };
    // Refinement after training only, and also inside it (the default): rounds reported as the 'refine' phase.
    const rounds = (c: number[]) => (phase: string, step: number) => { if (phase === 'refine' && step === 0) c.push(step); };
    const nAfter: number[] = [], nDuring: number[] = [];
    const plain = await compressMaterial(device, m, { ...o, refine: 0 });
    const after = await compressMaterial(device, m, { ...o, refine: 3, refineDuring: [], onProgress: rounds(nAfter) });
    const refined = await compressMaterial(device, m, { ...o, refine: 3, refineDuring: [0.75, 0.85, 0.95], onProgress: rounds(nDuring) });
    const psnr = (c: CompressedMaterial) => materialReport(m, c, 0, decodeMaterialCpu(c)).psnr;
    console.log(`refinement: ${psnr(plain).toFixed(2)} → ${psnr(after).toFixed(2)} after training, ${psnr(refined).toFixed(2)} also during it`);
    expect(nAfter.length).toBe(2);
    expect(nDuring.length).toBe(2 + 3);
    // and by default refinement runs after training only
    const nDefault: number[] = [];
    await compressMaterial(device, m, { ...o, steps: 20, fineTuneSteps: 4, refine: 1, onProgress: rounds(nDefault) });
    expect(nDefault.length).toBe(2 + REFINE_DURING.length);
    expect(psnr(after)).toBeGreaterThan(psnr(plain));
    expect(psnr(refined)).toBeGreaterThan(psnr(plain));
    expect(Array.from(refined.latents).some((v, i) => v !== plain.latents[i])).toBe(true);
    await expect(compressMaterial(device, m, { ...o, refineDuring: [0.5, 1] })).rejects.toThrow(/refineDuring: 1 is not a fraction of the training steps above 0 and below 1/);
    // A mip level's latents are refined against that level's (box-filtered) targets.
    const mo = { ...o, mips: { levels: 1 } };
    const [mp, mr] = [await compressMaterial(device, m, { ...mo, refine: 0 }), await compressMaterial(device, m, { ...mo, refine: 3 })];
    const level1 = (c: CompressedMaterial) => materialReport({ ...boxDown(m, 12, 10), textures: m.textures }, c, 0, decodeMaterialCpu(c, 1)).psnr;
    console.log(`refinement, mip level 1: ${level1(mp).toFixed(2)} → ${level1(mr).toFixed(2)} dB`);
    expect(level1(mr)).toBeGreaterThan(level1(mp));
    expect(Array.from(mr.mips![0]!.latents).some((v, i) => v !== mp.mips![0]!.latents[i])).toBe(true);
  });
});
