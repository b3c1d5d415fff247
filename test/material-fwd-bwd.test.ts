/**
 * Issue 13, training speed: the forward + backward of neural-material training, the per-texel kernel (kernels.ts
 * fwdBwdWgsl) and the workgroup-cooperative one (fwd-bwd-tiled.ts) at the tiles that fit, against a float64
 * reference written out here: the batch's texels (texel_of), bilinear clamp-to-edge taps of blended, concatenated and
 * quarter-resolution grids, QAT off, noise (the PCG hash) and straight-through rounding, the position inputs, the MLP,
 * each channel's squared error, the A and D rows, and every latent's fixed-point gradient. Shapes with inputs, hidden
 * widths and outputs that are not multiples of four, batches with a short last tile, a batch of one short tile, and a
 * batch of every texel. Rows past the batch must stay untouched.
 * The tiled kernel with the fused weight gradient (each workgroup's part into PART, summed by gradSumWgsl over the
 * workgroups) against float64 Σ over the batch of the reference's deltas ⊗ activations, every weight and bias, with
 * its squared errors and latent gradients as above: texels of a short last tile must add nothing.
 * Each case runs one plain tile and one fused tile, rotated over the tiles that fit so that the cases together run every
 * one (≤ 4 tiles, 4 cases): every tile of every case was 8 kernels a case, and cold (an empty Mesa shader cache) lavapipe
 * took over 60 s to compile the first case's.
 */
import { describe, it, expect } from 'vitest';
import { fwdBwdWgsl, gradSumWgsl, gridConsts, GRAD_FIXED, layerSizes, paramLayout, QAT_NOISE, QAT_OFF, QAT_STE, type TrainShape } from '../src/shaderml/material/kernels.js';
import { FWD_BWD_TILES, fwdBwdTile, fwdBwdTiledBytes, fwdBwdTiledGroups, fwdBwdTiledWgsl } from '../src/shaderml/material/fwd-bwd-tiled.js';
import { buf as trainerBuffer, read as readFloats } from '../src/shaderml/material/trainer.js';
import { scoped, testDevice } from './helpers/gpu.js';
import { compareClose, rng, testSeed } from './helpers/random.js';

const ALPHA = 0.01, STEP = 5;
const CASES: { name: string; s: TrainShape; qat: number }[] = [
  { name: '24×20, 6 outputs, 15 inputs (blended + concatenated + quarter grids, p2), batch 300, rounding, loss weight 0.5', qat: QAT_STE, s: { width: 24, height: 20, channels: 6, grids: [{ lw: 24, lh: 20, features: 1, bits: 4 }, { lw: 12, lh: 10, features: 2, bits: 4, concat: true }, { lw: 6, lh: 5, features: 4, bits: 2 }], hidden: 32, position: 'p2', batch: 300, alpha: ALPHA, lossWeight: 0.5 } },
  { name: '16×16, 1 output, 13 inputs, hidden 8, batch 256 (every texel), QAT off', qat: QAT_OFF, s: { width: 16, height: 16, channels: 1, grids: [{ lw: 8, lh: 8, features: 11, bits: 8 }], hidden: 8, position: 'uv', batch: 256, alpha: ALPHA } },
  // Its full-resolution grid is read and scattered at its first tap alone (kernels.ts ownGrid), under noise, where each
  // tap's latent has its own hash; the reference sums all four taps.
  { name: '40×30, 3 outputs, 9 inputs (full- and half-resolution grids, p4), hidden 12, batch 1111, noise', qat: QAT_NOISE, s: { width: 40, height: 30, channels: 3, grids: [{ lw: 40, lh: 30, features: 1, bits: 2 }, { lw: 20, lh: 15, features: 4, bits: 2 }], hidden: 12, position: 'p4', batch: 1111, alpha: ALPHA } },
  { name: '12×10, 6 outputs, hidden 10, concatenated + blended grids, batch 20 (one short tile), rounding', qat: QAT_STE, s: { width: 12, height: 10, channels: 6, grids: [{ lw: 6, lh: 5, features: 3, bits: 4, concat: true }, { lw: 3, lh: 3, features: 2, bits: 2 }], hidden: 10, position: 'uv', batch: 20, alpha: ALPHA, lossWeight: 2 } },
];

