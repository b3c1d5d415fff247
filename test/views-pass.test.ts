/**
 * The views pass (passes/views.ts) in whole networks: graphs with the re-view chains exporters emit
 * (NCHW↔NHWC permutes around a LayerNorm, QKV split/reshape/transpose, heads merged back) run on the
 * GPU with the pass on and must equal the graph evaluated node by node with the CPU references; the
 * plan must have lost the copies it promises to remove.
 */
import { describe, it, expect } from 'vitest';
import * as wgml from '../src/index.js';
import type { Graph, HostTensor } from '../src/ir/types.js';
import { hostTensor } from '../src/ir/types.js';
import { referenceNode } from '../src/runtime/single.js';
import { planNetwork } from '../src/runtime/pipeline.js';
import { applyViews, removeDead } from '../src/passes/views.js';
import { specialize } from '../src/ir/infer.js';
import { opRules } from '../src/ops/registry.js';
import { viewRules } from '../src/runtime/view-rules.js';
import { testDevice } from './helpers/gpu.js';
import { graph, node, f32, int, ints, flt } from './helpers/graph.js';
import { compareClose, rng, testSeed, randomTensors } from './helpers/random.js';

const seed = testSeed();
const r = rng(seed);
const rand = randomTensors(r);
const i64 = (v: number[]) => hostTensor('int64', [v.length], v);

function cpuRun(g: Graph, inputs: Record<string, HostTensor>): Record<string, HostTensor> {
  const env = new Map<string, HostTensor>([...g.initializers, ...Object.entries(inputs)]);
  for (const n of g.nodes) {
    const outs = referenceNode(n, n.inputs.map((i) => (i ? env.get(i)! : null)), g.opsets[''] ?? 17);
    n.outputs.forEach((o, k) => env.set(o, outs[k]!));
  }
  return Object.fromEntries(g.outputs.map((o) => [o.name, env.get(o.name)!]));
}

async function expectSame(g: Graph, inputs: Record<string, HostTensor>, rtol = 1e-4): Promise<void> {
  const device = await testDevice();
  const gpu = await wgml.runModel(device, g, inputs);
  const cpu = cpuRun(g, inputs);
  for (const o of g.outputs) expect(compareClose(gpu[o.name]!.data, cpu[o.name]!.data, rtol, 1e-4), `${o.name} (WGML_SEED=${seed})`).toBeNull();
}

/** A ConvNeXt block as torch exports it at opset 17: dwconv, permute, LayerNorm, Linear–GELU–Linear, permute back, layer scale, residual. */
export function convnextBlock(C: number, H: number, W: number): Graph {
  const erf = [
    node('Div', ['a1', 'sqrt2'], ['g0']), node('Erf', ['g0'], ['g1']), node('Add', ['g1', 'one'], ['g2']),
    node('Mul', ['a1', 'g2'], ['g3']), node('Mul', ['g3', 'half'], ['g4']),
  ];
  return graph([f32('x', [1, C, H, W])], [f32('y', [1, C, H, W])], [
    node('Conv', ['x', 'dw', 'dwb'], ['c'], { group: int(C), kernel_shape: ints([7, 7]), pads: ints([3, 3, 3, 3]) }),
    node('Transpose', ['c'], ['t'], { perm: ints([0, 2, 3, 1]) }),
    node('LayerNormalization', ['t', 'lns', 'lnb'], ['ln'], { axis: int(-1), epsilon: flt(1e-6) }),
    node('MatMul', ['ln', 'w1'], ['m1']), node('Add', ['m1', 'b1'], ['a1']),
    ...erf,
    node('MatMul', ['g4', 'w2'], ['m2']), node('Add', ['m2', 'b2'], ['a2']),
    node('Transpose', ['a2'], ['tb'], { perm: ints([0, 3, 1, 2]) }),
    node('Mul', ['gamma', 'tb'], ['ls']),
    node('Add', ['ls', 'x'], ['y']),
  ], {
    dw: rand([C, 1, 7, 7], 0.2), dwb: rand([C]), lns: rand([C]), lnb: rand([C]),
    w1: rand([C, 4 * C], 0.3), b1: rand([4 * C]), w2: rand([4 * C, C], 0.3), b2: rand([C]), gamma: rand([C, 1, 1]),
    sqrt2: hostTensor('float32', [], [Math.SQRT2]), one: hostTensor('float32', [], [1]), half: hostTensor('float32', [], [0.5]),
  });
}

