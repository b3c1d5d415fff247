/**
 * Kernels that read inputs through strided views (and write output 0 through one): elementwise,
 * FusedElementwise, LayerNormalization, Softmax, Concat and the strided copy of Transpose/Slice/Split/
 * Expand, each on the GPU against its CPU reference on the gathered (dense) inputs. Views are made
 * with the ir/view.ts algebra, as the views pass makes them. Few distinct kernels: lavapipe compiles
 * each new pipeline slowly.
 */
import { describe, it, expect } from 'vitest';
import type { AttrValue, HostTensor, Node } from '../src/ir/types.js';
import { hostTensor, shapeSize } from '../src/ir/types.js';
import { denseView, expandView, inputViewAttr, OUTPUT_VIEW_ATTR, permuteView, reshapeView, sliceView, viewAttr, type View } from '../src/ir/view.js';
import { referenceNode, runNode } from '../src/runtime/single.js';
import { testDevice } from './helpers/gpu.js';
import { compareClose, randn, rng, testSeed } from './helpers/random.js';

const seed = testSeed();
const r = rng(seed);
const rand = (shape: number[]) => hostTensor('float32', shape, randn(r, shapeSize(shape)));
const ints = (v: number[]) => hostTensor('int64', [v.length], v);

function mk(opType: string, inputs: string[], views: Record<number, View>, attrs: Record<string, AttrValue> = {}, out?: View, outputs = ['y'], domain = ''): Node {
  const a: Record<string, AttrValue> = { ...attrs };
  for (const [i, v] of Object.entries(views)) a[inputViewAttr(Number(i))] = viewAttr(v);
  if (out) a[OUTPUT_VIEW_ATTR] = viewAttr(out);
  return { name: `${opType}_v`, opType, domain, inputs, outputs, attrs: a };
}

async function check(n: Node, inputs: (HostTensor | null)[], opts: { opset?: number; constants?: number[]; rtol?: number } = {}): Promise<void> {
  const device = await testDevice();
  const ref = referenceNode(n, inputs, opts.opset ?? 17);
  const gpu = await runNode(device, n, inputs, { opset: opts.opset ?? 17, constants: opts.constants });
  expect(gpu.length).toBe(ref.length);
  gpu.forEach((g, k) => {
    const what = `${n.opType} output ${k} (WGML_SEED=${seed})`;
    expect(g.shape, what).toEqual(ref[k]!.shape);
    expect(compareClose(g.data, ref[k]!.data, opts.rtol ?? 1e-5, 1e-5), what).toBeNull();
  });
}