const u32 = (v: number) => v >>> 0;
const texelOf = (s: TrainShape, b: number, step: number) => {
  const T = s.width * s.height;
  return s.batch === T ? b : u32(u32(Math.imul(b, 1000003)) + u32(Math.imul(Math.imul(step, 7919), s.batch))) % T;
};
function qnoise(j: number, step: number): number {
  const v = u32(Math.imul(u32(j ^ Math.imul(step, 0x9E3779B9)), 747796405) + 2891336453);
  const w = u32(Math.imul(u32((v >>> ((v >>> 28) + 4)) ^ v), 277803737));
  return Math.fround(u32((w >>> 22) ^ w)) / 4294967296 - 0.5;
}
// WGSL's round: half to even.
const roundEven = (v: number) => { const r = Math.round(v); return r - v === 0.5 && r % 2 ? r - 1 : r; };
const tri = (v: number) => 1 - Math.abs(2 * (v - Math.floor(v)) - 1);

/** Taps as kernels.ts `taps`: clamp-to-edge bilinear into an lw×lh grid at texel p's centre. */
function taps(s: TrainShape, p: number, lw: number, lh: number): { i: number[]; w: number[] } {
  const x = (p % s.width) + 0.5, y = Math.floor(p / s.width) + 0.5;
  const lx = (x * lw) / s.width - 0.5, ly = (y * lh) / s.height - 0.5, fx = Math.floor(lx), fy = Math.floor(ly), ax = lx - fx, ay = ly - fy;
  const cx = (v: number) => Math.min(lw - 1, Math.max(0, v)), cy = (v: number) => Math.min(lh - 1, Math.max(0, v));
  return { i: [cy(fy) * lw + cx(fx), cy(fy) * lw + cx(fx + 1), cy(fy + 1) * lw + cx(fx), cy(fy + 1) * lw + cx(fx + 1)], w: [(1 - ax) * (1 - ay), ax * (1 - ay), (1 - ax) * ay, ax * ay] };
}

interface Outputs { A: Float32Array; D: Float32Array; LOSS: Float32Array; GL: Float32Array }

/**
 * Float64 forward + backward of batch slots [0, B). `side(b, layer, unit)`: whether a hidden unit whose pre-activation
 * lies within 1e-5 of the kink counts as positive (the kernel's choice, read from its A rows: at the kink the
 * derivative is either, and float32 may land on the other side).
 */
