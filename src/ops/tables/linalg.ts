/** Op table for the linalg family: one line per op. */
import type { OpDef } from '../types.js';
import { MatMul } from '../linalg/matmul.js';
import { Gemm } from '../linalg/gemm.js';

export const OPS: OpDef[] = [
  MatMul,
  Gemm,
];
