/**
 * Shared by GlobalAveragePool and GlobalMaxPool: one workgroup reduces one (n, c) plane, so the
 * tiny late planes of classifiers (7×7) and big early ones both get a parallel reduction.
 */
import { signature } from '../../gpu/signature.js';
import { hostTensor, isFloat, shapeSize, type HostTensor, type ValueType } from '../../ir/types.js';
import { declaredKernel, type GpuPlan, type InferContext, type KernelContext, type OpDef } from '../types.js';
import { expectInputs } from '../arity.js';
import { floatLit } from '../../gpu/wgsl-literal.js';

const SIG = signature({ params: { planes: 'u32', n: 'u32' }, buffers: [{ name: 'X', elem: 'f32' }, { name: 'Y', elem: 'f32', writes: true }] });

/** GlobalAveragePool and GlobalMaxPool differ only in the reduction. */
export function globalPoolOp(type: string, mode: 'max' | 'avg'): OpDef<Record<string, never>> {
  return {
    type,
    attrs: () => ({}),
    infer: (ctx) => {
      // Each op checks its own arity: fuzzed nodes with missing or extra inputs get a NodeError, not a crash.
      expectInputs(ctx, 1, 1);
      return globalInfer(ctx);
    },
    reference: (inputs) => [globalReference(inputs[0]!, mode)],
    gpu: (ctx) => globalPlan(ctx, mode),
  };
}

function globalInfer(ctx: InferContext): ValueType[] {
  const x = ctx.inputs[0]!;
  if (x.shape.length < 3) throw ctx.error(`input has rank ${x.shape.length}; global pools need [N, C, spatial...]`, 'check the input shape');
  return [{ dtype: x.dtype, shape: [x.shape[0]!, x.shape[1]!, ...x.shape.slice(2).map(() => 1)] }];
}

function globalReference(x: HostTensor, mode: 'max' | 'avg'): HostTensor {
  const planes = x.shape[0]! * x.shape[1]!;
  const n = shapeSize(x.shape.slice(2));
  const y = hostTensor(x.dtype, [x.shape[0]!, x.shape[1]!, ...x.shape.slice(2).map(() => 1)]);
  for (let p = 0; p < planes; p++) {
    let r = mode === 'max' ? -Infinity : 0;
    for (let i = 0; i < n; i++) { const v = x.data[p * n + i]!; r = mode === 'max' ? Math.max(r, v) : r + v; }
    y.data[p] = mode === 'max' ? r : r / n;
  }
  return y;
}

function globalPlan(ctx: KernelContext, mode: 'max' | 'avg'): GpuPlan | string {
  const x = ctx.inputs[0]!;
  if (!isFloat(x.dtype)) return `${ctx.node.opType} on ${x.dtype} is not supported (float only)`;
  const planes = x.shape[0]! * x.shape[1]!;
  const n = shapeSize(x.shape.slice(2));
  const gx = Math.min(planes, 65535), gy = Math.ceil(planes / gx);
  const op = mode === 'max' ? 'max(a, b)' : 'a + b';
  const init = mode === 'max' ? floatLit(-Infinity) : '0.0';
  const fin = mode === 'max' ? 'sh[0]' : 'sh[0] / f32(P.n)';
  return {
    kernels: [declaredKernel({
      name: `global_${mode}pool`, key: `global_${mode}pool`, sig: SIG, params: { planes, n },
      args: [{ input: 0 }, { output: 0 }],
      workgroups: [gx, gy, 1],
      source: () => ({
        body: `fn comb(a: f32, b: f32) -> f32 { return ${op}; }
var<workgroup> sh: array<f32, 256>;
@compute @workgroup_size(256) fn main(@builtin(local_invocation_index) tid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let p = wid.x + wid.y * nwg.x;
  var r = ${init};
  if (p < P.planes) {
    let base = p * P.n;
    for (var i = tid; i < P.n; i += 256u) { r = comb(r, X_ld(base + i)); }
  }
  sh[tid] = r;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (tid < s) { sh[tid] = comb(sh[tid], sh[tid + s]); }
    workgroupBarrier();
  }
  if (tid == 0u && p < P.planes) { Y_st(p, ${fin}); }
}`,
      }),
    })],
  };
}