describe('views pass', () => {
  it('a ConvNeXt block runs without its two permute copies and equals the unfused graph', async () => {
    const device = await testDevice();
    const g = convnextBlock(8, 6, 5);
    const on = planNetwork(device, g);
    const off = planNetwork(device, g, { fuse: false });
    expect(off.nodes.filter((n) => n.opType === 'Transpose').length).toBe(2);
    expect(on.nodes.filter((n) => n.opType === 'Transpose').length).toBe(0);
    // LayerNorm reads the conv output as NHWC; the bias Add after the second Linear computes in NCHW
    const ln = on.nodes.find((n) => n.opType === 'LayerNormalization')!;
    expect(ln.inputs[0]).toBe('c');
    expect(ln.attrs.wgml_view_0).toBeDefined();
    expect(on.dispatches.length).toBeLessThanOrEqual(off.dispatches.length - 3);
    await expectSame(g, { x: rand([1, 8, 6, 5]) });
  });

  it('q, k and v of a packed projection are read through views; Softmax writes the merged heads through an output view', async () => {
    const device = await testDevice();
    const S = 5, H = 2, D = 3, E = H * D;
    const g = graph([f32('x', [S, 3 * E])], [f32('y', [S, E])], [
      node('Split', ['x', 'sp'], ['q0', 'k0', 'v0'], { axis: int(1) }),
      node('Reshape', ['q0', 'shp'], ['q1']), node('Transpose', ['q1'], ['q'], { perm: ints([1, 0, 2]) }),
      node('Reshape', ['k0', 'shp'], ['k1']), node('Transpose', ['k1'], ['k'], { perm: ints([1, 0, 2]) }),
      node('Reshape', ['v0', 'shp'], ['v1']), node('Transpose', ['v1'], ['v'], { perm: ints([1, 0, 2]) }),
      node('Mul', ['q', 'k'], ['qk']), node('Add', ['qk', 'v'], ['s']),             // [H, S, D]
      node('Softmax', ['s'], ['p'], { axis: int(1) }),                              // over S, a middle axis
      node('Transpose', ['p'], ['pt'], { perm: ints([1, 0, 2]) }), node('Reshape', ['pt', 'shy'], ['y']),
    ], { sp: i64([E, E, E]), shp: i64([S, H, D]), shy: i64([S, E]) });
    const p = planNetwork(device, g);
    expect(p.nodes.map((n) => n.opType).filter((o) => o === 'Transpose' || o === 'Split')).toEqual([]);
    const sm = p.nodes.find((n) => n.opType === 'Softmax')!;
    expect(sm.outputs[0]).toBe('y');
    expect(sm.attrs.wgml_out_view).toBeDefined();
    expect(p.dispatches.length).toBe(2); // fused Mul+Add reading x three ways is… two: see below
    await expectSame(g, { x: rand([S, 3 * E]) });
  });

  it('a value and a view of it in one node: one of them stays a copy, no binding is shared', async () => {
    const device = await testDevice();
    const g = graph([f32('x', [4, 4])], [f32('y', [4, 4])], [
      node('Transpose', ['x'], ['xt'], { perm: ints([1, 0]) }),
      node('Sub', ['x', 'xt'], ['y']),
    ]);
    const p = planNetwork(device, g);
    for (const d of p.dispatches) {
      const heapish = d.places.filter((q) => q.kind !== 'weights').map((q) => `${q.kind}:${'name' in q ? q.name : ''}:${q.offset}`);
      expect(new Set(heapish).size, d.kernel.name).toBe(heapish.length);
    }
    await expectSame(g, { x: rand([4, 4]) });
  });

  it('pointwise nodes compute in the layout of the permute after them: broadcast bias, scalars of any rank', async () => {
    const device = await testDevice();
    const g = graph([f32('x', [2, 3, 4]), f32('b', [4]), f32('s', [1, 1, 1])], [f32('y1', [2, 3]), f32('y2', [4])], [
      node('Add', ['x', 'b'], ['a']), node('Transpose', ['a'], ['at'], { perm: ints([2, 0, 1]) }),
      node('ReduceMax', ['at'], ['y1'], { axes: ints([0]), keepdims: int(0) }),
      node('Mul', ['x', 's'], ['m']), node('Transpose', ['m'], ['mt'], { perm: ints([2, 0, 1]) }), node('Reshape', ['mt', 'shp'], ['mr']),
      node('ReduceMax', ['mr'], ['y2'], { axes: ints([1]), keepdims: int(0) }),
    ], { shp: i64([4, 6]) });
    const p = planNetwork(device, g);
    expect(p.nodes.filter((n) => n.opType === 'Transpose')).toEqual([]);
    expect(p.nodes.find((n) => n.opType === 'Add')!.outputs[0]).toBe('at');
    await expectSame(g, { x: rand([2, 3, 4]), b: rand([4]), s: rand([1, 1, 1]) });
  });

  it('an op that refuses a view (OpDef.acceptsView) keeps its input chain', () => {
    const sg = specialize(convnextBlock(8, 6, 5), {}, opRules);
    const base = viewRules(sg.graph, sg.types, sg.constants);
    const ln = (g: Graph) => g.nodes.find((n) => n.opType === 'LayerNormalization')!;
    expect(ln(applyViews(sg.graph, sg.types, base)).inputs[0]).toBe('c');
    const refusing = { ...base, acceptsView: (n: { opType: string }) => n.opType !== 'LayerNormalization' };
    const g = applyViews(sg.graph, sg.types, refusing);
    expect(ln(g).inputs[0]).toBe('t');
    expect(g.nodes.some((n) => n.opType === 'Transpose' && n.outputs[0] === 't')).toBe(true);
  });

  it('removes nodes nobody reads, keeping graph outputs and nodes without outputs', () => {
    const n = (o: string, i: string[]) => node('Relu', i, [o]);
    const nodes = [n('a', ['x']), n('b', ['a']), n('c', ['a']), n('d', ['c']), { ...n('e', ['x']), outputs: [] }];
    expect(removeDead(nodes, new Set(['b'])).map((x) => x.outputs[0] ?? 'none')).toEqual(['a', 'b', 'none']);
  });
});
