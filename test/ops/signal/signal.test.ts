/**
 * DFT and STFT on the GPU beyond the backend tests' 10×10 cases: analytic spectra (a cosine's two
 * bins, an impulse's flat spectrum), inverse ∘ forward = identity, dft_length padding and truncation,
 * onesided output, opset 20's axis input, complex and batched framed signals, a window applied at
 * run time; and each kernel against its CPU reference. Refusals name the shape or value at fault.
 */
import { describe, it, expect } from 'vitest';
import { hostTensor, type HostTensor, type Node } from '../../../src/ir/types.js';
import { runNode } from '../../../src/runtime/single.js';
import { WgmlError } from '../../../src/errors.js';
import { testDevice } from '../../helpers/gpu.js';
import { rng, randn } from '../../helpers/random.js';
import { gpuMatchesRef, i, i64, node } from '../helpers.js';
import { groupsWgsl, planNode, runShared, sharedWgsl } from '../../helpers/declared.js';

const r = rng(17);
const f32 = (shape: number[], v: ArrayLike<number>) => hostTensor('float32', shape, v);
const run = async (op: string, ins: (HostTensor | null)[], attrs = {}, opset = 17, constants: number[] = []) =>
  (await runNode(await testDevice(), { ...node(op, ins.length, attrs), inputs: ins.map((t, k) => (t ? `x${k}` : '')) }, ins, { opset, constants }))[0]!;
const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-3) => {
  expect(got.length).toBe(want.length);
  for (let k = 0; k < want.length; k++) expect(Math.abs(got[k]! - want[k]!), `element ${k}`).toBeLessThan(tol);
};

describe('DFT', () => {
  it('a cosine of frequency 3 puts L/2 in bins 3 and L − 3; an impulse gives a flat spectrum', async () => {
    const L = 32;
    const x = f32([1, L, 1], Array.from({ length: L }, (_, n) => Math.cos((2 * Math.PI * 3 * n) / L)));
    const y = await run('DFT', [x], { axis: i(1) });
    const want = Array.from({ length: L * 2 }, (_, q) => (q % 2 === 0 && (q / 2 === 3 || q / 2 === L - 3) ? L / 2 : 0));
    close(y.data, want, 2e-4 * L);
    const imp = f32([1, 8, 1], [1, 0, 0, 0, 0, 0, 0, 0]);
    close((await run('DFT', [imp], { axis: i(1) })).data, Array.from({ length: 16 }, (_, q) => (q % 2 ? 0 : 1)), 1e-6);
  });

  it('twiddles are accurate to 1e-7 on any device: bin k of a delayed impulse is e^(−2πik/L) itself', async () => {
    // WGSL allows sin/cos 2^-11 off (SwiftShader is), so the kernel computes them itself (dft.ts, twiddle);
    // a prime length and a power of two put every octant and its edges under test
    for (const L of [997, 1024]) {
      const x = f32([1, L, 1], Array.from({ length: L }, (_, n) => (n === 1 ? 1 : 0)));
      const y = (await run('DFT', [x], { axis: i(1) })).data;
      let worst = 0;
      for (let k = 0; k < L; k++) {
        worst = Math.max(worst, Math.abs(y[2 * k]! - Math.cos((2 * Math.PI * k) / L)), Math.abs(y[2 * k + 1]! + Math.sin((2 * Math.PI * k) / L)));
      }
      expect(worst, `L = ${L}`).toBeLessThan(3e-7);
    }
  });

  it('inverse ∘ forward is the identity on a complex batch, along the middle axis', async () => {
    const x = f32([2, 24, 3, 2], randn(r, 2 * 24 * 3 * 2));
    const back = await run('DFT', [await run('DFT', [x], { axis: i(1) })], { axis: i(1), inverse: i(1) });
    close(back.data, x.data, 1e-4);
  });

  it('dft_length pads and truncates; onesided keeps ⌊L/2⌋ + 1 bins; kernels match the CPU reference', async () => {
    const x = f32([3, 20, 1], randn(r, 60));
    for (const L of [13, 20, 32]) {
      for (const onesided of [0, 1]) {
        const [y] = await gpuMatchesRef(node('DFT', 2, { axis: i(1), onesided: i(onesided) }), [x, i64([], [L])], { constants: [1], rtol: 1e-3, atol: 1e-4 });
        expect(y!.shape).toEqual([3, onesided ? Math.floor(L / 2) + 1 : L, 2]);
      }
    }
  });

  it('opset 20 takes the axis as an input, negative counting the complex dim', async () => {
    const x = f32([4, 6, 1], randn(r, 24));
    const a17 = await run('DFT', [x], { axis: i(1) }, 17);
    const a20 = await run('DFT', [x, null, i64([], [-2])], {}, 20, [2]);
    close(a20.data, a17.data, 1e-5);
    const first = await run('DFT', [x, null, i64([], [0])], {}, 20, [2]);
    expect(first.shape).toEqual([4, 6, 2]);
    await gpuMatchesRef(node('DFT', 3, {}, 1, ['x0', '', 'x2']), [x, null, i64([], [0])], { opset: 20, constants: [2], rtol: 1e-3, atol: 1e-4 });
  });

  it('refuses the complex dim as axis, onesided complex input and a trailing dim other than 1 or 2', async () => {
    const refuse = async (ins: (HostTensor | null)[], attrs: object, re: RegExp, opset = 17, constants: number[] = []) => {
      const e = await run('DFT', ins, attrs, opset, constants).then(() => null, (err: Error) => err);
      expect(e).toBeInstanceOf(WgmlError);
      expect(e!.message).toMatch(re);
    };
    await refuse([f32([2, 4, 2], randn(r, 16))], { axis: i(2) }, /real\/imaginary/);
    await refuse([f32([2, 4, 2], randn(r, 16))], { axis: i(1), onesided: i(1) }, /onesided/);
    await refuse([f32([2, 4, 3], randn(r, 24))], { axis: i(1) }, /\[2, 4, 3\]/);
  });
});

