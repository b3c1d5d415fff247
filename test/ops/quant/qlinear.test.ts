/**
 * Quantized models against onnxruntime-node (and PyTorch's own quantized inference): QLinearConv and
 * QLinearMatMul in a QOperator-format network; onnxruntime's dynamic quantization (DynamicQuantizeLinear →
 * MatMulInteger → Cast · scale, fused into the GEMM); QDQ networks, one quantized and exported by PyTorch;
 * int8 weights packed four to a word; the ops one by one against their CPU references; and the refusals,
 * which name the node.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import * as wgml from '../../../src/index.js';
import { hostTensor, shapeSize, type AttrValue, type ElemType, type HostTensor, type Node } from '../../../src/ir/types.js';
import { runNode, referenceNode } from '../../../src/runtime/single.js';
import { loadGraph } from '../../../src/runtime/library.js';
import { planNetwork } from '../../../src/runtime/pipeline.js';
import { testDevice } from '../../helpers/gpu.js';
import { compareClose, randInt, randn, rng, testSeed } from '../../helpers/random.js';
import { attr, DT, encodeModel, node, tensor, valueInfo } from '../../helpers/onnx-testdata.js';

const seed = testSeed();
const r = rng(seed);
const ints = (dt: 'uint8' | 'int8' | 'int32', n: number, lo?: number, hi?: number) =>
  Array.from(randInt(r, n, lo ?? (dt === 'uint8' ? 0 : -128), hi ?? (dt === 'uint8' ? 255 : 127)));
const scales = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * r()));
const DTS = { uint8: DT.UINT8, int8: DT.INT8, int32: DT.INT32 } as const;

/** An initializer; int8/uint8 in int32_data, as TensorProto stores them. */
function init(name: string, dt: 'float32' | 'uint8' | 'int8' | 'int32', dims: number[], values: number[]) {
  return dt === 'float32' ? tensor(name, DT.FLOAT, dims, { float_data: values }) : tensor(name, DTS[dt], dims, { int32_data: values });
}

/** x → Quantize → QLinearConv (stride 2, pads, per-channel w) → QLinearConv (2 groups, dilation) → Dequantize → Flatten → Quantize → QLinearMatMul → Dequantize. */
function qoperatorNet(act: 'uint8' | 'int8') {
  const C = 3, M1 = 8, M2 = 6, H = 9, F = M2 * 5 * 5, O = 10;
  const az = act === 'uint8' ? 128 : 0;
  const inits = [
    init('xs', 'float32', [], [0.02]), init('xz', act, [], [act === 'uint8' ? 120 : -3]),
    init('w1', 'int8', [M1, C, 3, 3], ints('int8', M1 * C * 9, -90, 90)), init('w1s', 'float32', [M1], scales(M1, 0.002, 0.01)), init('w1z', 'int8', [M1], Array(M1).fill(0)),
    init('b1', 'int32', [M1], ints('int32', M1, -3000, 3000)), init('y1s', 'float32', [], [0.05]), init('y1z', act, [], [az]),
    init('w2', 'int8', [M2, M1 / 2, 2, 2], ints('int8', M2 * (M1 / 2) * 4, -100, 100)), init('w2s', 'float32', [], [0.007]), init('w2z', 'int8', [], [0]),
    init('y2s', 'float32', [], [0.09]), init('y2z', act, [], [act === 'uint8' ? 100 : 5]),
    init('fs', 'float32', [], [0.09]), init('fz', act, [], [act === 'uint8' ? 100 : 5]),
    init('wm', 'int8', [F, O], ints('int8', F * O, -60, 60)), init('wms', 'float32', [O], scales(O, 0.003, 0.02)), init('wmz', 'int8', [O], Array(O).fill(0)),
    init('ys', 'float32', [], [0.25]), init('yz', act, [], [act === 'uint8' ? 128 : -2]),
  ];
  const nodes = [
    node('QuantizeLinear', ['x', 'xs', 'xz'], ['xq']),
    node('QLinearConv', ['xq', 'xs', 'xz', 'w1', 'w1s', 'w1z', 'y1s', 'y1z', 'b1'], ['c1'], [attr.ints('strides', [2, 2]), attr.ints('pads', [1, 1, 1, 1])], { name: 'conv1' }),
    node('QLinearConv', ['c1', 'y1s', 'y1z', 'w2', 'w2s', 'w2z', 'y2s', 'y2z'], ['c2'], [attr.int('group', 2), attr.ints('dilations', [2, 2]), attr.ints('pads', [1, 1, 1, 1])], { name: 'conv2' }),
    node('DequantizeLinear', ['c2', 'y2s', 'y2z'], ['d2']),
    node('Flatten', ['d2'], ['f']),
    node('QuantizeLinear', ['f', 'fs', 'fz'], ['fq']),
    node('QLinearMatMul', ['fq', 'fs', 'fz', 'wm', 'wms', 'wmz', 'ys', 'yz'], ['yq'], [], { name: 'fc' }),
    node('DequantizeLinear', ['yq', 'ys', 'yz'], ['y']),
  ];
  const bytes = encodeModel({ nodes, opset: 13, inputs: [valueInfo('x', DT.FLOAT, [2, C, H, H])], outputs: [valueInfo('y', DT.FLOAT, [2, O]), valueInfo('c2', DTS[act], [2, M2, 5, 5])], initializers: inits });
  return { bytes, x: hostTensor('float32', [2, C, H, H], randn(r, 2 * C * H * H, 1.5)) };
}

