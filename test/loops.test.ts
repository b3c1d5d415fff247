// Loop and Scan unrolled at specialization (ir/loops.ts). The ONNX backend's Scan cases run in
// test/conformance.test.ts (its Loop cases take their trip counts at run time and are refused); here Loops whose
// counts and conditions fold, Scan's axes and directions, and the refusals, each against values computed here.
import { describe, it, expect } from 'vitest';
import * as wgml from '../src/index.js';
import { hostTensor, type Graph, type ValueInfo } from '../src/ir/types.js';
import { testDevice } from './helpers/gpu.js';
import { graph, node, f32, int, ints } from './helpers/graph.js';

const i64 = (name: string, shape: number[] = []): ValueInfo => ({ name, dtype: 'int64', shape });
const bool = (name: string): ValueInfo => ({ name, dtype: 'bool', shape: [] });
const g = (value: Graph) => ({ kind: 'graph' as const, value });
const x = hostTensor('float32', [4, 3], Array.from({ length: 12 }, (_, i) => i * 0.5 - 2));
const row = (r: number) => Array.from(x.data.slice(r * 3, r * 3 + 3));

/** Body: y_out = y_in + x[i] (row i, by Gather), scan_out = y_out · 2, cond_out from `cond` nodes. */
function loopBody(cond: ReturnType<typeof node>[]): Graph {
  return graph([i64('i'), bool('c_in'), f32('y_in', [3])], [bool('c_out'), f32('y_out', [3]), f32('s_out', [3])], [
    node('Gather', ['x', 'i'], ['xi'], { axis: int(0) }),
    node('Add', ['y_in', 'xi'], ['y_out']),
    node('Mul', ['y_out', 'two'], ['s_out']),
    ...cond,
  ], { two: hostTensor('float32', [], [2]) }, 13);
}

