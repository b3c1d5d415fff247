/** Shared helpers of the conv-family tests: node construction and GPU-vs-reference checks. */
import { expect } from 'vitest';
import type { AttrValue, HostTensor, Node } from '../../../src/ir/types.js';
import { hostTensor } from '../../../src/ir/types.js';
import { referenceNode, runNode } from '../../../src/runtime/single.js';
import { testDevice } from '../../helpers/gpu.js';
import { compareClose, randn } from '../../helpers/random.js';

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
