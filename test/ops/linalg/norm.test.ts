import { describe, it, expect } from 'vitest';
import { inferContext, opFor, referenceNode } from '../../../src/runtime/single.js';
import { Attrs } from '../../../src/ir/attrs.js';
import { NodeError } from '../../../src/errors.js';
import { check, f, i, node, rand } from './util.js';
import { compareClose } from '../../helpers/random.js';

describe('Softmax / LogSoftmax', () => {
  for (const op of ['Softmax', 'LogSoftmax']) {
    for (const axis of [-1, 0, 1, -2]) {
      it(`${op} opset 13 axis ${axis}`, async () => {
        await check(node(op, 1, { axis: i(axis) }), [rand([3, 70, 5], 3)], { atol: 1e-5 });
      });
    }
    it(`${op} opset 11 coerces to 2-D at axis`, async () => {
      const x = rand([2, 3, 7], 2);
      const [ref] = await check(node(op, 1, { axis: i(1) }), [x], { opset: 11 });
      if (op === 'Softmax') {
        let sum = 0;
        for (let k = 0; k < 21; k++) sum += ref!.data[k]!;
        expect(sum).toBeCloseTo(1, 5); // the 3×7 tail is one distribution
      }
      await check(node(op, 1), [rand([4, 130])], { opset: 11 });
    });
  }
  it('softmax rows sum to one', async () => {
    const [y] = referenceNode(node('Softmax', 1), [rand([2, 9])]);
    expect(Array.from(y!.data.slice(0, 9)).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
});

describe('LayerNormalization', () => {
  it('last axis with bias', async () => {
    await check(node('LayerNormalization', 3, { epsilon: f(1e-5) }), [rand([3, 5, 67]), rand([67]), rand([67])]);
  });
  it('axis 1 over two dims, no bias, scale suffix broadcast', async () => {
    await check(node('LayerNormalization', 2, { axis: i(1) }), [rand([2, 3, 33]), rand([33])]);
    await check(node('LayerNormalization', 2, { axis: i(-2) }), [rand([2, 3, 33]), rand([3, 33])]);
  });
  it('Mean and InvStdDev outputs', async () => {
    await check(node('LayerNormalization', 3, { axis: i(-1) }, ['y', 'mean', 'inv']), [rand([4, 129], 2), rand([129]), rand([129])]);
  });
});

describe('GroupNormalization', () => {
  // opset 18: scale/bias per group; 21: per channel. Sizes reach the vec4, scalar and loop-over-memory row kernels.
  for (const [opset, shape, G] of [[18, [2, 6, 5, 4], 3], [21, [2, 6, 5, 4], 3], [21, [3, 8, 7], 2], [21, [1, 4, 2, 3, 5], 4], [18, [1, 6, 40, 41], 2], [21, [1, 6, 40, 41], 3]] as const) {
    it(`opset ${opset} X [${shape}] in ${G} groups`, async () => {
      const n = opset >= 21 ? shape[1] : G;
      await check(node('GroupNormalization', 3, { num_groups: i(G), epsilon: f(1e-3) }), [rand([...shape]), rand([n]), rand([n])], { opset });
    });
  }
  it('opset 21 with one group per channel is InstanceNormalization', () => {
    const x = rand([2, 3, 4, 5]), sc = rand([3]), b = rand([3]);
    const [g] = referenceNode(node('GroupNormalization', 3, { num_groups: i(3) }), [x, sc, b], 21);
    const [inst] = referenceNode(node('InstanceNormalization', 3), [x, sc, b], 21);
    expect(compareClose(g!.data, inst!.data, 1e-6, 1e-6)).toBeNull();
  });
  it('refuses scale of the wrong length for the opset and groups that do not divide C with a NodeError naming node, op and shapes', () => {
    const infer = (G: number, n: number, opset: number) => {
      const nd = node('GroupNormalization', 3, { num_groups: i(G) });
      const op = opFor(nd, opset);
      const types = [[1, 6, 2, 2], [n], [n]].map((shape) => ({ dtype: 'float32' as const, shape }));
      return () => op.infer(inferContext(nd, types, () => undefined, opset), op.attrs(new Attrs(nd), opset));
    };
    expect(infer(3, 6, 18)).toThrow(NodeError);
    expect(infer(3, 6, 18)).toThrow(/node 't_GroupNormalization' \(GroupNormalization\): scale \[6\] and bias \[6\] must have 3 elements \(one per group at opset 18\)/);
    expect(infer(4, 6, 21)).toThrow(/num_groups 4 does not divide the 6 channels of X \[1, 6, 2, 2\]/);
    expect(infer(3, 6, 21)).not.toThrow();
  });
});

describe('InstanceNormalization / LpNormalization', () => {
  it('instance norm NCHW', async () => {
    await check(node('InstanceNormalization', 3, { epsilon: f(1e-3) }), [rand([2, 3, 9, 11]), rand([3]), rand([3])]);
  });
  for (const p of [1, 2]) for (const axis of [-1, 0, 1]) {
    it(`LpNormalization p=${p} axis=${axis}`, async () => { await check(node('LpNormalization', 1, { p: i(p), axis: i(axis) }), [rand([5, 6, 7])]); });
  }
});
