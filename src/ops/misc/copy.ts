/**
 * wgml.Copy: copies a value word for word. The compiler inserts it where a graph output is a
 * constant, a graph input or a reinterpretation of another value, so the caller's output tensor
 * always receives the data inside the network's own pass.
 */
import { signature, type Word } from '../../gpu/signature.js';
import { shapeSize, storageType } from '../../ir/types.js';
import { declaredKernel, dispatch1d, type OpDef } from '../types.js';
import { linearIndex } from '../wgsl-common.js';

const sig = (t: Word) => signature({ params: { n: 'u32' }, buffers: [{ name: 'X', elem: t }, { name: 'Y', elem: t, writes: true }] });

export const copyOp: OpDef<Record<string, never>> = {
  type: 'Copy', domain: 'wgml',
  attrs: () => ({}),
  infer: (ctx) => [ctx.inputs[0]!],
  reference: ([x]) => [{ dtype: x!.dtype, shape: [...x!.shape], data: x!.data.slice() }],
  gpu: (ctx) => {
    const n = shapeSize(ctx.outputs[0]!.shape);
    const t = storageType(ctx.outputs[0]!.dtype);
    return { kernels: [declaredKernel({
      name: 'copy', key: `copy_${t}`, sig: sig(t), params: { n }, args: [{ input: 0 }, { output: 0 }],
      workgroups: n === 0 ? [0, 0, 0] : dispatch1d(n, 256, ctx.caps.maxComputeWorkgroupsPerDimension),
      source: () => ({
        requires: [linearIndex(256)],
        body: `@compute @workgroup_size(256) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let i = linear_index(gid, nwg);
  if (i < P.n) { Y_st(i, X_ld(i)); }
}`,
      }),
    })] };
  },
};
