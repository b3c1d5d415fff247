/**
 * Issue 13, quality per bit: a latent grid whose four taps the decoder reads side by side (`concat`, NTC's
 * high-resolution grid) instead of their bilinear blend. The references here are written out by hand: the four
 * clamped taps around a texel's latent coordinates, tap-major, then a blended coarse grid and the position; the
 * training kernel's forward and its latent gradients against a float64 forward and central differences.
 */
import { describe, it, expect } from 'vitest';
import { decodeWgmat, encodeWgmat, loadMaterial, materialWgsl } from '../src/shaderml/material/wgmat.js';
import { flattenWgsl } from '../src/gpu/wgsl.js';
import { compressMaterial, decodeMaterialCpu, decoderInputs, type CompressedMaterial } from '../src/shaderml/material/train.js';
import { footprint } from '../src/shaderml/material/report.js';
import { footprintBits, parseRung, rungName } from '../src/shaderml/material/search.js';
import type { TextureTarget } from '../src/shaderml/material/textures.js';
import { makeTrainer } from '../src/shaderml/material/trainer.js';
import { paramLayout, type TrainShape } from '../src/shaderml/material/kernels.js';
import { WeightFileError } from '../src/shaderml/errors.js';
import { ShaderMLP } from '../src/shaderml/mlp.js';
import { testDevice } from './helpers/gpu.js';
import { decodeMaterialAt } from './helpers/material-decode.js';
import { compareClose, rng, testSeed } from './helpers/random.js';

// 16×12 material: grid 0 at half resolution (8×6), 3 features of 4 bits, taps concatenated (12 inputs); a blended 3×2
// grid of 2 features of 2 bits; p2 position. 16 decoder inputs, an identity decoder.
const W = 16, H = 12, F0 = 3, FC = 2, I = 4 * F0 + FC + 2;
const TEX: TextureTarget[] = [0, 1, 2, 3].map((k) => ({ name: `t${k}`, kind: 'color' as const, channels: 4, alpha: true }));
const cl = (v: number, n: number) => Math.min(n - 1, Math.max(0, v));
const wave = (s: number) => 2 * Math.min(s - Math.floor(s), Math.ceil(s) - s);

function material(seed: number): CompressedMaterial {
  const r = rng(seed), codes = (n: number, bits: number) => Uint8Array.from({ length: n }, () => Math.floor(r() * (1 << bits)));
  const decoder = ShaderMLP.fromLayers([I, I], [{ weight: Float32Array.from({ length: I * I }, (_, k) => (k % (I + 1) === 0 ? 1 : 0)), bias: new Float32Array(I) }], ['none']);
  return { width: W, height: H, lw: 8, lh: 6, features: F0, bits: 4, concat: true, latents: codes(8 * 6 * F0, 4), coarse: [{ lw: 3, lh: 2, features: FC, bits: 2, latents: codes(3 * 2 * FC, 2) }], decoder, position: 'p2' };
}

/** Decoder inputs at point (tx, ty) in texels (a texel centre is i + ½), written out. */
function inputsAt(c: CompressedMaterial, tx: number, ty: number): number[] {
  const cell = (n: number, h: number) => {
    const lx = (tx * n) / W - 0.5, ly = (ty * h) / H - 0.5, fx = Math.floor(lx), fy = Math.floor(ly);
    return { at: [[fx, fy], [fx + 1, fy], [fx, fy + 1], [fx + 1, fy + 1]].map(([x, y]) => cl(y!, h) * n + cl(x!, n)), ax: lx - fx, ay: ly - fy };
  };
  const g = cell(c.lw, c.lh), out: number[] = [];
  for (const i of g.at) for (let f = 0; f < F0; f++) out.push(c.latents[i * F0 + f]! / 15);
  const k = c.coarse![0]!, b = cell(k.lw, k.lh), w = [(1 - b.ax) * (1 - b.ay), b.ax * (1 - b.ay), (1 - b.ax) * b.ay, b.ax * b.ay];
  for (let f = 0; f < FC; f++) out.push(b.at.reduce((a, i, t) => a + (w[t]! * k.latents[i * FC + f]!) / 3, 0));
  out.push(wave((tx - 0.5) / 2), wave((ty - 0.5) / 2));
  return out;
}
const worst = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

