/**
 * onnxruntime's QOperator contrib ops (onnx/qoperator.ts rewrites them at import) against onnxruntime-node's own
 * CPU kernels. Each model quantizes float inputs with QuantizeLinear, runs the op on 8-bit values and
 * dequantizes its output, so inputs and outputs are float. onnxruntime rounds its own way (fixed-point scale ratios,
 * an integer GEMM for QGemm), so an output may sit one quantization step away: at most one step anywhere, and on
 * at most a few percent of the elements. Also: a whole quantized block (QLinearConv → QLinearAdd residual →
 * QLinearGlobalAveragePool → QGemm), and the refusal of NHWC pools.
 */
import { describe, it, expect } from 'vitest';
import * as wgml from '../src/index.js';
import { hostTensor, shapeSize, type HostTensor } from '../src/ir/types.js';
import { testDevice } from './helpers/gpu.js';
import { randn, randInt, rng, testSeed } from './helpers/random.js';
import { attr, DT, encodeModel, node, tensor, valueInfo } from './helpers/onnx-testdata.js';
import { loadGraph } from '../src/runtime/library.js';
import { planNetwork } from '../src/runtime/pipeline.js';

const seed = testSeed();
const r = rng(seed);
type Obj = Record<string, unknown>;
const ms = (op: string, ins: string[], outs: string[], attrs: Obj[] = []) => node(op, ins, outs, attrs, { domain: 'com.microsoft', name: `n_${op}` });
const f32 = (name: string, v: number[], dims: number[] = []) => tensor(name, DT.FLOAT, dims, { float_data: v });
const u8 = (name: string, v: number[], dims: number[] = []) => tensor(name, DT.UINT8, dims, { int32_data: v });
const i8 = (name: string, v: number[], dims: number[] = []) => tensor(name, DT.INT8, dims, { int32_data: v });

/** Scales and zero points: 0.02 (uint8 zp 128), 0.03 (uint8 zp 100; int8 zp 3), the output 0.025 (uint8 zp 120; int8 zp −5). */
const QPARAMS = [f32('sa', [0.02]), u8('za', [128]), f32('sb', [0.03]), u8('zb', [100]), i8('zbs', [3]), f32('sy', [0.025]), u8('zy', [120]), i8('zys', [-5])];
/** Quantize float input `x` to `q` with scale/zero point names. */
const quant = (x: string, q: string, s: string, z: string) => node('QuantizeLinear', [x, s, z], [q], [], { name: `q_${x}` });
const dequant = (q: string, y: string, s: string, z: string) => node('DequantizeLinear', [q, s, z], [y], [], { name: `dq_${y}` });

interface Case { nodes: Obj[]; ins: Record<string, number[]>; out: number[]; step: number; inits?: Obj[]; opset?: number }

const unary = (op: string, attrs: Obj[] = [], out?: number[]): Case => ({
  nodes: [quant('a', 'qa', 'sa', 'za'), ms(op, ['qa', 'sa', 'za', 'sy', 'zy'], ['qy'], attrs), dequant('qy', 'y', 'sy', 'zy')],
  ins: { a: [2, 3, 6, 7] }, out: out ?? [2, 3, 6, 7], step: 0.025,
});

const CASES: Record<string, Case> = {
  add_broadcast: {
    nodes: [quant('a', 'qa', 'sa', 'za'), quant('b', 'qb', 'sb', 'zb'), ms('QLinearAdd', ['qa', 'sa', 'za', 'qb', 'sb', 'zb', 'sy', 'zy'], ['qy']), dequant('qy', 'y', 'sy', 'zy')],
    ins: { a: [2, 3, 4, 5], b: [1, 3, 1, 5] }, out: [2, 3, 4, 5], step: 0.025,
  },
  mul_int8: {
    nodes: [quant('a', 'qa', 'sa', 'zbs'), quant('b', 'qb', 'sb', 'zbs'), ms('QLinearMul', ['qa', 'sa', 'zbs', 'qb', 'sb', 'zbs', 'sy', 'zys'], ['qy']), dequant('qy', 'y', 'sy', 'zys')],
    ins: { a: [3, 8], b: [3, 8] }, out: [3, 8], step: 0.025,
  },
  global_average_pool: unary('QLinearGlobalAveragePool', [], [2, 3, 1, 1]),
  average_pool: unary('QLinearAveragePool', [attr.ints('kernel_shape', [3, 3]), attr.ints('strides', [2, 2]), attr.ints('pads', [1, 1, 1, 1])], [2, 3, 3, 4]),
  average_pool_count_pad: unary('QLinearAveragePool', [attr.ints('kernel_shape', [2, 2]), attr.ints('pads', [1, 0, 0, 1]), attr.int('count_include_pad', 1)], [2, 3, 6, 7]),
  sigmoid: unary('QLinearSigmoid'),
  softmax: unary('QLinearSoftmax', [attr.int('opset', 13)]),
  softmax_axis1_opset11: { ...unary('QLinearSoftmax', [attr.int('axis', 1), attr.int('opset', 11)]), opset: 11 },
  leaky_relu: unary('QLinearLeakyRelu', [attr.float('alpha', 0.2)]),
  concat: {
    nodes: [quant('a', 'qa', 'sa', 'za'), quant('b', 'qb', 'sb', 'zb'), ms('QLinearConcat', ['sy', 'zy', 'qa', 'sa', 'za', 'qb', 'sb', 'zb'], ['qy'], [attr.int('axis', 1)]), dequant('qy', 'y', 'sy', 'zy')],
    ins: { a: [2, 3, 4], b: [2, 5, 4] }, out: [2, 8, 4], step: 0.025,
  },
};

