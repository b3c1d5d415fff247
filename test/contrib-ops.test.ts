/**
 * onnxruntime's contrib ops (ops/contrib/, onnx/contrib.ts) against onnxruntime-node's CPU kernels:
 * the GELU family (Gelu, FastGelu with and without bias, BiasGelu, QuickGelu), SkipLayerNormalization
 * and SkipSimplifiedLayerNormalization with every optional input and the input_skip_bias_sum output,
 * SimplifiedLayerNormalization (RMSNorm) over one and two dims, a GELU after a MatMul (the GEMM epilogue
 * path, and that an optimized BERT FFN plans to the GEMMs' dispatches alone), and the refusals: a
 * wrong gamma or skip and a read mean output name the node.
 */
import { describe, it, expect } from 'vitest';
import * as wgml from '../src/index.js';
import type { HostTensor } from '../src/ir/types.js';
import { hostTensor, shapeSize } from '../src/ir/types.js';
import { testDevice } from './helpers/gpu.js';
import { compareClose, randn, rng, testSeed } from './helpers/random.js';
import { attr, DT, encodeModel, node, tensor, valueInfo } from './helpers/onnx-testdata.js';
import { loadGraph } from '../src/runtime/library.js';
import { planNetwork } from '../src/runtime/pipeline.js';
import { referenceNode } from '../src/runtime/single.js';

const seed = testSeed();
const r = rng(seed);
const B = 2, S = 3, H = 8;
const X = [B, S, H];
type Obj = Record<string, unknown>;
interface Case { nodes: Obj[]; ins: Record<string, number[]>; outs: Record<string, number[]>; opset?: number }

const ms = (op: string, ins: string[], outs: string[], attrs: Obj[] = []) => node(op, ins, outs, attrs, { domain: 'com.microsoft', name: `n_${op}` });

const CASES: Record<string, Case> = {
  gelu: { nodes: [ms('Gelu', ['x'], ['y'])], ins: { x: X }, outs: { y: X } },
  fast_gelu: { nodes: [ms('FastGelu', ['x'], ['y'])], ins: { x: X }, outs: { y: X } },
  fast_gelu_bias: { nodes: [ms('FastGelu', ['x', 'b'], ['y'])], ins: { x: X, b: [H] }, outs: { y: X } },
  bias_gelu: { nodes: [ms('BiasGelu', ['x', 'b'], ['y'])], ins: { x: X, b: [H] }, outs: { y: X } },
  quick_gelu: { nodes: [ms('QuickGelu', ['x'], ['y'])], ins: { x: X }, outs: { y: X } },
  quick_gelu_alpha: { nodes: [ms('QuickGelu', ['x'], ['y'], [attr.float('alpha', 1.25)])], ins: { x: X }, outs: { y: X } },
  matmul_fast_gelu_bias: {
    nodes: [node('MatMul', ['x', 'w'], ['h']), ms('FastGelu', ['h', 'b'], ['y'])], ins: { x: X, w: [H, 16], b: [16] }, outs: { y: [B, S, 16] },
  },
  skip_ln_all: {
    nodes: [ms('SkipLayerNormalization', ['x', 's', 'g', 'be', 'bi'], ['y', '', '', 'sum'], [attr.float('epsilon', 1e-5)])],
    ins: { x: X, s: X, g: [H], be: [H], bi: [H] }, outs: { y: X, sum: X },
  },
  skip_ln_plain: { nodes: [ms('SkipLayerNormalization', ['x', 's', 'g'], ['y'])], ins: { x: X, s: X, g: [H] }, outs: { y: X } },
  // onnxruntime's optimizer writes BERT-era models at opsets 11-14, where ONNX has no LayerNormalization yet
  skip_ln_all_opset13: {
    nodes: [ms('SkipLayerNormalization', ['x', 's', 'g', 'be', 'bi'], ['y', '', '', 'sum'])], ins: { x: X, s: X, g: [H], be: [H], bi: [H] }, outs: { y: X, sum: X }, opset: 13,
  },
  matmul_bias_gelu_opset13: {
    nodes: [node('MatMul', ['x', 'w'], ['h']), ms('BiasGelu', ['h', 'b'], ['y'])], ins: { x: X, w: [H, 16], b: [16] }, outs: { y: [B, S, 16] }, opset: 13,
  },
  skip_ln_beta: { nodes: [ms('SkipLayerNormalization', ['x', 's', 'g', 'be'], ['y'])], ins: { x: X, s: X, g: [H], be: [H] }, outs: { y: X } },
  skip_ln_bias_unread_stats: {
    nodes: [ms('SkipLayerNormalization', ['x', 's', 'g', '', 'bi'], ['y', 'mean', 'inv', 'sum'])],
    ins: { x: X, s: X, g: [H], bi: [H] }, outs: { y: X, sum: X },
  },
  skip_ln_broadcast_skip: { nodes: [ms('SkipLayerNormalization', ['x', 's', 'g'], ['y'])], ins: { x: X, s: [1, S, H], g: [H] }, outs: { y: X } },
  skip_simplified: { nodes: [ms('SkipSimplifiedLayerNormalization', ['x', 's', 'g'], ['y'], [attr.float('epsilon', 1e-6)])], ins: { x: X, s: X, g: [H] }, outs: { y: X } },
  skip_simplified_bias_sum: {
    nodes: [ms('SkipSimplifiedLayerNormalization', ['x', 's', 'g', 'bi'], ['y', '', '', 'sum'])], ins: { x: X, s: X, g: [H], bi: [H] }, outs: { y: X, sum: X },
  },
  rms_norm: { nodes: [node('SimplifiedLayerNormalization', ['x', 'g'], ['y'], [attr.float('epsilon', 1e-6)])], ins: { x: X, g: [H] }, outs: { y: X } },
  rms_norm_axis1_unread_inv: {
    nodes: [node('SimplifiedLayerNormalization', ['x', 'g'], ['y', 'inv'], [attr.int('axis', 1)])], ins: { x: X, g: [S, H] }, outs: { y: X },
  },
};

