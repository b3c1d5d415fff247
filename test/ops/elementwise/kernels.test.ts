/**
 * Elementwise kernels declared through signatures (issue #14): the WGSL both binding modes generate
 * (snapshots of the vec4 path, whose full-size inputs and output are vec4 buffers next to a scalar one,
 * and of the strided path: views, one binding for a value read twice, an output view), and every read
 * mode run under one shared bind group against the op's CPU reference: vec4, scalar, broadcast, views
 * with offsets, a strided output, mixed word types, the chunked fold of a long variadic Sum/Mean (a
 * kernel that reads and writes Y) and FusedElementwise.
 */
import { describe, it, expect } from 'vitest';
import { referenceNode } from '../../../src/runtime/single.js';
import { hostTensor, shapeSize, type AttrValue, type ElemType, type HostTensor, type Node } from '../../../src/ir/types.js';
import { denseView, expandView, inputViewAttr, OUTPUT_VIEW_ATTR, permuteView, sliceView, viewAttr, type View } from '../../../src/ir/view.js';
import { testDevice } from '../../helpers/gpu.js';
import { compareClose, rng, randn, randInt, testSeed } from '../../helpers/random.js';
import { groupsWgsl, planNode, runShared, sharedWgsl } from '../../helpers/declared.js';

const seed = testSeed();
const r = rng(seed);
const randT = (shape: number[], dtype: ElemType = 'float32'): HostTensor => {
  const n = shapeSize(shape);
  return hostTensor(dtype, shape, dtype === 'float32' ? randn(r, n) : dtype === 'bool' ? randInt(r, n, 0, 1) : randInt(r, n, -50, 50));
};
/** A node reading `inputs` (a name twice: one value, bound once), with views of inputs and of the output. */
function node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, views: Record<number, View> = {}, out?: View, domain = ''): Node {
  const a: Record<string, AttrValue> = { ...attrs };
  for (const [i, v] of Object.entries(views)) a[inputViewAttr(Number(i))] = viewAttr(v);
  if (out) a[OUTPUT_VIEW_ATTR] = viewAttr(out);
  return { name: `${opType.toLowerCase()}_t`, opType, domain, inputs, outputs: ['y'], attrs: a };
}
const names = (n: number) => [...Array(n).keys()].map((i) => `x${i}`);
const fused = (program: object, inputs: string[], views: Record<number, View> = {}, out?: View) =>
  node('FusedElementwise', inputs, { wgml_program: { kind: 'string', value: JSON.stringify(program) } }, views, out, 'wgml');
// (x0ᵀ + x0) · s, x0 read twice (transposed and dense: one binding), written through a transpose
const SQUARE = { opset: 17, inputs: 3, steps: [{ op: 'Add', args: [0, 1] }, { op: 'Mul', args: [3, 2] }] };
const tr = permuteView(denseView([4, 4]), [1, 0]);

describe('elementwise kernels, declared', () => {
  it('generate their declarations in both binding modes (vec4 path; strided path with views)', () => {
    const [v] = planNode(node('Add', ['a', 'b']), [randT([2, 4]), randT([])]).kernels;
    expect(v!.key).toMatch(/\|full,scalar\|v4$/);
    expect(v!.sig!.buffers.map((b) => !!b.vec4)).toEqual([true, false, true]);
    expect(groupsWgsl(v!)).toMatchSnapshot();
    expect(sharedWgsl(v!)).toMatchSnapshot();
    const x = randT([4, 4]);
    const [s] = planNode(fused(SQUARE, ['x', 'x', 's'], { 0: tr }, tr), [x, x, randT([4])]).kernels;
    expect(s!.args).toEqual([{ input: 0 }, { input: 2 }, { output: 0 }]);
    expect(groupsWgsl(s!)).toMatchSnapshot();
    expect(sharedWgsl(s!)).toMatchSnapshot();
  });

  it('run under one shared bind group on every read mode, as the reference computes', async () => {
    const device = await testDevice();
    const x = randT([4, 4]), sq = randT([2, 4]);
    const big = randT([5, 4]);
    // big[2, 0] everywhere: an expanded (stride-0) view at offset 8
    const bcastAt8 = expandView(sliceView(sliceView(denseView([5, 4]), 0, 2, 1, 1), 1, 0, 1, 1), [3, 4])!;
    const cases: [string, Node, HostTensor[]][] = [
      ['vec4', node('Relu', ['a']), [randT([4, 6])]],
      ['scalar path', node('Neg', ['a']), [randT([3, 5])]],
      ['broadcast', node('Add', ['a', 'b']), [randT([3, 4]), randT([4])]],
      ['vec4 + scalar input, i32', node('Add', ['a', 'b']), [randT([2, 8], 'int32'), randT([], 'int32')]],
      ['bool, f32 → f32, broadcast', node('Where', ['c', 'a', 'b']), [randT([3, 1], 'bool'), randT([3, 4]), randT([4])]],
      ['cast f32 → i32', node('Cast', ['a'], { to: { kind: 'int', value: 6 } }), [hostTensor('float32', [2, 4], randn(r, 8, 40))]],
      ['one binding, vec4', node('Mul', ['a', 'a']), [sq, sq]],
      ['view at an offset', node('Sub', ['a', 'b'], {}, { 1: bcastAt8 }), [randT([3, 4]), big]],
      ['fold of 11 (vec4, reads Y)', node('Mean', names(11)), names(11).map(() => randT([2, 4]))],
      ['fold of 10 (scalar, reads Y)', node('Sum', names(10)), names(10).map(() => randT([3]))],
      ['fused, views, one binding, output view', fused(SQUARE, ['x', 'x', 's'], { 0: tr }, tr), [x, x, randT([4])]],
    ];
    for (const [what, n, ins] of cases) {
      const plan = planNode(n, ins);
      expect(plan.kernels.every((k) => k.sig && k.source), what).toBe(true);
      if (what.startsWith('fold')) expect(plan.kernels.length, what).toBe(2);
      const [want] = referenceNode(n, ins, 17);
      const [got] = await runShared(device, n, ins);
      expect(compareClose(got!.data, want!.data, 1e-5, 1e-6), `${what} [${plan.kernels.map((k) => k.key.slice(-40)).join(', ')}], seed ${seed}`).toBeNull();
    }
  });
});
