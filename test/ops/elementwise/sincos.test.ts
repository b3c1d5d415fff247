/**
 * Sin, Cos and Tan on the GPU against f64 Math over the range models use (positional and timestep
 * encodings reach 1e4–1e5 radians), at quadrant edges, and on the values with special results. The kernels
 * reduce the argument themselves (ew_sincos), so this holds on devices whose sin/cos are coarser than
 * lavapipe's: SwiftShader's are 1.5e-4 off, as WGSL allows.
 */
import { describe, it, expect } from 'vitest';
import { hostTensor, type Node } from '../../../src/ir/types.js';
import { runNode } from '../../../src/runtime/single.js';
import { testDevice } from '../../helpers/gpu.js';
import { rng } from '../../helpers/random.js';

const unaryNode = (op: string): Node => ({ name: `${op}_acc`, opType: op, domain: '', inputs: ['x'], outputs: ['y'], attrs: {} });

describe('Sin, Cos, Tan: accurate on any device', () => {
  const r = rng(4242);
  const xs = Float32Array.from([
    ...Array.from({ length: 600 }, () => (r() - 0.5) * 2e5), ...Array.from({ length: 300 }, () => (r() - 0.5) * 20),
    ...Array.from({ length: 64 }, (_, k) => (k - 32) * Math.PI / 4), ...Array.from({ length: 64 }, (_, k) => (k - 32) * Math.PI / 2 + 1e-3),
    0, -0, 1e-30, -1e-7, 3.14159265, 1e4, -65536.5, 101999,
  ]);
  for (const op of ['Sin', 'Cos'] as const) {
    it(`${op} within 3e-7 of f64 for |x| ≤ 1e5, and NaN for NaN and ±Inf`, async () => {
      const f = op === 'Sin' ? Math.sin : Math.cos;
      const [y] = await runNode(await testDevice(), unaryNode(op), [hostTensor('float32', [xs.length], xs)], { opset: 13 });
      let worst = 0, at = 0;
      xs.forEach((x, i) => { const e = Math.abs(y!.data[i]! - f(x)); if (e > worst) { worst = e; at = x; } });
      expect(worst, `worst at x = ${at}`).toBeLessThan(3e-7);
      const [z] = await runNode(await testDevice(), unaryNode(op), [hostTensor('float32', [3], [NaN, Infinity, -Infinity])], { opset: 13 });
      expect(Array.from(z!.data).every(Number.isNaN)).toBe(true);
    });
  }
  it('Tan within 1e-5 relative away from its poles', async () => {
    const t = xs.filter((x) => Math.abs(Math.cos(x)) > 0.05);
    const [y] = await runNode(await testDevice(), unaryNode('Tan'), [hostTensor('float32', [t.length], t)], { opset: 13 });
    t.forEach((x, i) => expect(Math.abs(y!.data[i]! - Math.tan(x)), `x = ${x}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(Math.tan(x)))));
  });
});
