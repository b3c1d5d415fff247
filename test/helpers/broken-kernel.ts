/** Test-only fault injection: swap an op's GPU kernel for a stand-in while `fn` runs. */
import { lookupOp } from '../../src/ops/registry.js';
import { signature } from '../../src/gpu/signature.js';
import { declaredKernel, dispatch1d, type OpDef } from '../../src/ops/types.js';
import { linearIndex } from '../../src/ops/wgsl-common.js';
import { shapeSize } from '../../src/ir/types.js';

/** Runs `fn` with `type`'s kernel writing 2·x: shape-correct, numerically wrong, so only a comparison finds it. */
export function withBrokenKernel<T>(type: string, fn: () => Promise<T>): Promise<T> {
  return withStandInKernel(type, '2.0 * x', fn);
}

const SIG = signature({ params: { n: 'u32' }, buffers: [{ name: 'X', elem: 'f32' }, { name: 'Y', elem: 'f32', writes: true }] });

/**
 * Runs `fn` with `type`'s kernel (opset 17, default domain) replaced by a declared kernel computing
 * `expr` of each element `x` of input 0 (read densely), written to output 0. Only that op changes:
 * every other node keeps its own kernel, so a debugger comparing against references finds this one.
 */
export async function withStandInKernel<T>(type: string, expr: string, fn: () => Promise<T>): Promise<T> {
  const op = lookupOp(type, '', 17) as { gpu?: OpDef['gpu'] };
  const original = op.gpu;
  op.gpu = (ctx) => {
    const n = shapeSize(ctx.outputs[0]!.shape);
    return { kernels: [declaredKernel({
      name: 'stand_in_unary', key: `test_stand_in ${expr}`, sig: SIG, params: { n }, args: [{ input: 0 }, { output: 0 }], workgroups: dispatch1d(n, 64),
      source: () => ({
        requires: [linearIndex(64)],
        body: `@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let i = linear_index(gid, nwg); if (i >= P.n) { return; } let x = X_ld(i); Y_st(i, ${expr}); }`,
      }),
    })] };
  };
  try { return await fn(); } finally { op.gpu = original; }
}
