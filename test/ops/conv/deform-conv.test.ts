/**
 * DeformConv against torchvision.ops.deform_conv2d (test/fixtures/deform-conv/cases.json, made by
 * make.py beside it): groups and offset groups with a mask and a bias, stride and dilation without a mask,
 * a 2×3 kernel with offsets large enough to leave the image; the GPU kernel on each, and the CPU reference.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { hostTensor, type AttrValue, type HostTensor } from '../../../src/ir/types.js';
import { runNode, referenceNode } from '../../../src/runtime/single.js';
import { testDevice } from '../../helpers/gpu.js';
import { compareClose } from '../../helpers/random.js';
import { i, ints, node } from '../helpers.js';

interface T { shape: number[]; data: number[] }
interface Case { name: string; attrs: Record<string, number | number[]>; x: T; w: T; offset: T; mask: T | null; b: T | null; y: T }
const { cases } = JSON.parse(readFileSync(new URL('../../fixtures/deform-conv/cases.json', import.meta.url), 'utf8')) as { cases: Case[] };
const t = (v: T | null): HostTensor | null => (v ? hostTensor('float32', v.shape, v.data) : null);

describe('DeformConv against torchvision', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const attrs: Record<string, AttrValue> = Object.fromEntries(Object.entries(c.attrs).map(([k, v]) => [k, Array.isArray(v) ? ints(v) : i(v)]));
      const ins = [t(c.x), t(c.w), t(c.offset), t(c.b), t(c.mask)];
      const n = { ...node('DeformConv', 5, attrs), inputs: ins.map((v, k) => (v ? `x${k}` : '')) };
      const [gpu] = await runNode(await testDevice(), n, ins, { opset: 19 });
      const [cpu] = referenceNode(n, ins, 19);
      expect(gpu!.shape).toEqual(c.y.shape);
      expect(compareClose(gpu!.data, c.y.data, 1e-4, 1e-4), 'GPU').toBeNull();
      expect(compareClose(cpu!.data, c.y.data, 1e-4, 1e-4), 'CPU reference').toBeNull();
    });
  }
});
