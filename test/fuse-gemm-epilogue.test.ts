/**
 * fuseGemmEpilogues (which elementwise consumers a MatMul/Gemm swallows, how programs, inputs and views
 * are composed) and relayoutGemmWeights, on small graphs; one whole transformer MLP block through
 * planNetwork and runModel against the unfused CPU references, counting dispatches.
 */
import { describe, it, expect } from 'vitest';
import * as wgml from '../src/index.js';
import { hostTensor, type Graph, type HostTensor, type Node, type ValueType } from '../src/ir/types.js';
import { inputViewAttr, OUTPUT_VIEW_ATTR, viewAttr, viewFromAttr, denseView, permuteView } from '../src/ir/view.js';
import { fuseGemmEpilogues, relayoutGemmWeights } from '../src/passes/fuse-gemm-epilogue.js';
import { opFacts } from '../src/ops/registry.js';
import { fuseElementwise } from '../src/passes/fuse-elementwise.js';
import { referenceNode, runNode } from '../src/runtime/single.js';
import { planNetwork } from '../src/runtime/pipeline.js';
import { graph, node, f32, int } from './helpers/graph.js';
import { testDevice } from './helpers/gpu.js';
import { rng, randn, compareClose, testSeed } from './helpers/random.js';

const seed = testSeed();
const r = rng(seed);
const t = (shape: number[], scale = 1) => hostTensor('float32', shape, randn(r, shape.reduce((a, b) => a * b, 1), scale));
const scalar = (v: number) => hostTensor('float32', [], Float32Array.of(v));

/** Types of every value by running the references (what specialize computes). */
function typed(g: Graph, inputs: Record<string, HostTensor>): Map<string, ValueType> {
  const env = new Map<string, HostTensor>([...g.initializers, ...Object.entries(inputs)]);
  const types = new Map<string, ValueType>([...env].map(([k, v]) => [k, { dtype: v.dtype, shape: v.shape }]));
  for (const n of g.nodes) {
    const outs = referenceNode(n, n.inputs.map((i) => (i ? env.get(i)! : null)), g.opsets[''] ?? 17);
    n.outputs.forEach((o, k) => { env.set(o, outs[k]!); types.set(o, { dtype: outs[k]!.dtype, shape: outs[k]!.shape }); });
  }
  return types;
}

function cpuRun(g: Graph, inputs: Record<string, HostTensor>): Map<string, HostTensor> {
  const env = new Map<string, HostTensor>([...g.initializers, ...Object.entries(inputs)]);
  for (const n of g.nodes) referenceNode(n, n.inputs.map((i) => (i ? env.get(i)! : null)), g.opsets[''] ?? 17).forEach((o, k) => env.set(n.outputs[k]!, o));
  return env;
}

const fuse = (g: Graph, types: Map<string, ValueType>, maxExtras?: number) => fuseGemmEpilogues(fuseElementwise(g, types, opFacts), types, opFacts, { maxExtras });
const steps = (n: Node) => (JSON.parse(n.attrs.wgml_epilogue!.value as string) as { steps: { op: string; args: number[] }[] }).steps;

