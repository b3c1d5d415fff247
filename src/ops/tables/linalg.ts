/** Op table for the linalg family: one line per op. */
import type { OpDef } from '../types.js';
import { MatMul } from '../linalg/matmul.js';
import { Gemm } from '../linalg/gemm.js';
import { Softmax } from '../linalg/softmax.js';
import { LogSoftmax } from '../linalg/log-softmax.js';
import { LayerNormalization, LayerNormalizationContrib } from '../linalg/layer-norm.js';
import { InstanceNormalization } from '../linalg/instance-norm.js';
import { GroupNormalization } from '../linalg/group-norm.js';
import { LpNormalization } from '../linalg/lp-norm.js';
import { ReduceMean } from '../linalg/reduce-mean.js';
import { ReduceSum } from '../linalg/reduce-sum.js';
import { ReduceMax } from '../linalg/reduce-max.js';
import { ReduceMin } from '../linalg/reduce-min.js';
import { ReduceProd } from '../linalg/reduce-prod.js';
import { ReduceSumSquare } from '../linalg/reduce-sum-square.js';
import { ReduceL1 } from '../linalg/reduce-l1.js';
import { ReduceL2 } from '../linalg/reduce-l2.js';
import { ReduceLogSumExp } from '../linalg/reduce-log-sum-exp.js';
import { ReduceLogSum } from '../linalg/reduce-log-sum.js';
import { Hardmax } from '../linalg/hardmax.js';
import { Det } from '../linalg/det.js';
import { TopK } from '../linalg/top-k.js';
import { Einsum } from '../linalg/einsum.js';
import { ArgMax } from '../linalg/arg-max.js';
import { ArgMin } from '../linalg/arg-min.js';
import { LSTM } from '../linalg/lstm.js';
import { GRU } from '../linalg/gru.js';
import { RNN } from '../linalg/rnn.js';
import { MeanVarianceNormalization } from '../linalg/mean-variance-normalization.js';
import { Attention } from '../linalg/attention.js';
import { MsAttention, MsMultiHeadAttention } from '../linalg/attention-ms.js';
import { SimplifiedLayerNormalization, SimplifiedLayerNormalizationMs } from '../contrib/simplified-layer-norm.js';
import { NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss } from '../linalg/loss.js';

export const OPS: OpDef[] = [
  MatMul,
  Gemm,
  Softmax,
  LogSoftmax,
  LayerNormalization,
  LayerNormalizationContrib,
  InstanceNormalization,
  GroupNormalization,
  LpNormalization,
  ReduceMean,
  ReduceSum,
  ReduceMax,
  ReduceMin,
  ReduceProd,
  ReduceSumSquare,
  ReduceL1,
  ReduceL2,
  ReduceLogSumExp,
  ReduceLogSum,
  Hardmax,
  Det,
  TopK,
  Einsum,
  ArgMax,
  ArgMin,
  LSTM,
  GRU,
  RNN,
  MeanVarianceNormalization,
  Attention,
  MsAttention,
  MsMultiHeadAttention,
  SimplifiedLayerNormalization,
  SimplifiedLayerNormalizationMs,
  NegativeLogLikelihoodLoss,
  SoftmaxCrossEntropyLoss,
];
