/**
 * A LayerNormalization after a MatMul/Gemm folded into the GEMM's split-K reduce (fuse-gemm-epilogue.ts
 * `wgml_layernorm`, ops/linalg/gemm-reduce.ts), and a residual Add reached through reshapes: the pass's
 * decisions on small graphs, the fused node's two outputs on the GPU against the unfused chain's CPU
 * references (split and unsplit K, rows of vec4s and of scalars, a batch that does not fold, pre-norm
 * where the residual stream is read again), and the dispatches of a post-norm transformer layer at
 * BERT-base's real dims, planned without running.
 */
import { describe, it, expect } from 'vitest';
import * as wgml from '../src/index.js';
import { hostTensor, type Graph, type HostTensor, type ValueType } from '../src/ir/types.js';
import { denseView, OUTPUT_VIEW_ATTR, viewAttr } from '../src/ir/view.js';
import { opFacts } from '../src/ops/registry.js';
import { fuseElementwise } from '../src/passes/fuse-elementwise.js';
import { fuseGemmEpilogues } from '../src/passes/fuse-gemm-epilogue.js';
import { referenceNode, runNode } from '../src/runtime/single.js';
import { planNetwork } from '../src/runtime/pipeline.js';
import { graph, node, f32, flt, ints } from './helpers/graph.js';
import { testDevice } from './helpers/gpu.js';
import { rng, randn, compareClose, testSeed } from './helpers/random.js';

const seed = testSeed();
const r = rng(seed);
const t = (shape: number[], scale = 1) => hostTensor('float32', shape, randn(r, shape.reduce((a, b) => a * b, 1), scale));

/** Every value of the graph by the CPU references, in node order. */
function cpuRun(g: Graph, inputs: Record<string, HostTensor>): Map<string, HostTensor> {
  const env = new Map<string, HostTensor>([...g.initializers, ...Object.entries(inputs)]);
  for (const n of g.nodes) referenceNode(n, n.inputs.map((i) => (i ? env.get(i)! : null)), 17).forEach((o, k) => env.set(n.outputs[k]!, o));
  return env;
}
const typesOf = (env: Map<string, HostTensor>) => new Map<string, ValueType>([...env].map(([k, v]) => [k, { dtype: v.dtype, shape: v.shape }]));
const fuse = (g: Graph, types: Map<string, ValueType>, maxStorageBuffers?: number) => fuseGemmEpilogues(fuseElementwise(g, types, opFacts), types, opFacts, { maxStorageBuffers });

/** Fuse, check the pass made one GEMM with both outputs, run it on the GPU and compare both outputs to the chain. */
async function check(g: Graph, inputs: Record<string, HostTensor>, outs: [string, string], attrs: Record<string, unknown> = {}): Promise<void> {
  const env = cpuRun(g, inputs);
  const f = fuse(g, typesOf(env));
  const gemms = f.nodes.filter((n) => n.opType === 'MatMul' || n.opType === 'Gemm');
  expect(f.nodes.filter((n) => n.opType !== 'Reshape').length, f.nodes.map((n) => n.opType).join(', ')).toBe(1);
  const fused = { ...gemms[0]!, attrs: { ...gemms[0]!.attrs, ...attrs } as typeof gemms[0]['attrs'] };
  expect(fused.outputs).toEqual(outs);
  expect(fused.attrs.wgml_layernorm).toBeDefined();
  const ins = fused.inputs.map((v) => (v ? env.get(v)! : null));
  const ref = referenceNode(fused, ins);
  const gpu = await runNode(await testDevice(), fused, ins);
  outs.forEach((o, k) => {
    expect(compareClose(ref[k]!.data, env.get(o)!.data, 1e-5, 1e-6), `reference of output ${k} vs the chain, seed ${seed}`).toBeNull();
    expect(compareClose(gpu[k]!.data, env.get(o)!.data, 1e-4, 1e-5), `GPU output ${k} (${JSON.stringify(attrs)}), seed ${seed}`).toBeNull();
  });
}

const force = (choice: string) => ({ wgml_gemm: { kind: 'string', value: choice } });

