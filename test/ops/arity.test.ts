/**
 * Shape rules facing missing or extra inputs (what the fuzzer found): each op must answer with a
 * NodeError of its own, never a TypeError (which src/ir/infer.ts would wrap as details.internal).
 * Also Sum/Mean with many inputs (more than one kernel can bind).
 */
import { describe, it, expect } from 'vitest';
import { Attrs } from '../../src/ir/attrs.js';
import { hostTensor, type HostTensor, type ValueType } from '../../src/ir/types.js';
import { NodeError } from '../../src/errors.js';
import { opFor, inferContext, runNode } from '../../src/runtime/single.js';
import { rng, randn, testSeed } from '../helpers/random.js';
import { testDevice } from '../helpers/gpu.js';
import { gpuMatchesRef, i, i64, ints, node } from './helpers.js';

const f32 = (shape: number[]): ValueType => ({ dtype: 'float32', shape });
const i64c = (v: number[]): HostTensor => hostTensor('int64', [v.length], v);

/** op, opset, attrs, a valid input list (types, constants). */
const CASES: [string, number, Record<string, ReturnType<typeof i>>, (ValueType | null)[], (HostTensor | undefined)[]][] = [
  ['Gather', 13, {}, [f32([3, 4]), { dtype: 'int64', shape: [2] }], []],
  ['Slice', 13, {}, [f32([3, 4]), { dtype: 'int64', shape: [1] }, { dtype: 'int64', shape: [1] }], [undefined, i64c([0]), i64c([2])]],
  ['Resize', 13, {}, [f32([1, 1, 2, 2]), null, { dtype: 'float32', shape: [4] }], [undefined, undefined, hostTensor('float32', [4], [1, 1, 2, 2])]],
  ['Transpose', 13, {}, [f32([3, 4])], []],
  ['Split', 13, {}, [f32([4, 4])], []],
  ['Reshape', 13, {}, [f32([3, 4]), { dtype: 'int64', shape: [1] }], [undefined, i64c([12])]],
  ['Flatten', 13, {}, [f32([3, 4])], []],
  ['Squeeze', 13, {}, [f32([1, 4])], []],
  ['Unsqueeze', 13, {}, [f32([3, 4]), { dtype: 'int64', shape: [1] }], [undefined, i64c([0])]],
  ['Squeeze', 11, { axes: ints([0]) }, [f32([1, 4])], []],
  ['Unsqueeze', 11, { axes: ints([0]) }, [f32([3, 4])], []],
  ['Trilu', 14, {}, [f32([3, 4])], []],
  ['GlobalAveragePool', 13, {}, [f32([1, 2, 3, 3])], []],
  ['Expand', 13, {}, [f32([3, 1]), { dtype: 'int64', shape: [2] }], [undefined, i64c([3, 4])]],
  ['DepthToSpace', 13, { blocksize: i(2) }, [f32([1, 4, 2, 2])], []],
  ['Concat', 13, { axis: i(0) }, [f32([3, 4]), f32([2, 4])], []],
  ['Cast', 13, { to: i(6) }, [f32([3, 4])], []],
];

function infer(op: string, opset: number, attrs: Record<string, ReturnType<typeof i>>, ins: (ValueType | null)[], consts: (HostTensor | undefined)[]) {
  const n = node(op, ins.length, attrs, 1, ins.map((t, k) => (t ? `x${k}` : '')));
  const def = opFor(n, opset);
  const a = def.attrs(new Attrs(n), opset);
  return def.infer(inferContext(n, ins, (k) => consts[k], opset), a);
}

describe('input counts in shape rules', () => {
  for (const [op, opset, attrs, ins, consts] of CASES) {
    it(`${op} (opset ${opset})`, () => {
      expect(() => infer(op, opset, attrs, ins, consts)).not.toThrow();
      const tries: [(ValueType | null)[], (HostTensor | undefined)[]][] = [
        [[], []],
        [[...ins, f32([1]), f32([1]), f32([1]), f32([1]), f32([1])], consts],
      ];
      // Dropping one required input at a time (as '' or off the end).
      for (let k = 0; k < ins.length; k++) if (ins[k]) tries.push([ins.map((t, j) => (j === k ? null : t)), consts]);
      for (const [bad, c] of tries) {
        if (op === 'Concat' && bad.length > 0 && bad.every((t) => t)) continue; // Concat is variadic
        let err: unknown = null;
        try { infer(op, opset, attrs, bad, c); } catch (e) { err = e; }
        const tooMany = bad.length > ins.length;
        if (err === null && !tooMany) continue; // an optional input may be dropped
        expect(err, `${op} with ${bad.length} inputs must be refused`).not.toBeNull();
        expect(err, `${op} with ${bad.length} inputs: ${(err as Error).message}`).toBeInstanceOf(NodeError);
      }
    });
  }

  // Through runNode (shape rule, then kernel), for ops whose arity the table above does not cover.
  it('refuses wrong input counts with a NodeError at run time (GatherND, ScatterND, Hardmax, CastLike, OneHot)', async () => {
    const device = await testDevice();
    const x = hostTensor('float32', [2, 2], [0.5, -1, 2, 0]);
    const bad: [string, (HostTensor | null)[]][] = [['GatherND', [x]], ['ScatterND', [x, i64([1, 1], [0])]], ['Hardmax', [x, x]], ['CastLike', [x]], ['OneHot', [i64([1], [0])]]];
    for (const [op, ins] of bad) await expect(runNode(device, node(op, ins.length), ins), op).rejects.toThrow(NodeError);
  });
});

describe('variadic Sum/Mean/Max/Min with many inputs', () => {
  const seed = testSeed();
  for (const op of ['Sum', 'Mean', 'Max', 'Min']) {
    for (const count of [13, 20, 30]) {
      it(`${op} with ${count} inputs (seed ${seed})`, async () => {
        const r = rng(seed + count);
        const ins = Array.from({ length: count }, (_, k) => hostTensor('float32', k % 3 === 0 ? [4, 1] : [4, 6], randn(r, k % 3 === 0 ? 4 : 24)));
        // Over the device's storage-buffer limit the fold is chunked across dispatches (test/ops/elementwise/variadic-chunks.test.ts).
        await gpuMatchesRef(node(op, count), ins);
      });
    }
  }
});
