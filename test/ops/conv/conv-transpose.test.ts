import { describe, expect, it } from 'vitest';
import { check, node, ortRun, rand, type A } from './helpers.js';
import { compareClose, rng, testSeed } from '../../helpers/random.js';
import { referenceNode } from '../../../src/runtime/single.js';

interface Case { x: number[]; w: number[]; a: A; bias?: boolean; res?: boolean }

describe('ConvTranspose', () => {
  const seed = testSeed();
  const cases: [string, Case][] = [
    ['2x2 stride 2 (U-Net upsampling)', { x: [1, 6, 5, 7], w: [6, 4, 2, 2], a: { strides: [2, 2] }, bias: true }],
    ['3x3 stride 2 pad 1 output_padding 1', { x: [2, 5, 4, 5], w: [5, 3, 3, 3], a: { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }, bias: true }],
    ['dilations + asym pads', { x: [1, 3, 5, 4], w: [3, 2, 3, 2], a: { dilations: [2, 3], pads: [1, 0, 2, 1], strides: [1, 2] } }],
    ['dilation and stride together', { x: [1, 2, 4, 5], w: [2, 3, 3, 3], a: { dilations: [2, 2], strides: [3, 2] }, bias: true }],
    ['groups', { x: [1, 6, 4, 4], w: [6, 2, 3, 3], a: { group: 3, strides: [2, 2], pads: [1, 1, 1, 1] }, bias: true }],
    ['output_shape larger than natural', { x: [1, 1, 3, 3], w: [1, 2, 3, 3], a: { strides: [3, 2], output_shape: [10, 8] } }],
    ['output_shape smaller (pads derived)', { x: [1, 3, 4, 4], w: [3, 5, 3, 3], a: { strides: [2, 2], output_shape: [8, 8] } }],
    ['SAME_UPPER', { x: [1, 3, 4, 5], w: [3, 4, 3, 3], a: { strides: [2, 2], auto_pad: 'SAME_UPPER' }, bias: true }],
    ['SAME_LOWER', { x: [1, 3, 4, 5], w: [3, 4, 4, 3], a: { strides: [2, 2], auto_pad: 'SAME_LOWER' } }],
    ['1D', { x: [2, 4, 9], w: [4, 9, 4], a: { strides: [3], pads: [1, 2], output_padding: [2] }, bias: true }],
    ['relu + residual', { x: [1, 8, 4, 4], w: [8, 10, 2, 2], a: { strides: [2, 2], wgml_act: 'relu', wgml_residual: 1 }, bias: true, res: true }],
    ['silu, 1 output channel', { x: [1, 8, 4, 5], w: [8, 1, 3, 3], a: { strides: [2, 1], pads: [1, 1, 1, 1], wgml_act: 'silu' }, bias: true }],
    // 3D (ConvTranspose3d of 3-D U-Nets); these are also checked against onnxruntime below.
    ['3D 2x2x2 stride 2 (3-D U-Net upsampling)', { x: [1, 4, 3, 4, 4], w: [4, 3, 2, 2, 2], a: { strides: [2, 2, 2] }, bias: true }],
    ['3D 3x3x3 stride 2 pad 1 output_padding 1', { x: [2, 3, 3, 3, 4], w: [3, 2, 3, 3, 3], a: { strides: [2, 2, 2], pads: [1, 1, 1, 1, 1, 1], output_padding: [1, 0, 1] }, bias: true }],
    ['3D dilations, asym pads, strides != kernel', { x: [1, 2, 3, 4, 3], w: [2, 3, 2, 3, 2], a: { dilations: [2, 1, 3], strides: [3, 2, 1], pads: [1, 0, 2, 0, 1, 1] } }],
    ['3D groups', { x: [1, 6, 3, 3, 3], w: [6, 2, 3, 2, 3], a: { group: 3, strides: [1, 2, 2], pads: [1, 0, 1, 1, 0, 1] }, bias: true }],
    ['3D output_shape', { x: [1, 2, 2, 3, 3], w: [2, 3, 3, 3, 3], a: { strides: [2, 2, 2], output_shape: [5, 7, 6] } }],
    ['3D SAME_UPPER', { x: [1, 2, 3, 3, 4], w: [2, 2, 3, 3, 3], a: { strides: [2, 2, 2], auto_pad: 'SAME_UPPER' }, bias: true }],
    ['3D relu + residual', { x: [1, 3, 2, 3, 3], w: [3, 9, 2, 2, 2], a: { strides: [2, 2, 2], wgml_act: 'relu', wgml_residual: 1 }, bias: true, res: true }],
  ];
  cases.forEach(([name, c], i) => {
    it(name, async () => {
      const r = rng(seed + i);
      const ins = [rand(r, c.x), rand(r, c.w, 0.5)];
      if (c.bias) ins.push(rand(r, [c.w[1]! * (Number(c.a.group) || 1)]));
      if (c.res) {
        const base = { ...c.a }; delete base.wgml_residual; delete base.wgml_act;
        const [y] = referenceNode(node('ConvTranspose', ins.length, base), ins);
        ins.push(rand(r, y!.shape));
      }
      const ref = await check(node('ConvTranspose', ins.length, c.a), ins, seed + i);
      if (c.x.length === 5 && !c.res) {
        const o = await ortRun('ConvTranspose', c.a, ins, 5, 17);
        expect(compareClose(ref.data, o, 1e-4, 1e-5), `${name} vs onnxruntime, seed ${seed + i}`).toBeNull();
      }
    });
  });
});
