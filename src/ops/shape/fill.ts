/**
 * Kernels that write values known at compile time: a short list from the parameter block (Shape, Size,
 * small Constants) and an arithmetic progression (ConstantOfShape with step 0, Range).
 */
import { signature, type Word } from '../../gpu/signature.js';
import type { ElemType } from '../../ir/types.js';
import { declaredKernel, type KernelContext, type KernelSpec } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { grid, WG, wordType } from './common.js';

/** Most values a list fill carries in its parameter block (256 vec4s = 4 KiB). */
export const MAX_LIST_FILL = 1024;

// The list's length is part of the WGSL (the array size), so it is rounded up to whole vec4s in the key.
const listSig = (w: Word, vec4s: number) => signature({ params: { n: 'u32', v: [w, vec4s * 4] }, buffers: [{ name: 'Y', elem: w, writes: true }] });
const progSig = (w: Word) => signature({ params: { n: 'u32', start: w, delta: w }, buffers: [{ name: 'Y', elem: w, writes: true }] });

export function listFillKernel(ctx: KernelContext, name: string, dtype: ElemType, values: ArrayLike<number>): KernelSpec {
  const w = wordType(dtype);
  const n = values.length;
  const vec4s = Math.max(1, Math.ceil(n / 4));
  return declaredKernel({
    name, key: `fill_list_${w}_${vec4s}`, sig: listSig(w, vec4s), args: [{ output: 0 }], workgroups: grid(ctx, n),
    params: { n, v: Array.from(values) },
    source: () => ({
      requires: [linearIndex(WG)],
      body: perItemMain(WG, 'i', 'P.n', `  Y_st(i, P_v(i));`),
    }),
  });
}

/** Y[i] = start + i · delta in the element's word type. */
export function progressionKernel(ctx: KernelContext, name: string, dtype: ElemType, n: number, start: number, delta: number): KernelSpec {
  const w = wordType(dtype);
  return declaredKernel({
    name, key: `fill_prog_${w}`, sig: progSig(w), args: [{ output: 0 }], workgroups: grid(ctx, n),
    params: { n, start, delta },
    source: () => ({
      requires: [linearIndex(WG)],
      body: perItemMain(WG, 'i', 'P.n', `  Y_st(i, P.start + ${w}(i) * P.delta);`),
    }),
  });
}