describe('LayerNorm folded into the GEMM before it', () => {
  it('post-norm: MatMul + bias + residual → LayerNorm, split and unsplit, vec4 and scalar rows', async () => {
    for (const [S, K, D] of [[6, 130, 24], [5, 33, 13]] as const) {
      const g = graph([f32('x', [1, S, K]), f32('res', [1, S, D])], [f32('y', [1, S, D])], [
        node('MatMul', ['x', 'W'], ['m']), node('Add', ['m', 'b'], ['h']), node('Add', ['h', 'res'], ['s']),
        node('LayerNormalization', ['s', 'gamma', 'beta'], ['y'], { axis: { kind: 'int', value: -1 }, epsilon: flt(1e-5) }),
      ], { W: t([K, D], 0.3), b: t([D]), gamma: t([D]), beta: t([D]) });
      const inputs = { x: t([1, S, K]), res: t([1, S, D]) };
      await check(g, inputs, ['s', 'y']);
      await check(g, inputs, ['s', 'y'], force('t32x32/s6')); // K = 130: 5 slices of 32 (4 summed together, then 1)
    }
  });

  it('pre-norm: the residual stream is read again; Gemm with C; no LayerNorm bias; a batch B does not fold', async () => {
    const D = 20;
    const g = graph([f32('x', [7, 16]), f32('res', [7, D])], [f32('s', [7, D]), f32('y', [7, D])], [
      node('Gemm', ['x', 'W', 'c'], ['m']), node('Add', ['res', 'm'], ['s']),
      node('LayerNormalization', ['s', 'gamma'], ['y'], { epsilon: flt(1e-3) }),
    ], { W: t([16, D], 0.3), c: t([D]), gamma: t([D]) });
    await check(g, { x: t([7, 16]), res: t([7, D]) }, ['s', 'y'], force('t64x32/s2'));
    // B [3, K, N] varies along the batch: three GEMMs, each row normalized
    const b = graph([f32('x', [3, 4, 8])], [f32('y', [3, 4, 12])], [
      node('MatMul', ['x', 'W'], ['m']), node('LayerNormalization', ['m', 'gamma', 'beta'], ['y']),
    ], { W: t([3, 8, 12]), gamma: t([12]), beta: t([12]) });
    await check(b, { x: t([3, 4, 8]) }, ['m', 'y']);
  });

  it('leaves LayerNorms the reduce cannot do: other axes, stats wanted, a re-viewed output, too many buffers', () => {
    const base = (ln: ReturnType<typeof node>, extra: Record<string, HostTensor> = {}) => graph([f32('x', [4, 6, 8])], [f32('y', [4, 6, 10])], [node('MatMul', ['x', 'W'], ['m']), ln], { W: t([8, 10]), gamma: t([10]), g60: t([6, 10]), ...extra });
    const count = (g: Graph) => { const env = cpuRun(g, { x: t([4, 6, 8]) }); return fuse(g, typesOf(env)).nodes.length; };
    expect(count(base(node('LayerNormalization', ['m', 'gamma'], ['y'])))).toBe(1);
    expect(count(base(node('LayerNormalization', ['m', 'g60'], ['y'], { axis: { kind: 'int', value: 1 } })))).toBe(2);
    expect(count(base(node('LayerNormalization', ['m', 'gamma'], ['y', 'mean', 'inv'])))).toBe(2);
    const env = cpuRun(base(node('LayerNormalization', ['m', 'gamma'], ['y'])), { x: t([4, 6, 8]) });
    const g = base(node('LayerNormalization', ['m', 'gamma'], ['y']));
    expect(fuse(g, typesOf(env), 3).nodes.length).toBe(2); // the reduce binds partials, Scale, Y and Z
    expect(fuse(g, typesOf(env), 4).nodes.length).toBe(1);
  });
});

describe('a residual Add after reshapes of the GEMM output', () => {
  it('is absorbed: the GEMM writes the Add\'s value through a dense view of its own shape', async () => {
    // torch's attention out-projection: Gemm [S, D] → Reshape [S, 1, D] → Reshape [1, S, D] → Add(input, ·) → LayerNorm
    const S = 6, D = 16;
    const g = graph([f32('a', [S, D]), f32('inp', [1, S, D])], [f32('y', [1, S, D])], [
      node('Gemm', ['a', 'W', 'c'], ['m'], { transB: { kind: 'int', value: 0 } }),
      node('Reshape', ['m', 'sh1'], ['r1']), node('Reshape', ['r1', 'sh2'], ['r2']), node('Add', ['inp', 'r2'], ['s']),
      node('LayerNormalization', ['s', 'gamma', 'beta'], ['y']),
    ], { W: t([D, D], 0.3), c: t([D]), sh1: hostTensor('int64', [3], [S, 1, D]), sh2: hostTensor('int64', [3], [1, S, D]), gamma: t([D]), beta: t([D]) });
    const inputs = { a: t([S, D]), inp: t([1, S, D]) };
    const env = cpuRun(g, inputs);
    const f = fuse(g, typesOf(env));
    expect(f.nodes.map((n) => n.opType)).toEqual(['Gemm']);
    expect(f.nodes[0]!.attrs[OUTPUT_VIEW_ATTR]).toEqual(viewAttr(denseView([S, D])));
    await check(g, inputs, ['s', 'y']);
    await check(g, inputs, ['s', 'y'], force('t32x32'));
    // the reshaped value read by a second node: nothing to absorb into one place
    const two = graph(g.inputs, [f32('s', [1, S, D]), f32('r2', [1, S, D])], g.nodes.slice(0, 4), Object.fromEntries(g.initializers));
    expect(fuse(two, typesOf(cpuRun(two, inputs))).nodes.filter((n) => n.opType !== 'Reshape').length).toBe(2);
  });
});