describe('STFT', () => {
  it('a cosine at bin 4 of a 32-sample frame shows in bin 4 of every frame, windowed or not', async () => {
    const L = 32, len = 200, step = 12;
    const x = f32([1, len, 1], Array.from({ length: len }, (_, n) => Math.cos((2 * Math.PI * 4 * n) / L)));
    const y = await run('STFT', [x, i64([], [step]), null, i64([], [L])], {}, 17, [1, 3]);
    const frames = 1 + Math.floor((len - L) / step);
    expect(y.shape).toEqual([1, frames, L / 2 + 1, 2]);
    for (let f = 0; f < frames; f++) {
      const mag = (k: number) => Math.hypot(y.data[((f * (L / 2 + 1)) + k) * 2]!, y.data[((f * (L / 2 + 1)) + k) * 2 + 1]!);
      expect(mag(4)).toBeCloseTo(L / 2, 2);
      for (const k of [0, 2, 7, 16]) expect(mag(k)).toBeLessThan(1e-3 * L);
    }
  });

  it('batched real and complex signals, windows given at run time, onesided or not: kernels match the CPU reference', async () => {
    const win = f32([24], Array.from({ length: 24 }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / 24)));
    for (const [cs, onesided] of [[1, 1], [1, 0], [2, 0]] as const) {
      const x = f32([2, 100, cs], randn(r, 200 * cs));
      await gpuMatchesRef(node('STFT', 3, { onesided: i(onesided) }), [x, i64([], [10]), win], { constants: [1], rtol: 1e-3, atol: 1e-4 });
      await gpuMatchesRef(node('STFT', 4, { onesided: i(onesided) }, 1, ['x0', 'x1', '', 'x3']), [x, i64([], [7]), null, i64([], [20])], { constants: [1, 3], rtol: 1e-3, atol: 1e-4 });
    }
  });
});

describe('signal kernels, declared', () => {
  const x = f32([2, 40, 1], randn(r, 80));
  const win = f32([16], randn(r, 16));
  const stft = node('STFT', 4, {}, 1, ['x0', 'x1', 'x2', '']);
  it('generate their declarations in both binding modes', () => {
    const cases: [Node, (HostTensor | null)[]][] = [[node('DFT', 1, { axis: i(1) }), [x]], [stft, [x, i64([], [6]), win, null]]];
    for (const [n, ins] of cases) {
      const [k] = planNode(n, ins).kernels;
      expect(groupsWgsl(k!)).toMatchSnapshot();
      expect(sharedWgsl(k!)).toMatchSnapshot();
    }
  });

  it('compute the same under one shared bind group', async () => {
    const device = await testDevice();
    const dft = node('DFT', 1, { axis: i(1), inverse: i(1) });
    close((await runShared(device, dft, [x]))[0]!.data, (await run('DFT', [x], { axis: i(1), inverse: i(1) })).data, 1e-6);
    close((await runShared(device, stft, [x, i64([], [6]), win, null]))[0]!.data,
      (await run('STFT', [x, i64([], [6]), win], {}, 17, [1])).data, 1e-5);
  });
});
