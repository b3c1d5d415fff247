// Numbers in generated WGSL (gpu/wgsl-literal.ts). WGSL has no NaN or Inf literal and refuses any constant
// expression that evaluates to NaN (the fuzzer, seed 2008, found a LeakyRelu alpha of NaN fused into a
// convolution whose shader Tint then refused): floatLit reads NaN at run time through wgml_nan(), which
// resolveWgsl declares wherever the call appears.
import { describe, it, expect } from 'vitest';
import * as wgml from '../src/index.js';
import { floatLit, F32_MAX_LIT } from '../src/gpu/wgsl-literal.js';
import { flattenWgsl, resolveWgsl } from '../src/gpu/wgsl.js';
import { hostTensor } from '../src/ir/types.js';
import { testDevice, scoped } from './helpers/gpu.js';
import { graph, node, f32, ints } from './helpers/graph.js';

describe('float literals', () => {
  it('spell integers as floats, infinities as the largest f32, NaN as a run-time read', () => {
    expect([floatLit(1), floatLit(-0.5), floatLit(1e-7), floatLit(Infinity), floatLit(-Infinity)]).toEqual(['1.0', '-0.5', '1e-7', F32_MAX_LIT, `-${F32_MAX_LIT}`]);
    expect(floatLit(NaN)).toBe('wgml_nan()');
    const body = `fn f(x: f32) -> f32 { return max(x, ${floatLit(NaN)}); }`;
    expect(resolveWgsl({ bindings: [], body })).toMatch(/var<private> wgml_nan_bits: u32 = 0x7fc00000u;\nfn wgml_nan\(\) -> f32/);
    expect(resolveWgsl({ bindings: [], body: 'fn f() {}' })).not.toContain('wgml_nan');
    expect(flattenWgsl({ name: 'm', code: body }).code).toContain('fn wgml_nan()');
  });

  it('a LeakyRelu alpha of NaN, fused into a convolution and alone, compiles and gives NaN where the input is negative', async () => {
    const device = await testDevice();
    const nan = { kind: 'float' as const, value: NaN };
    const x = hostTensor('float32', [1, 1, 2, 2], [1, -2, 3, -4]);
    for (const fuse of [true, false]) {
      const g = graph([f32('x', [1, 1, 2, 2])], [f32('y', [1, 1, 2, 2]), f32('z', [1, 1, 2, 2])], [
        node('Conv', ['x', 'w'], ['c'], { kernel_shape: ints([1, 1]) }), node('LeakyRelu', ['c'], ['y'], { alpha: nan }), node('LeakyRelu', ['x'], ['z'], { alpha: nan }),
      ], { w: hostTensor('float32', [1, 1, 1, 1], [1]) });
      const { y, z } = await scoped(device, () => wgml.runModel(device, g, { x }, { fuse }));
      for (const t of [y!, z!]) expect(Array.from(t.data).map((v) => (Number.isNaN(v) ? 'NaN' : v)), `fuse ${fuse}`).toEqual([1, 'NaN', 3, 'NaN']);
    }
  });
});
