/**
 * Why wgml has no kernel for an op it knows of, and what to do instead: said in an UnsupportedOpsError
 * in place of a bare "no kernel", for the ops real models bring most often. Most are refused by design:
 * wgml plans every shape before the first dispatch and never falls back to the CPU.
 */
const DATA_SHAPED = 'its output size depends on the values it reads, and wgml plans every shape before the first dispatch';

const REASONS: Record<string, string> = {
  NonMaxSuppression: `${DATA_SHAPED}: run NMS on the network's boxes and scores after it (or export without it, e.g. YOLO exports with nms=False)`,
  Unique: `${DATA_SHAPED}`,
  RandomNormal: 'random numbers: generate the noise outside and pass it in as an input',
  RandomUniform: 'random numbers: generate the noise outside and pass it in as an input',
  RandomNormalLike: 'random numbers: generate the noise outside and pass it in as an input',
  RandomUniformLike: 'random numbers: generate the noise outside and pass it in as an input',
  Bernoulli: 'random numbers: generate the noise outside and pass it in as an input',
  Multinomial: 'random sampling: sample on the network\'s probabilities after it',
  Adam: 'a training op: wgml runs inference', Adagrad: 'a training op: wgml runs inference',
  Momentum: 'a training op: wgml runs inference', Gradient: 'a training op: wgml runs inference',
  StringNormalizer: 'a string op: wgml stores numbers only',
  RegexFullMatch: 'a string op: wgml stores numbers only', StringConcat: 'a string op: wgml stores numbers only',
  StringSplit: 'a string op: wgml stores numbers only', LabelEncoder: 'a string/label op (ai.onnx.ml): map labels outside the network',
};
// SequenceMap maps a body over a sequence's elements; its sequences would have to be unrolled like Loop's steps
REASONS.SequenceMap = 'a body mapped over sequences: not unrolled by wgml (the other sequence ops are): export with the map unrolled';

// onnxruntime's quantizer writes these com.microsoft ops for QuantFormat.QOperator besides the ones wgml rewrites at
// import (onnx/qoperator.ts: QLinearAdd, QLinearMul, the pools, QLinearConcat, QLinearSoftmax, QGemm, …) and the standard QLinearConv
// and QLinearMatMul; its QDQ format and quantize_dynamic use standard ops only.
const QOPERATOR = "an onnxruntime QOperator contrib op wgml does not rewrite: quantize in onnxruntime's QDQ format (quantize_static(..., quant_format=QuantFormat.QDQ)) or with quantize_dynamic, whose ops wgml runs";
const MS_REASONS: Record<string, string> = {
  MatMulNBits: '4-bit block-quantized weights (onnxruntime\'s MatMulNBits): export the model with 8-bit (quantize_dynamic) or float weights',
  DynamicQuantizeMatMul: 'an onnxruntime graph-optimizer fusion: save the model before onnxruntime optimizes it (graph_optimization_level disabled or basic), which keeps DynamicQuantizeLinear → MatMulInteger, which wgml runs',
  MatMulIntegerToFloat: 'an onnxruntime graph-optimizer fusion: save the model before onnxruntime optimizes it, which keeps MatMulInteger → Cast → Mul, which wgml runs',
};
for (const op of ['QLinearReduceMean', 'QAttention', 'QOrderedMatMul']) MS_REASONS[op] = QOPERATOR;

/** The reason for an op wgml has no kernel for, if it is one of the known ones (domain '' or 'com.microsoft'). */
export function unsupportedReason(type: string, domain = ''): string | undefined {
  const table = domain === '' ? REASONS : domain === 'com.microsoft' ? MS_REASONS : null;
  return table && Object.prototype.hasOwnProperty.call(table, type) ? table[type] : undefined;
}
