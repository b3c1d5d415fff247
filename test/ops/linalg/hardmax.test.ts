/** Hardmax: GPU vs CPU reference over every axis and opset 11 flattening, ties to the first max. */
import { describe, it, expect } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { rng, testSeed, randomTensors } from '../../helpers/random.js';
import { i, gpuMatchesRef, node } from '../helpers.js';

const seed = testSeed();
const r = rng(seed);
const rand = randomTensors(r);

describe(`Hardmax (seed ${seed})`, () => {
  it('Hardmax, opset 13 axes and opset 11 flattening, first max wins on ties', async () => {
    const x = rand([2, 3, 4]);
    for (const axis of [0, 1, 2, -1]) await gpuMatchesRef(node('Hardmax', 1, { axis: i(axis) }), [x], { opset: 13 });
    await gpuMatchesRef(node('Hardmax', 1, { axis: i(1) }), [x], { opset: 11 });
    const t = hostTensor('float32', [1, 4], [1, 3, 3, 2]);
    const [y] = await gpuMatchesRef(node('Hardmax', 1), [t], { opset: 13 });
    expect(Array.from(y!.data)).toEqual([0, 1, 0, 0]);
  });
});