describe('fuseGemmEpilogues', () => {
  const x = t([4, 8]), W = t([8, 6]), b = t([6]), res = t([4, 6]);
  it('absorbs bias, then an activation, composing one program', () => {
    const g = graph([f32('x', [4, 8]), f32('res', [4, 6])], [f32('y', [4, 6])], [
      node('MatMul', ['x', 'W'], ['m']), node('Add', ['m', 'b'], ['h']), node('Relu', ['h'], ['a']), node('Add', ['res', 'a'], ['y']),
    ], { W, b });
    const f = fuse(g, typed(g, { x, res }));
    expect(f.nodes.length).toBe(1);
    expect(f.nodes[0]!.inputs).toEqual(['x', 'W', 'b', 'res']);
    // fuseElementwise first made Add·Relu·Add one node; its program follows the GEMM result
    expect(steps(f.nodes[0]!)).toEqual([{ op: 'Add', args: [0, 1] }, { op: 'Relu', args: [3] }, { op: 'Add', args: [2, 4] }]);
  });
  it('leaves the product alone when it is read twice, is a graph output, or would be broadcast bigger', () => {
    const two = graph([f32('x', [4, 8])], [f32('y', [4, 6]), f32('z', [4, 6])], [node('MatMul', ['x', 'W'], ['m']), node('Relu', ['m'], ['y']), node('Sigmoid', ['m'], ['z'])], { W });
    expect(fuse(two, typed(two, { x })).nodes.length).toBe(3);
    const out = graph([f32('x', [4, 8])], [f32('m', [4, 6]), f32('y', [4, 6])], [node('MatMul', ['x', 'W'], ['m']), node('Relu', ['m'], ['y'])], { W });
    expect(fuse(out, typed(out, { x })).nodes.length).toBe(2);
    const big = graph([f32('x', [4, 8])], [f32('y', [3, 4, 6])], [node('MatMul', ['x', 'W'], ['m']), node('Add', ['m', 'r3'], ['y'])], { W, r3: t([3, 4, 6]) });
    expect(fuse(big, typed(big, { x })).nodes.length).toBe(2);
  });
  it('refuses consumers that change the dtype, and stops at the input limit', () => {
    const cmp = graph([f32('x', [4, 8])], [f32('y', [4, 6])], [node('MatMul', ['x', 'W'], ['m']), node('Greater', ['m', 'b'], ['y'])], { W, b });
    expect(fuse(cmp, typed(cmp, { x })).nodes.length).toBe(2);
    const many = graph([f32('x', [4, 8]), f32('res', [4, 6])], [f32('y', [4, 6])], [node('MatMul', ['x', 'W'], ['m']), node('Add', ['m', 'b'], ['h']), node('Add', ['h', 'res'], ['y'])], { W, b });
    expect(fuse(many, typed(many, { x, res }), 1).nodes.length).toBe(2);
    expect(fuse(many, typed(many, { x, res }), 2).nodes.length).toBe(1);
  });
  it('carries the views of extra inputs and the consumer\'s output view; refuses a re-viewed product', () => {
    const resT = permuteView(denseView([6, 4]), [1, 0]);
    const outV = permuteView(denseView([6, 4]), [1, 0]);
    const g = graph([f32('x', [4, 8]), f32('rt', [6, 4])], [f32('y', [24])], [
      node('MatMul', ['x', 'W'], ['m']),
      { ...node('Add', ['m', 'rt'], ['y']), attrs: { [inputViewAttr(1)]: viewAttr(resT), [OUTPUT_VIEW_ATTR]: viewAttr(outV) } },
    ], { W });
    const types = typed({ ...g, nodes: [g.nodes[0]!] }, { x });
    types.set('rt', { dtype: 'float32', shape: [6, 4] }); types.set('y', { dtype: 'float32', shape: [4, 6] });
    const f = fuseGemmEpilogues(g, types, opFacts);
    expect(f.nodes.length).toBe(1);
    expect(f.nodes[0]!.attrs[inputViewAttr(2)]).toEqual(viewAttr(resT));
    expect(f.nodes[0]!.attrs[OUTPUT_VIEW_ATTR]).toEqual(viewAttr(outV));
    const reviewed = { ...g, nodes: [g.nodes[0]!, { ...node('Add', ['m', 'rt'], ['y']), attrs: { [inputViewAttr(0)]: viewAttr(resT) } }] };
    expect(fuseGemmEpilogues(reviewed, types, opFacts).nodes.length).toBe(2);
  });
  it('through a GEMM that writes a permuted layout: same-shape inputs read through its view, scalars through a scalar view', async () => {
    // Gemm [6, 8] written transposed into t [8, 6] (what the views pass makes of Gemm → Transpose), then t + res + s
    const V = permuteView(denseView([8, 6]), [1, 0]);
    const gemm = { ...node('Gemm', ['x', 'W', 'c'], ['t']), attrs: { [OUTPUT_VIEW_ATTR]: viewAttr(V) } };
    const g = graph([f32('x', [6, 4]), f32('res', [8, 6])], [f32('y', [8, 6])], [gemm, node('Add', ['t', 'res'], ['u']), node('Mul', ['u', 's'], ['y'])], { W: t([4, 8]), c: t([8]), s: scalar(0.5) });
    const types = new Map<string, ValueType>([['x', { dtype: 'float32', shape: [6, 4] }], ['res', { dtype: 'float32', shape: [8, 6] }], ['W', { dtype: 'float32', shape: [4, 8] }],
      ['c', { dtype: 'float32', shape: [8] }], ['s', { dtype: 'float32', shape: [] }], ['t', { dtype: 'float32', shape: [8, 6] }], ['u', { dtype: 'float32', shape: [8, 6] }], ['y', { dtype: 'float32', shape: [8, 6] }]]);
    const f = fuse(g, types).nodes;
    expect(f.length).toBe(1);
    expect(f[0]!.inputs).toEqual(['x', 'W', 'c', 'res', 's']);
    expect(f[0]!.attrs[inputViewAttr(3)]).toEqual(viewAttr(V));
    expect(viewFromAttr(f[0]!.attrs[inputViewAttr(4)])!.shape).toEqual([]);
    const x = t([6, 4]), res = t([8, 6]);
    const [prod] = referenceNode(node('Gemm', ['x', 'W', 'c'], ['p']), [x, g.initializers.get('W')!, g.initializers.get('c')!]);
    const want = new Float32Array(48);
    for (let m = 0; m < 6; m++) for (let n = 0; n < 8; n++) want[n * 6 + m] = Math.fround(Math.fround(prod!.data[m * 8 + n]! + res.data[n * 6 + m]!) * 0.5);
    const ins = [x, g.initializers.get('W')!, g.initializers.get('c')!, res, scalar(0.5)];
    expect(Array.from(referenceNode(f[0]!, ins)[0]!.data)).toEqual(Array.from(want));
    const [gpu] = await runNode(await testDevice(), f[0]!, ins);
    expect(compareClose(gpu!.data, want, 1e-5, 1e-6), `seed ${seed}`).toBeNull();
    // an input of another shape has no position in the permuted layout: not absorbed
    const g2 = { ...g, nodes: [gemm, node('Add', ['t', 'c6'], ['y'])] };
    types.set('c6', { dtype: 'float32', shape: [6] });
    expect(fuseGemmEpilogues(g2, types, opFacts).nodes.length).toBe(2);
  });
  it('pads Gemm\'s missing C so epilogue inputs start at 3', () => {
    const g = graph([f32('x', [4, 8])], [f32('y', [4, 6])], [node('Gemm', ['x', 'W'], ['m']), node('Add', ['m', 'b'], ['y'])], { W, b });
    expect(fuse(g, typed(g, { x })).nodes[0]!.inputs).toEqual(['x', 'W', '', 'b']);
  });
});

