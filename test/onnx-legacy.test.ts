/**
 * Opsets 1–6 (onnx/legacy.ts): the legacy forms the conformance suites do not reach — axis
 * broadcasting of every op that had it, Reshape-1, Concat-1's default axis, Split-1's input, Pad-1's
 * `paddings`, Cast-1's type names — run on the GPU against plain loops written here, and a legacy
 * model survives `wgml convert`'s package. (PyTorch's opset-6 exports are in the conformance run.)
 */
import { describe, it, expect } from 'vitest';
import * as wgml from '../src/index.js';
import type { HostTensor } from '../src/ir/types.js';
import { hostTensor, shapeSize } from '../src/ir/types.js';
import { testDevice } from './helpers/gpu.js';
import { attr, DT, encodeModel, node, tensor, valueInfo } from './helpers/onnx-testdata.js';
import { rng, randn } from './helpers/random.js';

const r = rng(7);
const f32 = (shape: number[]) => hostTensor('float32', shape, randn(r, shapeSize(shape)));
const init = (name: string, t: HostTensor) => tensor(name, DT.FLOAT, t.shape, { float_data: Array.from(t.data) });

async function run(model: Uint8Array, inputs: Record<string, HostTensor>): Promise<HostTensor> {
  const g = await wgml.loadOnnx(model);
  const out = await wgml.runModel(await testDevice(), g, inputs);
  return Object.values(out)[0]!;
}

/** y[n, c, h, w] = f(x[n, c, h, w], b[index(n, c, h, w)]): the expected legacy broadcast, by hand. */
function expected(x: HostTensor, b: HostTensor, index: (c: number[]) => number, f: (a: number, b: number) => number): number[] {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const out: number[] = [];
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++)
    out.push(f(x.data[((n * C + c) * H + h) * W + w]!, b.data[index([n, c, h, w])]!));
  return out;
}

const closeTo = (got: ArrayLike<number>, want: number[]) => {
  expect(got.length).toBe(want.length);
  want.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
};

