// Empty tensors (a dimension of 0) through whole graphs, under validation scopes: a node whose outputs are all
// empty runs no kernel, and one that reads an empty value binds it without vec4 arrays (an empty binding is 4
// bytes, under the 16 an array of vec4s needs). Found by the fuzzer (seed 1005: InstanceNormalization of
// [1, 2, 0, 3]); the expected values follow from the ops' definitions.
import { describe, it, expect } from 'vitest';
import * as wgml from '../src/index.js';
import { hostTensor, shapeSize, type HostTensor } from '../src/ir/types.js';
import { testDevice, scoped } from './helpers/gpu.js';
import { graph, node, f32, int } from './helpers/graph.js';

const data = (shape: number[]) => hostTensor('float32', shape, Array.from({ length: shapeSize(shape) }, (_, i) => (i % 7) - 3));
const run = async (g: wgml.Graph, inputs: Record<string, HostTensor>) => { const d = await testDevice(); return scoped(d, () => wgml.runModel(d, g, inputs)); };

describe('empty tensors', () => {
  it('ops whose outputs are empty run nothing: InstanceNormalization, LayerNormalization, Softmax', async () => {
    const ones = (n: number) => hostTensor('float32', [n], new Array(n).fill(1));
    const g = graph([f32('x', [1, 2, 0, 3]), f32('z', [0, 8])], [f32('a', [1, 2, 0, 3]), f32('b', [0, 8]), f32('c', [0, 8])], [
      node('InstanceNormalization', ['x', 's', 'bias'], ['a']), node('LayerNormalization', ['z', 'ls'], ['b']), node('Softmax', ['z'], ['c']),
    ], { s: ones(2), bias: ones(2), ls: ones(8) });
    const out = await run(g, { x: data([1, 2, 0, 3]), z: data([0, 8]) });
    expect([out.a!.shape, out.b!.shape, out.c!.shape]).toEqual([[1, 2, 0, 3], [0, 8], [0, 8]]);
  });

  it('empty inputs to non-empty outputs: a MatMul over K = 0 is zeros, a ReduceSum over an empty axis is 0, a Concat skips the empty part', async () => {
    const g = graph([f32('a', [8, 0]), f32('b', [0, 8]), f32('e', [2, 8, 0]), f32('p', [1, 8, 0, 4]), f32('q', [1, 8, 4, 4])], [f32('m', [8, 8]), f32('r', [2, 8, 1]), f32('c', [1, 8, 4, 4])], [
      node('MatMul', ['a', 'b'], ['m']), node('ReduceSum', ['e', 'ax'], ['r'], { keepdims: int(1) }), node('Concat', ['p', 'q'], ['c'], { axis: int(2) }),
    ], { ax: hostTensor('int64', [1], [2]) }, 18);
    const q = data([1, 8, 4, 4]);
    const out = await run(g, { a: data([8, 0]), b: data([0, 8]), e: data([2, 8, 0]), p: data([1, 8, 0, 4]), q });
    expect(Array.from(out.m!.data)).toEqual(new Array(64).fill(0));
    expect(Array.from(out.r!.data)).toEqual(new Array(16).fill(0));
    expect(Array.from(out.c!.data)).toEqual(Array.from(q.data));
  });
});