function model(c: Case): Uint8Array {
  return encodeModel({
    nodes: c.nodes, opset: c.opset ?? 17, domains: { 'com.microsoft': 1 },
    inputs: Object.entries(c.ins).map(([k, s]) => valueInfo(k, DT.FLOAT, s)),
    outputs: Object.entries(c.outs).map(([k, s]) => valueInfo(k, DT.FLOAT, s)),
  });
}

const inputsFor = (c: Case): Record<string, HostTensor> =>
  Object.fromEntries(Object.entries(c.ins).map(([k, s]) => [k, hostTensor('float32', s, k === 'g' ? randn(r, shapeSize(s), 0.5).map((v) => v + 1) : randn(r, shapeSize(s)))]));

async function ort(bytes: Uint8Array, inputs: Record<string, HostTensor>): Promise<Record<string, Float32Array>> {
  const o = await import('onnxruntime-node');
  const session = await o.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
  const feeds = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, new o.Tensor('float32', Float32Array.from(v.data), v.shape)]));
  const out = await session.run(feeds);
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Float32Array.from(v.data as Float32Array)]));
}

/** The imported (rewritten) graph evaluated node by node with the ops' CPU references. */
async function cpu(bytes: Uint8Array, inputs: Record<string, HostTensor>): Promise<Map<string, HostTensor>> {
  const g = (await loadGraph(bytes)).graph;
  const vals = new Map<string, HostTensor>([...g.initializers, ...Object.entries(inputs)]);
  for (const n of g.nodes) {
    const outs = referenceNode(n, n.inputs.map((v) => (v ? vals.get(v)! : null)), g.opsets[n.domain] ?? 17);
    n.outputs.forEach((o, k) => o && vals.set(o, outs[k]!));
  }
  return vals;
}