async function ort(bytes: Uint8Array, x: HostTensor): Promise<Record<string, number[]>> {
  const o = await import('onnxruntime-node');
  const s = await o.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
  const out = await s.run({ x: new o.Tensor('float32', Float32Array.from(x.data), x.shape) });
  await s.release();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v.data as ArrayLike<number>, Number)]));
}

const q = (dt: ElemType, shape: number[], lo?: number, hi?: number) => hostTensor(dt, shape, ints(dt as 'uint8', shapeSize(shape), lo, hi));
const f = (shape: number[], v: number[]) => hostTensor('float32', shape, v);
const nd = (op: string, n: number, attrs: Record<string, AttrValue> = {}): Node => ({ name: `${op}_t`, opType: op, domain: '', inputs: [...Array(n)].map((_, i) => (i === 2 && n > 9 ? '' : `x${i}`)), outputs: ['y'], attrs });

async function againstReference(n: Node, inputs: (HostTensor | null)[]) {
  const want = referenceNode(n, inputs, 13)[0]!;
  const [got] = await runNode(await testDevice(), n, inputs, { opset: 13 });
  expect(got!.dtype).toBe(want.dtype);
  expect(got!.shape).toEqual(want.shape);
  expect(Array.from(got!.data), `seed ${seed}`).toEqual(Array.from(want.data));
  return want;
}

