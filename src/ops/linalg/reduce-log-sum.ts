/**
 * ReduceLogSum — https://onnx.ai/onnx/operators/onnx__ReduceLogSum.html
 * log(Σ x) over the axes. axes: attribute before opset 18, constant input 1 from opset 18; keepdims
 * (default 1); noop_with_empty_axes (opset 18). The shared sum reduction writes the output, then a
 * second kernel takes the log in place (the spec defines no overflow guard, unlike ReduceLogSumExp).
 */
import { signature } from '../../gpu/signature.js';
import { isFloat, shapeSize } from '../../ir/types.js';
import { declaredKernel, dispatch1d, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { reduceOp, type ReduceAttrs } from './reduce-common.js';

const sum = reduceOp('ReduceLogSum', 'sum', 18);
const WG = 64;
// The log runs in place on the sum's output.
const LOG_SIG = signature({ params: { n: 'u32' }, buffers: [{ name: 'Y', elem: 'f32', writes: true }] });

export const ReduceLogSum: OpDef<ReduceAttrs> = {
  ...sum,
  infer(ctx, a) {
    expectInputs(ctx, 1, 2);
    if (!isFloat(ctx.inputs[0]!.dtype)) throw ctx.error(`ReduceLogSum is defined here for float tensors, got ${ctx.inputs[0]!.dtype}`, 'insert a Cast to float before it', { dtype: ctx.inputs[0]!.dtype });
    return sum.infer(ctx, a);
  },
  reference(inputs, a, ctx) {
    const [s] = sum.reference(inputs, a, ctx);
    const y = { ...s!, data: new Float32Array(s!.data.length) };
    s!.data.forEach((v, i) => { y.data[i] = Math.log(v); });
    return [y];
  },
  gpu(ctx, a) {
    const plan = sum.gpu!(ctx, a);
    if (typeof plan === 'string') return plan;
    const n = shapeSize(ctx.outputs[0]!.shape);
    if (n === 0) return plan;
    return { ...plan, kernels: [...plan.kernels, declaredKernel({
      name: 'reducelogsum_log', key: 'reducelogsum_log', sig: LOG_SIG, params: { n }, args: [{ output: 0 }],
      workgroups: dispatch1d(n, WG, ctx.caps.maxComputeWorkgroupsPerDimension),
      source: () => ({
        requires: [linearIndex(WG)],
        body: perItemMain(WG, 'i', 'P.n', `  Y_st(i, log(Y_ld(i)));`),
      }),
    })] };
  },
};