describe('a post-norm encoder layer at BERT-base size (planned, not run)', () => {
  it('takes 9 dispatches: QKV + reduce, attention, out-projection + residual + LayerNorm, FFN-up + reduce, FFN-down + residual + LayerNorm', async () => {
    const S = 128, D = 768, F = 3072, H = 12;
    const z = (shape: number[]) => hostTensor('float32', shape, new Float32Array(shape.reduce((a, b) => a * b, 1)));
    const i64 = (v: number[]) => hostTensor('int64', [v.length], v);
    // the shape of nn.TransformerEncoderLayer's batch-first export at batch 1 after constant folding
    const g = graph([f32('x', [1, S, D])], [f32('y', [1, S, D])], [
      node('MatMul', ['x', 'Wqkv'], ['qkv0']), node('Add', ['qkv0', 'bqkv'], ['qkv']),
      node('Reshape', ['qkv', 'sh5'], ['q5']), node('Transpose', ['q5'], ['qt'], { perm: ints([2, 0, 3, 1, 4]) }),
      node('Split', ['qt'], ['q', 'k', 'v'], { axis: { kind: 'int', value: 0 }, num_outputs: { kind: 'int', value: 3 } }),
      node('Squeeze', ['q', 'ax0'], ['q1']), node('Squeeze', ['k', 'ax0'], ['k1']), node('Squeeze', ['v', 'ax0'], ['v1']),
      node('Transpose', ['k1'], ['kt'], { perm: ints([0, 1, 3, 2]) }),
      node('MatMul', ['q1', 'kt'], ['sc']), node('Mul', ['sc', 'scale'], ['scs']), node('Softmax', ['scs'], ['p'], { axis: { kind: 'int', value: -1 } }),
      node('MatMul', ['p', 'v1'], ['o']), node('Transpose', ['o'], ['ot'], { perm: ints([0, 2, 1, 3]) }), node('Reshape', ['ot', 'sh2'], ['o2']),
      node('Gemm', ['o2', 'Wo', 'bo'], ['proj'], { transB: { kind: 'int', value: 1 } }), node('Reshape', ['proj', 'sh3'], ['proj3']),
      node('Add', ['x', 'proj3'], ['s1']), node('LayerNormalization', ['s1', 'g1', 'b1'], ['n1']),
      node('MatMul', ['n1', 'W1'], ['f0']), node('Add', ['f0', 'bf1'], ['f1']),
      node('Div', ['f1', 'sqrt2'], ['e0']), node('Erf', ['e0'], ['e1']), node('Add', ['e1', 'one'], ['e2']), node('Mul', ['f1', 'e2'], ['e3']), node('Mul', ['e3', 'half'], ['gl']),
      node('MatMul', ['gl', 'W2'], ['f2']), node('Add', ['f2', 'bf2'], ['f3']), node('Add', ['n1', 'f3'], ['s2']),
      node('LayerNormalization', ['s2', 'g2', 'b2'], ['y']),
    ], {
      Wqkv: z([D, 3 * D]), bqkv: z([3 * D]), sh5: i64([1, S, 3, H, D / H]), ax0: i64([0]), scale: hostTensor('float32', [], [0.125]),
      sh2: i64([S, D]), Wo: z([D, D]), bo: z([D]), sh3: i64([1, S, D]), g1: z([D]), b1: z([D]),
      W1: z([D, F]), bf1: z([F]), sqrt2: hostTensor('float32', [], [Math.SQRT2]), one: hostTensor('float32', [], [1]), half: hostTensor('float32', [], [0.5]),
      W2: z([F, D]), bf2: z([D]), g2: z([D]), b2: z([D]),
    });
    const p = planNetwork(await testDevice(), g, { inputDimensions: { x: [1, S, D] } });
    const kernels = p.dispatches.map((d) => d.kernel.name);
    expect(kernels.length, kernels.join(', ')).toBe(9);
    expect(kernels.filter((k) => k.endsWith('_reduce_layernorm')).length).toBe(2);
    expect(p.nodes.some((n) => n.opType === 'LayerNormalization' || n.opType === 'Add')).toBe(false);
    void wgml;
  });
});
