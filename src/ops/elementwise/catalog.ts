/** Every elementwise op by ONNX type name: the fused op looks its steps up here. */
import type { EwOp } from './op.js';
import { Relu } from './relu.js';
import { LeakyRelu } from './leaky-relu.js';
import { Elu } from './elu.js';
import { Selu } from './selu.js';
import { Sigmoid } from './sigmoid.js';
import { HardSigmoid } from './hard-sigmoid.js';
import { HardSwish } from './hard-swish.js';
import { Tanh } from './tanh.js';
import { Erf } from './erf.js';
import { Exp } from './exp.js';
import { Log } from './log.js';
import { Sqrt } from './sqrt.js';
import { Reciprocal } from './reciprocal.js';
import { Neg } from './neg.js';
import { Abs } from './abs.js';
import { Floor } from './floor.js';
import { Ceil } from './ceil.js';
import { Round } from './round.js';
import { Sign } from './sign.js';
import { Sin } from './sin.js';
import { Cos } from './cos.js';
import { Softplus } from './softplus.js';
import { Softsign } from './softsign.js';
import { Not } from './not.js';
import { Identity } from './identity.js';
import { Cast } from './cast.js';
import { Gelu } from './gelu.js';
import { IsNaN } from './is-nan.js';
import { IsInf } from './is-inf.js';
import { Mish } from './mish.js';
import { Add } from './add.js';
import { Sub } from './sub.js';
import { Mul } from './mul.js';
import { Div } from './div.js';
import { Pow } from './pow.js';
import { Max } from './max.js';
import { Min } from './min.js';
import { Mean } from './mean.js';
import { Sum } from './sum.js';
import { Mod } from './mod.js';
import { Equal } from './equal.js';
import { Less } from './less.js';
import { LessOrEqual } from './less-or-equal.js';
import { Greater } from './greater.js';
import { GreaterOrEqual } from './greater-or-equal.js';
import { And } from './and.js';
import { Or } from './or.js';
import { Xor } from './xor.js';
import { PRelu } from './prelu.js';
import { BitShift } from './bit-shift.js';
import { Where } from './where.js';
import { Clip } from './clip.js';

export const ELEMENTWISE_OPS: readonly EwOp<any>[] = [
  Relu, LeakyRelu, Elu, Selu, Sigmoid, HardSigmoid, HardSwish, Tanh, Erf, Exp, Log, Sqrt, Reciprocal, Neg, Abs,
  Floor, Ceil, Round, Sign, Sin, Cos, Softplus, Softsign, Not, Identity, Cast, Gelu, IsNaN, IsInf, Mish,
  Add, Sub, Mul, Div, Pow, Max, Min, Mean, Sum, Mod, Equal, Less, LessOrEqual, Greater, GreaterOrEqual,
  And, Or, Xor, PRelu, BitShift, Where, Clip,
];

const byType = new Map(ELEMENTWISE_OPS.map((o) => [o.type, o]));

export function elementwiseOpByType(type: string): EwOp<any> | undefined {
  return byType.get(type);
}
