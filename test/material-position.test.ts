/**
 * Issue 13, quality per bit: the decoder's position inputs (position.ts). `p2` tells a texel which side of a
 * half-resolution latent it lies on, `p4` where it lies under a quarter-resolution one. Checked here against
 * values written out by hand at texel centres and an independent formula between them: the training kernel's
 * forward pass, the CPU decode, the GPU decode at texels and through the sampler (trilinear between trained
 * mips, where the position mixes the two levels' phases as the latents mix), and the .wgmat round trip.
 */
import { describe, it, expect } from 'vitest';
import { positionCount, positionCpu, positionFor, positionWgsl, parsePosition, type PositionInput } from '../src/shaderml/material/position.js';
import { decodeWgmat, encodeWgmat, loadMaterial, WGMAT_VERSION } from '../src/shaderml/material/wgmat.js';
import { decoderInputs, type CompressedMaterial } from '../src/shaderml/material/train.js';
import { footprintBits, parseRung } from '../src/shaderml/material/search.js';
import type { TextureTarget } from '../src/shaderml/material/textures.js';
import { makeTrainer } from '../src/shaderml/material/trainer.js';
import { paramLayout, type TrainShape } from '../src/shaderml/material/kernels.js';
import { WeightFileError } from '../src/shaderml/errors.js';
import { ShaderMLP } from '../src/shaderml/mlp.js';
import { testDevice } from './helpers/gpu.js';
import { decodeMaterialAt } from './helpers/material-decode.js';
import { compareClose, rng, testSeed } from './helpers/random.js';

/** At texel i's centre, per axis: p2 is the parity; p4 the pair of quadrature waves (period 4 texels). */
const AT_CENTRE: Record<'p2' | 'p4', (i: number) => number[]> = {
  p2: (i) => [i % 2],
  p4: (i) => [[0, 0.5], [0.5, 1], [1, 0.5], [0.5, 0]][i % 4]!,
};
/** Between centres: a triangle wave written as distance to the nearest integer (not position.ts's formula). */
const wave = (s: number) => 2 * Math.min(s - Math.floor(s), Math.ceil(s) - s);
function positionRef(p: PositionInput, tx: number, ty: number, w: number, h: number): number[] {
  if (p === 'uv') return [tx / w, ty / h];
  const waves = p === 'p2' ? [[2, 0]] : [[4, 0], [4, 0.25]];
  return waves.flatMap(([period, shift]) => [wave((tx - 0.5) / period! + shift!), wave((ty - 0.5) / period! + shift!)]);
}

const W = 16, H = 12;
const TEX: TextureTarget[] = [{ name: 'a', kind: 'color', channels: 4, alpha: true }, { name: 'b', kind: 'color', channels: 4, alpha: true }, { name: 'c', kind: 'color', channels: 3, alpha: false }];

/** A 16×12 material: grid 0 8×6 × 3 features (2-bit) with mips 4×3, 2×1, 1×1 when `mips`; an identity decoder. */
function material(seed: number, position: PositionInput, mips: boolean): CompressedMaterial {
  const r = rng(seed), codes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(r() * 4));
  const F = 3, I = F + positionCount(position);
  const decoder = ShaderMLP.fromLayers([I, I], [{ weight: Float32Array.from({ length: I * I }, (_, k) => (k % (I + 1) === 0 ? 1 : 0)), bias: new Float32Array(I) }], ['none']);
  const levels = mips ? [[4, 3], [2, 1], [1, 1]].map(([w, h]) => ({ lw: w!, lh: h!, latents: codes(w! * h! * F) })) : [];
  return { width: W, height: H, lw: 8, lh: 6, features: F, bits: 2, latents: codes(8 * 6 * F), decoder, position, ...(mips ? { mips: levels } : {}) };
}
const texTargets = (I: number): TextureTarget[] => (I === 5 ? [TEX[0]!, { ...TEX[2]!, channels: 1 }] : I === 7 ? [TEX[0]!, TEX[2]!] : TEX);