function reference(s: TrainShape, P: Float32Array, TGT: Float32Array, CW: Float32Array, qat: number, side: (b: number, l: number, u: number) => boolean) {
  const L = paramLayout(s), [I, H, , C] = layerSizes(s) as [number, number, number, number], F = I - (s.position === 'p4' ? 4 : 2);
  const ACT = I + 2 * H, DEL = 2 * H + C, B = s.batch;
  const A = new Float64Array(B * ACT), D = new Float64Array(B * DEL), LOSS = new Float64Array(B * C);
  const GL = new Float64Array(L.latents), count = new Float64Array(L.latents), mag = new Float64Array(L.latents);
  const lrelu = (a: number) => (a > 0 ? a : ALPHA * a);
  const pos = (b: number, l: number, u: number, a: number) => (Math.abs(a) < 1e-5 ? side(b, l, u) : a > 0);
  for (let b = 0; b < B; b++) {
    const p = texelOf(s, b, STEP), x = new Array<number>(I).fill(0);
    const tp = gridConsts(s).map(({ g }) => taps(s, p, g.lw, g.lh));
    gridConsts(s).forEach(({ f0, off, g }, k) => {
      const q = (1 << g.bits) - 1;
      for (let f = 0; f < g.features; f++) for (let t = 0; t < 4; t++) {
        const j = off + tp[k]!.i[t]! * g.features + f;
        let l = P[L.mlp + j]!;
        if (qat === QAT_NOISE) l += qnoise(j, STEP) / q;
        else if (qat === QAT_STE) l = roundEven(Math.fround(l * q)) / q;
        if (g.concat) x[f0 + t * g.features + f] = l; else x[f0 + f] += tp[k]!.w[t]! * l;
      }
    });
    const tx = (p % s.width) + 0.5, ty = Math.floor(p / s.width) + 0.5;
    const posIn = s.position === 'p2' ? [tri((tx - 0.5) / 2), tri((ty - 0.5) / 2)]
      : s.position === 'p4' ? [tri((tx - 0.5) / 4), tri((ty - 0.5) / 4), tri((tx - 0.5) / 4 + 0.25), tri((ty - 0.5) / 4 + 0.25)]
        : [tx / s.width, ty / s.height];
    posIn.forEach((v, k) => { x[F + k] = v; });
    // Training centres the decoder's inputs on 0 (kernels.ts INPUT_CENTRE).
    for (let i = 0; i < I; i++) x[i]! -= 0.5;
    const dense = (w: number, bias: number, nin: number, nout: number, v: number[]) => Array.from({ length: nout }, (_, o) => v.reduce((a, vi, i) => a + P[w + o * nin + i]! * vi, P[bias + o]!));
    const a1 = dense(L.w[0]!, L.b[0]!, I, H, x), h1 = a1.map(lrelu), a2 = dense(L.w[1]!, L.b[1]!, H, H, h1), h2 = a2.map(lrelu);
    const y = dense(L.w[2]!, L.b[2]!, H, C, h2);
    const d3 = y.map((v, c) => { const e = v - TGT[p * C + c]!; LOSS[b * C + c] = e * e; return 2 * (s.lossWeight ?? 1) * CW[c]! * e; });
    const back = (w: number, nin: number, nout: number, d: number[]) => Array.from({ length: nin }, (_, i) => d.reduce((a, dv, o) => a + P[w + o * nin + i]! * dv, 0));
    const d2 = back(L.w[2]!, H, C, d3).map((g, i) => g * (pos(b, 2, i, a2[i]!) ? 1 : ALPHA));
    const d1 = back(L.w[1]!, H, H, d2).map((g, i) => g * (pos(b, 1, i, a1[i]!) ? 1 : ALPHA));
    const gx = back(L.w[0]!, I, H, d1);
    A.set([...x, ...h1, ...h2], b * ACT); D.set([...d1, ...d2, ...d3], b * DEL);
    gridConsts(s).forEach(({ f0, off, g }, k) => {
      for (let f = 0; f < g.features; f++) for (let t = 0; t < 4; t++) {
        const j = off + tp[k]!.i[t]! * g.features + f, v = GRAD_FIXED * (g.concat ? gx[f0 + t * g.features + f]! : gx[f0 + f]! * tp[k]!.w[t]!);
        GL[j] += v; count[j]++; mag[j] += Math.abs(v);
      }
    });
  }
  return { A, D, LOSS, GL, count, mag };
}