describe(`onnxruntime contrib ops (WGML_SEED=${seed})`, () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: GPU and CPU reference match onnxruntime`, async () => {
      const bytes = model(c), inputs = inputsFor(c);
      const want = await ort(bytes, inputs);
      const got = await wgml.runModel(await testDevice(), bytes, inputs);
      const ref = await cpu(bytes, inputs);
      for (const k of Object.keys(c.outs)) {
        expect(compareClose(got[k]!.data, want[k]!, 1e-3, 1e-4), `${k} GPU`).toBeNull();
        expect(compareClose(ref.get(k)!.data, want[k]!, 1e-4, 1e-5), `${k} reference`).toBeNull();
      }
    });
  }

  it('an optimized BERT FFN (MatMul, FastGelu with bias, MatMul, SkipLayerNormalization with bias) takes the two GEMMs\' three dispatches', async () => {
    const D = 64, F = 256;
    const w = (name: string, dims: number[]) => tensor(name, DT.FLOAT, dims, { float_data: Array.from(randn(r, shapeSize(dims), 0.1)) });
    const bytes = encodeModel({
      nodes: [node('MatMul', ['x', 'W1'], ['h']), ms('FastGelu', ['h', 'b1'], ['a']), node('MatMul', ['a', 'W2'], ['f']),
        ms('SkipLayerNormalization', ['f', 'x', 'g', 'be', 'b2'], ['y', '', '', 'sum'])],
      opset: 17, domains: { 'com.microsoft': 1 }, inputs: [valueInfo('x', DT.FLOAT, [1, S, D])],
      outputs: [valueInfo('y', DT.FLOAT, [1, S, D]), valueInfo('sum', DT.FLOAT, [1, S, D])],
      initializers: [w('W1', [D, F]), w('b1', [F]), w('W2', [F, D]), w('g', [D]), w('be', [D]), w('b2', [D])],
    });
    const p = planNetwork(await testDevice(), (await loadGraph(bytes)).graph, { inputDimensions: { x: [1, S, D] } });
    const kernels = p.dispatches.map((d) => d.kernel.name);
    // FFN-up with the bias and GELU as its epilogue; FFN-down (split-K) whose reduce adds bias and skip and normalizes
    expect(kernels.length, kernels.join(', ')).toBe(3);
    expect(kernels.filter((k) => k.endsWith('_reduce_layernorm')).length).toBe(1);
    expect(p.nodes.some((n) => /Gelu|Add|LayerNormalization/.test(n.opType)), p.nodes.map((n) => n.opType).join()).toBe(false);
    const x = hostTensor('float32', [1, S, D], randn(r, S * D));
    const [got, want] = [await wgml.runModel(await testDevice(), bytes, { x }), await ort(bytes, { x })];
    for (const k of ['y', 'sum']) expect(compareClose(got[k]!.data, want[k]!, 1e-3, 1e-4), k).toBeNull();
  });

  it('refuses a gamma or skip that is not the hidden size, naming the node', async () => {
    const c: Case = { nodes: [ms('SkipLayerNormalization', ['x', 's', 'g'], ['y'])], ins: { x: X, s: X, g: [H - 1] }, outs: { y: X } };
    await expect(wgml.runModel(await testDevice(), model(c), inputsFor(c))).rejects.toThrow(/node 'n_SkipLayerNormalization' \(LayerNormalization\): Scale \[7\]/);
    const skip: Case = { nodes: [ms('SkipLayerNormalization', ['x', 's', 'g'], ['y'])], ins: { x: X, s: [B, S, H + 1], g: [H] }, outs: { y: X } };
    await expect(wgml.runModel(await testDevice(), model(skip), inputsFor(skip))).rejects.toMatchObject({ code: 'E_NODE', message: expect.stringMatching(/node 'n_SkipLayerNormalization\/skip' \(Add\)/) });
    const rms: Case = { nodes: [node('SimplifiedLayerNormalization', ['x', 'g'], ['y'], [], { name: 'rms' })], ins: { x: X, g: [2 * H] }, outs: { y: X } };
    await expect(wgml.runModel(await testDevice(), model(rms), inputsFor(rms))).rejects.toThrow(/node 'rms' \(SimplifiedLayerNormalization\): scale \[16\] does not match/);
  });

  it('refuses a read mean / inv_std_var output of SkipLayerNormalization, naming node and op', async () => {
    const c: Case = { nodes: [ms('SkipLayerNormalization', ['x', 's', 'g'], ['y', 'mean'])], ins: { x: X, s: X, g: [H] }, outs: { y: X, mean: [B, S, 1] } };
    await expect(wgml.runModel(await testDevice(), model(c), inputsFor(c)))
      .rejects.toMatchObject({ code: 'E_NODE', message: expect.stringMatching(/node 'n_SkipLayerNormalization' \(SkipLayerNormalization\): output 1 \(mean\) is read/) });
  });
});
