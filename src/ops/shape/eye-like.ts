/**
 * EyeLike — https://onnx.ai/onnx/operators/onnx__EyeLike.html
 * Opset 9+. A 2-D tensor shaped like the input with ones on diagonal k (k > 0 above the main one);
 * dtype from the `dtype` attribute (a TensorProto code), else the input's. Input data is never read.
 */
import { signature, type Word } from '../../gpu/signature.js';
import { shapeSize, type ElemType } from '../../ir/types.js';
import { declaredKernel, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { emptyLike, grid, WG, wordType } from './common.js';

const ONNX_TYPES: Record<number, ElemType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

interface A { dtype: ElemType | null; k: number }

const sig = (w: Word) => signature({ params: { n: 'u32', cols: 'u32', k: 'i32' }, buffers: [{ name: 'Y', elem: w, writes: true }] });

export const EyeLike: OpDef<A> = {
  type: 'EyeLike', opsets: [9, 99],
  attrs: (a) => {
    const code = a.has('dtype') ? a.int('dtype') : null;
    const dtype = code === null ? null : ONNX_TYPES[code];
    if (dtype === undefined) throw a.error(`unsupported dtype code ${code}`, 'use a numeric or bool TensorProto type');
    return { dtype, k: a.int('k', 0) };
  },
  infer(ctx, a) {
    expectInputs(ctx, 1);
    const x = ctx.inputs[0]!;
    if (x.shape.length !== 2) throw ctx.error(`input must be 2-D, got rank ${x.shape.length}`, 'EyeLike is defined for matrices only', { shape: x.shape });
    const dtype = a.dtype ?? x.dtype;
    if (dtype === 'string') throw ctx.error('string output is not supported', 'wgml stores numbers only');
    return [{ dtype, shape: [...x.shape] }];
  },
  reference([x], a) {
    const [r, c] = x!.shape as [number, number];
    const y = emptyLike(a.dtype ?? x!.dtype, [r, c]);
    for (let i = 0; i < r; i++) { const j = i + a.k; if (j >= 0 && j < c) y.data[i * c + j] = 1; }
    return [y];
  },
  gpu(ctx, a) {
    const out = ctx.outputs[0]!;
    const n = shapeSize(out.shape);
    if (n === 0) return { kernels: [] };
    const w = wordType(out.dtype);
    return { kernels: [declaredKernel({
      name: 'eyelike', key: `eyelike_${w}`, sig: sig(w), args: [{ output: 0 }], workgroups: grid(ctx, n),
      params: { n, cols: out.shape[1]!, k: a.k },
      source: () => ({
        requires: [linearIndex(WG)],
        body: perItemMain(WG, 'i', 'P.n', `  let on = i32(i % P.cols) - i32(i / P.cols) == P.k;
  Y_st(i, select(${w}(0), ${w}(1), on));`),
      }),
    })] };
  },
};
