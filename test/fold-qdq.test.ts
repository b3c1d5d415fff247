/**
 * QDQ-format models (passes/fold-qdq.ts, ops/quant/quant-dequant.ts): QuantizeLinear → DequantizeLinear pairs become
 * one elementwise op that fuses with its neighbours or into a convolution's epilogue. A block as onnxruntime's
 * quantize_static writes it (int8 weights behind DequantizeLinear, a pair on every activation, a Relu, a residual Add)
 * gives bit-identical outputs with and without fusion, matches onnxruntime-node to within a quantization step, and
 * plans the convolutions with the pairs as their activations and no Quantize/DequantizeLinear node;
 * pairs that must stay (a quantized value read by a QLinear op or returned, per-axis scales) stay.
 */
import { describe, it, expect } from 'vitest';
import * as wgml from '../src/index.js';
import { hostTensor, shapeSize } from '../src/ir/types.js';
import { loadGraph } from '../src/runtime/library.js';
import { planNetwork } from '../src/runtime/pipeline.js';
import { foldQdq } from '../src/passes/fold-qdq.js';
import { testDevice } from './helpers/gpu.js';
import { randInt, randn, rng, testSeed } from './helpers/random.js';
import { attr, DT, encodeModel, node, tensor, valueInfo } from './helpers/onnx-testdata.js';

const seed = testSeed();
const r = rng(seed);
type Obj = Record<string, unknown>;
const f32 = (name: string, v: number[], dims: number[] = []) => tensor(name, DT.FLOAT, dims, { float_data: v });
const u8 = (name: string, v: number[], dims: number[] = []) => tensor(name, DT.UINT8, dims, { int32_data: v });
const i8 = (name: string, v: number[], dims: number[] = []) => tensor(name, DT.INT8, dims, { int32_data: v });
const q = (x: string, y: string, s: string, z: string, name = `q_${y}`) => node('QuantizeLinear', [x, s, z], [y], [], { name });
const dq = (x: string, y: string, s: string, z: string, name = `dq_${y}`) => node('DequantizeLinear', [x, s, z], [y], [], { name });
const C = 8, H = 6;

/** x → QDQ → Conv(DQ(w1)) → Relu → QDQ → Conv(DQ(w2)) → Add(residual: the first QDQ) → QDQ → y. */
function block(extra: { nodes?: Obj[]; outputs?: Obj[]; inits?: Obj[] } = {}): Uint8Array {
  const w = (k: string) => [i8(`${k}q`, Array.from(randInt(r, C * C * 9, -100, 100)), [C, C, 3, 3]), f32(`${k}s`, [0.004]), i8(`${k}z`, [0])];
  return encodeModel({
    nodes: [
      q('x', 'xq', 'sa', 'za'), dq('xq', 'xd', 'sa', 'za'),
      dq('w1q', 'w1', 'w1s', 'w1z'), node('Conv', ['xd', 'w1', 'b1'], ['c1'], [attr.ints('pads', [1, 1, 1, 1])], { name: 'conv1' }), node('Relu', ['c1'], ['r1'], [], { name: 'relu1' }),
      q('r1', 'r1q', 'sb', 'zb'), dq('r1q', 'r1d', 'sb', 'zb'),
      dq('w2q', 'w2', 'w2s', 'w2z'), node('Conv', ['r1d', 'w2', 'b2'], ['c2'], [attr.ints('pads', [1, 1, 1, 1])], { name: 'conv2' }),
      node('Add', ['c2', 'xd'], ['s'], [], { name: 'residual' }), q('s', 'sq', 'sc', 'zc'), dq('sq', 'y', 'sc', 'zc'),
      ...(extra.nodes ?? []),
    ],
    opset: 13, inputs: [valueInfo('x', DT.FLOAT, [1, C, H, H])],
    outputs: [valueInfo('y', DT.FLOAT, [1, C, H, H]), ...(extra.outputs ?? [])],
    initializers: [f32('sa', [0.02]), u8('za', [128]), f32('sb', [0.015]), u8('zb', [0]), f32('sc', [0.03]), u8('zc', [120]),
      ...w('w1'), ...w('w2'), f32('b1', Array.from(randn(r, C, 0.1)), [C]), f32('b2', Array.from(randn(r, C, 0.1)), [C]), ...(extra.inits ?? [])],
  });
}

async function ort(bytes: Uint8Array, x: Float32Array): Promise<Float32Array>;
async function ort(bytes: Uint8Array, x: Float32Array, names: string[]): Promise<Record<string, number[]>>;
async function ort(bytes: Uint8Array, x: Float32Array, names?: string[]): Promise<Float32Array | Record<string, number[]>> {
  const o = await import('onnxruntime-node');
  const session = await o.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
  const out = await session.run({ x: new o.Tensor('float32', x, [1, C, H, H]) });
  await session.release();
  if (!names) return Float32Array.from(out.y!.data as Float32Array);
  return Object.fromEntries(names.map((k) => [k, Array.from(out[k]!.data as ArrayLike<number>)]));
}