/** QGemm with int8 weights per output channel and an int32 bias; quantized or float output. */
function qgemm(transB: boolean, quantOut: boolean): Case {
  const K = 16, N = 8, sb = Array.from({ length: N }, (_, i) => 0.01 + 0.002 * i);
  const W = randInt(r, K * N, -127, 127), C = randInt(r, N, -2000, 2000);
  const out = quantOut ? ['qy'] : ['y'];
  return {
    nodes: [quant('a', 'qa', 'sa', 'za'), ms('QGemm', ['qa', 'sa', 'za', 'W', 'sw', 'zw', 'C', ...(quantOut ? ['sy', 'zy'] : [])], out, transB ? [attr.int('transB', 1)] : []),
      ...(quantOut ? [dequant('qy', 'y', 'sy', 'zy')] : [])],
    ins: { a: [5, K] }, out: [5, N], step: quantOut ? 0.025 : 1e-4,
    inits: [i8('W', Array.from(W), transB ? [N, K] : [K, N]), f32('sw', sb, [N]), i8('zw', new Array(N).fill(0), [N]), tensor('C', DT.INT32, [N], { int32_data: Array.from(C) })],
  };
}
CASES.qgemm_quantized = qgemm(false, true);
CASES.qgemm_transB_float = qgemm(true, false);

function model(c: Case): Uint8Array {
  return encodeModel({
    nodes: c.nodes, opset: c.opset ?? 13, domains: { 'com.microsoft': 1 },
    inputs: Object.entries(c.ins).map(([k, s]) => valueInfo(k, DT.FLOAT, s)),
    outputs: [valueInfo('y', DT.FLOAT, c.out)], initializers: [...QPARAMS, ...(c.inits ?? [])],
  });
}

async function ort(bytes: Uint8Array, inputs: Record<string, HostTensor>): Promise<Float32Array> {
  const o = await import('onnxruntime-node');
  const session = await o.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
  const feeds = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, new o.Tensor('float32', Float32Array.from(v.data), v.shape)]));
  const out = await session.run(feeds);
  await session.release();
  return Float32Array.from(out.y!.data as Float32Array);
}

/** At most `step` apart anywhere, and exactly equal on all but `share` of the elements. */
function withinOneStep(got: ArrayLike<number>, want: Float32Array, step: number, share = 0.05): void {
  expect(got.length).toBe(want.length);
  let off = 0, worst = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    worst = Math.max(worst, d);
    if (d > 1e-6 + 1e-5 * Math.abs(want[i]!)) off++;
  }
  expect(worst, `seed ${seed}: largest difference`).toBeLessThanOrEqual(step * 1.001 + 1e-6);
  expect(off / want.length, `seed ${seed}: share of elements off by a step`).toBeLessThanOrEqual(share);
}

const inputsFor = (c: Case) => Object.fromEntries(Object.entries(c.ins).map(([k, s]) => [k, hostTensor('float32', s, randn(r, shapeSize(s)))]));

