/** Shared by the op tests under test/ops/: build a node, run it on the GPU and on its CPU reference. */
import { expect, it } from 'vitest';
import { hostTensor, type AttrValue, type HostTensor, type Node } from '../../src/ir/types.js';
import { runNode, referenceNode } from '../../src/runtime/single.js';
import { testDevice, drainUncapturedErrors } from '../helpers/gpu.js';
import { compareClose, rng } from '../helpers/random.js';

export type A = Record<string, AttrValue>;
export const f = (value: number): AttrValue => ({ kind: 'float', value });
export const i = (value: number): AttrValue => ({ kind: 'int', value });
export const ints = (value: number[]): AttrValue => ({ kind: 'ints', value });
export const str = (value: string): AttrValue => ({ kind: 'string', value });
/** An int64 tensor (indices, shapes, counts). */
export const i64 = (shape: number[], vals: ArrayLike<number>): HostTensor => hostTensor('int64', shape, vals);

export function node(opType: string, nIn: number, attrs: A = {}, nOut = 1, inputs?: string[]): Node {
  return { name: `${opType.toLowerCase()}0`, opType, domain: '', inputs: inputs ?? Array.from({ length: nIn }, (_, k) => `x${k}`), outputs: Array.from({ length: nOut }, (_, k) => `y${k}`), attrs };
}

/** GPU vs CPU reference; every output compared (exactly for integer outputs). */
export async function gpuMatchesRef(n: Node, ins: (HostTensor | null)[], opts: { opset?: number; constants?: number[]; rtol?: number; atol?: number } = {}): Promise<HostTensor[]> {
  const device = await testDevice();
  const got = await runNode(device, n, ins, { opset: opts.opset ?? 17, constants: opts.constants ?? [] });
  const want = referenceNode(n, ins, opts.opset ?? 17);
  expect(drainUncapturedErrors()).toEqual([]);
  expect(got.length).toBe(want.length);
  got.forEach((g, k) => {
    const w = want[k]!;
    expect(g.shape, `output ${k} shape`).toEqual(w.shape);
    expect(g.dtype, `output ${k} dtype`).toBe(w.dtype);
    expect(compareClose(g.data, w.data, opts.rtol ?? 1e-4, opts.atol ?? 1e-5), `output ${k}`).toBeNull();
  });
  return want;
}

/** A one-input op's seeded random case: its attributes, a generator over the function's domain, an rtol. */
export type UnaryCase = [A, (r: () => number) => number, number?];

/** One test per case: the op's GPU kernel against its CPU reference on a [3, 5, 7] input drawn from the generator. */
export function unaryRandomCases(op: string, seed: number, cases: UnaryCase[]): void {
  cases.forEach(([attrs, gen, rtol], k) => {
    it(`${op} ${JSON.stringify(attrs)}`, async () => {
      const r = rng(seed + k);
      const x = hostTensor('float32', [3, 5, 7], Array.from({ length: 105 }, () => gen(r)));
      await gpuMatchesRef(node(op, 1, attrs), [x], { rtol: rtol ?? 2e-4, atol: 2e-6 });
    });
  });
}
