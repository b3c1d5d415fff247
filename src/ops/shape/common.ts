/**
 * Shared pieces of the shape / data-movement family: axis and constant-input helpers, CPU index
 * helpers for the references, and one generic strided-gather kernel that Transpose, Expand, Slice,
 * Split, Tile, DepthToSpace and SpaceToDepth all reduce to (only the parameters differ, so they share
 * one pipeline per element word type), declared through a signature so it also runs under the
 * network's shared bind group.
 */
import { signature, type KernelSignature, type Word } from '../../gpu/signature.js';
import type { ElemType, HostTensor } from '../../ir/types.js';
import { hostArrayFor, shapeSize, storageType } from '../../ir/types.js';
import { declaredKernel, dispatch1d, type InferContext, type KernelArg, type KernelContext, type KernelSpec } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { denseView, type View } from '../../ir/view.js';

export const MAX_RANK = 8;
export const WG = 64;

/** The value of constant input i as plain numbers, or throw saying it must be known at compile time. */
export function constInts(ctx: InferContext, i: number, what: string): number[] {
  const t = ctx.constant(i);
  if (!t) throw ctx.error(`input ${i} (${what}) must be a compile-time constant`, 'make it an initializer or a Constant so wgml can fold it (shapes are static on the GPU)', { input: i });
  return Array.from(t.data);
}

/** Constant input i if present (non-null input), else undefined. */
export function optConstInts(ctx: InferContext, i: number, what: string): number[] | undefined {
  if (i >= ctx.inputs.length || !ctx.inputs[i]) return undefined;
  return constInts(ctx, i, what);
}

export function checkRank(ctx: InferContext, shape: readonly number[], what = 'tensor'): void {
  if (shape.length > MAX_RANK) throw ctx.error(`${what} has rank ${shape.length}; wgml kernels support rank up to ${MAX_RANK}`, 'reshape to at most 8 dimensions', { shape });
}

export { denseStrides } from '../../tensor/tensor.js';

/** Coordinates of flat index i in a row-major shape (CPU references). */
export function unravel(i: number, shape: readonly number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) { const d = shape[k]!; c[k] = d ? i % d : 0; i = d ? Math.floor(i / d) : 0; }
  return c;
}

export function ravel(c: readonly number[], shape: readonly number[]): number {
  let i = 0;
  for (let k = 0; k < shape.length; k++) i = i * shape[k]! + c[k]!;
  return i;
}

export function emptyLike(dtype: ElemType, shape: number[]): HostTensor {
  return { dtype, shape: [...shape], data: hostArrayFor(dtype, shapeSize(shape)) };
}

/** CPU reference helper: out[c] = src[f(c)] for every output coordinate. */
export function gatherRef(src: HostTensor, outShape: number[], f: (c: number[]) => number[] | null, fill = 0): HostTensor {
  const out = emptyLike(src.dtype, outShape);
  const n = out.data.length;
  for (let i = 0; i < n; i++) {
    const s = f(unravel(i, outShape));
    out.data[i] = s ? src.data[ravel(s, src.shape)]! : fill;
  }
  return out;
}

export function wordType(t: ElemType): 'f32' | 'i32' | 'u32' {
  return storageType(t);
}

/** Number of elements and the 2D-folded grid for one thread per element. */
export function grid(ctx: KernelContext, n: number): [number, number, number] {
  return dispatch1d(n, WG, ctx.caps.maxComputeWorkgroupsPerDimension);
}

const stridedSigs = new Map<Word, KernelSignature>();
function stridedSig(w: Word): KernelSignature {
  let s = stridedSigs.get(w);
  if (!s) {
    s = signature({
      params: { n: 'u32', rank: 'u32', offset: 'i32', shape: ['u32', MAX_RANK], mods: ['u32', MAX_RANK], strides: ['i32', MAX_RANK] },
      buffers: [{ name: 'X', elem: w }, { name: 'Y', elem: w, writes: true }],
    });
    stridedSigs.set(w, s);
  }
  return s;
}

const STRIDED_BODY = perItemMain(WG, 'i', 'P.n', `  var rem = i;
  var src = P.offset;
  // Unsigned, through the accessors: the elementwise walk written as a signed loop over the local copy
  // (P.shape[d / 4][d % 4]) computed zeros on an H200 (bench/RESULTS.md, issue 18).
  for (var e = P.rank; e > 0u; e--) {
    let k = e - 1u;
    let d = P_shape(k);
    let c = rem % d;
    rem = rem / d;
    src += i32(c % P_mods(k)) * P_strides(k);
  }
  Y_st(i, X_ld(u32(src)));`);

/**
 * out[o] = in[offset + Σ (o_k mod mods_k) · strides_k] over the output's coordinates o. `mods`
 * defaults to the output shape (no wrap); Tile passes the input shape.
 */
export function stridedKernel(ctx: KernelContext, name: string, input: number, output: number, dtype: ElemType,
  outShape: readonly number[], strides: readonly number[], offset = 0, mods?: readonly number[]): KernelSpec {
  const n = shapeSize(outShape);
  const w = wordType(dtype);
  const args: KernelArg[] = [{ input }, { output }];
  return declaredKernel({
    name, key: `strided_${w}`, args, sig: stridedSig(w),
    params: { n, rank: outShape.length, offset, shape: outShape.map((d) => Math.max(1, d)), mods: (mods ?? outShape).map((d) => Math.max(1, d)), strides },
    workgroups: grid(ctx, n),
    source: () => ({ requires: [linearIndex(WG)], body: STRIDED_BODY }),
  });
}

/** Where input 0's elements sit in the buffer bound for it: its view when a pass re-viewed it, else dense. */
export function inputView(ctx: KernelContext): View {
  return ctx.views?.[0] ?? denseView(ctx.inputs[0]!.shape);
}

/**
 * One strided copy of output `output` from input 0, for ops that only re-view their input: `v` is
 * where the output's elements sit in input 0's buffer (the op's view composed over the input's own
 * view), so a chain of re-views ending in a copy is one copy from the chain's base.
 */
export function viewCopyKernel(ctx: KernelContext, name: string, output: number, v: View): KernelSpec {
  return stridedKernel(ctx, name, 0, output, ctx.inputs[0]!.dtype, v.shape, v.strides, v.offset);
}