describe('kernels reading through views', () => {
  it('Add: a transposed view, an expanded (stride-0) view with an offset, and a dense input; output written through a permutation', async () => {
    const a = rand([2, 3, 4]), b = rand([5, 4]), c = rand([4, 3, 2]);
    const va = permuteView(denseView([2, 3, 4]), [2, 1, 0]);                  // [4, 3, 2] read from a [2, 3, 4] buffer
    const vb = expandView(sliceView(sliceView(denseView([5, 4]), 0, 2, 1, 1), 1, 0, 1, 1), [4, 3, 2])!; // b[2, 0] everywhere, offset 8
    await check(mk('Add', ['a', 'b'], { 0: va, 1: vb }), [a, b]);
    // Sum of three (variadic), output laid out as its [2, 3, 4] transpose wants
    const out = permuteView(denseView([2, 3, 4]), [2, 1, 0]);
    await check(mk('Sum', ['a', 'b', 'c'], { 0: va, 1: vb }, {}, out), [a, b, c]);
  });

  it('FusedElementwise: a GELU-like program over a sliced, reshaped view', async () => {
    const x = rand([6, 8]);
    const cols = sliceView(denseView([6, 8]), 1, 2, 1, 4);       // columns 2..5: rows 8 apart
    expect(reshapeView(cols, [24])).toBeNull();                   // cannot flatten…
    const v = reshapeView(cols, [3, 2, 4])!;                      // …but can regroup the rows
    const program = { opset: 17, inputs: 2, steps: [{ op: 'Mul', args: [0, 1] }, { op: 'Erf', args: [2] }, { op: 'Add', args: [3, 1] }] };
    const s = rand([4]);
    await check(mk('FusedElementwise', ['x', 's'], { 0: v }, { wgml_program: { kind: 'string', value: JSON.stringify(program) } }, undefined, ['y'], 'wgml'), [x, s], { rtol: 1e-4 });
  });

  it('LayerNormalization over the channels of an NCHW tensor seen as NHWC (strided rows), with Mean/InvStd', async () => {
    const N = 1, C = 24, H = 5, W = 7;
    const x = rand([N, C, H, W]), sc = rand([C]), b = rand([C]);
    const nhwc = permuteView(denseView([N, C, H, W]), [0, 2, 3, 1]);
    await check(mk('LayerNormalization', ['x', 's', 'b'], { 0: nhwc }, { epsilon: { kind: 'float', value: 1e-5 } }, undefined, ['y', 'm', 'i']), [x, sc, b], { rtol: 1e-4 });
    // and written back as NCHW: the whole ConvNeXt permute–LN–permute without a copy
    await check(mk('LayerNormalization', ['x', 's', 'b'], { 0: nhwc }, { epsilon: { kind: 'float', value: 1e-5 } }, permuteView(denseView([N, C, H, W]), [0, 2, 3, 1])), [x, sc, b], { rtol: 1e-4 });
  });

  it('LayerNormalization over two dims that do not merge in the view (the general element walk)', async () => {
    const x = rand([3, 4, 5]), sc = rand([5, 3]);
    const v = permuteView(denseView([3, 4, 5]), [1, 2, 0]); // [4, 5, 3]: normalize over (5, 3), strides (1, 20)
    await check(mk('LayerNormalization', ['x', 's'], { 0: v }, { axis: { kind: 'int', value: 1 } }), [x, sc], { rtol: 1e-4 });
  });

  it('Softmax along the last axis of a transposed view, and LogSoftmax along a middle axis written through a view', async () => {
    const x = rand([2, 6, 5]);
    const v = permuteView(denseView([2, 6, 5]), [0, 2, 1]); // [2, 5, 6]: rows of 6 elements 5 apart
    await check(mk('Softmax', ['x'], { 0: v }), [x], { rtol: 1e-4 });
    await check(mk('LogSoftmax', ['x'], { 0: v }, { axis: { kind: 'int', value: 1 } }, permuteView(denseView([2, 6, 5]), [0, 2, 1])), [x], { rtol: 1e-4 });
  });

  it('Transpose, Slice (negative step), Split and Expand of a view are one copy from the base', async () => {
    const x = rand([4, 6]);
    const v = permuteView(denseView([4, 6]), [1, 0]); // [6, 4]
    await check(mk('Transpose', ['x'], { 0: v }, { perm: { kind: 'ints', value: [1, 0] } }), [x]);
    await check(mk('Slice', ['x', 'st', 'en', 'ax', 'sp'], { 0: v }), [x, ints([5, 1]), ints([0, 4]), ints([0, 1]), ints([-2, 2])], { constants: [1, 2, 3, 4] });
    await check(mk('Split', ['x'], { 0: v }, { axis: { kind: 'int', value: 0 } }, undefined, ['y0', 'y1']), [x]);
    const col = sliceView(v, 1, 2, 1, 1); // [6, 1]
    await check(mk('Expand', ['x', 'sh'], { 0: col }), [x, ints([2, 6, 3])], { constants: [1] });
  });

  it('Concat of an expanded class token and a transposed patch embedding (the ViT case)', async () => {
    const D = 4, P = 6;
    const cls = rand([1, 1, D]), patches = rand([1, D, P]);
    const vp = permuteView(denseView([1, D, P]), [0, 2, 1]); // [1, P, D]
    await check(mk('Concat', ['c', 'p'], { 1: vp }, { axis: { kind: 'int', value: 1 } }), [cls, patches]);
    const vc = expandView(denseView([1, 1, D]), [2, 1, D])!;
    const two = rand([2, D, P]);
    await check(mk('Concat', ['c', 'p'], { 0: vc, 1: permuteView(denseView([2, D, P]), [0, 2, 1]) }, { axis: { kind: 'int', value: 1 } }), [cls, two]);
  });
});