describe('relayoutGemmWeights', () => {
  it('stores a constant transB weight row-major once, shared by every Gemm reading it', () => {
    const W = t([6, 8]);
    const g = graph([f32('x', [4, 8])], [f32('y', [4, 6]), f32('z', [4, 6])], [
      node('Gemm', ['x', 'W'], ['y'], { transB: int(1) }), node('Gemm', ['x', 'W'], ['z'], { transB: int(1) }), node('Gemm', ['x', 'x2'], ['w'], { transB: int(1) }),
    ], { W });
    const constants = new Map<string, HostTensor>([['W', W]]);
    const types = new Map<string, ValueType>();
    const out = relayoutGemmWeights(g, constants, types);
    expect(out.nodes.map((n) => n.inputs[1])).toEqual(['W::kn', 'W::kn', 'x2']);
    expect(out.nodes.map((n) => 'transB' in n.attrs)).toEqual([false, false, true]);
    const T = constants.get('W::kn')!;
    expect(T.shape).toEqual([8, 6]);
    expect(types.get('W::kn')!.shape).toEqual([8, 6]);
    for (let n = 0; n < 6; n++) for (let k = 0; k < 8; k++) expect(T.data[k * 6 + n]).toBe(W.data[n * 8 + k]);
  });
});

describe('a transformer MLP block end to end', () => {
  it('runs Linear + bias + Erf-GELU + Linear + bias + residual in 2 dispatches, matching the unfused references', async () => {
    const S = 5, D = 16, F = 32;
    const g = graph([f32('x', [1, S, D])], [f32('y', [1, S, D])], [
      node('MatMul', ['x', 'W1'], ['m1']), node('Add', ['m1', 'b1'], ['h']),
      node('Div', ['h', 'sqrt2'], ['d']), node('Erf', ['d'], ['e']), node('Add', ['e', 'one'], ['e1']), node('Mul', ['h', 'e1'], ['g']), node('Mul', ['g', 'half'], ['a']),
      node('MatMul', ['a', 'W2'], ['m2']), node('Add', ['b2', 'm2'], ['o']), node('Add', ['o', 'x'], ['y']),
    ], { W1: t([D, F], 0.3), b1: t([F]), W2: t([F, D], 0.3), b2: t([D]), sqrt2: scalar(Math.SQRT2), one: scalar(1), half: scalar(0.5) });
    const device = await testDevice();
    const p = planNetwork(device, g, { inputDimensions: { x: [1, S, D] } });
    expect(p.nodes.map((n) => n.opType)).toEqual(['MatMul', 'MatMul']);
    expect(p.dispatches.length).toBe(2);
    const x = t([1, S, D]);
    const got = await wgml.runModel(device, g, { x });
    expect(compareClose(got.y!.data, cpuRun(g, { x }).get('y')!.data, 1e-4, 1e-5), `seed ${seed}`).toBeNull();
  });
});
