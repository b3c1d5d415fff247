/**
 * BatchNormalization — https://onnx.ai/onnx/operators/onnx__BatchNormalization.html
 * Inference mode only, opsets 6–22 (1's consumed_inputs is ignored): 7 dropped is_test, 9 dropped
 * `spatial` (spatial=0 is refused), 14 added training_mode (training_mode=1, or the running-stat
 * outputs older opsets produce in training, are refused on the GPU: wgml runs inference only).
 * Y = (X − mean) / sqrt(var + epsilon) · scale + B, per channel (axis 1), any rank ≥ 2.
 */
import { signature } from '../../gpu/signature.js';
import { hostTensor, isFloat, shapeSize, type ValueType } from '../../ir/types.js';
import { declaredKernel, dispatch1d, type OpDef } from '../types.js';

interface BnAttrs { epsilon: number; training: boolean; spatial: number }

const SIG = signature({
  params: { total: 'u32', inner: 'u32', c: 'u32', eps: 'f32' },
  buffers: [...['X', 'S', 'B', 'M', 'V'].map((name) => ({ name, elem: 'f32' as const })), { name: 'Y', elem: 'f32', writes: true }],
});

export const BatchNormalization: OpDef<BnAttrs> = {
  type: 'BatchNormalization',
  optionalOutputs: 1,
  attrs: (a) => ({ epsilon: a.float('epsilon', 1e-5), training: a.int('training_mode', 0) === 1, spatial: a.int('spatial', 1) }),
  infer: (ctx, a): ValueType[] => {
    const x = ctx.inputs[0];
    if (!x || x.shape.length < 2) throw ctx.error('X must have rank >= 2 ([N, C, ...])', 'check the input shape');
    if (a.spatial !== 1) throw ctx.error('spatial=0 (per-activation statistics) is not supported', 're-export with opset >= 9');
    const c = x.shape[1]!;
    for (let i = 1; i <= 4; i++) {
      const t = ctx.inputs[i];
      if (!t || t.shape.length !== 1 || t.shape[0] !== c) throw ctx.error(`input ${i} must have shape [${c}], got ${t ? `[${t.shape}]` : 'nothing'}`, 'scale, B, mean and var are per-channel vectors');
    }
    const extra = ctx.node.outputs.slice(1).map((): ValueType => ({ dtype: x.dtype, shape: [c] }));
    return [{ dtype: x.dtype, shape: [...x.shape] }, ...extra];
  },
  reference: (inputs, a, ctx) => {
    if (a.training || ctx.node.outputs.slice(1).some((o) => o !== '')) throw ctx.error('training-mode BatchNormalization is not supported', 'export the model in eval mode (model.eval()) so BatchNormalization uses running statistics');
    const [x, sc, b, m, v] = inputs.map((t) => t!);
    if (!x) throw ctx.error('missing input X', 're-export the model');
    const c = x.shape[1]!, inner = shapeSize(x.shape.slice(2));
    const y = hostTensor(x.dtype, x.shape);
    for (let i = 0; i < x.data.length; i++) {
      const ch = Math.floor(i / inner) % c;
      y.data[i] = (x.data[i]! - m!.data[ch]!) / Math.sqrt(v!.data[ch]! + a.epsilon) * sc!.data[ch]! + b!.data[ch]!;
    }
    return [y];
  },
  gpu: (ctx, a) => {
    if (a.training || ctx.node.outputs.slice(1).some((o) => o !== '')) return 'training-mode BatchNormalization (training_mode=1 or running-statistics outputs) is not supported: wgml runs inference only; export in eval mode';
    const x = ctx.inputs[0]!;
    if (!isFloat(x.dtype)) return `BatchNormalization on ${x.dtype} is not supported (float only)`;
    const total = shapeSize(x.shape), inner = shapeSize(x.shape.slice(2));
    return {
      kernels: [declaredKernel({
        name: 'batchnorm', key: 'batchnorm', sig: SIG, params: { total, inner, c: x.shape[1]!, eps: a.epsilon },
        args: [{ input: 0 }, { input: 1 }, { input: 2 }, { input: 3 }, { input: 4 }, { output: 0 }],
        workgroups: dispatch1d(total, 256),
        source: () => ({
          body: `@compute @workgroup_size(256) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= P.total) { return; }
  let ch = (i / P.inner) % P.c;
  Y_st(i, (X_ld(i) - M_ld(ch)) * inverseSqrt(V_ld(ch) + P.eps) * S_ld(ch) + B_ld(ch));
}`,
        }),
      })],
    };
  },
};
