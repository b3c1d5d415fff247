/**
 * Op table for the elementwise family: one line per op. wgml.FusedElementwise is registered in
 * registry.ts, after this table, because it evaluates the fusable ops listed here.
 */
import type { OpDef } from '../types.js';
import { Relu } from '../elementwise/relu.js';
import { LeakyRelu } from '../elementwise/leaky-relu.js';
import { Elu } from '../elementwise/elu.js';
import { Selu } from '../elementwise/selu.js';
import { Sigmoid } from '../elementwise/sigmoid.js';
import { HardSigmoid } from '../elementwise/hard-sigmoid.js';
import { HardSwish } from '../elementwise/hard-swish.js';
import { Tanh } from '../elementwise/tanh.js';
import { Erf } from '../elementwise/erf.js';
import { Exp } from '../elementwise/exp.js';
import { Log } from '../elementwise/log.js';
import { Sqrt } from '../elementwise/sqrt.js';
import { Reciprocal } from '../elementwise/reciprocal.js';
import { Neg } from '../elementwise/neg.js';
import { Abs } from '../elementwise/abs.js';
import { Floor } from '../elementwise/floor.js';
import { Ceil } from '../elementwise/ceil.js';
import { Round } from '../elementwise/round.js';
import { Sign } from '../elementwise/sign.js';
import { Sin } from '../elementwise/sin.js';
import { Cos } from '../elementwise/cos.js';
import { Softplus } from '../elementwise/softplus.js';
import { Softsign } from '../elementwise/softsign.js';
import { Not } from '../elementwise/not.js';
import { Identity } from '../elementwise/identity.js';
import { Cast } from '../elementwise/cast.js';
import { Gelu } from '../elementwise/gelu.js';
import { IsNaN } from '../elementwise/is-nan.js';
import { IsInf } from '../elementwise/is-inf.js';
import { Mish } from '../elementwise/mish.js';
import { Add } from '../elementwise/add.js';
import { Sub } from '../elementwise/sub.js';
import { Mul } from '../elementwise/mul.js';
import { Div } from '../elementwise/div.js';
import { Pow } from '../elementwise/pow.js';
import { Max } from '../elementwise/max.js';
import { Min } from '../elementwise/min.js';
import { Mean } from '../elementwise/mean.js';
import { Sum } from '../elementwise/sum.js';
import { Mod } from '../elementwise/mod.js';
import { Equal } from '../elementwise/equal.js';
import { Less } from '../elementwise/less.js';
import { LessOrEqual } from '../elementwise/less-or-equal.js';
import { Greater } from '../elementwise/greater.js';
import { GreaterOrEqual } from '../elementwise/greater-or-equal.js';
import { And } from '../elementwise/and.js';
import { Or } from '../elementwise/or.js';
import { Xor } from '../elementwise/xor.js';
import { PRelu } from '../elementwise/prelu.js';
import { BitShift } from '../elementwise/bit-shift.js';
import { Where } from '../elementwise/where.js';
import { Clip } from '../elementwise/clip.js';
import { Acos } from '../elementwise/acos.js';
import { Asin } from '../elementwise/asin.js';
import { Atan } from '../elementwise/atan.js';
import { Acosh } from '../elementwise/acosh.js';
import { Asinh } from '../elementwise/asinh.js';
import { Atanh } from '../elementwise/atanh.js';
import { Cosh } from '../elementwise/cosh.js';
import { Sinh } from '../elementwise/sinh.js';
import { Tan } from '../elementwise/tan.js';
import { Celu } from '../elementwise/celu.js';
import { ThresholdedRelu } from '../elementwise/thresholded-relu.js';
import { Shrink } from '../elementwise/shrink.js';
import { CastLike } from '../elementwise/cast-like.js';
import { MS_GELU_OPS } from '../contrib/gelu.js';
import { DequantizeScalar, QuantDequant, QuantizeScalar } from '../quant/quant-dequant.js';

export const OPS: OpDef[] = [
  Relu,
  LeakyRelu,
  Elu,
  Selu,
  Sigmoid,
  HardSigmoid,
  HardSwish,
  Tanh,
  Erf,
  Exp,
  Log,
  Sqrt,
  Reciprocal,
  Neg,
  Abs,
  Floor,
  Ceil,
  Round,
  Sign,
  Sin,
  Cos,
  Softplus,
  Softsign,
  Not,
  Identity,
  Cast,
  Gelu,
  IsNaN,
  IsInf,
  Mish,
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Max,
  Min,
  Mean,
  Sum,
  Mod,
  Equal,
  Less,
  LessOrEqual,
  Greater,
  GreaterOrEqual,
  And,
  Or,
  Xor,
  PRelu,
  BitShift,
  Where,
  Clip,
  Acos,
  Asin,
  Atan,
  Acosh,
  Asinh,
  Atanh,
  Cosh,
  Sinh,
  Tan,
  Celu,
  ThresholdedRelu,
  Shrink,
  CastLike,
  // com.microsoft's GELU family (onnxruntime-optimized transformer exports)
  ...MS_GELU_OPS,
  // per-tensor QuantizeLinear / DequantizeLinear and their pairs, fusable (passes/fold-qdq.ts)
  QuantDequant,
  QuantizeScalar,
  DequantizeScalar,
];
