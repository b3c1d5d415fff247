/**
 * onnxruntime's GELU contrib ops (com.microsoft, since version 1), which its transformer optimizer and
 * HuggingFace optimum write into BERT/GPT-2/CLIP exports —
 * https://github.com/microsoft/onnxruntime/blob/main/docs/ContribOperators.md:
 * - Gelu: x/2 (1 + erf(x/√2)), no attributes;
 * - FastGelu: the tanh approximation x/2 (1 + tanh(√(2/π) (x + 0.044715 x³))) of X + bias;
 * - QuickGelu: x · sigmoid(alpha · x), alpha default 1.702;
 * - BiasGelu: Gelu(X + bias).
 * Here they are one-input elementwise ops, fusable like ONNX's own (fused programs name them
 * 'com.microsoft.Gelu' …); the bias inputs of FastGelu and BiasGelu become an ONNX Add at import
 * (src/onnx/contrib.ts), which then fuses into the same kernel or into the preceding MatMul's epilogue.
 */
import { erf } from '../epilogue.js';
import { floatLit } from '../../gpu/wgsl-literal.js';
import { unary, type EwOp } from '../elementwise/op.js';

const DOCS = 'https://github.com/microsoft/onnxruntime/blob/main/docs/ContribOperators.md#com.microsoft.';
/** The op in the com.microsoft domain (any version), its errors pointing at onnxruntime's docs. */
function ms<P>(op: EwOp<P>): EwOp<P> {
  return { ...op, domain: 'com.microsoft', opsets: [1, 99], ew: { ...op.ew, spec: DOCS + op.type } };
}

export const MsGelu = ms(unary({
  type: 'Gelu', fusable: true, kinds: ['float'],
  wgsl: (x) => `act_gelu(${x})`,
  cpu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
}));

export const MsFastGelu = ms(unary({
  type: 'FastGelu', fusable: true, kinds: ['float'],
  // the same formula as ONNX Gelu(approximate='tanh'), so both round alike
  wgsl: (x) => `0.5 * ${x} * (1.0 + ew_tanh(0.7978845608028654 * (${x} + 0.044715 * ${x} * ${x} * ${x})))`,
  cpu: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
}));

export const MsQuickGelu = ms(unary({
  type: 'QuickGelu', fusable: true, kinds: ['float'],
  params: (a) => ({ alpha: a.float('alpha', 1.702) }),
  wgsl: (x, _s, p) => `${x} * act_sigmoid(${floatLit(p.alpha)} * ${x})`,
  cpu: (x, _s, p) => x / (1 + Math.exp(-p.alpha * x)),
}));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const MS_GELU_OPS: EwOp<any>[] = [MsGelu, MsFastGelu, MsQuickGelu];