describe('material training: forward + backward', () => {
  it('generates the tiled kernel it did (15 inputs, hidden 32, 6 outputs, tile 64)', async () => {
    await expect(fwdBwdTiledWgsl(CASES[0]!.s, 64)).toMatchFileSnapshot('__snapshots__/material-fwd-bwd-tiled.wgsl');
  });

  it('generates the fused-gradient tiled kernel it did (15 inputs, hidden 32, 6 outputs, tile 64)', async () => {
    await expect(fwdBwdTiledWgsl(CASES[0]!.s, 64, { fusedGrad: true })).toMatchFileSnapshot('__snapshots__/material-fwd-bwd-tiled-fused.wgsl');
  });

  it('fused: d3 takes W1\'s place where it fits (no more workgroup memory at hidden 32), else adds what it lacks', () => {
    const s = CASES[0]!.s, fused = { fusedGrad: true };
    expect(FWD_BWD_TILES.map((tb) => fwdBwdTiledBytes(s, tb, fused))).toEqual([49152, 28672, 18432, 13312]);
    // Hidden 8, 6 outputs: W1 is 16 vec4s, d3 at tile 128 is 6 rows of 33.
    const n = { ...s, hidden: 8 };
    expect(fwdBwdTiledBytes(n, 128, fused) - fwdBwdTiledBytes(n, 128)).toBe(16 * (6 * 33 - 16));
    const lim = { maxComputeWorkgroupStorageSize: fwdBwdTiledBytes(n, 128), maxComputeInvocationsPerWorkgroup: 256 };
    expect([fwdBwdTile(n, lim), fwdBwdTile(n, lim, fused)]).toEqual([128, 64]);
  });

  it('picks the largest tile whose workgroup memory fits, none for a wide decoder', () => {
    const s = CASES[0]!.s, lim = (bytes: number, inv = 256) => ({ maxComputeWorkgroupStorageSize: bytes, maxComputeInvocationsPerWorkgroup: inv });
    expect(FWD_BWD_TILES.map((tb) => fwdBwdTiledBytes(s, tb))).toEqual([49152, 28672, 18432, 13312]);
    expect([fwdBwdTile(s, lim(49152)), fwdBwdTile(s, lim(49151)), fwdBwdTile(s, lim(32768)), fwdBwdTile(s, lim(16384)), fwdBwdTile(s, lim(49152, 32))]).toEqual([128, 64, 64, 16, 32]);
    expect(fwdBwdTile({ ...s, hidden: 256 }, lim(49152))).toBeNull();
    expect(fwdBwdTiledGroups(s, 64)).toBe(5);
  });

  CASES.forEach(({ name, s, qat }, ci) => {
    it(`${name} (seed ${testSeed()})`, async () => {
      const device = await testDevice(), r = rng(testSeed());
      const L = paramLayout(s), [I, H, , C] = layerSizes(s) as [number, number, number, number], ACT = I + 2 * H, DEL = 2 * H + C, B = s.batch;
      const P = Float32Array.from({ length: L.mlp + L.latents }, (_, i) => (i < L.mlp ? r() - 0.5 : r()));
      const TGT = Float32Array.from({ length: s.width * s.height * C }, () => r()), CW = Float32Array.from({ length: C }, () => 0.5 + r());
      // Rows past the batch (a tile's worth) hold a sentinel the kernels must leave.
      const SENT = 1234.5, extra = 64;
      const run = async (code: string, groups: number): Promise<Outputs> => {
        const buf = (data: Float32Array | Uint32Array | number) => trainerBuffer(device, 'fwd-bwd test', data);
        const bs = [buf(P), buf(TGT), buf(new Uint32Array([STEP, 0, qat, 0])), buf(new Float32Array((B + extra) * ACT).fill(SENT)), buf(new Float32Array((B + extra) * DEL).fill(SENT)),
          buf(new Float32Array((B + extra) * C).fill(SENT)), buf(L.latents * 4), buf(CW)];
        const out = await scoped(device, async () => {
          const p = device.createComputePipeline({ label: 'fwd-bwd test', layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
          const enc = device.createCommandEncoder(), pass = enc.beginComputePass();
          pass.setPipeline(p);
          pass.setBindGroup(0, device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: bs.map((b, i) => ({ binding: i, resource: { buffer: b } })) }));
          pass.dispatchWorkgroups(groups);
          pass.end();
          device.queue.submit([enc.finish()]);
          const [A, D, LOSS, GL] = await Promise.all([[3, ACT], [4, DEL], [5, C], [6, 0]].map(([i, n]) => readFloats(device, bs[i!]!, n ? (B + extra) * n * 4 : L.latents * 4)));
          return { A: A!, D: D!, LOSS: LOSS!, GL: new Float32Array(Int32Array.from(new Int32Array(GL!.buffer))) };
        });
        bs.forEach((b) => b.destroy());
        return out;
      };
      const limits = device.limits, tiles = FWD_BWD_TILES.filter((tb) => fwdBwdTiledBytes(s, tb) <= limits.maxComputeWorkgroupStorageSize);
      expect(tiles.length, 'a tile that fits').toBeGreaterThan(0);
      const tile = tiles[ci % tiles.length]!;
      const kernels: [string, Outputs][] = [['per-texel', await run(fwdBwdWgsl(s), Math.ceil(B / 64))], [`tiled ${tile}`, await run(fwdBwdTiledWgsl(s, tile), fwdBwdTiledGroups(s, tile))]];
      // Fused weight gradient: LOSS, GL and G = Σ of the workgroups' parts.
      const runFused = async (tb: number) => {
        const buf = (data: Float32Array | Uint32Array | number) => trainerBuffer(device, 'fwd-bwd fused test', data);
        const groups = fwdBwdTiledGroups(s, tb);
        const bs = { P: buf(P), TGT: buf(TGT), S: buf(new Uint32Array([STEP, 0, qat, 0])), PART: buf(new Float32Array(groups * L.mlp).fill(SENT)), LOSS: buf(new Float32Array((B + extra) * C).fill(SENT)), GL: buf(L.latents * 4), CW: buf(CW), G: buf(L.mlp * 4) };
        const out = await scoped(device, async () => {
          const enc = device.createCommandEncoder();
          const dispatch = (code: string, entries: (GPUBuffer | null)[], n: number) => {
            const p = device.createComputePipeline({ label: 'fwd-bwd fused test', layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
            const pass = enc.beginComputePass();
            pass.setPipeline(p);
            pass.setBindGroup(0, device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: entries.flatMap((b, i) => (b ? [{ binding: i, resource: { buffer: b } }] : [])) }));
            pass.dispatchWorkgroups(n);
            pass.end();
          };
          dispatch(fwdBwdTiledWgsl(s, tb, { fusedGrad: true }), [bs.P, bs.TGT, bs.S, bs.PART, null, bs.LOSS, bs.GL, bs.CW], groups);
          dispatch(gradSumWgsl(s, groups), [bs.PART, bs.G, bs.S], Math.ceil(L.mlp / 64));
          device.queue.submit([enc.finish()]);
          const [LOSS, GL, G] = await Promise.all([readFloats(device, bs.LOSS, (B + extra) * C * 4), readFloats(device, bs.GL, L.latents * 4), readFloats(device, bs.G, L.mlp * 4)]);
          return { LOSS: LOSS!, GL: new Float32Array(Int32Array.from(new Int32Array(GL!.buffer))), G: G! };
        });
        Object.values(bs).forEach((b) => b.destroy());
        return out;
      };
      const fusedTiles = FWD_BWD_TILES.filter((tb) => fwdBwdTiledBytes(s, tb, { fusedGrad: true }) <= limits.maxComputeWorkgroupStorageSize);
      expect(fusedTiles.length, 'a fused tile that fits').toBeGreaterThan(0);
      {
        // One tile on from the plain one, so that a case runs two tiles where more than one fits.
        const tb = fusedTiles[(ci + 1) % fusedTiles.length]!;
        // The fused kernel writes no A rows: the per-texel kernel's say which side of 0 each activation lies on.
        const got = await runFused(tb), texel = kernels[0]![1];
        const want = reference(s, P, TGT, CW, qat, (b, l, u) => texel.A[b * ACT + I + (l - 1) * H + u]! > 0);
        // Layer l: inputs at activation offset a, deltas at delta offset d (x·h1·h2 and d1·d2·d3 a row); each sum
        // within 1e-3 of the sum of its terms' magnitudes (the deltas themselves agree to 1e-3).
        const G = new Float64Array(L.mlp), mag = new Float64Array(L.mlp);
        ([[I, H, 0, 0], [H, H, I, H], [H, C, I + H, 2 * H]] as const).forEach(([nin, nout, a, d], l) => {
          for (let b = 0; b < B; b++) for (let o = 0; o < nout; o++) {
            const dv = want.D[b * DEL + d + o]!;
            G[L.b[l]! + o] += dv; mag[L.b[l]! + o] += Math.abs(dv);
            for (let i = 0; i < nin; i++) { const v = dv * want.A[b * ACT + a + i]!; G[L.w[l]! + o * nin + i] += v; mag[L.w[l]! + o * nin + i] += Math.abs(v); }
          }
        });
        expect(G.filter((v) => Math.abs(v) > 1e-2).length, 'weight gradients that are not all zero').toBeGreaterThan(L.mlp / 2);
        const bad = Array.from(got.G).findIndex((v, j) => !(Math.abs(v - G[j]!) <= 1e-3 * mag[j]! + 1e-5));
        expect(bad < 0 ? null : `parameter ${bad}: got ${got.G[bad]}, want ${G[bad]} (Σ|terms| ${mag[bad]})`, `fused ${tb}: weight gradient`).toBeNull();
        expect(compareClose(got.LOSS.subarray(0, B * C), want.LOSS, 1e-3, 1e-5), `fused ${tb}: squared errors`).toBeNull();
        expect(got.LOSS.subarray(B * C).every((v) => v === SENT), `fused ${tb}: LOSS past the batch untouched`).toBe(true);
        const badL = Array.from(got.GL).findIndex((v, j) => Math.abs(v - want.GL[j]!) > 0.5 * want.count[j]! + 1 + 1e-4 * want.mag[j]!);
        expect(badL < 0 ? null : `latent ${badL}: got ${got.GL[badL]}, want ${want.GL[badL]}`, `fused ${tb}: latent gradients`).toBeNull();
      }
      for (const [what, got] of kernels) {
        const want = reference(s, P, TGT, CW, qat, (b, l, u) => got.A[b * ACT + I + (l - 1) * H + u]! > 0);
        expect(compareClose(got.A.subarray(0, B * ACT), want.A, 1e-4, 1e-4), `${what}: A rows`).toBeNull();
        expect(compareClose(got.D.subarray(0, B * DEL), want.D, 1e-3, 1e-4), `${what}: D rows`).toBeNull();
        expect(compareClose(got.LOSS.subarray(0, B * C), want.LOSS, 1e-3, 1e-5), `${what}: squared errors`).toBeNull();
        for (const [k, a] of [['A', got.A.subarray(B * ACT)], ['D', got.D.subarray(B * DEL)], ['LOSS', got.LOSS.subarray(B * C)]] as const) {
          expect(a.every((v) => v === SENT), `${what}: ${k} past the batch untouched`).toBe(true);
        }
        // Each contribution rounds to a fixed-point unit on its own; float32 sums within 1e-4 of their magnitudes.
        const bad = Array.from(got.GL).findIndex((v, j) => Math.abs(v - want.GL[j]!) > 0.5 * want.count[j]! + 1 + 1e-4 * want.mag[j]!);
        expect(bad < 0 ? null : `latent ${bad}: got ${got.GL[bad]}, want ${want.GL[bad]} (${want.count[bad]} taps)`, `${what}: latent gradients`).toBeNull();
        expect(want.GL.filter((v) => Math.abs(v) > 100).length, 'latent gradients that are not all zero').toBeGreaterThan(8);
      }
    });
  });
});
