// Sequences inside a graph, resolved at specialization (ir/sequences.ts). The ONNX backend's sequence models
// run in test/conformance.test.ts; here the forms they leave out and the refusals.
import { describe, it, expect } from 'vitest';
import * as wgml from '../src/index.js';
import { hostTensor } from '../src/ir/types.js';
import { testDevice } from './helpers/gpu.js';
import { graph, node, f32, int } from './helpers/graph.js';

const x = hostTensor('float32', [2, 5, 3], Array.from({ length: 30 }, (_, i) => i));
const i64 = (v: number[] | number) => (Array.isArray(v) ? hostTensor('int64', [v.length], v) : hostTensor('int64', [], [v]));

describe('sequences resolved at compile time', () => {
  it('SplitToSequence by a chunk size (a shorter last piece), then the pieces stacked back on a new axis in another order', async () => {
    // x [2, 5, 3] split along axis 1 in chunks of 2: [2,2,3], [2,2,3], [2,1,3]; erase the last, insert x's first piece at 0
    const g = graph([f32('x', [2, 5, 3])], [f32('y', [2, 2, 2, 3]), f32('last', [2, 1, 3]), { name: 'n', dtype: 'int64', shape: [] }], [
      node('SplitToSequence', ['x', 'two'], ['s'], { axis: int(1) }),
      node('SequenceAt', ['s', 'minus1'], ['last']),
      node('SequenceErase', ['s'], ['s2']),
      node('SequenceLength', ['s2'], ['n']),
      node('SequenceAt', ['s2', 'one'], ['p1']),
      node('SequenceConstruct', ['p1'], ['s3']),
      node('SequenceInsert', ['s3', 'p1', 'zero'], ['s4']),
      node('ConcatFromSequence', ['s4'], ['y'], { axis: int(1), new_axis: int(1) }),
    ], { two: i64(2), minus1: i64(-1), one: i64(1), zero: i64(0) }, 13);
    const { y, last, n } = await wgml.runModel(await testDevice(), g, { x });
    const at = (b: number, r: number, c: number) => x.data[(b * 5 + r) * 3 + c]!;
    // piece 1 is rows 2..3; y stacks it twice on axis 1
    expect(Array.from(y!.data)).toEqual([0, 1].flatMap((b) => [0, 1].flatMap(() => [2, 3].flatMap((r) => [0, 1, 2].map((c) => at(b, r, c))))));
    expect(Array.from(last!.data)).toEqual([0, 1].flatMap((b) => [0, 1, 2].map((c) => at(b, 4, c))));
    expect(Array.from(n!.data)).toEqual([2]);
  });

  it('SplitToSequence without split: pieces of 1, the axis dropped with keepdims 0', async () => {
    const g = graph([f32('x', [2, 5, 3])], [f32('y', [2, 5])], [
      node('SplitToSequence', ['x'], ['s'], { axis: int(-1), keepdims: int(0) }),
      node('SequenceAt', ['s', 'two'], ['y']),
    ], { two: i64(2) }, 13);
    const { y } = await wgml.runModel(await testDevice(), g, { x });
    expect(Array.from(y!.data)).toEqual(Array.from({ length: 10 }, (_, i) => x.data[i * 3 + 2]));
  });

  it('refuses what it cannot know at compile time, out-of-range positions, and sequences read by tensor ops, naming the node', async () => {
    const device = await testDevice();
    const pos = graph([f32('x', [2, 5, 3]), { name: 'p', dtype: 'int64', shape: [] }], [f32('y', [2, 5, 3])], [
      node('SequenceConstruct', ['x', 'x'], ['s']), node('SequenceAt', ['s', 'p'], ['y'], {}, 'pick'),
    ], {}, 13);
    await expect(wgml.runModel(device, pos, { x, p: i64(1) })).rejects.toThrow(/'pick' \(SequenceAt\): the position \('p'\) depends on runtime values/);
    const far = graph([f32('x', [2, 5, 3])], [f32('y', [2, 5, 3])], [node('SequenceConstruct', ['x'], ['s']), node('SequenceAt', ['s', 'three'], ['y'], {}, 'far')], { three: i64(3) }, 13);
    await expect(wgml.runModel(device, far, { x })).rejects.toThrow(/'far' \(SequenceAt\): position 3 is outside a sequence of 1/);
    const misuse = graph([f32('x', [2, 5, 3])], [f32('y', [2, 5, 3])], [node('SequenceConstruct', ['x'], ['s']), node('Relu', ['s'], ['y'], {}, 'relu')], {}, 13);
    await expect(wgml.runModel(device, misuse, { x })).rejects.toThrow(/'relu' \(Relu\): reads the sequence 's'/);
    const empty = graph([f32('x', [2, 5, 3])], [f32('y', [2, 5, 3])], [node('SequenceEmpty', [], ['s']), node('ConcatFromSequence', ['s'], ['y'], { axis: int(0) }, 'cat')], {}, 13);
    await expect(wgml.runModel(device, empty, { x })).rejects.toThrow(/'cat' \(ConcatFromSequence\): concatenates an empty sequence/);
  });
});