describe('Loop unrolled at compile time', () => {
  it('a trip count taken from a shape (as scripted `for i in range(x.shape[0])` exports it): carried sum and stacked scan output', async () => {
    const model = graph([f32('x', [4, 3]), f32('y0', [3])], [f32('y', [3]), f32('s', [4, 3])], [
      node('Shape', ['x'], ['shp']), node('Gather', ['shp', 'zero'], ['n'], { axis: int(0) }),
      node('Loop', ['n', 'true', 'y0'], ['y', 's'], { body: g(loopBody([node('Identity', ['c_in'], ['c_out'])])) }, 'loop'),
    ], { zero: hostTensor('int64', [], [0]), true: hostTensor('bool', [], [1]) }, 13);
    const y0 = hostTensor('float32', [3], [1, 2, 3]);
    const { y, s } = await wgml.runModel(await testDevice(), model, { x, y0 });
    const acc = [1, 2, 3], stacked: number[] = [];
    for (let r = 0; r < 4; r++) { row(r).forEach((v, c) => { acc[c] += v; }); stacked.push(...acc.map((v) => 2 * v)); }
    expect(Array.from(y!.data)).toEqual(acc);
    expect(Array.from(s!.data)).toEqual(stacked);
  });

  it('stops where a condition computed from the iteration number folds to false (no trip count)', async () => {
    // c_out = i < 1: steps 0 and 1 run, then the condition is false
    const body = loopBody([node('Less', ['i', 'one'], ['c_out'])]);
    body.initializers.set('one', hostTensor('int64', [], [1]));
    const model = graph([f32('x', [4, 3]), f32('y0', [3])], [f32('y', [3]), f32('s', [2, 3])], [
      node('Loop', ['', 'true', 'y0'], ['y', 's'], { body: g(body) }, 'loop'),
    ], { true: hostTensor('bool', [], [1]) }, 13);
    const { y, s } = await wgml.runModel(await testDevice(), model, { x, y0: hostTensor('float32', [3], [0, 0, 0]) });
    expect(Array.from(y!.data)).toEqual(row(0).map((v, c) => v + row(1)[c]!));
    expect(s!.shape).toEqual([2, 3]);
  });

  it('refuses a trip count or a condition only known at run time, naming the node', async () => {
    const device = await testDevice();
    const runtimeCount = graph([f32('x', [4, 3]), f32('y0', [3]), i64('n')], [f32('y', [3])], [
      node('Loop', ['n', '', 'y0'], ['y', 's'], { body: g(loopBody([node('Identity', ['c_in'], ['c_out'])])) }, 'loop'),
    ], {}, 13);
    await expect(wgml.runModel(device, runtimeCount, { x, y0: hostTensor('float32', [3], [0, 0, 0]), n: hostTensor('int64', [], [2]) }))
      .rejects.toThrow(/'loop' \(Loop\): the trip count \('n'\) depends on runtime values/);
    const converge = loopBody([node('ReduceSum', ['y_out'], ['t'], { keepdims: int(0) }), node('Less', ['t', 'ten'], ['c_out'])]);
    converge.initializers.set('ten', hostTensor('float32', [], [10]));
    const whileLoop = graph([f32('x', [4, 3]), f32('y0', [3])], [f32('y', [3])], [
      node('Loop', ['four', 'true', 'y0'], ['y', 's'], { body: g(converge) }, 'until'),
    ], { four: hostTensor('int64', [], [4]), true: hostTensor('bool', [], [1]) }, 13);
    await expect(wgml.runModel(device, whileLoop, { x, y0: hostTensor('float32', [3], [0, 0, 0]) }))
      .rejects.toThrow(/'until' \(Loop\): step 1's condition \('.*'\) depends on runtime values/);
  });
});

describe('malformed loops', () => {
  it('a body that does not fit the node is refused by name', async () => {
    const body = graph([f32('s_in', [3])], [f32('s_out', [3])], [node('Identity', ['s_in'], ['s_out'])], {}, 13);
    const loop = graph([f32('y0', [3])], [f32('y', [3])], [node('Loop', ['four', '', 'y0'], ['y'], { body: g(body) }, 'bad')], { four: hostTensor('int64', [], [4]) }, 13);
    await expect(wgml.runModel(await testDevice(), loop, { y0: hostTensor('float32', [3], [1, 2, 3]) })).rejects.toThrow(/'bad' \(Loop\): a body of 1 inputs and 1 outputs does not fit a Loop of 1 carried values/);
  });
});

describe('Scan unrolled at compile time', () => {
  it('a reversed scan input on axis 1 and its output stacked on axis 1, reversed: a running sum from the end', async () => {
    // sum over the columns of x [4, 3] from the last column: state [4], output [4, 3]
    const body = graph([f32('s_in', [4]), f32('col', [4])], [f32('s_out', [4]), f32('o', [4])], [
      node('Add', ['s_in', 'col'], ['s_out']), node('Identity', ['s_out'], ['o']),
    ], {}, 13);
    const model = graph([f32('x', [4, 3]), f32('init', [4])], [f32('last', [4]), f32('runs', [4, 3])], [
      node('Scan', ['init', 'x'], ['last', 'runs'], { body: g(body), num_scan_inputs: int(1), scan_input_axes: ints([1]), scan_input_directions: ints([1]), scan_output_axes: ints([-1]), scan_output_directions: ints([1]) }, 'scan'),
    ], {}, 13);
    const init = hostTensor('float32', [4], [0, 1, 0, 1]);
    const { last, runs } = await wgml.runModel(await testDevice(), model, { x, init });
    const at = (r: number, c: number) => x.data[r * 3 + c]!;
    // step t reads column 2 − t; the outputs, reversed, put step t at column 2 − t: runs[r][c] = init[r] + Σ_{c' ≥ c} x[r][c']
    const want = [0, 1, 2, 3].flatMap((r) => [0, 1, 2].map((c) => init.data[r]! + [0, 1, 2].filter((k) => k >= c).reduce((a, k) => a + at(r, k), 0)));
    expect(Array.from(runs!.data)).toEqual(want.map(Math.fround));
    expect(Array.from(last!.data)).toEqual([0, 1, 2, 3].map((r) => Math.fround(init.data[r]! + at(r, 0) + at(r, 1) + at(r, 2))));
  });
});
