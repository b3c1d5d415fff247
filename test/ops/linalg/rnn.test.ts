/** RNN (simple Elman cell): the GPU step kernels against the CPU reference on seeded random inputs. */
import { describe, it, expect } from 'vitest';
import { MAX_RNN_STEPS } from '../../../src/ops/linalg/rnn-kernel.js';
import { hostTensor, type HostTensor } from '../../../src/ir/types.js';
import { referenceNode, runNode } from '../../../src/runtime/single.js';
import { UnsupportedOpsError } from '../../../src/errors.js';
import { testDevice } from '../../helpers/gpu.js';
import { check, f, i, node, rand, s, seed, strs } from './util.js';

const O = { opset: 14, rtol: 1e-4, atol: 1e-5 };
const names = (ins: unknown[]) => ins.map((t, k) => (t ? `x${k}` : ''));

function rnnInputs(S: number, B: number, I: number, H: number, D: number, layout: number, opt: { b?: boolean; h0?: boolean }): (HostTensor | null)[] {
  return [
    rand(layout ? [B, S, I] : [S, B, I]), rand([D, H, I], 0.4), rand([D, H, H], 0.4),
    opt.b ? rand([D, 2 * H], 0.3) : null, null, opt.h0 ? rand(layout ? [B, D, H] : [D, B, H]) : null,
  ];
}

describe(`RNN (seed ${seed})`, () => {
  for (const direction of ['forward', 'reverse', 'bidirectional']) for (const layout of [0, 1]) {
    it(`${direction}, layout ${layout}, bias and initial_h`, async () => {
      const D = direction === 'bidirectional' ? 2 : 1;
      const ins = rnnInputs(5, 3, 4, 7, D, layout, { b: true, h0: true });
      await check(node('RNN', names(ins), { hidden_size: i(7), direction: s(direction), layout: i(layout) }, ['y', 'yh']), ins, O);
    });
  }

  it('CPU reference follows H_t = tanh(W·x_t + R·H_{t-1} + Wb + Rb) (hand-computed, H = I = 1)', () => {
    const x = hostTensor('float32', [2, 1, 1], [0.5, -1]), w = hostTensor('float32', [1, 1, 1], [2]), r = hostTensor('float32', [1, 1, 1], [-0.5]);
    const b = hostTensor('float32', [1, 2], [0.1, 0.2]);
    const [y, yh] = referenceNode(node('RNN', ['x', 'w', 'r', 'b'], { hidden_size: i(1) }, ['y', 'yh']), [x, w, r, b], 14);
    const h1 = Math.tanh(2 * 0.5 + 0.3), h2 = Math.tanh(2 * -1 - 0.5 * h1 + 0.3);
    expect(y!.data[0]).toBeCloseTo(h1, 6);
    expect(y!.data[1]).toBeCloseTo(h2, 6);
    expect(yh!.data[0]).toBeCloseTo(h2, 6);
  });

  it('Relu / Sigmoid, a different activation per direction, clip', async () => {
    let ins = rnnInputs(4, 2, 5, 6, 1, 0, { b: true });
    await check(node('RNN', names(ins), { hidden_size: i(6), activations: strs(['Relu']) }, ['y', 'yh']), ins, O);
    ins = rnnInputs(4, 2, 5, 6, 2, 0, { b: true, h0: true });
    await check(node('RNN', names(ins), { hidden_size: i(6), direction: s('bidirectional'), activations: strs(['Relu', 'Sigmoid']), clip: f(0.7) }, ['y', 'yh']), ins, O);
    // One activation for both directions (onnxruntime accepts it too).
    await check(node('RNN', names(ins), { hidden_size: i(6), direction: s('bidirectional'), activations: strs(['Sigmoid']) }, ['y', 'yh']), ins, O);
  });

  it('no optional inputs, H = 70 > 64 threads, only Y_h requested; only Y', async () => {
    const ins = rnnInputs(3, 1, 5, 70, 1, 0, {});
    await check(node('RNN', names(ins), { hidden_size: i(70) }, ['', 'yh']), ins, O);
    await check(node('RNN', names(ins), { hidden_size: i(70) }, ['y']), ins, O);
  });

  it('sequence_lens: equal to S runs; shorter is refused on the GPU with a reason, the reference masks', async () => {
    const ins = rnnInputs(4, 2, 3, 5, 1, 0, { b: true });
    ins[4] = hostTensor('int32', [2], [4, 4]);
    await check(node('RNN', names(ins), { hidden_size: i(5) }, ['y', 'yh']), ins, O);
    ins[4] = hostTensor('int32', [2], [4, 2]);
    const n = node('RNN', names(ins), { hidden_size: i(5), direction: s('reverse') }, ['y', 'yh']);
    const err = await runNode(await testDevice(), n, ins, { opset: 14 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedOpsError);
    expect(String((err as Error).message)).toMatch(/sequence_lens/);
    const [y, yh] = referenceNode(n, ins, 14);
    // Batch 1 (length 2): steps 2, 3 stay zero; reverse direction ends at t = 0.
    for (const t of [2, 3]) for (let j = 0; j < 5; j++) expect(y!.data[(t * 2 + 1) * 5 + j]).toBe(0);
    for (let j = 0; j < 5; j++) expect(yh!.data[5 + j]).toBe(y!.data[(0 * 2 + 1) * 5 + j]);
  });

  it('LSTM with different activations per direction is refused instead of computed with the first ones', async () => {
    const H = 3, ins = [rand([2, 1, 2]), rand([2, 4 * H, 2]), rand([2, 4 * H, H])];
    const n = node('LSTM', 3, { hidden_size: i(H), direction: s('bidirectional'), activations: strs(['Sigmoid', 'Tanh', 'Tanh', 'Sigmoid', 'Relu', 'Tanh']) }, ['y']);
    await expect(runNode(await testDevice(), n, ins, { opset: 14 })).rejects.toThrow(/different activations per direction/);
  });

  it('a sequence of more steps than wgml records (a dispatch each) is refused before planning them (fuzzer: a million-step LSTM exhausted memory)', async () => {
    const H = 2, S = MAX_RNN_STEPS + 1, ins = [hostTensor('float32', [S, 1, 1], new Float32Array(S)), rand([1, 4 * H, 1]), rand([1, 4 * H, H])];
    await expect(runNode(await testDevice(), node('LSTM', 3, { hidden_size: i(H) }, ['y']), ins, { opset: 14 })).rejects.toThrow(new RegExp(`a sequence of ${S} steps would record ${S} dispatches`));
  });
});
