/**
 * fuseElementwise: which nodes merge (single-consumer, non-output intermediates only), and that the
 * fused node's GPU kernel reproduces the unfused chain (its CPU references and its GPU kernels).
 */
import { describe, it, expect } from 'vitest';
import { fuseElementwise } from '../src/passes/fuse-elementwise.js';
import { opFacts } from '../src/ops/registry.js';
import { OPS as ELEMENTWISE_TABLE } from '../src/ops/tables/elementwise.js';
import { runNode, referenceNode } from '../src/runtime/single.js';
import type { AttrValue, Graph, HostTensor, Node, ValueType } from '../src/ir/types.js';
import { hostTensor, shapeSize } from '../src/ir/types.js';
import { testDevice } from './helpers/gpu.js';
import { rng, randn, randInt, compareClose, testSeed } from './helpers/random.js';

const seed = testSeed();
const r = rng(seed);

const mk = (opType: string, inputs: string[], out: string, attrs: Record<string, AttrValue> = {}): Node =>
  ({ name: out, opType, domain: '', inputs, outputs: [out], attrs });

function graph(nodes: Node[], inputs: Record<string, ValueType>, outputs: string[], init: Record<string, HostTensor> = {}, opset = 17): Graph {
  return {
    name: 'g', nodes, opsets: { '': opset },
    inputs: Object.entries(inputs).map(([name, t]) => ({ name, ...t })),
    outputs: outputs.map((name) => ({ name, dtype: 'float32', shape: [] })),
    initializers: new Map(Object.entries(init)), valueInfo: new Map(),
  };
}

/** Static types of every value, from the ops' own shape rules (what specialize() would compute). */
function typesOf(g: Graph): Map<string, ValueType> {
  const types = new Map<string, ValueType>();
  for (const i of g.inputs) types.set(i.name, { dtype: i.dtype, shape: i.shape as number[] });
  for (const [k, t] of g.initializers) types.set(k, { dtype: t.dtype, shape: t.shape });
  const vals = randomValues(g);
  for (const n of g.nodes) {
    const outs = referenceNode(n, n.inputs.map((v) => (v ? vals.get(v)! : null)), g.opsets[''] ?? 17);
    n.outputs.forEach((o, k) => { vals.set(o, outs[k]!); types.set(o, { dtype: outs[k]!.dtype, shape: outs[k]!.shape }); });
  }
  return types;
}

function randomValues(g: Graph): Map<string, HostTensor> {
  const vals = new Map<string, HostTensor>(g.initializers);
  for (const i of g.inputs) {
    const shape = i.shape as number[], n = shapeSize(shape);
    vals.set(i.name, i.dtype === 'bool' ? hostTensor('bool', shape, randInt(r, n, 0, 1)) : hostTensor(i.dtype, shape, randn(r, n)));
  }
  return vals;
}

/** Run every node in order, on the CPU references or on the GPU kernels. */
async function evaluate(g: Graph, inputs: Map<string, HostTensor>, gpu: boolean): Promise<Map<string, HostTensor>> {
  const device = await testDevice();
  const vals = new Map(inputs);
  for (const n of g.nodes) {
    const ins = n.inputs.map((v) => (v ? vals.get(v)! : null));
    const opset = n.domain === 'wgml' ? 1 : g.opsets[''] ?? 17;
    const outs = gpu ? await runNode(device, n, ins, { opset }) : referenceNode(n, ins, opset);
    n.outputs.forEach((o, k) => vals.set(o, outs[k]!));
  }
  return vals;
}

const f = (value: number): AttrValue => ({ kind: 'float', value });

