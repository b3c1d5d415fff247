/**
 * Kernels that write values known at compile time: a short list from the uniform block (Shape, Size,
 * small Constants) and an arithmetic progression (ConstantOfShape with step 0, Range).
 */
import { resolveWgsl } from '../../gpu/wgsl.js';
import type { ElemType } from '../../ir/types.js';
import { UniformWriter, type KernelContext, type KernelSpec } from '../types.js';
import { linearIndex } from '../wgsl-common.js';
import { grid, WG, wordType } from './common.js';

/** Most values a list fill carries in its uniform block (256 vec4s = 4 KiB). */
export const MAX_LIST_FILL = 1024;

export function listFillKernel(ctx: KernelContext, name: string, dtype: ElemType, values: ArrayLike<number>): KernelSpec {
  const w = wordType(dtype);
  const n = values.length;
  const vec4s = Math.max(1, Math.ceil(n / 4));
  const u = new UniformWriter().u32(n).align16();
  const vals = Array.from(values);
  if (w === 'f32') { for (let i = 0; i < vec4s * 4; i++) u.f32(vals[i] ?? 0); }
  else if (w === 'i32') u.i32Array(vals, vec4s); else u.u32Array(vals, vec4s);
  return {
    name, key: `fill_list_${w}_${vec4s}`, args: [{ output: 0 }], uniforms: u.finish(), workgroups: grid(ctx, n),
    wgsl: () => resolveWgsl({
      bindings: [{ name: 'P', kind: 'uniform', type: 'Params' }, { name: 'Y', kind: 'read_write', type: `array<${w}>` }],
      requires: [linearIndex(WG)],
      body: `struct Params { n: u32, v: array<vec4<${w}>, ${vec4s}> }
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= P.n) { return; }
  Y[i] = P.v[i >> 2u][i & 3u];
}`,
    }),
  };
}

/** Y[i] = start + i · delta in the element's word type. */
export function progressionKernel(ctx: KernelContext, name: string, dtype: ElemType, n: number, start: number, delta: number): KernelSpec {
  const w = wordType(dtype);
  const u = new UniformWriter().u32(n);
  if (w === 'f32') u.f32(start, delta); else if (w === 'i32') u.i32(start, delta); else u.u32(start, delta);
  return {
    name, key: `fill_prog_${w}`, args: [{ output: 0 }], uniforms: u.finish(), workgroups: grid(ctx, n),
    wgsl: () => resolveWgsl({
      bindings: [{ name: 'P', kind: 'uniform', type: 'Params' }, { name: 'Y', kind: 'read_write', type: `array<${w}>` }],
      requires: [linearIndex(WG)],
      body: `struct Params { n: u32, start: ${w}, delta: ${w} }
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= P.n) { return; }
  Y[i] = P.start + ${w}(i) * P.delta;
}`,
    }),
  };
}