describe('ONNX opsets 1–6', () => {
  const x = f32([2, 3, 4, 5]);
  const io = (b: number[]) => ({ inputs: [valueInfo('x', DT.FLOAT, [2, 3, 4, 5])], outputs: [valueInfo('y', DT.FLOAT, [2, 3, 4, 5])], b });

  it('broadcast=1 with axis aligns B from that axis, for every op that had it', async () => {
    const cases: [string, number[], number, (c: number[]) => number, (a: number, b: number) => number][] = [
      ['Add', [3], 1, ([, c]) => c!, (a, b) => a + b],
      ['Mul', [3, 4], 1, ([, c, h]) => c! * 4 + h!, (a, b) => a * b],
      ['Sub', [2], 0, ([n]) => n!, (a, b) => a - b],
      ['Div', [4, 5], 2, ([, , h, w]) => h! * 5 + w!, (a, b) => a / b],
      ['Add', [1], 1, () => 0, (a, b) => a + b], // one element: a scalar, whatever the axis
    ];
    for (const [op, bShape, axis, index, fn] of cases) {
      const b = hostTensor('float32', bShape, randn(r, shapeSize(bShape)).map((v) => v + 3)); // away from 0 for Div
      const model = encodeModel({
        ...io(bShape), opset: 6, initializers: [init('b', b)],
        nodes: [node(op, ['x', 'b'], ['y'], [attr.int('broadcast', 1), attr.int('axis', axis)])],
      });
      closeTo((await run(model, { x })).data, expected(x, b, index, fn));
    }
  });

  it('broadcast=1 without axis is the suffix rule; comparisons keep their bool output', async () => {
    const b = f32([5]);
    const sub = encodeModel({ ...io([5]), opset: 3, initializers: [init('b', b)], nodes: [node('Sub', ['x', 'b'], ['y'], [attr.int('broadcast', 1)])] });
    closeTo((await run(sub, { x })).data, expected(x, b, ([, , , w]) => w!, (a, v) => a - v));
    const c = f32([3]);
    const greater = encodeModel({
      inputs: [valueInfo('x', DT.FLOAT, [2, 3, 4, 5])], outputs: [valueInfo('y', DT.BOOL, [2, 3, 4, 5])], opset: 6, initializers: [init('c', c)],
      nodes: [node('Greater', ['x', 'c'], ['y'], [attr.int('broadcast', 1), attr.int('axis', 1)])],
    });
    const got = await run(greater, { x });
    expect(got.dtype).toBe('bool');
    expect(Array.from(got.data)).toEqual(expected(x, c, ([, ch]) => ch!, (a, v) => (a > v ? 1 : 0)));
  });

  it('refuses a B that matches no run of A from the axis, naming the node and shapes', async () => {
    const model = encodeModel({
      ...io([4]), opset: 6, initializers: [init('b', f32([4]))],
      nodes: [node('Add', ['x', 'b'], ['y'], [attr.int('broadcast', 1), attr.int('axis', 1)], { name: 'bias' })],
    });
    const e = await wgml.runModel(await testDevice(), await wgml.loadOnnx(model), { x }).then(() => null, (err: Error) => err);
    expect(e).toBeInstanceOf(wgml.WgmlError);
    expect(e!.message).toMatch(/bias/);
    expect(e!.message).toMatch(/\[4\].*\[2, 3, 4, 5\].*axis 1/);
  });

  it('PRelu-6 applies a slope of C values per channel', async () => {
    const s = f32([3]);
    const model = encodeModel({ ...io([3]), opset: 6, initializers: [init('s', s)], nodes: [node('PRelu', ['x', 's'], ['y'])] });
    closeTo((await run(model, { x })).data, expected(x, s, ([, c]) => c!, (a, v) => (a < 0 ? a * v : a)));
  });

  it('Reshape-1, Concat-1, Split-1, Pad-1 and Cast-1 in their legacy forms', async () => {
    const a = f32([2, 6]);
    // Concat-1 joins along axis 1 by default: r [2, 3, 2] with itself → [2, 6, 2].
    const g = encodeModel({
      inputs: [valueInfo('a', DT.FLOAT, [2, 6])], outputs: [valueInfo('y', DT.INT32, [2, 6, 3])], opset: 1,
      initializers: [tensor('sizes', DT.INT64, [2], { int64_data: [1, 1] })],
      nodes: [
        node('Reshape', ['a'], ['r'], [attr.ints('shape', [2, 3, 2])]),
        node('Concat', ['r', 'r'], ['c']),
        node('Split', ['c', 'sizes'], ['s0', 's1'], [attr.int('axis', 2)]),
        node('Pad', ['s1'], ['p'], [attr.ints('paddings', [0, 0, 0, 0, 0, 2]), attr.float('value', 2.5)]),
        node('Mul', ['p', 'p'], ['q']),
        node('Cast', ['q'], ['y'], [attr.string('to', 'INT32')]),
      ],
    });
    const y = await run(g, { a });
    expect(y.dtype).toBe('int32');
    expect(y.shape).toEqual([2, 6, 3]);
    const want: number[] = [];
    for (let n = 0; n < 2; n++) for (let k = 0; k < 6; k++) {
      const v = a.data[n * 6 + (k % 3) * 2 + 1]!; // s1 is the second element of each pair of r
      want.push(Math.trunc(v * v), Math.trunc(2.5 * 2.5), Math.trunc(2.5 * 2.5));
    }
    expect(Array.from(y.data)).toEqual(want);
  });

  it('the experimental ops of opsets 1–9 run as the ops they are made of', async () => {
    const one = (op: string, attrs: object[], opset: number) => encodeModel({ ...io([]), opset, nodes: [node(op, ['x'], ['y'], attrs)] });
    const each = (fn: (v: number, c: number) => number) => expected(x, x, () => 0, (v) => v).map((v, i) => fn(v, Math.floor(i / 20) % 3));
    const cases: [Uint8Array, (v: number, c: number) => number][] = [
      [one('ImageScaler', [attr.float('scale', 0.5), attr.floats('bias', [1, -2, 3])], 8), (v, c) => 0.5 * v + [1, -2, 3][c]!],
      [one('ImageScaler', [], 9), (v) => v],
      [one('Scale', [attr.float('scale', -3)], 6), (v) => -3 * v],
      [one('Affine', [attr.float('alpha', 2), attr.float('beta', 0.25)], 7), (v) => 2 * v + 0.25],
      [one('ScaledTanh', [attr.float('alpha', 1.5), attr.float('beta', 0.7)], 9), (v) => 1.5 * Math.tanh(0.7 * v)],
      [one('ParametricSoftplus', [attr.float('alpha', 0.8), attr.float('beta', 2)], 1), (v) => 0.8 * Math.log1p(Math.exp(2 * v))],
      [one('ThresholdedRelu', [attr.float('alpha', 0.3)], 8), (v) => (v > 0.3 ? v : 0)],
    ];
    for (const [model, fn] of cases) closeTo((await run(model, { x })).data, each(fn));
  });

  it('a Caffe2-era block: BatchNormalization with is_test and unread statistics, Dropout with an unread mask, Sum', async () => {
    const [scale, bias, mean, vr] = [f32([3]), f32([3]), f32([3]), hostTensor('float32', [3], [0.5, 1, 2])];
    const model = encodeModel({
      ...io([]), opset: 3, initializers: [init('s', scale), init('b', bias), init('m', mean), init('v', vr)],
      nodes: [
        node('BatchNormalization', ['x', 's', 'b', 'm', 'v'], ['bn', 'm_out', 'v_out', 'sm', 'sv'], [attr.int('is_test', 1), attr.float('epsilon', 1e-3), attr.ints('consumed_inputs', [0, 0, 0, 1, 1])]),
        node('Dropout', ['bn'], ['d', 'mask'], [attr.int('is_test', 1), attr.float('ratio', 0.5)]),
        node('Sum', ['d', 'x'], ['y']),
      ],
    });
    const bn = (v: number, c: number) => ((v - mean.data[c]!) / Math.sqrt(vr.data[c]! + 1e-3)) * scale.data[c]! + bias.data[c]!;
    closeTo((await run(model, { x })).data, expected(x, x, () => 0, (v) => v).map((v, i) => bn(v, Math.floor(i / 20) % 3) + v));
  });

  it('a legacy model keeps its opset and the LegacyBroadcast node through a package', async () => {
    const b = f32([3]);
    const model = encodeModel({
      ...io([3]), opset: 3, initializers: [init('b', b)],
      nodes: [node('Add', ['x', 'b'], ['y'], [attr.int('broadcast', 1), attr.int('axis', 1), attr.ints('consumed_inputs', [0, 0])])],
    });
    const g = wgml.readPackage(wgml.writePackage(await wgml.loadOnnx(model)));
    expect(g.opsets['']).toBe(3);
    expect(g.nodes.map((n) => n.opType)).toEqual(['LegacyBroadcast', 'Add']);
    const out = await wgml.runModel(await testDevice(), g, { x });
    closeTo(Object.values(out)[0]!.data, expected(x, b, ([, c]) => c!, (p, q) => p + q));
  });
});
