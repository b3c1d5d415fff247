/**
 * GatherElements — https://onnx.ai/onnx/operators/onnx__GatherElements.html (opset 11)
 * Output has the indices' shape; element c reads data at c with c[axis] replaced by indices[c]
 * (negative counts from the back). Out-of-range indices yield 0 on the GPU.
 */
import { resolveWgsl } from '../../gpu/wgsl.js';
import { shapeSize } from '../../ir/types.js';
import { UniformWriter, type OpDef } from '../types.js';
import { linearIndex } from '../wgsl-common.js';
import { checkRank, denseStrides, gatherRef, grid, normAxis, WG, wordType } from './common.js';

interface A { axis: number }

export const GatherElements: OpDef<A> = {
  type: 'GatherElements', opsets: [11, 99],
  attrs: (a) => ({ axis: a.int('axis', 0) }),
  infer(ctx, a) {
    const [x, idx] = [ctx.inputs[0]!, ctx.inputs[1]!];
    normAxis(ctx, a.axis, x.shape.length);
    checkRank(ctx, x.shape);
    if (idx.shape.length !== x.shape.length) throw ctx.error(`indices rank ${idx.shape.length} differs from data rank ${x.shape.length}`, 'indices must have the rank of data', { data: x.shape, indices: idx.shape });
    return [{ dtype: x.dtype, shape: [...idx.shape] }];
  },
  reference([x, idx], a, ctx) {
    const axis = normAxis(ctx, a.axis, x!.shape.length);
    const d = x!.shape[axis]!;
    let i = 0;
    return [gatherRef(x!, idx!.shape, (c) => {
      let q = idx!.data[i++]!;
      if (q < 0) q += d;
      if (q < 0 || q >= d) throw ctx.error(`index ${q} out of range for axis of size ${d}`, 'indices must lie in [-d, d-1]');
      c[axis] = q;
      return c;
    })];
  },
  gpu(ctx, a) {
    const [x, idx] = [ctx.inputs[0]!, ctx.inputs[1]!];
    const axis = normAxis(ctx, a.axis, x.shape.length);
    const w = wordType(x.dtype), wi = wordType(idx.dtype);
    const n = shapeSize(idx.shape);
    return { kernels: [{
      name: 'gather_elements', key: `gather_elements_${w}_${wi}`, args: [{ input: 0 }, { input: 1 }, { output: 0 }], workgroups: grid(ctx, n),
      uniforms: new UniformWriter().u32(n, idx.shape.length, axis, x.shape[axis]!).u32Array(idx.shape.map((v) => Math.max(1, v)), 2).u32Array(denseStrides(x.shape), 2).finish(),
      wgsl: () => resolveWgsl({
        bindings: [{ name: 'P', kind: 'uniform', type: 'Params' }, { name: 'X', kind: 'read', type: `array<${w}>` },
          { name: 'I', kind: 'read', type: `array<${wi}>` }, { name: 'Y', kind: 'read_write', type: `array<${w}>` }],
        requires: [linearIndex(WG)],
        body: `struct Params { n: u32, rank: u32, axis: u32, d: u32, shape: array<vec4<u32>, 2>, strides: array<vec4<u32>, 2> }
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= P.n) { return; }
  var q = i32(I[i]);
  if (q < 0) { q += i32(P.d); }
  if (q < 0 || q >= i32(P.d)) { Y[i] = ${w}(0); return; }
  var rem = i;
  var src = 0u;
  for (var k = i32(P.rank) - 1; k >= 0; k--) {
    let e = P.shape[k >> 2u][k & 3];
    var c = rem % e;
    rem = rem / e;
    if (u32(k) == P.axis) { c = u32(q); }
    src += c * P.strides[k >> 2u][k & 3];
  }
  Y[i] = X[src];
}`,
      }),
    }] };
  },
};
