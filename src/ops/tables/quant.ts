/** Op table for the quant family: one line per op. */
import type { OpDef } from '../types.js';
import { DequantizeLinear } from '../quant/dequantize-linear.js';
import { QuantizeLinear } from '../quant/quantize-linear.js';
import { DynamicQuantizeLinear } from '../quant/dynamic-quantize-linear.js';
import { MatMulInteger } from '../quant/matmul-integer.js';
import { ConvInteger } from '../quant/conv-integer.js';
import { QLinearMatMul } from '../quant/qlinear-matmul.js';
import { QLinearConv } from '../quant/qlinear-conv.js';

export const OPS: OpDef[] = [
  DequantizeLinear,
  QuantizeLinear,
  DynamicQuantizeLinear,
  MatMulInteger,
  ConvInteger,
  QLinearMatMul,
  QLinearConv,
];
