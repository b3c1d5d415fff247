/**
 * New data-movement and reduction ops (CastLike, ReduceLogSum, Hardmax, EyeLike, OneHot, GatherND,
 * ScatterElements, ScatterND): GPU vs CPU reference on seeded random inputs, plus spec examples that
 * pin the references themselves.
 */
import { describe, it, expect } from 'vitest';
import { hostTensor, type HostTensor } from '../../../src/ir/types.js';
import { referenceNode, runNode } from '../../../src/runtime/single.js';
import { NodeError } from '../../../src/errors.js';
import { testDevice } from '../../helpers/gpu.js';
import { rng, randn, randInt, testSeed } from '../../helpers/random.js';
import { i, ints, str, gpuMatchesRef, node } from '../helpers.js';

const seed = testSeed();
const r = rng(seed);
const rand = (shape: number[], scale = 1) => hostTensor('float32', shape, randn(r, shape.reduce((a, b) => a * b, 1), scale));
const i64 = (shape: number[], vals: ArrayLike<number>) => hostTensor('int64', shape, vals);

describe(`new shape/reduction ops (seed ${seed})`, () => {
  it('CastLike float → int32 / float16 / bool follows Cast', async () => {
    const x = rand([4, 6], 50);
    for (const like of [hostTensor('int32', [1]), hostTensor('float16', [2, 2]), hostTensor('bool', [1]), hostTensor('uint8', [3])]) {
      const [y] = await gpuMatchesRef(node('CastLike', 2), [x, like]);
      expect(y!.dtype).toBe(like.dtype);
      const [c] = referenceNode(node('Cast', 1, { to: i({ int32: 6, float16: 10, bool: 9, uint8: 2 }[like.dtype as 'int32']!) }), [x]);
      expect(Array.from(y!.data)).toEqual(Array.from(c!.data));
    }
  });

  it('ReduceLogSum over axes, keepdims on/off, opset 13 attribute and opset 18 input', async () => {
    const x = hostTensor('float32', [3, 4, 5], Array.from({ length: 60 }, () => 0.1 + r() * 3));
    await gpuMatchesRef(node('ReduceLogSum', 1, { axes: ints([1]), keepdims: i(0) }), [x], { opset: 13 });
    await gpuMatchesRef(node('ReduceLogSum', 1, {}), [x], { opset: 13 });
    const [y] = await gpuMatchesRef(node('ReduceLogSum', 2, { keepdims: i(1) }), [x, i64([2], [0, -1])], { opset: 18, constants: [1] });
    expect(y!.shape).toEqual([1, 4, 1]);
    let s = 0; for (let a = 0; a < 3; a++) for (let c = 0; c < 5; c++) s += x.data[a * 20 + c]!;
    expect(y!.data[0]).toBeCloseTo(Math.log(s), 5);
  });

  it('Hardmax, opset 13 axes and opset 11 flattening, first max wins on ties', async () => {
    const x = rand([2, 3, 4]);
    for (const axis of [0, 1, 2, -1]) await gpuMatchesRef(node('Hardmax', 1, { axis: i(axis) }), [x], { opset: 13 });
    await gpuMatchesRef(node('Hardmax', 1, { axis: i(1) }), [x], { opset: 11 });
    const t = hostTensor('float32', [1, 4], [1, 3, 3, 2]);
    const [y] = await gpuMatchesRef(node('Hardmax', 1), [t], { opset: 13 });
    expect(Array.from(y!.data)).toEqual([0, 1, 0, 0]);
  });

  it('EyeLike with k and dtype', async () => {
    for (const [k, dtype] of [[0, null], [2, 6], [-1, 1], [7, 9]] as const) {
      const attrs = { k: i(k), ...(dtype !== null ? { dtype: i(dtype) } : {}) };
      const [y] = await gpuMatchesRef(node('EyeLike', 1, attrs), [rand([4, 5])]);
      if (k === 2) expect(Array.from(y!.data.slice(0, 5))).toEqual([0, 0, 1, 0, 0]);
    }
  });

  it('OneHot with axis, negative and out-of-range indices, float indices', async () => {
    const idx = hostTensor('int64', [2, 3], [0, -1, 4, 2, 9, -5]);
    const values = hostTensor('float32', [2], [-2, 5]);
    for (const axis of [-1, 0, 1, 2, -3]) await gpuMatchesRef(node('OneHot', 3, { axis: i(axis) }), [idx, i64([], [5]), values], { opset: 11, constants: [1] });
    const fidx = hostTensor('float32', [4], [0.7, 1.2, -1.5, 3.9]);
    const [y] = await gpuMatchesRef(node('OneHot', 3), [fidx, hostTensor('float32', [1], [4]), hostTensor('int32', [2], [0, 1])], { opset: 11, constants: [1] });
    expect(Array.from(y!.data)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('GatherND, batch_dims 0 and 1, negative indices, spec example', async () => {
    const data = rand([3, 4, 5]);
    const idx = i64([2, 2], [2, -1, 0, 1]);
    await gpuMatchesRef(node('GatherND', 2), [data, idx]);
    await gpuMatchesRef(node('GatherND', 2), [data, i64([2, 3, 1], randInt(r, 6, -3, 2))]);
    await gpuMatchesRef(node('GatherND', 2), [data, i64([2, 2, 3], [0, 1, 2, 1, 2, 3, 2, 3, 4, 0, 0, 0])]);
    await gpuMatchesRef(node('GatherND', 2, { batch_dims: i(1) }), [data, i64([3, 2, 1], randInt(r, 6, -4, 3))]);
    const [y] = referenceNode(node('GatherND', 2), [hostTensor('int32', [2, 2], [0, 1, 2, 3]), i64([2, 1], [1, 0])]);
    expect(Array.from(y!.data)).toEqual([2, 3, 0, 1]);
  });

  it('ScatterElements: axes, reductions, duplicate and negative indices', async () => {
    const data = rand([4, 5]);
    const idx = i64([3, 5], randInt(r, 15, -4, 3));
    idx.data[0] = 2; idx.data[5] = 2; idx.data[10] = -2; // three writes to one cell
    const upd = rand([3, 5]);
    for (const reduction of ['none', 'add', 'mul', 'max', 'min']) {
      await gpuMatchesRef(node('ScatterElements', 3, { axis: i(0), reduction: str(reduction) }), [data, idx, upd], { opset: 18 });
    }
    const idx1 = i64([2, 3], randInt(r, 6, -5, 4));
    await gpuMatchesRef(node('ScatterElements', 3, { axis: i(-1), reduction: str('add') }), [data, idx1, rand([2, 3])], { opset: 16 });
    const [y] = referenceNode(node('ScatterElements', 3, { axis: i(1), reduction: str('add') }),
      [hostTensor('float32', [1, 5], [1, 2, 3, 4, 5]), i64([1, 2], [1, 1]), hostTensor('float32', [1, 2], [1.1, 2.1])], 16);
    expect(Array.from(y!.data).map((v) => +v.toFixed(4))).toEqual([1, 5.2, 3, 4, 5]);
    expect(() => referenceNode(node('ScatterElements', 3, { reduction: str('max') }), [data, idx, upd], 16)).toThrow(/not defined at opset 16/);
  });

  it('ScatterND: slices and elements, reductions with duplicate tuples', async () => {
    const data = rand([4, 3, 2]);
    for (const reduction of ['none', 'add', 'mul', 'max', 'min']) {
      await gpuMatchesRef(node('ScatterND', 3, { reduction: str(reduction) }), [data, i64([3, 1], [1, -1, 1]), rand([3, 3, 2])], { opset: 18 });
      await gpuMatchesRef(node('ScatterND', 3, { reduction: str(reduction) }), [data, i64([2, 2, 3], [0, 0, 0, 3, 2, 1, 0, 0, 0, -1, 1, 0]), rand([2, 2])], { opset: 18 });
    }
    const [y] = referenceNode(node('ScatterND', 3, { reduction: str('mul') }),
      [hostTensor('float32', [4], [1, 2, 3, 4]), i64([3, 1], [1, 1, 3]), hostTensor('float32', [3], [2, 5, 3])], 16);
    expect(Array.from(y!.data)).toEqual([1, 20, 3, 12]);
  });

  it('refuses wrong input counts with a NodeError', async () => {
    const device = await testDevice();
    const x = rand([2, 2]);
    const bad: [string, (HostTensor | null)[]][] = [['GatherND', [x]], ['ScatterND', [x, i64([1, 1], [0])]], ['Hardmax', [x, x]], ['CastLike', [x]], ['OneHot', [i64([1], [0])]]];
    for (const [op, ins] of bad) await expect(runNode(device, node(op, ins.length), ins), op).rejects.toThrow(NodeError);
  });
});
