/** Shared by the linalg op tests: node construction and GPU-vs-reference checks. */
import { expect } from 'vitest';
import { runNode, referenceNode } from '../../../src/runtime/single.js';
import { type AttrValue, type HostTensor, type Node } from '../../../src/ir/types.js';
import { testDevice } from '../../helpers/gpu.js';
import { rng, compareClose, testSeed, randomTensors } from '../../helpers/random.js';

export const seed = testSeed();
const r = rng(seed);
export const rand = randomTensors(r);
export const rnd = r;
export function node(opType: string, inputs: number | string[], attrs: Record<string, AttrValue> = {}, outputs: string[] = ['y']): Node {
  const ins = typeof inputs === 'number' ? Array.from({ length: inputs }, (_, i) => `x${i}`) : inputs;
  return { name: `t_${opType}`, opType, domain: '', inputs: ins, outputs, attrs };
}
export const i = (value: number): AttrValue => ({ kind: 'int', value });
export const ints = (value: number[]): AttrValue => ({ kind: 'ints', value });
export const f = (value: number): AttrValue => ({ kind: 'float', value });
export const s = (value: string): AttrValue => ({ kind: 'string', value });
export const strs = (value: string[]): AttrValue => ({ kind: 'strings', value });

/** Run on the GPU and on the CPU reference; compare every output. Returns the reference outputs. */
export async function check(n: Node, inputs: (HostTensor | null)[], o: { opset?: number; rtol?: number; atol?: number; constants?: number[]; shape?: number[] } = {}): Promise<HostTensor[]> {
  const device = await testDevice();
  const gpu = await runNode(device, n, inputs, { opset: o.opset, constants: o.constants });
  const ref = referenceNode(n, inputs, o.opset);
  if (o.shape) expect(ref[0]!.shape).toEqual(o.shape);
  expect(gpu.length).toBe(ref.length);
  gpu.forEach((g, k) => {
    if (n.outputs[k] === '') return; // not requested: the kernel need not write it
    expect(g.shape, `output ${k}`).toEqual(ref[k]!.shape);
    expect(g.dtype, `output ${k}`).toEqual(ref[k]!.dtype);
    expect(compareClose(g.data, ref[k]!.data, o.rtol ?? 1e-4, o.atol ?? 1e-5), `output ${k}, seed ${seed}`).toBeNull();
  });
  return ref;
}

/** Settings the recurrent-op tests (LSTM, GRU) share: opset 14 (layout attribute) and their tolerances. */
export const RNN_OPTS = { opset: 14, rtol: 1e-4, atol: 1e-5 };
/** Input names for a node whose absent optional inputs are '' (null entries). */
export const optionalNames = (ins: unknown[]) => ins.map((t, k) => (t ? `x${k}` : ''));
