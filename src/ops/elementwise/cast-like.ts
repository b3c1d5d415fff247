/**
 * CastLike — https://onnx.ai/onnx/operators/onnx__CastLike.html
 * Opset 15+: Cast to the element type of input 1 (`target_type`, whose data is never read). Opset 19's
 * `saturate` concerns float8 only, which wgml does not store. Shares Cast's formula, so both ops
 * convert identically; only input 0 is bound on the GPU.
 */
import { storageType, type ValueType } from '../../ir/types.js';
import type { OpDef } from '../types.js';
import { expectInputs } from '../arity.js';
import { Cast } from './cast.js';
import { evalFormula, spec } from './op.js';
import { elementwisePlan } from './kernel.js';

type NoAttrs = Record<string, never>;

function formulaFor(input: ValueType['dtype'], target: ValueType['dtype'], fail: Parameters<typeof Cast.ew.formula>[2]) {
  return Cast.ew.formula({ to: target }, [input], fail);
}

export const CastLike: OpDef<NoAttrs> = {
  type: 'CastLike', opsets: [15, 99],
  attrs: () => ({}),
  infer(ctx) {
    expectInputs(ctx, 2);
    const [x, like] = [ctx.inputs[0]!, ctx.inputs[1]!];
    if (like.dtype === 'string' || x.dtype === 'string') throw ctx.error('string tensors are not supported', `wgml stores numbers only; see ${spec('CastLike')}`);
    const f = formulaFor(x.dtype, like.dtype, ctx.error);
    return [{ dtype: f.out, shape: [...x.shape] }];
  },
  reference([x, like], _a, ctx) {
    return [evalFormula(formulaFor(x!.dtype, like!.dtype, ctx.error), [x!], [...x!.shape])];
  },
  gpu(ctx) {
    const x = ctx.inputs[0]!;
    const f = formulaFor(x.dtype, ctx.inputs[1]!.dtype, ctx.error);
    const code = `fn ew_f(x0: ${storageType(x.dtype)}) -> ${storageType(f.out)} { return ${f.wgsl(['x0'])}; }`;
    return elementwisePlan('castlike', { key: code, code }, [{ index: 0, type: x, view: null, name: undefined }], ctx.outputs[0]!, ctx.caps);
  },
};
