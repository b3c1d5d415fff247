/**
 * Why wgml has no kernel for an op it knows of, and what to do instead: said in an UnsupportedOpsError
 * in place of a bare "no kernel", for the ops real models bring most often. Most are refused by design:
 * wgml plans every shape before the first dispatch and never falls back to the CPU.
 */
const DATA_SHAPED = 'its output size depends on the values it reads, and wgml plans every shape before the first dispatch';
const SEQUENCE = 'sequence values are lists of tensors, which wgml does not represent: export the model with the list unrolled into tensors';

const REASONS: Record<string, string> = {
  NonMaxSuppression: `${DATA_SHAPED}: run NMS on the network's boxes and scores after it (or export without it, e.g. YOLO exports with nms=False)`,
  NonZero: `${DATA_SHAPED}: use a mask (Where, Mul) of static shape instead of the indices it lists`,
  Unique: `${DATA_SHAPED}`,
  Compress: `${DATA_SHAPED}: use a mask (Where, Mul) of static shape, or a Gather with constant indices`,
  Loop: 'control flow over a run-time trip count: export with the loop unrolled (torch.jit.trace, or the dynamo exporter), or give the count as a constant so If folds it',
  Scan: 'control flow over a sequence: export with the steps unrolled',
  RandomNormal: 'random numbers: generate the noise outside and pass it in as an input',
  RandomUniform: 'random numbers: generate the noise outside and pass it in as an input',
  RandomNormalLike: 'random numbers: generate the noise outside and pass it in as an input',
  RandomUniformLike: 'random numbers: generate the noise outside and pass it in as an input',
  Bernoulli: 'random numbers: generate the noise outside and pass it in as an input',
  Multinomial: 'random sampling: sample on the network\'s probabilities after it',
  Adam: 'a training op: wgml runs inference', Adagrad: 'a training op: wgml runs inference',
  Momentum: 'a training op: wgml runs inference', Gradient: 'a training op: wgml runs inference',
  StringNormalizer: 'a string op: wgml stores numbers only', TfIdfVectorizer: 'a string op: wgml stores numbers only',
  RegexFullMatch: 'a string op: wgml stores numbers only', StringConcat: 'a string op: wgml stores numbers only',
  StringSplit: 'a string op: wgml stores numbers only', LabelEncoder: 'a string/label op (ai.onnx.ml): map labels outside the network',
};
for (const op of ['SequenceAt', 'SequenceConstruct', 'SequenceEmpty', 'SequenceErase', 'SequenceInsert', 'SequenceLength', 'SplitToSequence', 'ConcatFromSequence', 'SequenceMap']) REASONS[op] = SEQUENCE;

/** The reason for an op of the default domain wgml has no kernel for, if it is one of the known ones. */
export function unsupportedReason(type: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(REASONS, type) ? REASONS[type] : undefined;
}