describe('decoder position inputs (uv, p2, p4)', () => {
  it('CPU values: hand-written at texel centres, the independent wave between them; counts and names', () => {
    for (const p of ['p2', 'p4'] as const) {
      for (let i = 0; i < 9; i++) for (const j of [0, 3, 6]) {
        const got = new Float32Array(positionCount(p));
        positionCpu(p, i + 0.5, j + 0.5, W, H, got, 0);
        const [ax, ay] = [AT_CENTRE[p](i), AT_CENTRE[p](j)];
        expect(Array.from(got), `${p} at (${i}, ${j})`).toEqual(ax.flatMap((v, k) => [v, ay[k]!]));
      }
      const r = rng(testSeed());
      for (let k = 0; k < 50; k++) {
        const tx = r() * 40 - 4, ty = r() * 40 - 4, got = new Float32Array(positionCount(p));
        positionCpu(p, tx, ty, W, H, got, 0);
        expect(compareClose(got, positionRef(p, tx, ty, W, H), 1e-6, 1e-6)).toBeNull();
      }
    }
    const uv = [0, 0];
    positionCpu('uv', 3.5, 6, W, H, uv, 0);
    expect(uv).toEqual([3.5 / W, 0.5]);
    expect([positionCount('uv'), positionCount('p2'), positionCount('p4')]).toEqual([2, 2, 4]);
    expect(() => parsePosition('p3')).toThrow(/uv, p2, p4/);
    // A file names uv, p2 or p4; the command line may also say auto: p2, or p4 when the finest grid is at 1/4 or coarser.
    expect(() => parsePosition('auto')).toThrow(RangeError);
    expect(parsePosition('auto', true)).toBe('auto');
    expect(['s1f1b2+s2f4b4+s4f4b2', 's2f5b4', 's4f16b2', 's8f16b2'].map((n) => positionFor(parseRung(n).grids))).toEqual(['p2', 'p2', 'p4', 'p4']);
    expect(positionFor(parseRung('s4f16b2').grids, 'uv')).toBe('uv');
    // auto's footprint counts what it resolves to.
    expect(footprintBits(parseRung('s4f16b2'), 64, 64, 8, 'auto')).toBe(footprintBits(parseRung('s4f16b2'), 64, 64, 8, 'p4'));
    // The decoder's two extra inputs are in the footprint (f16 weights of 32 hidden units each).
    const r = parseRung('s1f1b2+s2f4b4');
    expect((footprintBits(r, 64, 64, 8, 'p4') - footprintBits(r, 64, 64, 8, 'uv')) * 64 * 64).toBeCloseTo(2 * 32 * 16, 6);
    expect(footprintBits(r, 64, 64, 8, 'p2')).toBe(footprintBits(r, 64, 64, 8, 'uv'));
    // WGSL takes a start that is a number or an expression.
    expect(positionWgsl('p2', 'F', 't', 's')).toMatch(/x\[F \+ 0u\].*x\[F \+ 1u\]/);
  });

  it(`the training kernel's forward reads p2 / p4 at each texel as the hand-written values (seed ${testSeed()})`, async () => {
    const device = await testDevice();
    for (const position of ['p2', 'p4'] as const) {
      const r = rng(testSeed() + (position === 'p4' ? 1 : 0)), Wt = 8, Ht = 8, C = 2, n = positionCount(position), I = 4 + n;
      const s: TrainShape = { width: Wt, height: Ht, channels: C, grids: [{ lw: 2, lh: 2, features: 4, bits: 8 }], hidden: 8, position, batch: Wt * Ht, alpha: 0.01 };
      const L = paramLayout(s), P = Float32Array.from({ length: L.mlp + L.latents }, (_, i) => (i < L.mlp ? r() - 0.5 : r()));
      expect(L.w[1]! - L.b[0]!, 'hidden bias after the first layer').toBe(8);
      expect(L.b[0]).toBe(I * 8);
      const tgt = Float32Array.from({ length: Wt * Ht * C }, () => r());
      const mlp = ShaderMLP.fromLayers([I, 8, 8, C], [0, 1, 2].map((l) => ({ weight: P.slice(L.w[l], L.b[l]), bias: P.slice(L.b[l], l < 2 ? L.w[l + 1] : L.mlp) })), ['leaky_relu', 'leaky_relu', 'none'], [0.01, 0.01, 0]);
      const x = new Float32Array(Wt * Ht * I), lat = P.slice(L.mlp);
      for (let p = 0; p < Wt * Ht; p++) {
        const px = p % Wt, py = Math.floor(p / Wt);
        const lx = (px + 0.5) / 4 - 0.5, ly = (py + 0.5) / 4 - 0.5, fx = Math.floor(lx), fy = Math.floor(ly), ax = lx - fx, ay = ly - fy;
        const cl = (v: number) => Math.min(1, Math.max(0, v));
        const taps = [[cl(fy) * 2 + cl(fx), (1 - ax) * (1 - ay)], [cl(fy) * 2 + cl(fx + 1), ax * (1 - ay)], [cl(fy + 1) * 2 + cl(fx), (1 - ax) * ay], [cl(fy + 1) * 2 + cl(fx + 1), ax * ay]];
        for (let f = 0; f < 4; f++) x[p * I + f] = taps.reduce((a, [i, w]) => a + w! * lat[i! * 4 + f]!, 0);
        const [qx, qy] = [AT_CENTRE[position](px), AT_CENTRE[position](py)];
        qx.forEach((v, k) => { x[p * I + 4 + 2 * k] = v; x[p * I + 5 + 2 * k] = qy[k]!; });
      }
      // Training centres the decoder's inputs on 0 (kernels.ts INPUT_CENTRE).
      const y = mlp.forward(x.map((v) => v - 0.5)), mse = new Float64Array(C);
      for (let i = 0; i < y.length; i++) mse[i % C] += (y[i]! - tgt[i]!) ** 2 / (Wt * Ht);
      const tr = await makeTrainer(device, [s], P, [tgt]);
      let got: number[] = [];
      await tr.run('train', 1, 0, 0, { qat: false, onChunk: (_, m) => { got = Array.from(m); } });
      tr.destroy();
      expect(compareClose(got, Array.from(mse), 1e-4, 1e-7), position).toBeNull();
    }
  });

  it(`GPU decode: at texels as the CPU decode and the hand-written values; through the sampler, each level's phase mixed like its latents (seed ${testSeed()})`, async () => {
    const device = await testDevice();
    for (const [position, mips] of [['p2', false], ['p4', true], ['p4', false]] as const) {
      const c = material(testSeed(), position, mips), n = positionCount(position), I = 3 + n;
      const file = encodeWgmat(c, texTargets(I));
      const m = loadMaterial(device, file);
      // At texels: the CPU decoder inputs, whose position columns are the hand-written values.
      const te = await decodeMaterialAt(device, m, null), ref = decoderInputs(c, 0);
      expect(compareClose(te, ref, 1e-6, 1e-6), `${position} at texels`).toBeNull();
      for (let p = 0; p < W * H; p++) {
        const [qx, qy] = [AT_CENTRE[position](p % W), AT_CENTRE[position](Math.floor(p / W))];
        expect(Array.from(ref.subarray(p * I + 3, p * I + I))).toEqual(qx.flatMap((v, k) => [v, qy[k]!]));
      }
      // Through the sampler at uv, lod: the position of the two levels around lod (in their own texels), mixed.
      const r = rng(testSeed() + 2), levels = mips ? 4 : 1;
      const probes = Array.from({ length: 96 }, (_, i) => [r() * 1.1 - 0.05, r(), i < 8 ? i - 1 : r() * 4.5 - 0.5]).flat();
      const ue = await decodeMaterialAt(device, m, probes);
      for (let i = 0; i < 96; i++) {
        const u = Math.min(1, Math.max(0, probes[i * 3]!)), v = probes[i * 3 + 1]!, lod = Math.min(levels - 1, Math.max(0, probes[i * 3 + 2]!));
        const l0 = Math.floor(lod), fr = lod - l0, l1 = Math.min(levels - 1, l0 + 1);
        const at = (l: number) => { const w = Math.max(1, W >> l), h = Math.max(1, H >> l); return positionRef(position, u * w, v * h, w, h); };
        const want = at(l0).map((a, k) => a * (1 - fr) + at(l1)[k]! * fr);
        expect(compareClose(ue.subarray(i * I + 3, i * I + I), want, 1e-5, 1e-5), `${position}${mips ? ' mips' : ''} at uv ${u.toFixed(3)}, ${v.toFixed(3)}, lod ${lod.toFixed(2)}`).toBeNull();
      }
      m.latentTextures.forEach((t) => t.destroy());
    }
  });

  it('.wgmat: version 3 names the position (4 adds concatenated taps), uv files stay version 2; a wrong count or an unknown position is a typed error', () => {
    const c = material(5, 'p4', false), file = encodeWgmat(c, TEX.slice(0, 2).map((t, k) => ({ ...t, channels: k ? 3 : 4 })));
    const { manifest, material: back } = decodeWgmat(file);
    expect([manifest.version, manifest.decoder.position, back.position]).toEqual([3, 'p4', 'p4']);
    expect(WGMAT_VERSION).toBe(4);
    const uv = decodeWgmat(encodeWgmat(material(5, 'uv', false), [TEX[0]!, { ...TEX[2]!, channels: 1 }]));
    expect([uv.manifest.version, uv.manifest.decoder.position, uv.material.position]).toEqual([2, undefined, undefined]);
    // The manifest edited to claim p2 (2 inputs) for a decoder of 3 + 4: the count does not match.
    const edit = (from: string, to: string) => {
      const text = new TextDecoder().decode(file.subarray(12, 12 + new DataView(file.buffer).getUint32(8, true)));
      expect(text).toContain(from);
      const out = file.slice();
      out.set(new TextEncoder().encode(text.replace(from, to)), 12);
      return out;
    };
    expect(() => decodeWgmat(edit('"position":"p4"', '"position":"p2"'))).toThrow(/7 inputs.*3 features \+ 2 position inputs \(p2\)/);
    expect(() => decodeWgmat(edit('"position":"p4"', '"position":"q4"'))).toThrow(WeightFileError);
    expect(() => decodeWgmat(edit('"position":"p4"', '"position":"q4"'))).toThrow(/position "q4"/);
  });
});