describe(`QDQ pairs fold to one fusable op (WGML_SEED=${seed})`, () => {
  it('a quantize_static-style block: bit-identical with and without fusion, within a step of onnxruntime, no Q/DQ node planned', async () => {
    const device = await testDevice();
    const bytes = block();
    const x = hostTensor('float32', [1, C, H, H], randn(r, C * H * H));
    const fused = (await wgml.runModel(device, bytes, { x })).y!.data;
    const plain = (await wgml.runModel(device, bytes, { x }, { fuse: false })).y!.data;
    expect(Array.from(fused)).toEqual(Array.from(plain));
    const want = await ort(bytes, x.data as Float32Array);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(fused[i]! - want[i]!));
    // the float convolutions sum in another order than onnxruntime's: a value on a rounding edge moves by one step
    expect(worst, `seed ${seed}`).toBeLessThanOrEqual(0.03 * 1.001);
    const plan = planNetwork(device, (await loadGraph(bytes)).graph, { inputDimensions: { x: [1, C, H, H] } });
    expect(plan.nodes.filter((n) => /QuantizeLinear|DequantizeLinear/.test(n.opType)).map((n) => n.name)).toEqual([]);
    // the input's pair alone; conv1 takes its pair as its activation (the Relu before it dropped: zero point 0 = the
    // range's low end), conv2 the residual Add and the pair after it
    expect(plan.nodes.map((n) => `${n.opType}${n.attrs.wgml_act ? `+${n.attrs.wgml_act.value}` : ''}${n.attrs.wgml_residual ? '+residual' : ''}`))
      .toEqual(['QuantDequant', 'Conv+quantdequant', 'Conv+quantdequant+residual']);
    expect(plan.dispatches.length, plan.dispatches.map((d) => d.kernel.name).join(', ')).toBeLessThanOrEqual(5);
  });

  it('a QDQ linear layer: the pair after MatMul + bias is the GEMM\'s epilogue, bit-identical, within a step of onnxruntime', async () => {
    const device = await testDevice();
    const D = 16, F = 24;
    const bytes = encodeModel({
      nodes: [q('x', 'xq', 'sa', 'za'), dq('xq', 'xd', 'sa', 'za'), dq('wq', 'w', 'ws', 'wz'), node('MatMul', ['xd', 'w'], ['h'], [], { name: 'mm' }),
        node('Add', ['h', 'b'], ['hb'], [], { name: 'bias' }), q('hb', 'hq', 'sc', 'zc'), dq('hq', 'y', 'sc', 'zc')],
      opset: 13, inputs: [valueInfo('x', DT.FLOAT, [3, D])], outputs: [valueInfo('y', DT.FLOAT, [3, F])],
      initializers: [f32('sa', [0.02]), u8('za', [128]), f32('sc', [0.03]), u8('zc', [120]), i8('wq', Array.from(randInt(r, D * F, -100, 100)), [D, F]),
        f32('ws', [0.01]), i8('wz', [0]), f32('b', Array.from(randn(r, F, 0.1)), [F])],
    });
    const x = hostTensor('float32', [3, D], randn(r, 3 * D));
    const fused = (await wgml.runModel(device, bytes, { x })).y!.data;
    expect(Array.from(fused)).toEqual(Array.from((await wgml.runModel(device, bytes, { x }, { fuse: false })).y!.data));
    const o = await import('onnxruntime-node');
    const session = await o.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
    const want = (await session.run({ x: new o.Tensor('float32', x.data as Float32Array, [3, D]) })).y!.data as Float32Array;
    await session.release();
    for (let i = 0; i < want.length; i++) expect(Math.abs(fused[i]! - want[i]!), `seed ${seed}, element ${i}`).toBeLessThanOrEqual(0.03 * 1.001);
    const plan = planNetwork(device, (await loadGraph(bytes)).graph, { inputDimensions: { x: [3, D] } });
    expect(plan.nodes.map((n) => n.opType)).toEqual(['QuantDequant', 'MatMul']);
    expect(String(plan.nodes[1]!.attrs.wgml_epilogue?.value)).toMatch(/wgml\.QuantDequant/);
  });

  it('keeps the pairs whose quantized value is read elsewhere or whose scale is per channel', async () => {
    const device = await testDevice();
    // xq is also a graph output; a per-channel pair on c2 stays as it is
    const bytes = block({
      nodes: [q('c2', 'c2q', 'pcs', 'pcz', 'q_pc'), dq('c2q', 'c2d', 'pcs', 'pcz', 'dq_pc')],
      outputs: [valueInfo('xq', DT.UINT8, [1, C, H, H]), valueInfo('c2d', DT.FLOAT, [1, C, H, H])],
      inits: [f32('pcs', Array.from({ length: C }, (_, i) => 0.01 + 0.001 * i), [C]), u8('pcz', new Array(C).fill(100), [C])],
    });
    const g = (await loadGraph(bytes)).graph;
    const plan = planNetwork(device, g, { inputDimensions: { x: [1, C, H, H] } });
    // the per-channel pair stays; the returned xq's pair splits into wgml.Quantize and wgml.Dequantize (fusable)
    expect(plan.nodes.filter((n) => /QuantizeLinear|DequantizeLinear/.test(n.opType)).map((n) => n.name).sort()).toEqual(['dq_pc', 'q_pc']);
    const folded = foldQdq(g, new Map([...g.initializers]), new Map([['x', { dtype: 'float32', shape: [1, C, H, H] }], ['xq', { dtype: 'uint8', shape: [1, C, H, H] }], ['xd', { dtype: 'float32', shape: [1, C, H, H] }]]));
    expect(folded.nodes.filter((n) => n.name === 'q_xq' || n.name === 'dq_xd').map((n) => `${n.domain}.${n.opType}`)).toEqual(['wgml.Quantize', 'wgml.Dequantize']);
    // and the model still computes what onnxruntime does, the returned integers exactly
    const x = hostTensor('float32', [1, C, H, H], randn(r, shapeSize([1, C, H, H])));
    const got = await wgml.runModel(device, bytes, { x }), want = await ort(bytes, x.data as Float32Array, ['y', 'xq']);
    for (let i = 0; i < want.y!.length; i++) expect(Math.abs(got.y!.data[i]! - want.y![i]!), `seed ${seed}, element ${i}`).toBeLessThanOrEqual(0.03 * 1.001);
    expect(Array.from(got.xq!.data)).toEqual(Array.from(want.xq!));
  });
});