describe('concatenated latent taps', () => {
  it(`CPU and GPU decode (expanded and packed; at texels and at uv) read the four taps side by side (seed ${testSeed()})`, async () => {
    const device = await testDevice();
    const c = material(testSeed()), ref = Array.from({ length: W * H }, (_, p) => inputsAt(c, (p % W) + 0.5, Math.floor(p / W) + 0.5)).flat();
    expect(worst(decoderInputs(c), ref), 'CPU decoderInputs').toBeLessThan(1e-6);
    const file = encodeWgmat(c, TEX);
    const ex = loadMaterial(device, file), pk = loadMaterial(device, file, { latents: 'packed' }), ba = loadMaterial(device, file, { latents: 'balanced' });
    expect(worst(await decodeMaterialAt(device, ex, null), ref), 'expanded at texels').toBeLessThan(1e-6);
    expect(worst(await decodeMaterialAt(device, pk, null), ref), 'packed at texels').toBeLessThan(1e-6);
    expect(worst(await decodeMaterialAt(device, ba, null), ref), 'balanced at texels').toBeLessThan(1e-6);
    // At uv (any lod: a concatenated grid has level 0 only): the taps of the cell around the point, unfiltered; the
    // blended grid through the sampler (fixed-point weights: within 3/256, material-latents.test.ts), the position exact.
    const r = rng(testSeed() + 1);
    const probes = Array.from({ length: 96 }, () => [r(), r(), r() * 3 - 0.5]).flat();
    const want = Array.from({ length: 96 }, (_, i) => inputsAt(c, probes[3 * i]! * W, probes[3 * i + 1]! * H)).flat();
    for (const [what, m] of [['expanded', ex], ['packed', pk], ['balanced', ba]] as const) {
      const got = await decodeMaterialAt(device, m, probes);
      const part = (a: ArrayLike<number>, lo: number, hi: number) => Array.from(a).filter((_, k) => k % I >= lo && k % I < hi);
      expect(worst(part(got, 0, 4 * F0), part(want, 0, 4 * F0)), `${what}: concatenated taps at uv`).toBeLessThan(1e-6);
      expect(worst(part(got, 4 * F0, 4 * F0 + FC), part(want, 4 * F0, 4 * F0 + FC)), `${what}: blended grid at uv`).toBeLessThanOrEqual(3 / 256);
      expect(worst(part(got, 4 * F0 + FC, I), part(want, 4 * F0 + FC, I)), `${what}: position at uv`).toBeLessThan(1e-5);
    }
    [...ex.latentTextures, ...pk.latentTextures, ...ba.latentTextures].forEach((t) => t.destroy());
  });

  it(`the 8-, 8.5- and 9-bit layouts of many-output materials (s1f3b2+s2f{2,3}b4c, +s4f4b2): three 2-bit features at full resolution beside concatenated taps decode on the GPU as written out (seed ${testSeed()})`, async () => {
    const device = await testDevice();
    // [half-resolution features, grid 0's features, its bits]: s1f3b2 (6-bit texels straddle the words of a packed
    // row), and s1f1b4 (4-bit texels, a word holds eight) as the 20-bit default's finest grid; Q4: a blended
    // quarter-resolution grid of four 2-bit features beside them (the 8.5-bit layout, and the 20-bit default).
    for (const [FH, F0, B0, Q4] of [[2, 3, 2, 0], [3, 3, 2, 0], [2, 1, 4, 0], [2, 3, 2, 4], [2, 1, 4, 4]] as const) {
      // Grid 0 at full resolution (16×12), F0 features of B0 bits, blended (at a texel: the texel's codes, read once);
      // the half-resolution grid (8×6) of 4-bit codes read as four taps side by side; p2 position; an identity decoder.
      const Q0 = (1 << B0) - 1;
      const n = F0 + 4 * FH + Q4 + 2, r = rng(testSeed() + 10 + FH + F0 + Q4), codes = (k: number, bits: number) => Uint8Array.from({ length: k }, () => Math.floor(r() * (1 << bits)));
      const decoder = ShaderMLP.fromLayers([n, n], [{ weight: Float32Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0)), bias: new Float32Array(n) }], ['none']);
      const quarter = Q4 ? [{ lw: 4, lh: 3, features: Q4, bits: 2, latents: codes(4 * 3 * Q4, 2) }] : [];
      const c: CompressedMaterial = { width: W, height: H, lw: W, lh: H, features: F0, bits: B0, latents: codes(W * H * F0, B0), coarse: [{ lw: 8, lh: 6, features: FH, bits: 4, concat: true, latents: codes(8 * 6 * FH, 4) }, ...quarter], decoder, position: 'p2' };
      const tex: TextureTarget[] = [...Array.from({ length: Math.floor(n / 4) }, (_, k) => ({ name: `t${k}`, kind: 'color' as const, channels: 4, alpha: true })), ...Array.from({ length: n % 4 }, (_, k) => ({ name: `s${k}`, kind: 'scalar' as const, channels: 1, alpha: false }))];
      const ref = Array.from({ length: W * H }, (_, p) => {
        const x = p % W, y = Math.floor(p / W), hx = (x + 0.5) / 2 - 0.5, hy = (y + 0.5) / 2 - 0.5, fx = Math.floor(hx), fy = Math.floor(hy);
        const taps = [[fx, fy], [fx + 1, fy], [fx, fy + 1], [fx + 1, fy + 1]].flatMap(([tx, ty]) => Array.from({ length: FH }, (_, f) => c.coarse![0]!.latents[(cl(ty!, 6) * 8 + cl(tx!, 8)) * FH + f]! / 15));
        // The quarter-resolution grid, blended: bilinear weights between the four texels around the point, edges clamped.
        const qx = (x + 0.5) / 4 - 0.5, qy = (y + 0.5) / 4 - 0.5, gx = Math.floor(qx), gy = Math.floor(qy), ax = qx - gx, ay = qy - gy;
        const q = (tx: number, ty: number, f: number) => quarter[0]!.latents[(cl(ty, 3) * 4 + cl(tx, 4)) * Q4 + f]! / 3;
        const blended = Array.from({ length: Q4 }, (_, f) => (1 - ax) * (1 - ay) * q(gx, gy, f) + ax * (1 - ay) * q(gx + 1, gy, f) + (1 - ax) * ay * q(gx, gy + 1, f) + ax * ay * q(gx + 1, gy + 1, f));
        return [...Array.from({ length: F0 }, (_, f) => c.latents[p * F0 + f]! / Q0), ...taps, ...blended, wave(x / 2), wave(y / 2)];
      }).flat();
      expect(worst(decoderInputs(c), ref), `CPU decoderInputs, ${FH} half-resolution features`).toBeLessThan(1e-6);
      const file = encodeWgmat(c, tex);
      expect(decodeWgmat(file).manifest.latent.coarse![0]!.concat).toBe(true);
      for (const latents of ['expanded', 'packed', 'balanced'] as const) {
        const m = loadMaterial(device, file, { latents });
        // 'balanced': grid 0 packed (6 bits a texel as bits in rows: under the 32 bits of its rgba8 texel), grid 1 bytes.
        if (latents === 'balanced') expect(m.latentTextures.map((t) => t.format)).toEqual(['r32uint', FH === 2 ? 'rg8unorm' : 'rgba8unorm', ...(Q4 ? ['rgba8unorm'] : [])]);
        expect(worst(await decodeMaterialAt(device, m, null), ref), `${latents}, s1f${F0}b${B0}, ${FH} half-resolution features${Q4 ? ', a quarter-resolution grid' : ''}`).toBeLessThan(1e-6);
        // At a texel grid 0 is read at the texel alone (one load, or two where a packed texel straddles words).
        const code = flattenWgsl(materialWgsl(m, 'mat', 1, 0, device).module).code, texelFn = code.slice(code.indexOf('fn mat(p'), code.indexOf('return mat_mlp(x);'));
        expect([latents, texelFn.match(/textureLoad\(mat_lat0,|mat_g0_stream\(/g)?.length]).toEqual([latents, 1]);
        m.latentTextures.forEach((t) => t.destroy());
      }
      // GPU bits a texel, written out: grid 0 expanded is an rgba8 texel (32), packed 3 words of bits a 16-texel row
      // (12 rows × 12 bytes: 6); grid 1 (8×6) FH bytes a texel expanded, packed FH × 4 bits: one r8 texel, or rows of bits.
      const bits = (bytes: number) => (bytes * 8) / (W * H);
      if (F0 === 1 || Q4) continue;
      expect([footprint(c, 0, 'expanded').gpuBitsPerTexel, footprint(c, 0, 'packed').gpuBitsPerTexel, footprint(c, 0, 'balanced').gpuBitsPerTexel])
        .toEqual([bits(W * H * 4 + 48 * (FH === 2 ? 2 : 4)), bits(144 + 6 * Math.ceil((8 * FH * 4) / 32) * 4), bits(144 + 48 * (FH === 2 ? 2 : 4))]);
    }
  });

  it('.wgmat version 4 marks the grids, older shapes stay versions 2 and 3; names, footprints and refusals', () => {
    const c = material(testSeed() + 2), { manifest, material: back } = decodeWgmat(encodeWgmat(c, TEX));
    expect([manifest.version, manifest.latent.concat, manifest.latent.coarse![0]!.concat, back.concat, back.coarse![0]!.concat]).toEqual([4, true, undefined, true, undefined]);
    expect(decoderInputs(back)).toEqual(decoderInputs(c));
    const plain = { ...c, concat: undefined, decoder: ShaderMLP.random([F0 + FC + 2, 4], ['none'], 1) };
    expect(decodeWgmat(encodeWgmat(plain, [TEX[0]!])).manifest.version).toBe(3);
    // A decoder sized for blended taps does not load as concatenated ones: the input count is checked.
    expect(() => decodeWgmat(encodeWgmat({ ...plain, concat: true }, [TEX[0]!]))).toThrow(WeightFileError);
    const r = parseRung('s1f1b2+s2f4b4c');
    expect([r.grids[1]!.concat, r.grids[0]!.concat, rungName(r)]).toEqual([true, undefined, 's1f1b2+s2f4b4c']);
    expect(() => parseRung('s1f1b2c')).toThrow(/full-resolution/);
    // The decoder's first layer is 4× as wide for the grid: 12 more inputs than blended, 16 f16 bits each per hidden unit.
    const n = (s: string) => footprintBits(parseRung(s), 512, 512, 8) * 512 * 512;
    expect(n('s1f1b2+s2f4b4c') - n('s1f1b2+s2f4b4')).toBe(12 * 32 * 16);
  });

  it(`the training kernel: forward as a float64 decoder on the taps, latent gradients as central differences (seed ${testSeed()})`, async () => {
    const device = await testDevice();
    const r = rng(testSeed() + 3), Wt = 8, Ht = 6, C = 2, F = 2, Hd = 8, In = 4 * F + 2;
    const s: TrainShape = { width: Wt, height: Ht, channels: C, grids: [{ lw: 4, lh: 3, features: F, bits: 8, concat: true }], hidden: Hd, position: 'p2', batch: Wt * Ht, alpha: 0.01 };
    const L = paramLayout(s), P = Float32Array.from({ length: L.mlp + L.latents }, (_, i) => (i < L.mlp ? r() - 0.5 : 0.2 + 0.6 * r()));
    expect(L.b[0]).toBe(In * Hd);
    const tgt = Float32Array.from({ length: Wt * Ht * C }, () => r());
    const lrelu = (v: number) => (v > 0 ? v : 0.01 * v);
    const loss = (lat: ArrayLike<number>) => {
      let sum = 0;
      for (let p = 0; p < Wt * Ht; p++) {
        const px = p % Wt, py = Math.floor(p / Wt), lx = (px + 0.5) / 2 - 0.5, ly = (py + 0.5) / 2 - 0.5, fx = Math.floor(lx), fy = Math.floor(ly);
        const x: number[] = [];
        for (const [tx, ty] of [[fx, fy], [fx + 1, fy], [fx, fy + 1], [fx + 1, fy + 1]]) for (let f = 0; f < F; f++) x.push(lat[(cl(ty!, 3) * 4 + cl(tx!, 4)) * F + f]!);
        x.push(px % 2, py % 2);
        // Training centres the decoder's inputs on 0 (kernels.ts INPUT_CENTRE).
        let a: number[] = x.map((v) => v - 0.5);
        for (let l = 0; l < 3; l++) {
          const nin = a.length, nout = l < 2 ? Hd : C, w = L.w[l]!, b = L.b[l]!;
          a = Array.from({ length: nout }, (_, o) => { let v = P[b + o]!; for (let i = 0; i < nin; i++) v += P[w + o * nin + i]! * a[i]!; return l < 2 ? lrelu(v) : v; });
        }
        a.forEach((y, c) => { sum += (y - tgt[p * C + c]!) ** 2; });
      }
      return sum;
    };
    const lat0 = Array.from(P.subarray(L.mlp));
    const tr = await makeTrainer(device, [s], P, [tgt]);
    let mse: number[] = [];
    // One Adam step on the latents alone: its first step moves each latent by about the rate against its gradient's sign.
    await tr.run('train', 1, 0, 1e-3, { qat: false, onChunk: (_, m) => { mse = Array.from(m); } });
    const moved = Array.from((await tr.params()).subarray(L.mlp)).map((v, j) => v - lat0[j]!);
    tr.destroy();
    expect(compareClose([mse.reduce((a, v) => a + v, 0) * Wt * Ht], [loss(lat0)], 1e-4, 1e-6), 'forward loss').toBeNull();
    let checked = 0;
    lat0.forEach((_, j) => {
      const h = 1e-4, up = lat0.slice(), dn = lat0.slice();
      up[j] += h; dn[j] -= h;
      const g = (loss(up) - loss(dn)) / (2 * h);
      if (Math.abs(g) < 1e-2) return;
      checked++;
      expect(Math.sign(moved[j]!), `latent ${j}: gradient ${g.toFixed(4)}, moved ${moved[j]}`).toBe(-Math.sign(g));
      expect(Math.abs(moved[j]!)).toBeGreaterThan(5e-4);
    });
    expect(checked, 'latents with a clear gradient').toBeGreaterThan(L.latents / 2);
  });

  it(`compressMaterial trains a concatenated grid end to end: GPU and CPU decode agree, mips are refused (seed ${testSeed()})`, async () => {
    const device = await testDevice();
    const r = rng(testSeed() + 4), n = 16 * 16;
    const data = Float32Array.from({ length: n * 2 }, (_, i) => 0.5 + 0.4 * Math.sin((i >> 1) * 0.37 + (i & 1)) * (0.5 + 0.5 * r()));
    const m = { width: 16, height: 16, channels: 2, data, textures: [{ name: 'normal', kind: 'normal' as const, channels: 2, alpha: false }] };
    const c = await compressMaterial(device, m, { scale: 2, features: 2, bits: 4, concat: true, steps: 300, fineTuneSteps: 60, hidden: 16 });
    expect([c.concat, c.decoder.sizes[0]]).toEqual([true, 4 * 2 + 2]);
    const loaded = loadMaterial(device, encodeWgmat(c, m.textures));
    expect(compareClose(await decodeMaterialAt(device, loaded, null), decodeMaterialCpu(c), 1e-4, 1e-5)).toBeNull();
    loaded.latentTextures.forEach((t) => t.destroy());
    await expect(compressMaterial(device, m, { scale: 2, features: 2, bits: 4, concat: true, mips: {} })).rejects.toThrow(/blended latents only/);
  });
});