describe(`onnxruntime QOperator ops (WGML_SEED=${seed})`, () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: matches onnxruntime to within one quantization step`, async () => {
      const bytes = model(c), inputs = inputsFor(c);
      const got = await wgml.runModel(await testDevice(), bytes, inputs);
      expect(got.y!.shape).toEqual(c.out);
      // a float QGemm output carries the f32 GEMM's rounding against onnxruntime's integer one
      withinOneStep(got.y!.data, await ort(bytes, inputs), c.step * (c.step < 1e-3 ? 50 : 1), c.step < 1e-3 ? 1 : 0.05);
    });
  }

  it('a quantized ResNet block (QLinearConv → QLinearAdd residual → QLinearGlobalAveragePool → QGemm) matches onnxruntime', async () => {
    const C = 16, H = 8, N = 10;
    const conv = (name: string, x: string, y: string) => node('QLinearConv', [x, 'sa', 'za', `${name}_w`, `${name}_sw`, `${name}_zw`, 'sa', 'za', `${name}_b`], [y], [attr.ints('pads', [1, 1, 1, 1])], { name });
    const convInits = (name: string) => [i8(`${name}_w`, Array.from(randInt(r, C * C * 9, -60, 60)), [C, C, 3, 3]), f32(`${name}_sw`, Array.from({ length: C }, () => 0.0015), [C]),
      i8(`${name}_zw`, new Array(C).fill(0), [C]), tensor(`${name}_b`, DT.INT32, [C], { int32_data: Array.from(randInt(r, C, -500, 500)) })];
    const c: Case = {
      nodes: [quant('a', 'qa', 'sa', 'za'), conv('conv1', 'qa', 'h1'), conv('conv2', 'h1', 'h2'),
        ms('QLinearAdd', ['h2', 'sa', 'za', 'qa', 'sa', 'za', 'sa', 'za'], ['res']), ms('QLinearGlobalAveragePool', ['res', 'sa', 'za', 'sa', 'za'], ['pool']),
        node('Reshape', ['pool', 'shape'], ['flat']),
        ms('QGemm', ['flat', 'sa', 'za', 'W', 'sw', 'zw', 'C', 'sy', 'zy'], ['qy']), dequant('qy', 'y', 'sy', 'zy')],
      ins: { a: [1, C, H, H] }, out: [1, N], step: 0.025,
      inits: [...convInits('conv1'), ...convInits('conv2'), tensor('shape', DT.INT64, [2], { int64_data: [1, C] }),
        i8('W', Array.from(randInt(r, C * N, -127, 127)), [C, N]), f32('sw', Array.from({ length: N }, (_, i) => 0.01 + 0.001 * i), [N]), i8('zw', new Array(N).fill(0), [N]),
        tensor('C', DT.INT32, [N], { int32_data: Array.from(randInt(r, N, -2000, 2000)) })],
    };
    const bytes = model(c), inputs = inputsFor(c);
    const got = await wgml.runModel(await testDevice(), bytes, inputs);
    // The same block up to the pool: each pooled value at most a step (sa) from onnxruntime's (rounding the convolutions'
    // requantization on the other side of a tie moves a pixel by a step, and the mean of 64 by less).
    const upToPool: Case = { ...c, nodes: [...c.nodes.slice(0, 5), dequant('pool', 'y', 'sa', 'za')], out: [1, C, 1, 1], step: 0.02 };
    const pool = (await wgml.runModel(await testDevice(), model(upToPool), inputs)).y!.data, poolRef = await ort(model(upToPool), inputs);
    withinOneStep(pool, poolRef, upToPool.step, 1);
    // Then each logit is within what those pooled differences can move it by: Σ_c |W[c, n]| · |Δpool_c| · sw[n], and a
    // step for its own rounding. (A flat "three steps" failed one seed in about 45: 11111, four steps, 2026-12-06.)
    const init = (name: string) => c.inits!.find((t) => (t as { name?: string }).name === name) as { int32_data?: number[]; float_data?: number[] };
    const W = init('W').int32_data!, sw = init('sw').float_data!, want = await ort(bytes, inputs);
    for (let n = 0; n < N; n++) {
      let move = 0;
      for (let ch = 0; ch < C; ch++) move += Math.abs(W[ch * N + n]!) * Math.abs(pool[ch]! - poolRef[ch]!) * sw[n]!;
      expect(Math.abs(got.y!.data[n]! - want[n]!), `seed ${seed}: logit ${n}`).toBeLessThanOrEqual(move + c.step * 1.001 + 1e-6);
    }
    // QLinearAdd's Dequantize → Add → Quantize is one fused kernel, as are the pool's and QGemm's edges (passes/fold-qdq.ts)
    const plan = planNetwork(await testDevice(), (await loadGraph(bytes)).graph, { inputDimensions: { a: [1, C, H, H] } });
    const ops = plan.nodes.map((n) => n.opType);
    expect(ops.filter((o) => /QuantizeLinear|DequantizeLinear|^Add$/.test(o)), ops.join(', ')).toEqual([]);
  });

  it('refuses a Softmax whose meaning changed between the node\'s opset and the model\'s, naming the node', async () => {
    const c = unary('QLinearSoftmax', [attr.int('axis', 1), attr.int('opset', 11)]);
    await expect(wgml.runModel(await testDevice(), model(c), inputsFor(c))).rejects.toThrow(/n_QLinearSoftmax.*axis 1 of a Softmax from opset 11 in a model of opset 13/);
  });

  it('refuses an NHWC pool (channels_last = 1), naming the node', async () => {
    const c = unary('QLinearGlobalAveragePool', [attr.int('channels_last', 1)], [2, 1, 1, 7]);
    await expect(wgml.runModel(await testDevice(), model(c), inputsFor(c))).rejects.toThrow(/n_QLinearGlobalAveragePool.*channels_last = 1/);
  });
});
