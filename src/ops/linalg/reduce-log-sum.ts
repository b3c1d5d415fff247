/**
 * ReduceLogSum — https://onnx.ai/onnx/operators/onnx__ReduceLogSum.html
 * log(Σ x) over the axes. axes: attribute before opset 18, constant input 1 from opset 18; keepdims
 * (default 1); noop_with_empty_axes (opset 18). The shared sum reduction writes the output, then a
 * second kernel takes the log in place (the spec defines no overflow guard, unlike ReduceLogSumExp).
 */
import { resolveWgsl } from '../../gpu/wgsl.js';
import { isFloat, shapeSize } from '../../ir/types.js';
import { dispatch1d, UniformWriter, type OpDef } from '../types.js';
import { linearIndex } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { reduceOp, type ReduceAttrs } from './reduce-common.js';

const sum = reduceOp('ReduceLogSum', 'sum', 18);
const WG = 64;

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
    return { ...plan, kernels: [...plan.kernels, {
      name: 'reducelogsum_log', key: 'reducelogsum_log', args: [{ output: 0 }],
      uniforms: new UniformWriter().u32(n).finish(),
      workgroups: dispatch1d(n, WG, ctx.caps.maxComputeWorkgroupsPerDimension),
      wgsl: () => resolveWgsl({
        bindings: [{ name: 'P', kind: 'uniform', type: 'Params' }, { name: 'Y', kind: 'read_write', type: 'array<f32>' }],
        requires: [linearIndex(WG)],
        body: `struct Params { n: u32 }
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= P.n) { return; }
  Y[i] = log(Y[i]);
}`,
      }),
    }] };
  },
};
