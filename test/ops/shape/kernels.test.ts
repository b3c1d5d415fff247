/**
 * Shape-family kernels declared through signatures (issue #14): the WGSL both binding modes generate
 * (snapshot of Pad, whose parameters mix scalars of the element's word type with u32 and i32 arrays),
 * and every converted kernel run under one shared bind group against the op's CPU reference: among them
 * the strided copy behind Transpose, Slice, Split, Expand, Tile, DepthToSpace (also reading through a
 * view at an offset) and Concat (chunked over many inputs, and reading strided views).
 */
import { describe, it, expect } from 'vitest';
import { referenceNode } from '../../../src/runtime/single.js';
import { hostTensor, type AttrValue, type ElemType, type HostTensor, type Node } from '../../../src/ir/types.js';
import { testDevice } from '../../helpers/gpu.js';
import { compareClose, rng, randn, randInt, testSeed } from '../../helpers/random.js';
import { compileShared, groupsWgsl, planNode, runShared, sharedWgsl } from '../../helpers/declared.js';
import { denseView, expandView, inputViewAttr, permuteView, sliceView, viewAttr, type View } from '../../../src/ir/view.js';

const seed = testSeed();
const r = rng(seed);
const int = (value: number): AttrValue => ({ kind: 'int', value });
const str = (value: string): AttrValue => ({ kind: 'string', value });
const i64 = (v: ArrayLike<number>, shape = [v.length]) => hostTensor('int64', shape, v);
const randT = (shape: number[], dtype: ElemType = 'float32'): HostTensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return hostTensor(dtype, shape, dtype === 'float32' ? randn(r, n) : randInt(r, n, -100, 100));
};
const node = (opType: string, nIn: number, attrs: Record<string, AttrValue> = {}, nOut = 1): Node =>
  ({ name: `${opType.toLowerCase()}_t`, opType, domain: '', inputs: [...Array(nIn)].map((_, i) => `x${i}`), outputs: [...Array(nOut)].map((_, i) => `y${i}`), attrs });

