/**
 * wgml.QuantDequant: DequantizeLinear(QuantizeLinear(x)) with one per-tensor scale and zero point, as one elementwise
 * op (passes/fold-qdq.ts writes it): y = (clamp(round_half_even(x / scale) + zero_point, lo, hi) − zero_point) · scale,
 * in the same f32 steps as the two ops (the division rounded as IEEE rounds it), so outputs are bit-identical to the
 * pair's. QDQ-format models (onnxruntime's quantize_static default) hold such a pair before every quantized op; as one
 * fusable op it joins the elementwise chains around it (Add → Relu → QuantDequant in one kernel) instead of costing
 * two passes of its own. Attributes: scale (float), zero_point, lo, hi (ints: the integer type's range).
 */
import { Attrs } from '../../ir/attrs.js';
import { storageType } from '../../ir/types.js';
import { floatLit } from '../../gpu/wgsl-literal.js';
import { elementwiseOp, unary, type EwOp } from '../elementwise/op.js';
import { requireKind } from '../elementwise/formula.js';
import { quantDequantCpu, quantDequantWgsl } from '../epilogue.js';
import { roundHalfEven } from './common.js';

interface P { scale: number; zero: number; lo: number; hi: number }
/** The attributes passes/fold-qdq.ts writes: one scale and zero point, and the integer type's range. */
const scalarParams = (a: Attrs): P => ({ scale: Math.fround(a.float('scale', 1)), zero: a.int('zero_point', 0), lo: a.int('lo', 0), hi: a.int('hi', 255) });

export const QuantDequant: EwOp<P> = {
  ...unary<P>({
    type: 'QuantDequant', fusable: true, kinds: ['float'],
    // and a convolution's epilogue activation (passes/fuse-epilogue.ts)
    epilogueActivation: (n) => {
      const p = scalarParams(new Attrs(n));
      return { act: 'quantdequant', params: [p.scale, p.zero, p.lo, p.hi] };
    },
    params: scalarParams,
    wgsl: (x, _s, p) => quantDequantWgsl(x, p.scale, p.zero, p.lo, p.hi),
    cpu: (x, _s, p) => quantDequantCpu(x, p.scale, p.zero, p.lo, p.hi),
  }),
  domain: 'wgml', opsets: [1, 99],
};

/** The per-tensor parameters of wgml.Quantize / wgml.Dequantize (attributes as QuantDequant's) and the integer type. */
interface QP extends P { int: 'uint8' | 'int8' }
const qParams = (a: Attrs): QP => {
  const int = a.string('int_type', 'uint8');
  if (int !== 'uint8' && int !== 'int8') throw a.error(`int_type '${int}'`, 'wgml.Quantize/Dequantize take uint8 or int8');
  return { ...scalarParams(a), int };
};

/**
 * wgml.Quantize: QuantizeLinear with one constant scale and zero point (passes/fold-qdq.ts writes it where the value
 * is read as integers, e.g. by a QLinearConv): saturate(round_half_even(x / scale) + zero_point), as QuantizeLinear's
 * kernel computes it, but fusable, so the float ops before it and the Dequantize after another op's output join it.
 */
export const QuantizeScalar: EwOp<QP> = {
  ...elementwiseOp<QP>({
    type: 'Quantize', spec: 'https://onnx.ai/onnx/operators/onnx__QuantizeLinear.html', arity: [1, 1], params: qParams,
    formula(p, ins, fail) {
      requireKind('wgml.Quantize', ins[0] ?? null, ['float'], fail);
      const w = storageType(p.int);
      return {
        out: p.int,
        wgsl: ([x]) => `${w}(i32(clamp(round(div_rn(${x}, ${floatLit(p.scale)})) + ${floatLit(p.zero)}, ${floatLit(p.lo)}, ${floatLit(p.hi)})))`,
        cpu: ([x]) => Math.min(p.hi, Math.max(p.lo, roundHalfEven(Math.fround(x! / p.scale)) + p.zero)),
      };
    },
  }, { fusable: true }),
  domain: 'wgml', opsets: [1, 99],
};

/** wgml.Dequantize: DequantizeLinear with one constant scale and zero point, (x − zero_point) · scale, fusable. */
export const DequantizeScalar: EwOp<QP> = {
  ...elementwiseOp<QP>({
    type: 'Dequantize', spec: 'https://onnx.ai/onnx/operators/onnx__DequantizeLinear.html', arity: [1, 1], params: qParams,
    formula(p, ins, fail) {
      requireKind('wgml.Dequantize', ins[0] ?? null, ['int', 'uint'], fail);
      return { out: 'float32', wgsl: ([x]) => `(f32(i32(${x}) - (${p.zero})) * ${floatLit(p.scale)})`, cpu: ([x]) => Math.fround((x! - p.zero) * p.scale) };
    },
  }, { fusable: true }),
  domain: 'wgml', opsets: [1, 99],
};
