/**
 * Col2Im against torch.nn.functional.fold (test/fixtures/col2im/cases.json, made by make.py beside it):
 * overlapping 3×3 blocks with padding, a 2×3 block with stride 2 and dilation 2, non-overlapping patches;
 * the GPU kernel and the CPU reference on each.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { hostTensor } from '../../../src/ir/types.js';
import { runNode, referenceNode } from '../../../src/runtime/single.js';
import { testDevice } from '../../helpers/gpu.js';
import { compareClose } from '../../helpers/random.js';
import { i64, ints, node } from '../helpers.js';

interface T { shape: number[]; data: number[] }
interface Case { name: string; image: number[]; block: number[]; attrs: Record<string, number[]>; x: T; y: T }
const { cases } = JSON.parse(readFileSync(new URL('../../fixtures/col2im/cases.json', import.meta.url), 'utf8')) as { cases: Case[] };

describe('Col2Im against torch F.fold', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const n = node('Col2Im', 3, Object.fromEntries(Object.entries(c.attrs).map(([k, v]) => [k, ints(v)])));
      const ins = [hostTensor('float32', c.x.shape, c.x.data), i64([2], c.image), i64([2], c.block)];
      const [gpu] = await runNode(await testDevice(), n, ins, { opset: 18, constants: [1, 2] });
      const [cpu] = referenceNode(n, ins, 18);
      expect(gpu!.shape).toEqual(c.y.shape);
      expect(compareClose(gpu!.data, c.y.data, 1e-5, 1e-5), 'GPU').toBeNull();
      expect(compareClose(cpu!.data, c.y.data, 1e-5, 1e-5), 'CPU reference').toBeNull();
    });
  }
});
