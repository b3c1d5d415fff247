/**
 * onnxruntime's QOperator contrib ops (com.microsoft), written by its quantizer for
 * `quantize_static(..., quant_format=QuantFormat.QOperator)` and found in int8 model-zoo models
 * (https://github.com/microsoft/onnxruntime/blob/main/docs/ContribOperators.md), rewritten at import as the
 * float op between DequantizeLinear and QuantizeLinear, which is what each one computes:
 * - QLinearAdd / QLinearMul (A, A_scale, A_zp, B, B_scale, B_zp, C_scale, C_zp), numpy broadcasting;
 * - QLinearGlobalAveragePool / QLinearAveragePool (X, x_scale, x_zp, y_scale, y_zp; AveragePool's attributes),
 *   QLinearSigmoid and QLinearLeakyRelu (alpha) the same way;
 * - QLinearConcat (Y_scale, Y_zp, then X, X_scale, X_zp per input; axis);
 * - QLinearWhere (condition, X, x_scale, x_zp, Y, y_scale, y_zp, z_scale, z_zp);
 * - QLinearSoftmax (X, x_scale, x_zp, y_scale, y_zp; axis, opset), Softmax as of the model's opset;
 * - QGemm (A, a_scale, a_zp, B, b_scale, b_zp, C?, y_scale?, y_zp?; alpha, transA, transB): B per output channel
 *   (axis 0 when transposed, else 1), C an int32 bias at scale a_scale·b_scale and zero point 0, a float output
 *   when y_scale is absent.
 * onnxruntime's kernels compute the same quantities with their own roundings (fixed-point ratios for Add/Mul, an
 * integer GEMM for QGemm), so outputs agree to within one quantization step. The float ops in between fuse as
 * usual; a DequantizeLinear of a constant folds. Refused with a reason: channels_last pools (NHWC models; the rank
 * needed to transpose is not known at import); QLinearReduceMean, QAttention and QOrderedMatMul stay unsupported
 * (ops/unsupported.ts; onnxruntime's CPU has no QLinearReduceMean kernel to test one against).
 */
import { NodeError } from '../errors.js';
import type { AttrValue, Graph, Node } from '../ir/types.js';

const MS = 'com.microsoft';
const DOCS = 'https://github.com/microsoft/onnxruntime/blob/main/docs/ContribOperators.md#com.microsoft.';
/** The ops this module rewrites, and the float op each wraps. */
const WRAPPED: Record<string, string> = {
  QLinearAdd: 'Add', QLinearMul: 'Mul', QLinearGlobalAveragePool: 'GlobalAveragePool', QLinearAveragePool: 'AveragePool',
  QLinearSigmoid: 'Sigmoid', QLinearLeakyRelu: 'LeakyRelu', QLinearConcat: 'Concat', QLinearWhere: 'Where', QGemm: 'Gemm',
  QLinearSoftmax: 'Softmax',
};

/** Whether `n` is one of the QOperator ops this module rewrites (in a model that imports com.microsoft). */
export const isQOperator = (n: Node, g: Graph): boolean => n.domain === MS && g.opsets[MS] !== undefined && n.opType in WRAPPED;

/** The nodes that replace one QOperator node; `opset` is the model's default-domain opset. */
export function expandQOperator(n: Node, opset: number): Node[] {
  const out: Node[] = [];
  const at = (i: number) => n.inputs[i] ?? '';
  const need = (i: number, what: string) => {
    if (!at(i)) throw new NodeError(n, `input ${i} (${what}) is required`, `see ${DOCS}${n.opType}`, { input: i });
    return at(i);
  };
  const emit = (opType: string, tag: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string => {
    const o = output || `${n.name}::${tag}`;
    while (inputs.length && !inputs[inputs.length - 1]) inputs.pop();
    out.push({ name: `${n.name}/${tag}`, opType, domain: '', inputs, outputs: [o], attrs });
    return o;
  };
  const dq = (tag: string, x: number, axis?: number) =>
    emit('DequantizeLinear', `dq_${tag}`, [need(x, tag), need(x + 1, `${tag} scale`), at(x + 2)], axis === undefined ? {} : { axis: { kind: 'int', value: axis } });
  const q = (y: string, scale: number, zp: number) => emit('QuantizeLinear', 'q', [y, need(scale, 'output scale'), at(zp)], {}, n.outputs[0]);
  const float = WRAPPED[n.opType]!;
  const { channels_last: cl, ...attrs } = n.attrs;
  switch (n.opType) {
    case 'QLinearAdd': case 'QLinearMul':
      q(emit(float, 'op', [dq('A', 0), dq('B', 3)]), 6, 7);
      break;
    case 'QLinearGlobalAveragePool': case 'QLinearAveragePool': case 'QLinearSigmoid': case 'QLinearLeakyRelu':
      if (cl && cl.kind === 'int' && cl.value !== 0) {
        throw new NodeError(n, 'channels_last = 1 (an NHWC pool) is not supported', 'export the model in NCHW layout (channels_last = 0), or quantize it in the QDQ format', { channels_last: cl.value });
      }
      q(emit(float, 'op', [dq('X', 0)], attrs), 3, 4);
      break;
    case 'QLinearConcat': {
      const xs: string[] = [];
      for (let i = 2; i < n.inputs.length; i += 3) xs.push(dq(`X${(i - 2) / 3}`, i));
      if (!xs.length) throw new NodeError(n, 'no inputs to concatenate', `inputs come in threes after Y_scale and Y_zero_point: see ${DOCS}QLinearConcat`);
      q(emit(float, 'op', xs, attrs), 0, 1);
      break;
    }
    case 'QLinearSoftmax': {
      // `opset` names the Softmax it replaced: before 13, Softmax flattened the input at axis. With the last axis (the
      // default) both definitions agree; otherwise the model's opset must be on the same side of 13 as the node's.
      const axis = n.attrs.axis?.kind === 'int' ? n.attrs.axis.value : -1;
      const from = n.attrs.opset?.kind === 'int' ? n.attrs.opset.value : opset;
      if (axis !== -1 && (from < 13) !== (opset < 13)) {
        throw new NodeError(n, `axis ${axis} of a Softmax from opset ${from} in a model of opset ${opset}`, 'Softmax changed at opset 13 (it flattened at axis before): export with axis -1, or at the opset the quantizer saw', { axis, opset: from });
      }
      q(emit(float, 'op', [dq('X', 0)], { axis: { kind: 'int', value: axis } }), 3, 4);
      break;
    }
    case 'QLinearWhere':
      q(emit(float, 'op', [need(0, 'condition'), dq('X', 1), dq('Y', 4)]), 7, 8);
      break;
    case 'QGemm': {
      const transB = n.attrs.transB?.kind === 'int' ? n.attrs.transB.value : 0;
      const a = dq('A', 0), b = dq('B', 3, transB ? 0 : 1);
      // the int32 bias is at scale a_scale·b_scale (per output channel when b_scale is), zero point 0
      const c = at(6) ? emit('DequantizeLinear', 'dq_C', [at(6), emit('Mul', 'c_scale', [need(1, 'a scale'), need(4, 'b scale')])], { axis: { kind: 'int', value: -1 } }) : '';
      const y = emit(float, 'op', [a, b, c], attrs, at(7) ? undefined : n.outputs[0]);
      if (at(7)) q(y, 7, 8);
      else if (at(8)) throw new NodeError(n, 'y_zero_point is given without y_scale', `give both for a quantized output, neither for a float one: see ${DOCS}QGemm`);
      break;
    }
  }
  return out;
}
