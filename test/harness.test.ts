import { describe, it, expect } from 'vitest';
import { registerOp } from '../src/ops/registry.js';
import { runNode, referenceNode } from '../src/runtime/single.js';
import { signature } from '../src/gpu/signature.js';
import { declaredKernel, dispatch1d, type OpDef } from '../src/ops/types.js';
import { linearIndex } from '../src/ops/wgsl-common.js';
import { hostTensor, shapeSize } from '../src/ir/types.js';
import { testDevice } from './helpers/gpu.js';
import { rng, randn, compareClose } from './helpers/random.js';

const SCALE_SIG = signature({ params: { n: 'u32', k: 'f32' }, buffers: [{ name: 'X', elem: 'f32' }, { name: 'Y', elem: 'f32', writes: true }] });

// A throwaway op exercising the whole single-node path (uniforms, 2D-folded dispatch, pipeline cache).
const scale: OpDef<{ k: number }> = {
  type: 'TestScale', domain: 'test',
  attrs: (a) => ({ k: a.float('k', 2) }),
  infer: (ctx) => [ctx.inputs[0]!],
  reference: ([x], a) => { const t = hostTensor('float32', x!.shape); x!.data.forEach((v, i) => (t.data[i] = v * a.k)); return [t]; },
  gpu: (ctx, a) => {
    const n = shapeSize(ctx.outputs[0]!.shape);
    return { kernels: [declaredKernel({
      name: 'test_scale', key: 'test_scale', sig: SCALE_SIG, params: { n, k: a.k }, args: [{ input: 0 }, { output: 0 }],
      workgroups: dispatch1d(n, 64, 4),
      source: () => ({
        requires: [linearIndex(64)],
        body: `@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let i = linear_index(gid, nwg); if (i >= P.n) { return; } Y_st(i, X_ld(i) * P.k); }`,
      }),
    })] };
  },
};
registerOp(scale);

describe('single-node harness', () => {
  it('runs a kernel with a 2D-folded grid and matches the CPU reference', async () => {
    const device = await testDevice();
    const r = rng(7);
    const x = hostTensor('float32', [3, 301], randn(r, 903));
    const node = { name: 's', opType: 'TestScale', domain: 'test', inputs: ['x'], outputs: ['y'], attrs: { k: { kind: 'float' as const, value: 1.5 } } };
    const [gpu] = await runNode(device, node, [x]);
    const [ref] = referenceNode(node, [x]);
    expect(compareClose(gpu!.data, ref!.data)).toBeNull();
  });
});