describe(`quantized models (WGML_SEED=${seed})`, () => {
  for (const act of ['uint8', 'int8'] as const) {
    it(`a QOperator network with ${act} activations equals onnxruntime, value for value`, async () => {
      const { bytes, x } = qoperatorNet(act);
      const want = await ort(bytes, x);
      const got = await wgml.runModel(await testDevice(), bytes, { x });
      expect(Array.from(got.c2!.data), 'conv2 output (quantized)').toEqual(want.c2);
      expect(Array.from(got.y!.data), 'network output').toEqual(want.y);
      // not a constant: the quantized outputs spread over many levels
      expect(new Set(want.c2).size).toBeGreaterThan(10);
      // the QLinearMatMul's constant int8 weights ran packed four to a word
      const plan = planNetwork(await testDevice(), (await loadGraph(bytes)).graph, { inputDimensions: { x: x.shape } });
      expect(plan.nodes.find((n) => n.name === 'fc')?.attrs.wgml_b_packed?.value).toBe(10);
      expect(plan.nodes.filter((n) => n.opType === 'QLinearConv').map((n) => n.attrs.wgml_w_packed?.value)).toEqual([[8, 3, 3, 3], [6, 4, 2, 2]]);
    });
  }

  for (const S of [3, 24]) it(`a dynamically quantized MLP over ${S} rows (onnxruntime quantize_dynamic's form, as transformers.js ships) equals onnxruntime`, async () => {
    // DynamicQuantizeLinear → MatMulInteger (24 rows: the tiled kernel; 3: a thread per output) → Cast → Mul by A_scale·B_scale → Add → Relu, twice
    const D = 40, H = 72, O = 20;
    const layer = (p: string, input: string, K: number, N: number, out: string) => ({
      inits: [init(`${p}W`, 'int8', [K, N], ints('int8', K * N, -127, 127)), init(`${p}Ws`, 'float32', [], [0.004]), init(`${p}Wz`, 'int8', [], [0]),
        init(`${p}b`, 'float32', [N], Array.from(randn(r, N, 0.1)))],
      nodes: [node('DynamicQuantizeLinear', [input], [`${p}q`, `${p}s`, `${p}z`]), node('MatMulInteger', [`${p}q`, `${p}W`, `${p}z`, `${p}Wz`], [`${p}i`]),
        node('Mul', [`${p}s`, `${p}Ws`], [`${p}m`]), node('Cast', [`${p}i`], [`${p}f`], [attr.int('to', DT.FLOAT)]),
        node('Mul', [`${p}f`, `${p}m`], [`${p}y`]), node('Add', [`${p}y`, `${p}b`], [out])],
    });
    const l1 = layer('l1', 'x', D, H, 'h0'), l2 = layer('l2', 'h', H, O, 'y');
    const bytes = encodeModel({
      nodes: [...l1.nodes, node('Relu', ['h0'], ['h']), ...l2.nodes], opset: 13,
      inputs: [valueInfo('x', DT.FLOAT, [1, S, D])], outputs: [valueInfo('y', DT.FLOAT, [1, S, O])], initializers: [...l1.inits, ...l2.inits],
    });
    const x = hostTensor('float32', [1, S, D], randn(r, S * D));
    const want = (await ort(bytes, x)).y!;
    const got = await wgml.runModel(await testDevice(), bytes, { x });
    // integer sums are exact and the float steps are IEEE f32 in both, so only a contracted multiply-add
    // could move a value across a quantization step: allow one step of the output (0.004 · 127 · A_scale)
    const step = Math.max(...want.map(Math.abs)) / 100;
    const off = want.map((v, i) => Math.abs(v - got.y!.data[i]!)).filter((d) => d > 1e-5 * step * 100);
    expect(off.length, `${off.length} of ${want.length} outputs differ (largest ${Math.max(0, ...off)})`).toBeLessThanOrEqual(want.length / 100);
    expect(Math.max(0, ...off)).toBeLessThanOrEqual(step);
    // each Cast → Mul → Add (→ Relu) is MatMulInteger's epilogue: a layer is DynamicQuantizeLinear's two dispatches and the GEMM
    const plan = planNetwork(await testDevice(), (await loadGraph(bytes)).graph, { inputDimensions: { x: [1, S, D] } });
    const kernels = plan.dispatches.map((d) => d.kernel.name);
    const layerKernels = ['dynamic_quantize_minmax', 'dynamic_quantize_apply', S >= 16 ? 'matmul_integer_tile' : 'matmul_integer'];
    expect(kernels).toEqual([...layerKernels, ...layerKernels]);
    const mmi = plan.nodes.filter((n) => n.opType === 'MatMulInteger');
    expect(mmi.map((n) => JSON.parse(n.attrs.wgml_epilogue!.value as string).steps.map((st: { op: string }) => st.op).join(' '))).toEqual(['Cast Mul Mul Add Relu', 'Cast Mul Mul Add']);
  });

  it('a QDQ-format network (QuantizeLinear/DequantizeLinear around float Conv and MatMul, int8 weights) matches onnxruntime', async () => {
    const C = 3, M = 8, H = 8, F = M * 16, O = 6;
    const inits = [
      init('xs', 'float32', [], [0.03]), init('xz', 'uint8', [], [128]),
      init('wq', 'int8', [M, C, 3, 3], ints('int8', M * C * 9, -100, 100)), init('ws', 'float32', [M], scales(M, 0.003, 0.01)), init('wz', 'int8', [M], Array(M).fill(0)),
      init('b', 'float32', [M], Array.from(randn(r, M, 0.1))), init('hs', 'float32', [], [0.05]), init('hz', 'uint8', [], [0]),
      tensor('shape', DT.INT64, [2], { int64_data: [2, F] }), init('mq', 'int8', [F, O], ints('int8', F * O, -80, 80)), init('ms', 'float32', [], [0.002]), init('mz', 'int8', [], [0]),
    ];
    const nodes = [
      node('QuantizeLinear', ['x', 'xs', 'xz'], ['xq']), node('DequantizeLinear', ['xq', 'xs', 'xz'], ['xd']),
      node('DequantizeLinear', ['wq', 'ws', 'wz'], ['wd'], [attr.int('axis', 0)]),
      node('Conv', ['xd', 'wd', 'b'], ['c'], [attr.ints('pads', [1, 1, 1, 1]), attr.ints('strides', [2, 2]), attr.ints('kernel_shape', [3, 3])]),
      node('Relu', ['c'], ['cr']), node('QuantizeLinear', ['cr', 'hs', 'hz'], ['hq']), node('DequantizeLinear', ['hq', 'hs', 'hz'], ['hd']),
      node('Reshape', ['hd', 'shape'], ['f']), node('DequantizeLinear', ['mq', 'ms', 'mz'], ['md']), node('MatMul', ['f', 'md'], ['y']),
    ];
    const bytes = encodeModel({ nodes, opset: 13, inputs: [valueInfo('x', DT.FLOAT, [2, C, H, H])], outputs: [valueInfo('y', DT.FLOAT, [2, O]), valueInfo('hq', DT.UINT8, [2, M, 4, 4])], initializers: inits });
    const x = hostTensor('float32', [2, C, H, H], randn(r, 2 * C * H * H, 1.2));
    const want = await ort(bytes, x);
    const got = await wgml.runModel(await testDevice(), bytes, { x });
    // the float Conv's sums may round differently from onnxruntime's (another order), which can move a value
    // across a quantization step: at most one step, in a few of the quantized activations
    const hq = Array.from(got.hq!.data), off = hq.filter((v, i) => v !== want.hq![i]);
    expect(hq.every((v, i) => Math.abs(v - want.hq![i]!) <= 1), 'a quantized activation off by more than one step').toBe(true);
    expect(off.length).toBeLessThanOrEqual(hq.length / 50);
    expect(new Set(want.hq).size).toBeGreaterThan(10);
    if (!off.length) expect(compareClose(got.y!.data, want.y!, 1e-5, 1e-5)).toBeNull();
  });

  it('a CNN quantized by PyTorch and exported as QDQ (test/fixtures/quant) matches PyTorch\'s quantized inference and onnxruntime to within one output step', async () => {
    const path = new URL('../../fixtures/quant/torch_qdq.onnx', import.meta.url);
    const f = JSON.parse(readFileSync(new URL('../../fixtures/quant/torch_qdq.json', import.meta.url), 'utf8')) as { input: { shape: number[]; data: number[] }; output: { data: number[] } };
    const bytes = new Uint8Array(readFileSync(path));
    const x = hostTensor('float32', f.input.shape, f.input.data);
    const got = Array.from((await wgml.runModel(await testDevice(), bytes, { input: x })).output!.data);
    // the output's quantization step: the scale of the DequantizeLinear that writes it
    const g = await wgml.loadOnnx(bytes);
    const dq = g.nodes.find((n) => n.outputs.includes('output'))!;
    const scaleNode = g.nodes.find((n) => n.outputs.includes(dq.inputs[1]!))!;
    const step = (scaleNode.attrs.value!.value as HostTensor).data[0]!;
    expect(dq.opType).toBe('DequantizeLinear');
    // a float sum (GlobalAveragePool over dequantized values) in another order than onnxruntime's may round
    // across a QuantizeLinear boundary: a value then moves by one step, never more
    const within = (want: number[]) => got.every((v, i) => Math.abs(v - want[i]!) <= step * 1.01);
    expect(within(f.output.data), `wgml ${got.map((v) => v.toFixed(4))} against torch ${f.output.data.map((v) => v.toFixed(4))}`).toBe(true);
    const o = await import('onnxruntime-node');
    const sess = await o.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
    const want = Array.from((await sess.run({ input: new o.Tensor('float32', Float32Array.from(x.data), x.shape) })).output!.data as Float32Array);
    await sess.release();
    expect(within(want)).toBe(true);
    expect(got.filter((v, i) => Math.abs(v - want[i]!) > 1e-6).length).toBeLessThanOrEqual(got.length / 2);
    expect(Math.max(...want) - Math.min(...want)).toBeGreaterThan(10 * step);
  });

  it('MatMulInteger reads constant int8/uint8 weights packed four to a word: same sums, a quarter of the bytes', async () => {
    for (const [bt, S, K, N] of [['int8', 20, 37, 13], ['uint8', 3, 16, 30]] as const) {
      const bytes = encodeModel({
        nodes: [node('MatMulInteger', ['a', 'W', 'az', 'Wz'], ['y'])], opset: 13,
        inputs: [valueInfo('a', DT.UINT8, [S, K])], outputs: [valueInfo('y', DT.INT32, [S, N])],
        initializers: [init('W', bt, [K, N], ints(bt, K * N)), init('az', 'uint8', [], [7]), init('Wz', bt, [N], ints(bt, N, 0, 9))],
      });
      const a = hostTensor('uint8', [S, K], ints('uint8', S * K));
      const o = await import('onnxruntime-node');
      const sess = await o.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
      const want = Array.from((await sess.run({ a: new o.Tensor('uint8', Uint8Array.from(a.data), a.shape) })).y!.data as Int32Array);
      await sess.release();
      expect(Array.from((await wgml.runModel(await testDevice(), bytes, { a })).y!.data), `${bt} B, ${S} rows`).toEqual(want);
      const plan = planNetwork(await testDevice(), (await loadGraph(bytes)).graph, { inputDimensions: { a: [S, K] } });
      const mmi = plan.nodes.find((n) => n.opType === 'MatMulInteger')!;
      expect(mmi.attrs.wgml_b_packed?.value).toBe(N);
      // the packed words, the zero points, each constant aligned to 256 bytes; a word per value would not fit
      expect(plan.weightsBytes).toBeLessThanOrEqual(K * Math.ceil(N / 4) * 4 + 3 * 256);
      expect(plan.weightsBytes).toBeLessThan(K * N * 4);
    }
  });

  it('MatMulInteger without zero points takes its epilogue after two empty inputs (an int32 Add first, then the Cast)', async () => {
    const S = 20, K = 24, N = 9;
    const bytes = encodeModel({
      nodes: [node('MatMulInteger', ['a', 'W'], ['p']), node('Add', ['p', 'bi'], ['q']), node('Cast', ['q'], ['f'], [attr.int('to', DT.FLOAT)]), node('Mul', ['f', 'sc'], ['y'])], opset: 13,
      inputs: [valueInfo('a', DT.INT8, [S, K])], outputs: [valueInfo('y', DT.FLOAT, [S, N])],
      initializers: [init('W', 'int8', [K, N], ints('int8', K * N)), init('bi', 'int32', [N], ints('int32', N, -5000, 5000)), init('sc', 'float32', [], [0.0123])],
    });
    const a = hostTensor('int8', [S, K], ints('int8', S * K));
    const o = await import('onnxruntime-node');
    const sess = await o.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
    const want = Array.from((await sess.run({ a: new o.Tensor('int8', Int8Array.from(a.data), a.shape) })).y!.data as Float32Array);
    await sess.release();
    expect(Array.from((await wgml.runModel(await testDevice(), bytes, { a })).y!.data)).toEqual(want);
    const plan = planNetwork(await testDevice(), (await loadGraph(bytes)).graph, { inputDimensions: { a: [S, K] } });
    expect(plan.dispatches.map((d) => d.kernel.name)).toEqual(['matmul_integer_tile']);
    expect(plan.nodes[0]!.inputs.slice(2, 4)).toEqual(['', '']);
  });

  it('ConvInteger reads constant int8/uint8 weights packed flat, four to a word (a count not a multiple of 4)', async () => {
    for (const wt of ['uint8', 'int8'] as const) {
      const bytes = encodeModel({
        nodes: [node('ConvInteger', ['x', 'W', 'xz', 'Wz'], ['y'], [attr.ints('pads', [1, 1, 1, 1]), attr.int('group', 1)])], opset: 13,
        inputs: [valueInfo('x', DT.UINT8, [1, 2, 5, 6])], outputs: [valueInfo('y', DT.INT32, [1, 3, 5, 6])],
        initializers: [init('W', wt, [3, 2, 3, 3], ints(wt, 54)), init('xz', 'uint8', [], [100]), init('Wz', wt, [], [3])],
      });
      const x = hostTensor('uint8', [1, 2, 5, 6], ints('uint8', 60));
      const o = await import('onnxruntime-node');
      const sess = await o.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
      const want = Array.from((await sess.run({ x: new o.Tensor('uint8', Uint8Array.from(x.data), x.shape) })).y!.data as Int32Array);
      await sess.release();
      expect(Array.from((await wgml.runModel(await testDevice(), bytes, { x })).y!.data), `${wt} weights`).toEqual(want);
      const plan = planNetwork(await testDevice(), (await loadGraph(bytes)).graph, { inputDimensions: { x: x.shape } });
      expect(plan.nodes.find((n) => n.opType === 'ConvInteger')!.attrs.wgml_w_packed?.value).toEqual([3, 2, 3, 3]);
    }
  });

  it('ConvInteger on the dot4 tiles (16+ pixels, channels a group and taps) equals onnxruntime, with packed constant weights', async () => {
    for (const [wt, xt] of [['int8', 'uint8'], ['uint8', 'int8']] as const) {
      const [C, M, H, W] = [8, 40, 9, 11];
      const xDT = xt === 'uint8' ? DT.UINT8 : DT.INT8;
      const bytes = encodeModel({
        nodes: [node('ConvInteger', ['x', 'W', 'xz', 'Wz'], ['y'], [attr.ints('pads', [1, 2, 1, 0]), attr.ints('strides', [1, 2]), attr.ints('dilations', [2, 1]), attr.int('group', 2)])], opset: 13,
        inputs: [valueInfo('x', xDT, [2, C, H, W])], outputs: [valueInfo('y', DT.INT32, [2, M, 7, 6])],
        initializers: [init('W', wt, [M, C / 2, 3, 3], ints(wt, M * (C / 2) * 9)), init('xz', xt, [], [xt === 'uint8' ? 131 : -7]), init('Wz', wt, [], [wt === 'uint8' ? 140 : -3])],
      });
      const x = hostTensor(xt, [2, C, H, W], ints(xt, 2 * C * H * W));
      const o = await import('onnxruntime-node');
      const sess = await o.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
      const feed = new o.Tensor(xt, xt === 'uint8' ? Uint8Array.from(x.data) : Int8Array.from(x.data), x.shape);
      const want = Array.from((await sess.run({ x: feed })).y!.data as Int32Array);
      await sess.release();
      expect(Array.from((await wgml.runModel(await testDevice(), bytes, { x })).y!.data), `${xt} x, ${wt} weights`).toEqual(want);
      const plan = planNetwork(await testDevice(), (await loadGraph(bytes)).graph, { inputDimensions: { x: x.shape } });
      expect(plan.dispatches.map((d) => d.kernel.name)).toEqual(['conv_integer_tile']);
      expect(plan.nodes.find((n) => n.opType === 'ConvInteger')!.attrs.wgml_w_packed?.value).toEqual([M, C / 2, 3, 3]);
    }
  });

  it('QLinearConv on the dot4 tiles against its CPU reference: bias, per-channel scales, 1-D and 2-D', async () => {
    const common = (xs: number[], xdt: ElemType, wdt: ElemType, w: number[], M: number) =>
      [q(xdt, xs), f([], [0.03]), q(xdt, [], 5, 20), q(wdt, w), f([M], scales(M, 0.004, 0.02)), q(wdt, [M], 0, 3), f([], [0.11]), q(xdt, [], 10, 30)];
    await againstReference(nd('QLinearConv', 9, { pads: { kind: 'ints', value: [1, 1, 1, 1] } }), [...common([1, 8, 6, 7], 'uint8', 'int8', [24, 8, 3, 3], 24), hostTensor('int32', [24], ints('int32', 24, -900, 900))]);
    await againstReference(nd('QLinearConv', 8, { strides: { kind: 'ints', value: [2] } }), common([2, 16, 41], 'int8', 'int8', [17, 16, 3], 17));
    // 64 channels × 9 taps over 16 pixels: one tile, so K splits in 6 slices and the reduce adds the bias and requantizes
    await againstReference(nd('QLinearConv', 9, { pads: { kind: 'ints', value: [1, 1, 1, 1] } }), [...common([1, 64, 4, 4], 'uint8', 'int8', [20, 64, 3, 3], 20), hostTensor('int32', [20], ints('int32', 20, -900, 900))]);
  });

  it('QLinearConv against its CPU reference: 1-D, auto_pad, depthwise, uint8 weights with zero points, no bias', async () => {
    const common = (xs: number[], xdt: ElemType, wdt: ElemType, w: number[], M: number, ws: number) =>
      [q(xdt, xs), f([], [0.03]), q(xdt, [], 5, 20), q(wdt, w), f(M > 1 && ws > 1 ? [M] : [], scales(ws, 0.004, 0.02)), q(wdt, ws > 1 ? [M] : [], 0, 3), f([], [0.11]), q(xdt, [], 10, 30)];
    await againstReference(nd('QLinearConv', 9, { strides: { kind: 'ints', value: [2] } }), [...common([2, 4, 11], 'uint8', 'uint8', [5, 4, 3], 5, 5), hostTensor('int32', [5], ints('int32', 5, -500, 500))]);
    await againstReference(nd('QLinearConv', 8, { auto_pad: { kind: 'string', value: 'SAME_UPPER' } }), common([1, 3, 7, 6], 'int8', 'int8', [4, 3, 3, 3], 4, 1));
    await againstReference(nd('QLinearConv', 9, { group: { kind: 'int', value: 4 }, pads: { kind: 'ints', value: [1, 0, 1, 2] } }),
      [...common([1, 4, 6, 5], 'uint8', 'int8', [4, 1, 3, 3], 4, 4), hostTensor('int32', [4], ints('int32', 4, -200, 200))]);
  });

  it('QLinearMatMul against its CPU reference: broadcast batches, 1-D operands, per-column scales', async () => {
    const args = (a: number[], b: number[], n: number, adt: ElemType, bdt: ElemType) =>
      [q(adt, a), f([], [0.05]), q(adt, [], 0, 9), q(bdt, b), f(n ? [n] : [], scales(n || 1, 0.01, 0.05)), q(bdt, n ? [n] : [], 0, 4), f([], [0.3]), q(adt, [], 0, 9)];
    await againstReference(nd('QLinearMatMul', 8), args([2, 1, 3, 5], [4, 5, 6], 6, 'uint8', 'int8'));
    await againstReference(nd('QLinearMatMul', 8), args([7], [7, 3], 3, 'int8', 'int8'));
    await againstReference(nd('QLinearMatMul', 8), args([4, 7], [7], 0, 'int8', 'uint8'));
  });

  it('saturates at the ends of the output range and rounds ties to even', async () => {
    // acc = a·b exactly; m = 1·1/2 puts 2.5 → 2, 3.5 → 4 (ties), ±1000 saturate
    const a = hostTensor('int8', [6, 1], [5, 7, -5, -7, 100, -100]);
    const b = hostTensor('int8', [1, 1], [1]);
    const one = f([], [1]), z = hostTensor('int8', [], [0]);
    const n = nd('QLinearMatMul', 8);
    const y = await againstReference(n, [a, one, z, b, one, z, f([], [2]), z]);
    expect(Array.from(y.data)).toEqual([2, 4, -2, -4, 50, -50]);
    const s = await againstReference(n, [a, one, z, b, f([], [30]), z, f([], [1]), hostTensor('uint8', [], [128])]);
    expect(Array.from(s.data)).toEqual([255, 255, 0, 0, 255, 0]);
  });

  it('refuses float operands, a per-channel y_scale and a bias of the wrong length, naming the node', async () => {
    const device = await testDevice();
    const x = q('uint8', [1, 2, 4, 4]), w = q('int8', [3, 2, 1, 1]);
    const base = [x, f([], [0.1]), q('uint8', [], 0, 3), w, f([], [0.1]), q('int8', [], 0, 0), f([], [0.1]), q('uint8', [], 0, 3)];
    const fl = [...base]; fl[0] = f([1, 2, 4, 4], Array(32).fill(1));
    await expect(runNode(device, nd('QLinearConv', 8), fl, { opset: 13 })).rejects.toThrow(/QLinearConv_t.*input x is float32/s);
    const ys = [...base]; ys[6] = f([3], [0.1, 0.1, 0.1]);
    await expect(runNode(device, nd('QLinearConv', 8), ys, { opset: 13 })).rejects.toThrow(/y_scale has shape \[3\]/);
    await expect(runNode(device, nd('QLinearConv', 9), [...base, hostTensor('int32', [2], [1, 2])], { opset: 13 })).rejects.toThrow(/bias B is int32 \[2\]/);
    const mm = [q('uint8', [2, 3]), f([], [0.1]), q('uint8', [], 0, 0), q('int8', [3, 4]), f([2], [0.1, 0.2]), q('int8', [], 0, 0), f([], [0.1]), q('uint8', [], 0, 0)];
    await expect(runNode(device, nd('QLinearMatMul', 8), mm, { opset: 13 })).rejects.toThrow(/weight scale has 2 elements/);
  });
});
