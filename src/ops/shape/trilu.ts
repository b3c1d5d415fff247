/**
 * Trilu — https://onnx.ai/onnx/operators/onnx__Trilu.html (opset 14)
 * Keeps the upper (j − i ≥ k) or lower (j − i ≤ k) triangle of the last two dims, zeroing the rest.
 * k (optional input 1) must be a compile-time constant here.
 */
import { signature, type Word } from '../../gpu/signature.js';
import { shapeSize } from '../../ir/types.js';
import { declaredKernel, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { emptyLike, grid, optConstInts, WG, wordType } from './common.js';
import { expectInputs } from '../arity.js';

interface A { upper: boolean }

const sig = (w: Word) => signature({
  params: { n: 'u32', rows: 'u32', cols: 'u32', upper: 'u32', k: 'i32' },
  buffers: [{ name: 'X', elem: w }, { name: 'Y', elem: w, writes: true }],
});

export const Trilu: OpDef<A> = {
  type: 'Trilu', opsets: [14, 99], constInputs: [1],
  attrs: (a) => ({ upper: a.int('upper', 1) === 1 }),
  infer(ctx) {
    // Each op checks its own arity: fuzzed nodes with missing or extra inputs get a NodeError, not a crash.
    expectInputs(ctx, 1, 2);
    const x = ctx.inputs[0]!;
    if (x.shape.length < 2) throw ctx.error(`input rank ${x.shape.length}`, 'Trilu needs rank >= 2');
    optConstInts(ctx, 1, 'k');
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
  reference([x, k], a) {
    const out = emptyLike(x!.dtype, x!.shape);
    const [R, C] = x!.shape.slice(-2) as [number, number];
    const kk = k ? k.data[0]! : 0;
    for (let i = 0; i < out.data.length; i++) {
      const col = i % C, row = Math.floor(i / C) % R;
      const keep = a.upper ? col - row >= kk : col - row <= kk;
      out.data[i] = keep ? x!.data[i]! : 0;
    }
    return [out];
  },
  gpu(ctx, a) {
    const x = ctx.inputs[0]!;
    const w = wordType(x.dtype);
    const n = shapeSize(x.shape);
    const [R, C] = x.shape.slice(-2) as [number, number];
    const k = optConstInts(ctx, 1, 'k')?.[0] ?? 0;
    return { kernels: [declaredKernel({
      name: 'trilu', key: `trilu_${w}`, sig: sig(w), args: [{ input: 0 }, { output: 0 }], workgroups: grid(ctx, n),
      params: { n, rows: Math.max(R, 1), cols: Math.max(C, 1), upper: a.upper ? 1 : 0, k },
      source: () => ({
        requires: [linearIndex(WG)],
        body: perItemMain(WG, 'i', 'P.n', `  let d = i32(i % P.cols) - i32((i / P.cols) % P.rows);
  let keep = select(d <= P.k, d >= P.k, P.upper == 1u);
  Y_st(i, select(${w}(0), X_ld(i), keep));`),
      }),
    })] };
  },
};
