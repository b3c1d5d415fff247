import { describe, it, expect } from 'vitest';
import { inferContext, opFor } from '../../../src/runtime/single.js';
import { Attrs } from '../../../src/ir/attrs.js';
import { hostTensor, type HostTensor } from '../../../src/ir/types.js';
import { check, i, ints, node, rand } from './util.js';

const KINDS: [string, number][] = [
  ['ReduceMean', 18], ['ReduceSum', 13], ['ReduceMax', 18], ['ReduceMin', 18], ['ReduceProd', 18],
  ['ReduceSumSquare', 18], ['ReduceL1', 18], ['ReduceL2', 18], ['ReduceLogSumExp', 18],
];
// Every subset of the 3 axes, some written negatively.
const AXES: number[][] = [[], [0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2], [-1], [-3, -1], [-2, 2]];

function data(op: string, shape: number[]): HostTensor {
  const x = rand(shape);
  if (op === 'ReduceProd') x.data.forEach((v, k) => (x.data[k] = 1 + 0.05 * v)); // keep products O(1)
  return x;
}

describe('Reduce*', () => {
  for (const [op, inputOpset] of KINDS) {
    it(`${op}: all axis subsets, keepdims on/off, axes as input (opset ${inputOpset}) and attribute`, async () => {
      const x = data(op, [5, 6, 7]);
      for (const [k, axes] of AXES.entries()) {
        const keepdims = k % 2;
        const o = { rtol: 1e-4, atol: 1e-4 };
        // Axes as a constant input.
        const nIn = axes.length ? 2 : 1;
        await check(node(op, nIn, { keepdims: i(keepdims) }), nIn === 2 ? [x, hostTensor('int64', [axes.length], axes)] : [x], { ...o, opset: inputOpset });
        // Axes as an attribute, in the opset before.
        if (axes.length) await check(node(op, 1, { keepdims: i(1 - keepdims), axes: ints(axes) }), [x], { ...o, opset: inputOpset - 1 });
      }
    });
  }
  it('long reductions use the workgroup tree (global average pool shape)', async () => {
    await check(node('ReduceMean', 1, { axes: ints([2, 3]) }), [rand([2, 3, 17, 19])], { opset: 13, atol: 1e-5, shape: [2, 3, 1, 1] });
    await check(node('ReduceLogSumExp', 1, { keepdims: i(0) }), [rand([1000], 3)], { opset: 13, shape: [] });
    await check(node('ReduceMax', 1, { axes: ints([0]), keepdims: i(0) }), [rand([300, 3])], { opset: 13, shape: [3] });
  });
  it('noop_with_empty_axes and empty axes', async () => {
    const x = rand([4, 5]);
    const [id] = await check(node('ReduceSum', 1, { noop_with_empty_axes: i(1) }), [x], { opset: 13 });
    expect(Array.from(id!.data)).toEqual(Array.from(x.data));
    await check(node('ReduceSum', 1, { keepdims: i(0) }), [x], { opset: 13, shape: [], atol: 1e-4 });
  });
  it('int32 sum and max', async () => {
    const x = hostTensor('int32', [6, 40], Array.from({ length: 240 }, (_, k) => ((k * 7919) % 201) - 100));
    await check(node('ReduceSum', 2), [x, hostTensor('int64', [1], [1])], { opset: 13 });
    await check(node('ReduceMax', 1, { axes: ints([0]) }), [x], { opset: 13 });
  });
  it('refuses a non-constant axes input', () => {
    const n = node('ReduceSum', 2);
    const op = opFor(n, 13);
    const ctx = inferContext(n, [{ dtype: 'float32', shape: [3] }, { dtype: 'int64', shape: [1] }], () => undefined, 13);
    expect(() => op.infer(ctx, op.attrs(new Attrs(n), 13))).toThrow(/axes input is not a constant/);
  });
});

describe('ArgMax / ArgMin', () => {
  for (const op of ['ArgMax', 'ArgMin']) {
    it(`${op}: every axis, keepdims, select_last_index with ties`, async () => {
      const x = rand([4, 5, 6]);
      for (const axis of [0, 1, 2, -1, -3]) for (const keepdims of [0, 1]) {
        await check(node(op, 1, { axis: i(axis), keepdims: i(keepdims) }), [x], { opset: 13 });
      }
      // Ties: small integers stored as floats.
      const t = hostTensor('float32', [3, 40], Array.from({ length: 120 }, (_, k) => (k * 37) % 5));
      for (const last of [0, 1]) {
        const [ref] = await check(node(op, 1, { axis: i(1), select_last_index: i(last) }), [t], { opset: 13 });
        // Row 0 holds each value 0..4 eight times: the first index of the extreme is < 5, the last one ≥ 35.
        expect(last ? ref!.data[0]! >= 35 : ref!.data[0]! < 5).toBe(true);
      }
      await check(node(op, 1, { axis: i(0), keepdims: i(0) }), [hostTensor('int32', [7, 3], Array.from({ length: 21 }, (_, k) => (k * 11) % 9 - 4))], { opset: 13 });
    });
  }
});
