import { describe, it, expect } from 'vitest';
import { referenceNode } from '../../../src/runtime/single.js';
import { check, f, i, node, rand } from './util.js';

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

describe('InstanceNormalization / LpNormalization', () => {
  it('instance norm NCHW', async () => {
    await check(node('InstanceNormalization', 3, { epsilon: f(1e-3) }), [rand([2, 3, 9, 11]), rand([3]), rand([3])]);
  });
  for (const p of [1, 2]) for (const axis of [-1, 0, 1]) {
    it(`LpNormalization p=${p} axis=${axis}`, async () => { await check(node('LpNormalization', 1, { p: i(p), axis: i(axis) }), [rand([5, 6, 7])]); });
  }
});
