/**
 * HannWindow, HammingWindow, BlackmanWindow — https://onnx.ai/onnx/operators/onnx__HannWindow.html
 * Opset 17+. `size` (constant input 0) samples of a cosine window, w[n] = Σ_j a_j·cos(2π·j·n / N) with
 * N = size when `periodic` (default 1, the first size points of a size + 1 window) and size − 1
 * otherwise; `output_datatype` a float TensorProto code (default FLOAT). Hann a = (0.5, −0.5), Hamming
 * (25/46, −21/46), Blackman (0.42, −0.5, 0.08). The size is a compile-time constant, so the window is
 * folded when the network is planned: these ops have no kernel.
 */
import type { ElemType, HostTensor } from '../../ir/types.js';
import type { OpDef } from '../types.js';
import { expectInputs } from '../arity.js';
import { constInts, emptyLike } from '../shape/common.js';

export const FLOAT_TYPES: Record<number, ElemType> = { 1: 'float32', 10: 'float16', 11: 'float64', 16: 'bfloat16' };

interface A { periodic: boolean; dtype: ElemType }

function window(type: string, coeffs: readonly number[]): OpDef<A> {
  const values = (size: number, periodic: boolean): number[] => {
    const N = periodic ? size : size - 1;
    return Array.from({ length: size }, (_, n) => coeffs.reduce((acc, c, j) => acc + c * (N > 0 ? Math.cos((2 * Math.PI * j * n) / N) : 1), 0));
  };
  return {
    type, opsets: [17, 99], constInputs: [0],
    attrs(a) {
      const code = a.int('output_datatype', 1);
      const dtype = FLOAT_TYPES[code];
      if (!dtype) throw a.error(`output_datatype ${code} is not a float type`, 'use 1 (FLOAT), 10 (FLOAT16), 11 (DOUBLE) or 16 (BFLOAT16)', { outputDatatype: code });
      return { periodic: a.int('periodic', 1) === 1, dtype };
    },
    infer(ctx, a) {
      expectInputs(ctx, 1, 1);
      const [size] = constInts(ctx, 0, 'size');
      if (size === undefined || !Number.isInteger(size) || size < 0) throw ctx.error(`size ${size} must be a non-negative integer`, 'give the window length in samples', { size });
      return [{ dtype: a.dtype, shape: [size] }];
    },
    reference([size], a): HostTensor[] {
      const n = Number(size!.data[0]);
      const y = emptyLike(a.dtype, [n]);
      y.data.set(values(n, a.periodic));
      return [y];
    },
  };
}

export const HannWindow = window('HannWindow', [0.5, -0.5]);
export const HammingWindow = window('HammingWindow', [25 / 46, -21 / 46]);
export const BlackmanWindow = window('BlackmanWindow', [0.42, -0.5, 0.08]);
