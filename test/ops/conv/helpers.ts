/** Shared helpers of the conv-family tests: node construction, GPU-vs-reference checks, pool cases. */
import { expect } from 'vitest';
import type { AttrValue, HostTensor, Node } from '../../../src/ir/types.js';
import { hostTensor } from '../../../src/ir/types.js';
import { referenceNode, runNode } from '../../../src/runtime/single.js';
import { testDevice } from '../../helpers/gpu.js';
import { compareClose, randn, rng } from '../../helpers/random.js';

export type A = Record<string, number | string | number[]>;

export function attrs(a: A): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(a)) {
    if (Array.isArray(v)) out[k] = k === 'wgml_act_params' ? { kind: 'floats', value: v } : { kind: 'ints', value: v };
    else if (typeof v === 'string') out[k] = { kind: 'string', value: v };
    else out[k] = { kind: 'int', value: v };
  }
  return out;
}

export function node(op: string, nIn: number, a: A, nOut = 1): Node {
  return {
    name: `${op.toLowerCase()}_t`, opType: op, domain: '',
    inputs: Array.from({ length: nIn }, (_, i) => `in${i}`), outputs: Array.from({ length: nOut }, (_, i) => `out${i}`), attrs: attrs(a),
  };
}

export function rand(r: () => number, shape: number[], scale = 1): HostTensor {
  return hostTensor('float32', shape, randn(r, shape.reduce((x, y) => x * y, 1), scale));
}

/** Run on the GPU and on the CPU reference; expect equal shapes and close values. */
export async function check(n: Node, inputs: (HostTensor | null)[], seed: number, rtol = 1e-4, opset = 17): Promise<HostTensor> {
  const device = await testDevice();
  const [ref] = referenceNode(n, inputs, opset);
  const [gpu] = await runNode(device, n, inputs, { opset });
  expect(gpu!.shape, `seed ${seed}`).toEqual(ref!.shape);
  expect(compareClose(gpu!.data, ref!.data, rtol, 1e-4), `seed ${seed} ${JSON.stringify(n.attrs)}`).toBeNull();
  return ref!;
}

/** Pool windows shared by the MaxPool and AveragePool tests: padding, ceil_mode, dilation, auto_pad, 1D. */
export const poolCases: [string, number[], A][] = [
  ['2x2 s2', [1, 3, 8, 9], { kernel_shape: [2, 2], strides: [2, 2] }],
  ['3x3 s2 pad 1 (ResNet stem)', [1, 4, 11, 12], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }],
  ['ceil_mode: last window starts in the end padding region', [1, 2, 6, 7], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }],
  ['ceil_mode: window past the input is dropped', [1, 2, 5, 5], { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }],
  ['ceil_mode no pads odd', [2, 3, 7, 8], { kernel_shape: [3, 2], strides: [3, 2], ceil_mode: 1 }],
  ['asym pads + dilation', [1, 2, 9, 10], { kernel_shape: [3, 2], dilations: [2, 3], pads: [2, 0, 1, 1], strides: [1, 2] }],
  ['dilation + ceil', [1, 2, 10, 9], { kernel_shape: [2, 3], dilations: [2, 2], strides: [3, 2], pads: [1, 1, 0, 0], ceil_mode: 1 }],
  ['SAME_UPPER', [1, 2, 7, 8], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }],
  ['SAME_LOWER', [1, 2, 7, 8], { kernel_shape: [2, 2], strides: [2, 2], auto_pad: 'SAME_LOWER' }],
  ['1D', [2, 3, 13], { kernel_shape: [3], strides: [2], pads: [1, 2], ceil_mode: 1 }],
  ['3D 2x2x2 s2 (3-D U-Net downsampling)', [1, 3, 4, 6, 6], { kernel_shape: [2, 2, 2], strides: [2, 2, 2] }],
  ['3D 3x3x3 s(1,2,2) pad 1 ceil_mode (s3d)', [1, 2, 5, 7, 6], { kernel_shape: [3, 3, 3], strides: [1, 2, 2], pads: [1, 1, 1, 1, 1, 1], ceil_mode: 1 }],
  ['3D ceil_mode no pads, strides != kernel', [2, 2, 5, 5, 7], { kernel_shape: [2, 3, 2], strides: [2, 2, 3], ceil_mode: 1 }],
  ['3D asym pads + dilation', [1, 2, 6, 7, 8], { kernel_shape: [2, 3, 2], dilations: [2, 1, 2], pads: [1, 0, 1, 0, 2, 1], strides: [1, 2, 3] }],
  ['3D SAME_UPPER', [1, 2, 5, 6, 7], { kernel_shape: [3, 3, 3], strides: [2, 2, 2], auto_pad: 'SAME_UPPER' }],
];

/** The op run by onnxruntime-node on inputs x, w, b...: an independent check of the CPU reference. */
export async function ortRun(op: string, a: A, inputs: HostTensor[], outRank: number, opset = 19): Promise<Float32Array> {
  // Loaded here, not at the top: the other conv tests import this file and do not need onnxruntime.
  const ort = await import('onnxruntime-node');
  const { attr, DT, encodeModel, node: pnode, valueInfo } = await import('../../helpers/onnx-testdata.js');
  const attributes = Object.entries(a).map(([k, v]) => (Array.isArray(v) ? attr.ints(k, v) : typeof v === 'string' ? attr.string(k, v) : attr.int(k, v)));
  const names = inputs.map((_, i) => ['x', 'w', 'b'][i]!);
  const bytes = encodeModel({
    nodes: [pnode(op, names, ['y'], attributes)],
    inputs: inputs.map((t, i) => valueInfo(names[i]!, DT.FLOAT, t.shape)),
    outputs: [valueInfo('y', DT.FLOAT, Array.from({ length: outRank }, (_, i) => `d${i}`))],
    opset,
  });
  const s = await ort.InferenceSession.create(bytes);
  const out = await s.run(Object.fromEntries(inputs.map((t, i) => [names[i]!, new ort.Tensor('float32', t.data as Float32Array, t.shape)])));
  await s.release();
  return out.y!.data as Float32Array;
}

/** One pool case: GPU against the CPU reference, and the reference against onnxruntime (seed = its input's). */
export async function checkPool(op: string, attrs: A, shape: number[], name: string, seed: number): Promise<void> {
  const x = rand(rng(seed), shape);
  const ref = await check(node(op, 1, attrs), [x], seed, 1e-5);
  // ORT's SAME_* pooling with strides > 1 has known deviations; the node tests cover auto_pad.
  if (attrs.auto_pad) return;
  const o = await ortRun(op, attrs, [x], shape.length);
  expect(compareClose(ref.data, o, 1e-5, 1e-6), `${op} ${name} vs onnxruntime, seed ${seed}`).toBeNull();
}
