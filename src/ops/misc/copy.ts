/**
 * wgml.Copy: copies a value word for word. The compiler inserts it where a graph output is a
 * constant, a graph input or a reinterpretation of another value, so the caller's output tensor
 * always receives the data inside the network's own pass.
 */
import { resolveWgsl } from '../../gpu/wgsl.js';
import { shapeSize, storageType } from '../../ir/types.js';
import { dispatch1d, UniformWriter, type OpDef } from '../types.js';
import { linearIndex } from '../wgsl-common.js';

export const copyOp: OpDef<Record<string, never>> = {
  type: 'Copy', domain: 'wgml',
  attrs: () => ({}),
  infer: (ctx) => [ctx.inputs[0]!],
  reference: ([x]) => [{ dtype: x!.dtype, shape: [...x!.shape], data: x!.data.slice() }],
  gpu: (ctx) => {
    const n = shapeSize(ctx.outputs[0]!.shape);
    const t = storageType(ctx.outputs[0]!.dtype);
    return { kernels: [{
      name: 'copy', key: `copy_${t}`, args: [{ input: 0 }, { output: 0 }],
      uniforms: new UniformWriter().u32(n).finish(),
      workgroups: n === 0 ? [0, 0, 0] : dispatch1d(n, 256, ctx.caps.maxComputeWorkgroupsPerDimension),
      wgsl: () => resolveWgsl({
        bindings: [{ name: 'P', kind: 'uniform', type: 'Params' }, { name: 'X', kind: 'read', type: `array<${t}>` }, { name: 'Y', kind: 'read_write', type: `array<${t}>` }],
        requires: [linearIndex(256)],
        body: `struct Params { n: u32 }
@compute @workgroup_size(256) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i < P.n) { Y[i] = X[i]; }
}`,
      }),
    }] };
  },
};
