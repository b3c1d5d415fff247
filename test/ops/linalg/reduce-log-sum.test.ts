/** ReduceLogSum: GPU vs CPU reference (opset 13 attribute, opset 18 input), plus the sum checked by hand. */
import { describe, it, expect } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { rng, testSeed } from '../../helpers/random.js';
import { i, ints, i64, gpuMatchesRef, node } from '../helpers.js';

const seed = testSeed();
const r = rng(seed);

describe(`ReduceLogSum (seed ${seed})`, () => {
  it('ReduceLogSum over axes, keepdims on/off, opset 13 attribute and opset 18 input', async () => {
    const x = hostTensor('float32', [3, 4, 5], Array.from({ length: 60 }, () => 0.1 + r() * 3));
    await gpuMatchesRef(node('ReduceLogSum', 1, { axes: ints([1]), keepdims: i(0) }), [x], { opset: 13 });
    await gpuMatchesRef(node('ReduceLogSum', 1, {}), [x], { opset: 13 });
    const [y] = await gpuMatchesRef(node('ReduceLogSum', 2, { keepdims: i(1) }), [x, i64([2], [0, -1])], { opset: 18, constants: [1] });
    expect(y!.shape).toEqual([1, 4, 1]);
    let s = 0; for (let a = 0; a < 3; a++) for (let c = 0; c < 5; c++) s += x.data[a * 20 + c]!;
    expect(y!.data[0]).toBeCloseTo(Math.log(s), 5);
  });
});
