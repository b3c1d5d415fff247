/** Rough FLOP counts per node (multiply-add = 2), for `wgml inspect` and benchmarks. */
import type { ValueType } from '../ir/types.js';
import { shapeSize } from '../ir/types.js';

export function nodeFlops(opType: string, inputs: (ValueType | undefined)[], outputs: (ValueType | undefined)[]): number {
  const out = outputs[0] ? shapeSize(outputs[0].shape) : 0;
  const w = inputs[1];
  switch (opType) {
    case 'Conv': return w ? 2 * out * shapeSize(w.shape.slice(1)) : 0;
    case 'ConvTranspose': return w && inputs[0] ? 2 * shapeSize(inputs[0].shape) * shapeSize(w.shape.slice(1)) : 0;
    case 'MatMul': { const a = inputs[0]; return a ? 2 * out * a.shape[a.shape.length - 1]! : 0; }
    // Gemm's A is M×K or K×M (transA): K = |A| / M either way
    case 'Gemm': { const a = inputs[0]; const m = outputs[0]?.shape[0] ?? 1; return a && m ? 2 * out * (shapeSize(a.shape) / m) : 0; }
    default: return out;
  }
}
