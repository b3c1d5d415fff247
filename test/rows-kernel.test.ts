/**
 * The row kernel (ops/linalg/rows-kernel.ts) behind LayerNormalization, Softmax, LogSoftmax,
 * InstanceNormalization and LpNormalization: the work shape it picks for transformer and ConvNeXt rows
 * (pure), and each path on the GPU against the op's CPU reference — contiguous rows in vec4 registers
 * written through a permuted output, ConvNeXt's channel rows (strided, coalesced across rows) staged
 * through workgroup memory into a dense NHWC output or written back strided, reduced dims that do not
 * merge, and rows too long for registers.
 */
import { describe, it, expect } from 'vitest';
import type { AttrValue, HostTensor, Node } from '../src/ir/types.js';
import { hostTensor, shapeSize } from '../src/ir/types.js';
import { denseView, inputViewAttr, OUTPUT_VIEW_ATTR, permuteView, viewAttr, type View } from '../src/ir/view.js';
import { rowShape } from '../src/ops/linalg/rows-kernel.js';
import { Attrs } from '../src/ir/attrs.js';
import { nodeViews } from '../src/ir/view.js';
import { inferContext, opFor, referenceNode, runNode } from '../src/runtime/single.js';
import { CAPS } from './helpers/declared.js';
import { testDevice } from './helpers/gpu.js';
import { compareClose, randn, rng, testSeed } from './helpers/random.js';

const seed = testSeed();
const r = rng(seed);
const rand = (shape: number[], shift = 0) => hostTensor('float32', shape, randn(r, shapeSize(shape)).map((v) => v + shift));
const int = (value: number): AttrValue => ({ kind: 'int', value });

function mk(opType: string, inputs: string[], views: Record<number, View>, attrs: Record<string, AttrValue> = {}, out?: View, outputs = ['y']): Node {
  const a: Record<string, AttrValue> = { ...attrs };
  for (const [i, v] of Object.entries(views)) a[inputViewAttr(Number(i))] = viewAttr(v);
  if (out) a[OUTPUT_VIEW_ATTR] = viewAttr(out);
  return { name: `${opType}_rows`, opType, domain: '', inputs, outputs, attrs: a };
}

/** GPU vs reference; returns the key of the kernel that ran, so a test can say which path it covered. */
async function check(n: Node, inputs: HostTensor[], opset = 17): Promise<string> {
  const ref = referenceNode(n, inputs, opset);
  const gpu = await runNode(await testDevice(), n, inputs, { opset });
  gpu.forEach((g, k) => expect(compareClose(g.data, ref[k]!.data, 1e-4, 1e-5), `${n.opType} output ${k} (WGML_SEED=${seed})`).toBeNull());
  return kernelKey(n, inputs, opset);
}

/** The key of the node's (first) kernel, planned with its views as the compiler would. */
function kernelKey(n: Node, inputs: HostTensor[], opset: number): string {
  const op = opFor(n, opset);
  const views = nodeViews(n);
  const types = inputs.map((t, i) => ({ dtype: t.dtype, shape: views.inputs[i]?.shape ?? t.shape }));
  const ictx = inferContext(n, types, () => undefined, opset);
  const a = op.attrs(new Attrs(n), opset);
  const outputs = op.infer(ictx, a);
  const plan = op.gpu!({ ...ictx, outputs, caps: CAPS, views: views.inputs, outView: views.output }, a);
  if (typeof plan === 'string') throw new Error(plan);
  return plan.kernels[0]!.key;
}

describe('row work shapes', () => {
  it('one workgroup per contiguous row with its vec4s in registers; strided rows many to a workgroup', () => {
    const contiguous = { contiguous: true, rowsAdjacent: false, vec: true, yContiguous: true };
    expect(rowShape(128, 768, contiguous)).toEqual({ RPW: 1, L: 64, per: 3, vec: true, stage: false }); // BERT-base LayerNorm
    expect(rowShape(197, 37, { ...contiguous, vec: false })).toEqual({ RPW: 1, L: 32, per: 2, vec: false, stage: false });
    expect(rowShape(4, 100000, contiguous).per).toBe(0); // longer than the registers hold: loop over memory
    // ConvNeXt-T's LayerNorm over channels: H·W rows, C elements H·W apart, NHWC output
    const nchw = { contiguous: false, rowsAdjacent: true, vec: false, yContiguous: true };
    expect(rowShape(3136, 96, nchw)).toEqual({ RPW: 16, L: 16, per: 6, vec: false, stage: true });
    expect(rowShape(784, 192, nchw)).toEqual({ RPW: 4, L: 64, per: 3, vec: false, stage: true });
    expect(rowShape(196, 384, nchw)).toEqual({ RPW: 1, L: 256, per: 2, vec: false, stage: false });
    expect(rowShape(49, 768, nchw)).toEqual({ RPW: 1, L: 256, per: 3, vec: false, stage: false });
  });
});

describe('row kernels on the GPU', () => {
  it('LayerNorm over channels of NCHW seen as NHWC: staged into dense NHWC, or written back through the view', async () => {
    // 8 channels of 64×130 pixels: 8320 rows, 64 per workgroup (4 lanes on 8 channels each 2 deep)
    const [C, H, W] = [8, 64, 130];
    const v = permuteView(denseView([1, C, H, W]), [0, 2, 3, 1]);
    const x = rand([1, C, H, W], 3), sc = rand([C]), b = rand([C]);
    const staged = await check(mk('LayerNormalization', ['x', 's', 'b'], { 0: v }, { axis: int(-1) }), [x, sc, b]);
    expect(staged).toMatch(/\|64x4x2\|.*\|st\|/);
    await check(mk('LayerNormalization', ['x', 's', 'b'], { 0: v }, { axis: int(-1) }, v), [x, sc, b]);
  });

  it('contiguous rows: vec4 loads, stores through a permuted output; reduced dims that do not merge', async () => {
    const x = rand([6, 16], 10); // a mean far from 0: the two-pass variance must not cancel
    const ln = await check(mk('LayerNormalization', ['x', 's', 'b'], {}, { axis: int(-1) }, permuteView(denseView([16, 6]), [1, 0])), [x, rand([16]), rand([16])]);
    expect(ln).toMatch(/\|1x32x1\|vsv\|/);
    // axis 1 of [2, 3, 5] read from a [3, 2, 5] buffer: the (3, 5) row has strides (10, 1), two dims
    const split = await check(mk('LayerNormalization', ['x', 's'], { 0: permuteView(denseView([3, 2, 5]), [1, 0, 2]) }, { axis: int(1) }, undefined, ['y', 'm', 'i']), [rand([3, 2, 5]), rand([3, 5])]);
    expect(split).toMatch(/o1n2$/);
  });

  it('softmaxes and norms over strided and long rows', async () => {
    await check(mk('Softmax', ['x'], {}, { axis: int(0) }), [rand([8, 300])], 13);
    await check(mk('LogSoftmax', ['x'], { 0: permuteView(denseView([40, 7]), [1, 0]) }, { axis: int(-1) }), [rand([40, 7])], 13);
    const long = await check(mk('LayerNormalization', ['x', 's'], {}, { axis: int(-1) }), [rand([2, 5001]), rand([5001])]);
    expect(long).toMatch(/\|1x256x0\|/);
    await check(mk('LpNormalization', ['x'], {}, { axis: int(1), p: int(1) }), [rand([3, 50, 2])], 13);
  });
});
