import { describe, it } from 'vitest';
import { check, node, rand, type A } from './helpers.js';
import { rng, testSeed } from '../../helpers/random.js';
import { hostTensor } from '../../../src/ir/types.js';

interface Case { x: number[]; w: number[]; a: A; bias?: boolean; res?: boolean }

async function runConv(c: Case, seed: number): Promise<void> {
  const r = rng(seed);
  const x = rand(r, c.x), w = rand(r, c.w, 0.5);
  const ins = [x, w];
  if (c.bias) ins.push(rand(r, [c.w[0]!]));
  else if (c.res) ins.push(null as never);
  if (c.res) {
    // Infer the output shape from the reference without the residual, then add one of that shape.
    const { referenceNode } = await import('../../../src/runtime/single.js');
    const base = { ...c.a }; delete base.wgml_residual; delete base.wgml_act; delete base.wgml_act_params;
    const [y] = referenceNode(node('Conv', c.bias ? 3 : 2, base), c.bias ? ins : ins.slice(0, 2));
    ins.push(rand(r, y!.shape));
  }
  const n = node('Conv', ins.length, c.a);
  if (c.res && !c.bias) n.inputs[2] = '';
  await check(n, ins, seed);
}

describe('Conv', () => {
  const seed = testSeed();
  const paths = ['gemm', 'pw', 'dw', 'direct'];
  const cases: [string, Case][] = [
    ['3x3 pad 1 bias', { x: [1, 8, 9, 11], w: [12, 8, 3, 3], a: { pads: [1, 1, 1, 1] }, bias: true }],
    ['stride 2 asym pads dilation', { x: [2, 5, 13, 10], w: [7, 5, 3, 2], a: { strides: [2, 1], pads: [0, 1, 2, 1], dilations: [2, 1] }, bias: true }],
    ['1x1 pointwise odd sizes', { x: [1, 19, 7, 9], w: [21, 19, 1, 1], a: {} }],
    ['1x1 stride 2', { x: [1, 16, 9, 9], w: [24, 16, 1, 1], a: { strides: [2, 2] }, bias: true }],
    ['groups 2', { x: [1, 8, 7, 7], w: [6, 4, 3, 3], a: { group: 2, pads: [1, 1, 1, 1] }, bias: true }],
    ['depthwise s2', { x: [1, 6, 9, 10], w: [6, 1, 3, 3], a: { group: 6, strides: [2, 2], pads: [1, 1, 1, 1] }, bias: true }],
    ['depthwise multiplier 2, 5x5 dilated', { x: [1, 3, 12, 13], w: [6, 1, 5, 5], a: { group: 3, dilations: [2, 2], pads: [4, 4, 4, 4] } }],
    ['rgba input (direct)', { x: [1, 4, 10, 12], w: [16, 4, 3, 3], a: { pads: [1, 1, 1, 1] }, bias: true }],
    ['1-channel head', { x: [1, 16, 6, 7], w: [1, 16, 3, 3], a: { auto_pad: 'SAME_UPPER' }, bias: true }],
    ['SAME_LOWER stride 2', { x: [1, 6, 8, 7], w: [10, 6, 4, 4], a: { auto_pad: 'SAME_LOWER', strides: [2, 2] } }],
    ['SAME_UPPER stride 2', { x: [1, 6, 8, 7], w: [10, 6, 4, 4], a: { auto_pad: 'SAME_UPPER', strides: [2, 2] } }],
    ['VALID', { x: [1, 6, 8, 7], w: [10, 6, 3, 2], a: { auto_pad: 'VALID' } }],
    ['1D conv', { x: [2, 6, 17], w: [9, 6, 5], a: { pads: [2, 1], strides: [2] }, bias: true }],
    ['1D depthwise', { x: [1, 4, 17], w: [4, 1, 3], a: { pads: [1, 1], group: 4 } }],
    ['relu epilogue', { x: [1, 8, 6, 6], w: [20, 8, 3, 3], a: { pads: [1, 1, 1, 1], wgml_act: 'relu' }, bias: true }],
    ['clip + residual', { x: [1, 8, 6, 6], w: [20, 8, 3, 3], a: { pads: [1, 1, 1, 1], wgml_act: 'clip', wgml_act_params: [-0.5, 1], wgml_residual: 1 }, bias: true, res: true }],
    ['residual no bias', { x: [1, 8, 5, 6], w: [12, 8, 1, 1], a: { wgml_residual: 1 }, res: true }],
    ['hardswish depthwise', { x: [1, 5, 7, 7], w: [5, 1, 3, 3], a: { group: 5, pads: [1, 1, 1, 1], wgml_act: 'hardswish' }, bias: true }],
    ['silu + residual depthwise', { x: [1, 5, 7, 7], w: [5, 1, 3, 3], a: { group: 5, pads: [1, 1, 1, 1], wgml_act: 'silu', wgml_residual: 1 }, bias: true, res: true }],
    ['sigmoid direct', { x: [1, 3, 7, 9], w: [5, 3, 3, 3], a: { wgml_act: 'sigmoid' }, bias: true }],
  ];
  cases.forEach(([name, c], i) => {
    it(name, async () => { await runConv(c, seed + i); });
  });

  // Every kernel path on shapes it does not choose by itself (where it applies), so each is tested.
  for (const p of paths) {
    it(`forced path ${p}`, async () => {
      const dw = p === 'dw';
      const pw = p === 'pw';
      const c: Case = dw
        ? { x: [2, 4, 6, 9], w: [8, 1, 3, 3], a: { group: 4, pads: [0, 1, 2, 1], strides: [1, 2], wgml_test_path: p, wgml_act: 'leakyrelu', wgml_act_params: [0.1] }, bias: true }
        : pw ? { x: [2, 10, 5, 7], w: [70, 10, 1, 1], a: { wgml_test_path: p, wgml_act: 'tanh' }, bias: true }
          : { x: [2, 10, 5, 7], w: [70, 10, 3, 3], a: { pads: [1, 2, 1, 0], dilations: [1, 2], wgml_test_path: p, wgml_act: 'gelu' }, bias: true };
      await runConv(c, seed + 100);
    });
  }

  for (const split of [2, 3, 5]) {
    it(`split-K ${split} with residual`, async () => {
      await runConv({ x: [1, 24, 5, 5], w: [40, 24, 3, 3], a: { pads: [1, 1, 1, 1], wgml_test_path: 'gemm', wgml_test_split: split, wgml_act: 'relu', wgml_residual: 1 }, bias: true, res: true }, seed + 200 + split);
    });
  }

  it('large tiles (64x64, 128x16, 128x32) with odd remainders', async () => {
    await runConv({ x: [1, 9, 13, 23], w: [70, 9, 3, 3], a: { pads: [1, 1, 1, 1], wgml_test_path: 'gemm' }, bias: true }, seed + 300);
    await runConv({ x: [1, 9, 37, 41], w: [14, 9, 3, 3], a: { pads: [1, 1, 1, 1], wgml_test_path: 'gemm' }, bias: true }, seed + 301);
    await runConv({ x: [1, 9, 37, 41], w: [30, 9, 1, 1], a: { wgml_test_path: 'pw' } }, seed + 302);
  });

  // Spatially tiled kernel: tile edges in both axes, Cout chunks with a partial last chunk, Cin steps
  // with a remainder, 1x1 / 5x3 windows, asymmetric pads, batch 2, residual epilogue.
  it('tiled path: edges, channel chunks, windows', async () => {
    await runConv({ x: [1, 4, 19, 70], w: [16, 4, 3, 3], a: { pads: [1, 1, 1, 1], wgml_test_path: 'tiled', wgml_act: 'relu' }, bias: true }, seed + 400);
    await runConv({ x: [2, 11, 17, 9], w: [21, 11, 3, 3], a: { pads: [1, 0, 1, 2], wgml_test_path: 'tiled', wgml_act: 'relu', wgml_residual: 1 }, bias: true, res: true }, seed + 401);
    await runConv({ x: [1, 16, 9, 13], w: [1, 16, 1, 1], a: { wgml_test_path: 'tiled', wgml_act: 'sigmoid' }, bias: true }, seed + 402);
    await runConv({ x: [1, 3, 12, 20], w: [6, 3, 5, 3], a: { pads: [2, 1, 2, 1], wgml_test_path: 'tiled' } }, seed + 403);
  });

  it('refuses 4D windows (3D: conv3d.test.ts)', async () => {
    const { expect } = await import('vitest');
    const n = node('Conv', 2, {});
    const x = hostTensor('float32', [1, 1, 2, 2, 2, 2]), w = hostTensor('float32', [1, 1, 1, 1, 1, 1]);
    const { referenceNode } = await import('../../../src/runtime/single.js');
    expect(() => referenceNode(n, [x, w])).toThrow(/1D, 2D and 3D windows only/);
  });
});