describe(`fuseElementwise (WGML_SEED=${seed})`, () => {
  it('fuses exactly the elementwise ops whose definitions say fusable', () => {
    const fusable = ELEMENTWISE_TABLE.filter((o) => opFacts.isFusable({ name: '', opType: o.type, domain: o.domain ?? '', inputs: [], outputs: [], attrs: {} }))
      .map((o) => (o.domain ? `${o.domain}.${o.type}` : o.type));
    // The set the fused kernel was validated on (the list the pass held before ops declared it).
    expect(fusable.sort()).toEqual([
      'Relu', 'LeakyRelu', 'Elu', 'Selu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Erf', 'Exp', 'Log', 'Sqrt',
      'Reciprocal', 'Neg', 'Abs', 'Floor', 'Ceil', 'Round', 'Sign', 'Sin', 'Cos', 'Softplus', 'Softsign', 'Not',
      'Identity', 'Cast', 'Gelu', 'IsNaN', 'IsInf', 'Mish', 'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Mean',
      'Sum', 'Mod', 'Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'PRelu',
      'BitShift', 'Where', 'Clip', 'com.microsoft.Gelu', 'com.microsoft.FastGelu', 'com.microsoft.QuickGelu', 'wgml.QuantDequant', 'wgml.Quantize', 'wgml.Dequantize',
    ].sort());
    expect(ELEMENTWISE_TABLE.filter((o) => o.fusable && !('ew' in o))).toEqual([]);
  });

  it('fuses a broadcasting tree (Add, Sigmoid, Mul, Clip with runtime max, Where, LeakyRelu) into one node equal to the chain', async () => {
    const g = graph([
      mk('Add', ['x', 'y'], 't1'),
      mk('Sigmoid', ['t1'], 't2'),
      mk('Mul', ['t2', 'z'], 't3'),
      mk('Clip', ['t3', '', 'hi'], 't4'),
      mk('LeakyRelu', ['x'], 't5', { alpha: f(0.2) }),
      mk('Where', ['cond', 't4', 't5'], 'out'),
    ], { x: { dtype: 'float32', shape: [2, 3, 4] }, y: { dtype: 'float32', shape: [4] }, z: { dtype: 'float32', shape: [3, 1] }, cond: { dtype: 'bool', shape: [2, 1, 1] } },
    ['out'], { hi: hostTensor('float32', [], [0.6]) }, 13);
    const before = JSON.stringify(g.nodes);
    const fused = fuseElementwise(g, typesOf(g), opFacts);
    expect(JSON.stringify(g.nodes)).toBe(before); // pure
    expect(fused.nodes.map((n) => n.opType)).toEqual(['FusedElementwise']);
    expect(new Set(fused.nodes[0]!.inputs)).toEqual(new Set(['x', 'y', 'z', 'hi', 'cond']));
    expect(fused.nodes[0]!.outputs).toEqual(['out']);
    expect(fused.opsets['wgml']).toBe(1);

    const inputs = randomValues(g);
    const chainCpu = (await evaluate(g, inputs, false)).get('out')!;
    const chainGpu = (await evaluate(g, inputs, true)).get('out')!;
    const fusedCpu = (await evaluate(fused, inputs, false)).get('out')!;
    const fusedGpu = (await evaluate(fused, inputs, true)).get('out')!;
    expect(fusedGpu.shape).toEqual([2, 3, 4]);
    expect(compareClose(fusedCpu.data, chainCpu.data, 0, 0), 'fused CPU reference = chain of references').toBeNull();
    expect(compareClose(fusedGpu.data, chainCpu.data, 1e-4, 1e-6), 'fused GPU vs chain of references').toBeNull();
    expect(compareClose(fusedGpu.data, chainGpu.data, 1e-5, 1e-7), 'fused GPU vs chain of GPU kernels').toBeNull();
  });

  it('fuses across dtypes (Cast, comparison, integer ops) and a value read twice by one node', async () => {
    const g = graph([
      mk('Mul', ['x', 'x'], 'sq'),
      mk('Greater', ['sq', 'x'], 'gt'),
      mk('Cast', ['gt'], 'gi', { to: { kind: 'int', value: 6 } }),
      mk('Add', ['gi', 'k'], 'sum'),
      mk('Mul', ['sum', 'sum'], 'out'),
    ], { x: { dtype: 'float32', shape: [5, 8] } }, ['out'], { k: hostTensor('int32', [8], [1, 2, 3, 4, 5, 6, 7, -8]) });
    const fused = fuseElementwise(g, typesOf(g), opFacts);
    expect(fused.nodes.map((n) => n.opType)).toEqual(['FusedElementwise']);
    const inputs = randomValues(g);
    const chain = (await evaluate(g, inputs, false)).get('out')!;
    const gpu = (await evaluate(fused, inputs, true)).get('out')!;
    expect(gpu.dtype).toBe('int32');
    expect(Array.from(gpu.data)).toEqual(Array.from(chain.data));
  });

  it('refuses to fuse intermediates with several consumers or that are graph outputs', async () => {
    const g = graph([
      mk('Add', ['x', 'y'], 't1'),      // read by Relu, Exp and Softmax (outside the group): stays
      mk('Relu', ['t1'], 't2'),
      mk('Exp', ['t1'], 't3'),
      mk('Add', ['t2', 't3'], 't4'),
      mk('Neg', ['t4'], 'out1'),        // graph output, also read by Abs: stays a separate output
      mk('Abs', ['out1'], 'out2'),
      mk('Softmax', ['t1'], 'out3'),
    ], { x: { dtype: 'float32', shape: [3, 4] }, y: { dtype: 'float32', shape: [4] } }, ['out1', 'out2', 'out3']);
    const fused = fuseElementwise(g, typesOf(g), opFacts);
    expect(fused.nodes.map((n) => `${n.opType}:${n.outputs[0]}`)).toEqual(['Add:t1', 'FusedElementwise:out1', 'Abs:out2', 'Softmax:out3']);
    expect(fused.nodes[1]!.inputs).toEqual(['t1']);
    const program = JSON.parse((fused.nodes[1]!.attrs['wgml_program'] as { value: string }).value) as { steps: { op: string }[] };
    expect(program.steps.map((s) => s.op)).toEqual(['Relu', 'Exp', 'Add', 'Neg']);
    const inputs = randomValues(g);
    const want = await evaluate(g, inputs, false);
    const got = await evaluate(fused, inputs, true);
    for (const o of ['out1', 'out2']) expect(compareClose(got.get(o)!.data, want.get(o)!.data, 1e-4, 1e-6), o).toBeNull();
  });

  it('fuses a value read by several members once (GELU as exported: x·½(1 + erf(x/√2)) after a bias Add)', async () => {
    const g = graph([
      mk('Add', ['x', 'b'], 'a'),       // read by Div and Mul, both in the group
      mk('Div', ['a', 's2'], 'g0'), mk('Erf', ['g0'], 'g1'), mk('Add', ['g1', 'one'], 'g2'),
      mk('Mul', ['a', 'g2'], 'g3'), mk('Mul', ['g3', 'half'], 'y'),
    ], { x: { dtype: 'float32', shape: [3, 8] }, b: { dtype: 'float32', shape: [8] } }, ['y'],
    { s2: hostTensor('float32', [], [Math.SQRT2]), one: hostTensor('float32', [], [1]), half: hostTensor('float32', [], [0.5]) });
    const fused = fuseElementwise(g, typesOf(g), opFacts);
    expect(fused.nodes.map((n) => n.opType)).toEqual(['FusedElementwise']);
    const program = JSON.parse((fused.nodes[0]!.attrs['wgml_program'] as { value: string }).value) as { steps: { op: string }[] };
    expect(program.steps.map((s) => s.op).filter((o) => o === 'Add').length).toBe(2); // the bias Add computed once
    const inputs = randomValues(g);
    const want = await evaluate(g, inputs, false);
    const got = await evaluate(fused, inputs, true);
    expect(compareClose(got.get('y')!.data, want.get('y')!.data, 1e-4, 1e-6)).toBeNull();
  });

  it('leaves non-elementwise nodes, lone nodes and over-wide trees alone', () => {
    const g = graph([
      mk('Relu', ['x'], 't1'),
      { ...mk('MatMul', ['t1', 'x'], 't2') },
      mk('Sigmoid', ['t2'], 'out'),
    ], { x: { dtype: 'float32', shape: [3, 3] } }, ['out']);
    const types = new Map<string, ValueType>(['x', 't1', 't2', 'out'].map((v) => [v, { dtype: 'float32', shape: [3, 3] }]));
    expect(fuseElementwise(g, types, opFacts)).toBe(g);
    const wide = graph([mk('Add', ['a', 'b'], 's1'), mk('Add', ['s1', 'c'], 's2'), mk('Add', ['s2', 'd'], 'out')],
      { a: { dtype: 'float32', shape: [2] }, b: { dtype: 'float32', shape: [2] }, c: { dtype: 'float32', shape: [2] }, d: { dtype: 'float32', shape: [2] } }, ['out']);
    const wt = typesOf(wide);
    expect(fuseElementwise(wide, wt, opFacts, { maxInputs: 4 }).nodes.map((n) => n.opType)).toEqual(['FusedElementwise']);
    const partial = fuseElementwise(wide, wt, opFacts, { maxInputs: 3 });
    expect(partial.nodes.map((n) => n.opType)).toEqual(['FusedElementwise', 'Add']);
  });
});
