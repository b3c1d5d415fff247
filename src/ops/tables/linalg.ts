/** Op table for the linalg family: one line per op. */
import type { OpDef } from '../types.js';
import { MatMul } from '../linalg/matmul.js';
import { Gemm } from '../linalg/gemm.js';
import { Softmax } from '../linalg/softmax.js';
import { LogSoftmax } from '../linalg/log-softmax.js';
import { LayerNormalization } from '../linalg/layer-norm.js';
import { InstanceNormalization } from '../linalg/instance-norm.js';
import { LpNormalization } from '../linalg/lp-norm.js';

export const OPS: OpDef[] = [
  MatMul,
  Gemm,
  Softmax,
  LogSoftmax,
  LayerNormalization,
  InstanceNormalization,
  LpNormalization,
];