describe('shape kernels, declared', () => {
  it('generate their declarations in both binding modes (Pad)', () => {
    const [k] = planNode(node('Pad', 3, { mode: str('reflect') }), [randT([2, 3]), i64([0, 1, 1, 0]), hostTensor('float32', [], [0])], 19).kernels;
    expect(k!.key).toBe('pad_f32');
    expect(groupsWgsl(k!)).toMatchSnapshot();
    expect(sharedWgsl(k!)).toMatchSnapshot();
  });

  it('run with buffers at offsets of one shared bind group, as the reference computes', async () => {
    const device = await testDevice();
    const cases: [Node, (HostTensor | null)[], number][] = [
      [node('Pad', 3, { mode: str('reflect') }), [randT([2, 3, 4]), i64([0, 2, 3, 1, -1, 2]), hostTensor('float32', [], [2.5])], 19],
      [node('Pad', 3), [randT([3, 4], 'int32'), i64([1, 0, 0, 2]), hostTensor('int32', [], [-9])], 19],
      [node('Gather', 2, { axis: int(1) }), [randT([4, 5, 3]), i64(randInt(r, 6, -5, 4), [2, 3])], 17],
      [node('GatherElements', 2, { axis: int(-2) }), [randT([3, 4, 5]), i64(randInt(r, 24, -4, 3), [2, 3, 4])], 17],
      [node('GatherND', 2, { batch_dims: int(1) }), [randT([3, 4, 5]), i64(randInt(r, 6, -4, 3), [3, 2, 1])], 17],
      [node('OneHot', 3, { axis: int(1) }), [i64([0, 3, -1, 9]), i64([5]), hostTensor('float32', [2], [-1, 2])], 11],
      [node('EyeLike', 1, { k: int(1) }), [randT([3, 5])], 17],
      [node('Trilu', 2, { upper: int(0) }), [randT([2, 4, 5], 'int32'), i64([-1], [])], 14],
      [node('CumSum', 2, { reverse: int(1) }), [randT([3, 5, 2]), hostTensor('int32', [], [1])], 17],
      [node('Range', 3), [hostTensor('float32', [], [1.5]), hostTensor('float32', [], [7]), hostTensor('float32', [], [0.75])], 17],
      [node('Shape', 1), [randT([2, 3, 4, 5])], 17],
      [node('ConstantOfShape', 1, { value: { kind: 'tensor', value: hostTensor('int32', [1], [7]) } }), [i64([2, 3])], 17],
    ];
    for (const [n, ins, opset] of cases) {
      const want = referenceNode(n, ins, opset);
      const got = await runShared(device, n, ins, opset);
      got.forEach((g, i) => expect(Array.from(g.data), `${n.opType} output ${i}, seed ${seed}`).toEqual(Array.from(want[i]!.data)));
    }
  });

  it('resize on every path (planar H/W and any rank; nearest, linear, cubic) runs under the shared bind group', async () => {
    const device = await testDevice();
    const f32 = (shape: number[], v: ArrayLike<number>) => hostTensor('float32', shape, v);
    const resize = (attrs: Record<string, AttrValue>): Node => ({ name: 'resize_t', opType: 'Resize', domain: '', inputs: ['x', 'roi', 'scales'], outputs: ['y'], attrs });
    const x4 = f32([1, 2, 3, 4], randn(r, 24)), x3 = f32([2, 3, 4], randn(r, 24)), none = f32([0], []);
    const cases: [Node, HostTensor, number[]][] = [
      [resize({ mode: str('nearest') }), x4, [1, 1, 2, 1.5]],
      [resize({ mode: str('linear'), coordinate_transformation_mode: str('align_corners') }), x4, [1, 1, 1.7, 0.6]],
      [resize({ mode: str('cubic'), exclude_outside: int(1) }), x4, [1, 1, 2, 2]],
      [resize({ mode: str('nearest'), nearest_mode: str('floor') }), x3, [1.5, 1, 2]],
      [resize({ mode: str('linear') }), x3, [2, 0.7, 1.5]],
      [resize({ mode: str('cubic') }), x3, [1, 1.6, 0.5]],
    ];
    for (const [n, x, scales] of cases) {
      const ins = [x, none, f32([scales.length], scales)];
      const [want] = referenceNode(n, ins, 13);
      const [got] = await runShared(device, n, ins, 13);
      expect(compareClose(got!.data, want!.data, 1e-4, 1e-5), `${JSON.stringify(n.attrs)} [${x.shape}], seed ${seed}`).toBeNull();
    }
  });

  it('scatter kernels compile for the shared bind group (their copy runs through stridedKernel)', async () => {
    const device = await testDevice();
    const data = randT([4, 5]);
    const plans = [
      planNode(node('ScatterElements', 3, { axis: int(0), reduction: str('add') }), [data, i64(randInt(r, 15, -4, 3), [3, 5]), randT([3, 5])], 18),
      planNode(node('ScatterND', 3, { reduction: str('max') }), [data, i64([1, -1, 1], [3, 1]), randT([3, 5])], 18),
    ];
    for (const p of plans) for (const k of p.kernels.filter((k) => k.sig)) await compileShared(device, k);
  });

  it('strided copies and Concat run under the shared bind group, as the reference computes', async () => {
    const device = await testDevice();
    const ints = (value: number[]): AttrValue => ({ kind: 'ints', value });
    const viewed = (n: Node, views: Record<number, View>): Node => ({ ...n, attrs: { ...n.attrs, ...Object.fromEntries(Object.entries(views).map(([i, v]) => [inputViewAttr(Number(i)), viewAttr(v)])) } });
    const x = randT([2, 3, 4]);
    const many = [...Array(10).keys()].map((i) => randT([2, i % 3 + 1, 3], 'int32'));
    const cases: [string, Node, (HostTensor | null)[], number, string[]][] = [
      ['Transpose', node('Transpose', 1, { perm: ints([2, 0, 1]) }), [x], 17, ['strided_f32']],
      // input 0 is a window of a [4, 5, 4] buffer at offset 24: the copy starts there
      ['Transpose of a view', viewed(node('Transpose', 1, { perm: ints([1, 0, 2]) }), { 0: sliceView(sliceView(denseView([4, 5, 4]), 0, 1, 2, 2), 1, 1, 1, 3) }), [randT([4, 5, 4])], 17, ['strided_f32']],
      ['Slice', node('Slice', 5), [randT([5, 6], 'int32'), i64([4, 1]), i64([0, 6]), i64([0, 1]), i64([-2, 2])], 13, ['strided_i32']],
      ['Split', node('Split', 2, { axis: int(1) }, 2), [x, i64([1, 2])], 13, ['strided_f32', 'strided_f32']],
      ['Expand', node('Expand', 2), [randT([3, 1]), i64([2, 3, 4])], 13, ['strided_f32']],
      ['Tile', node('Tile', 2), [randT([2, 3]), i64([2, 2])], 13, ['strided_f32']],
      ['DepthToSpace', node('DepthToSpace', 1, { blocksize: int(2), mode: str('CRD') }), [randT([1, 8, 2, 3])], 13, ['strided_f32']],
      ['Concat', node('Concat', 3, { axis: int(-1) }), [x, randT([2, 3, 1]), randT([2, 3, 2])], 13, ['concat_f32_3']],
      ['Concat of 10', node('Concat', 10, { axis: int(1) }), many, 13, ['concat_i32_8', 'concat_i32_2']],
      ['Concat of views', viewed(node('Concat', 2, { axis: int(1) }), { 0: expandView(denseView([1, 1, 4]), [2, 1, 4])!, 1: permuteView(denseView([2, 4, 6]), [0, 2, 1]) }),
        [randT([1, 1, 4]), randT([2, 4, 6])], 13, ['concat_f32_2_strided']],
    ];
    for (const [what, n, ins, opset, keys] of cases) {
      expect(planNode(n, ins, opset).kernels.map((k) => k.key), what).toEqual(keys);
      const want = referenceNode(n, ins, opset);
      const got = await runShared(device, n, ins, opset);
      got.forEach((g, i) => expect(Array.from(g.data), `${what} output ${i}, seed ${seed}`).toEqual(Array.from(want[i]!.data)));
    }
  });
});
