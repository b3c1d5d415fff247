/**
 * wgml.QuantDequant: DequantizeLinear(QuantizeLinear(x)) with one per-tensor scale and zero point, as one elementwise
 * op (passes/fold-qdq.ts writes it): y = (clamp(round_half_even(x / scale) + zero_point, lo, hi) − zero_point) · scale,
 * in the same f32 steps as the two ops (the division rounded as IEEE rounds it), so outputs are bit-identical to the
 * pair's. QDQ-format models (onnxruntime's quantize_static default) hold such a pair before every quantized op; as one
 * fusable op it joins the elementwise chains around it (Add → Relu → QuantDequant in one kernel) instead of costing
 * two passes of its own. Attributes: scale (float), zero_point, lo, hi (ints: the integer type's range).
 */
import { unary, type EwOp } from '../elementwise/op.js';
import { quantDequantCpu, quantDequantWgsl } from '../epilogue.js';

interface P { scale: number; zero: number; lo: number; hi: number }

export const QuantDequant: EwOp<P> = {
  ...unary<P>({
    type: 'QuantDequant', fusable: true, kinds: ['float'],
    // and a convolution's epilogue activation (passes/fuse-epilogue.ts)
    epilogueActivation: (n) => {
      const v = (k: string, d: number) => (n.attrs[k]?.kind === 'float' || n.attrs[k]?.kind === 'int' ? n.attrs[k]!.value as number : d);
      return { act: 'quantdequant', params: [Math.fround(v('scale', 1)), v('zero_point', 0), v('lo', 0), v('hi', 255)] };
    },
    params: (a) => ({ scale: Math.fround(a.float('scale', 1)), zero: a.int('zero_point', 0), lo: a.int('lo', 0), hi: a.int('hi', 255) }),
    wgsl: (x, _s, p) => quantDequantWgsl(x, p.scale, p.zero, p.lo, p.hi),
    cpu: (x, _s, p) => quantDequantCpu(x, p.scale, p.zero, p.lo, p.hi),
  }),
  domain: 'wgml', opsets: [1, 99],
};
