/** Test-only fault injection: swap an op's GPU kernel for a wrong one while `fn` runs. */
import { lookupOp } from '../../src/ops/registry.js';
import { resolveWgsl } from '../../src/gpu/wgsl.js';
import { dispatch1d, UniformWriter, type OpDef } from '../../src/ops/types.js';
import { linearIndex } from '../../src/ops/wgsl-common.js';
import { shapeSize } from '../../src/ir/types.js';

/** Runs `fn` with `type`'s kernel writing 2·x: shape-correct, numerically wrong, so only a comparison finds it. */
export function withBrokenKernel<T>(type: string, fn: () => Promise<T>): Promise<T> {
  return withLegacyKernel(type, '2.0 * x', fn);
}

/**
 * Runs `fn` with `type`'s kernel replaced by an undeclared one (whole WGSL, no signature) computing `expr`
 * of each element `x`: every wgml kernel is declared, and tests of what happens beside an undeclared
 * kernel (shared recording) need one.
 */
export async function withLegacyKernel<T>(type: string, expr: string, fn: () => Promise<T>): Promise<T> {
  const op = lookupOp(type, '', 17) as { gpu?: OpDef['gpu'] };
  const original = op.gpu;
  op.gpu = (ctx) => {
    const n = shapeSize(ctx.outputs[0]!.shape);
    return { kernels: [{ name: 'legacy_unary', key: `test_legacy ${expr}`, args: [{ input: 0 }, { output: 0 }], uniforms: new UniformWriter().u32(n).finish(), workgroups: dispatch1d(n, 64),
      wgsl: () => resolveWgsl({ bindings: [{ name: 'P', kind: 'uniform', type: 'Params' }, { name: 'X', kind: 'read', type: 'array<f32>' }, { name: 'Y', kind: 'read_write', type: 'array<f32>' }], requires: [linearIndex(64)],
        body: `struct Params { n: u32 }
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg); if (i >= P.n) { return; } let x = X[i]; Y[i] = ${expr}; }` }) }] };
  };
  try { return await fn(); } finally { op.gpu = original; }
}
