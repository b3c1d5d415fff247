/** Rough FLOP counts per node (multiply-add = 2; integer ops' operations counted alike), for `wgml inspect` and benchmarks. */
import type { ValueType } from '../ir/types.js';
import { shapeSize } from '../ir/types.js';

export function nodeFlops(opType: string, inputs: (ValueType | undefined)[], outputs: (ValueType | undefined)[]): number {
  const out = outputs[0] ? shapeSize(outputs[0].shape) : 0;
  const w = inputs[1];
  switch (opType) {
    case 'Conv': return w ? 2 * out * shapeSize(w.shape.slice(1)) : 0;
    case 'ConvTranspose': return w && inputs[0] ? 2 * shapeSize(inputs[0].shape) * shapeSize(w.shape.slice(1)) : 0;
    case 'MatMul': case 'MatMulInteger': case 'QLinearMatMul': { const a = inputs[0]; return a ? 2 * out * a.shape[a.shape.length - 1]! : 0; }
    // the integer convs: x, w (ConvInteger) or x, x_scale, x_zero_point, w (QLinearConv)
    case 'ConvInteger': return w ? 2 * out * shapeSize(w.shape.slice(1)) : 0;
    case 'QLinearConv': { const wq = inputs[3]; return wq ? 2 * out * shapeSize(wq.shape.slice(1)) : 0; }
    // Gemm's A is M×K or K×M (transA): K = |A| / M either way
    case 'Gemm': { const a = inputs[0]; const m = outputs[0]?.shape[0] ?? 1; return a && m ? 2 * out * (shapeSize(a.shape) / m) : 0; }
    // wgml.Attention: Q·Kᵀ and P·V; out = [b…, Sq, Dv], K = [b…, Sk, D]
    case 'Attention': { const q = inputs[0], k = inputs[1], o = outputs[0]; if (!q || !k || !o) return 0; const Dv = o.shape[o.shape.length - 1]!; return Dv ? 2 * (out / Dv) * k.shape[k.shape.length - 2]! * (q.shape[q.shape.length - 1]! + Dv) : 0; }
    default: return out;
  }
}
