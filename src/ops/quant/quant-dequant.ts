/**
 * wgml.QuantDequant: DequantizeLinear(QuantizeLinear(x)) with one per-tensor scale and zero point, as one elementwise
 * op (passes/fold-qdq.ts writes it): y = (clamp(round_half_even(x / scale) + zero_point, lo, hi) − zero_point) · scale,
 * in the same f32 steps as the two ops (the division rounded as IEEE rounds it), so outputs are bit-identical to the
 * pair's. QDQ-format models (onnxruntime's quantize_static default) hold such a pair before every quantized op; as one
 * fusable op it joins the elementwise chains around it (Add → Relu → QuantDequant in one kernel) instead of costing
 * two passes of its own. Attributes: scale (float), zero_point, lo, hi (ints: the integer type's range).
 */
import { floatLit } from '../../gpu/wgsl-literal.js';
import { unary, type EwOp } from '../elementwise/op.js';
import { roundHalfEven } from './common.js';

interface P { scale: number; zero: number; lo: number; hi: number }

export const QuantDequant: EwOp<P> = {
  ...unary<P>({
    type: 'QuantDequant', fusable: true, kinds: ['float'],
    params: (a) => ({ scale: Math.fround(a.float('scale', 1)), zero: a.int('zero_point', 0), lo: a.int('lo', 0), hi: a.int('hi', 255) }),
    wgsl: (x, _s, p) => `((clamp(round(div_rn(${x}, ${floatLit(p.scale)})) + ${floatLit(p.zero)}, ${floatLit(p.lo)}, ${floatLit(p.hi)}) - ${floatLit(p.zero)}) * ${floatLit(p.scale)})`,
    cpu: (x, _s, p) => Math.fround((Math.min(p.hi, Math.max(p.lo, roundHalfEven(Math.fround(x / p.scale)) + p.zero)) - p.zero) * p.scale),
  }),
  domain: 'wgml', opsets: [1, 99],
};
