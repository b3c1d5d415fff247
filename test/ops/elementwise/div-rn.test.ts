/**
 * Float Div is correctly rounded on the GPU (div_rn divides the significands in integers), whatever the
 * device's `/` does. The reference is f64 division rounded to f32, which is exact for f32 operands
 * (53 ≥ 2·24 + 2 bits, so the double rounding is innocuous). lavapipe's own `/` is already correctly
 * rounded on most of these, so the cases that hold div_rn to account are the bits themselves: any slip in
 * the long division, the guard bit, the sticky remainder or the carry into the exponent shows up here.
 */
import { describe, it, expect } from 'vitest';
import { runNode } from '../../../src/runtime/single.js';
import { hostTensor, type Node } from '../../../src/ir/types.js';
import { testDevice, scoped } from '../../helpers/gpu.js';
import { rng } from '../../helpers/random.js';

const f32bits = (v: number) => { const b = new Float32Array([v]); return new Uint32Array(b.buffer)[0]!; };
const fromBits = (u: number) => new Float32Array(new Uint32Array([u >>> 0]).buffer)[0]!;
const div: Node = { name: 'div_rn_check', opType: 'Div', domain: '', inputs: ['a', 'b'], outputs: ['y'], attrs: {} };

/** Pairs whose quotient sits within a few units of the 2^-48 grid of a rounding midpoint: m·b for a midpoint m. */
function nearMidpoints(r: () => number, n: number): [number, number][] {
  const out: [number, number][] = [];
  while (out.length < n) {
    const b = fromBits(((0x3f800000 + Math.floor(r() * 0x800000)) >>> 0) | (Math.floor(r() * 2) << 31));
    const m = (1 + Math.floor(r() * 0x800000) / 0x800000 + 2 ** -24) * 2 ** Math.floor(r() * 40 - 20); // a 25-bit midpoint
    const a = Math.fround(m * b);
    if (Number.isFinite(a) && a !== 0) out.push([a, b]);
  }
  return out;
}

function randomPairs(r: () => number, n: number): [number, number][] {
  // any sign, significand and exponent whose quotient is a normal float, plus the ends of the range
  const rnd = (e0: number, e1: number) => fromBits(((Math.floor(r() * 2) << 31) | ((e0 + Math.floor(r() * (e1 - e0))) << 23) | Math.floor(r() * 0x800000)) >>> 0);
  return Array.from({ length: n }, (_, i) => (i % 4 === 3 ? [rnd(1, 254), rnd(1, 254)] : [rnd(100, 154), rnd(100, 154)]));
}

const SPECIAL: [number, number][] = [
  [1, 3], [2, 3], [-1, 3], [3.3, 2.2], [3.5, 3.5], [7, 7], [1, 1], [0, 5], [-0, 5], [5, 0], [-5, 0], [0, 0],
  [Infinity, 2], [2, Infinity], [Infinity, Infinity], [NaN, 1], [1, NaN], [2 ** -140, 3], [3, 2 ** -140],
  [3.4e38, 0.5], [1e-38, 10], [2 ** 127, 2 ** -1], [1.5, 2 ** -126], [-2.5, 5 / 255], [0x7fffff, 0xffffff], [0xffffff, 0x800001],
].map(([a, b]) => [Math.fround(a!), Math.fround(b!)]);

describe('Div on floats rounds as IEEE division does', () => {
  it('bit for bit on random, near-midpoint and special operands', async () => {
    const r = rng(20261204);
    const pairs = [...SPECIAL, ...randomPairs(r, 3000), ...nearMidpoints(r, 3000)];
    const a = hostTensor('float32', [pairs.length], pairs.map((p) => p[0]));
    const b = hostTensor('float32', [pairs.length], pairs.map((p) => p[1]));
    const device = await testDevice();
    const [y] = await scoped(device, () => runNode(device, div, [a, b], { opset: 14 }));
    const bad: string[] = [];
    pairs.forEach((_, i) => {
      const pa = a.data[i]!, pb = b.data[i]!;
      const want = Math.fround(pa / pb), got = y!.data[i]!;
      if (Number.isNaN(want) ? Number.isNaN(got) : f32bits(got) === f32bits(want)) return;
      // zeros, subnormals, inf and NaN keep the device's own quotient, which WGSL pins down only so far
      const kept = !Number.isFinite(pa) || !Number.isFinite(pb) || !Number.isFinite(want) || Math.abs(want) < 2 ** -125;
      if (kept && (Math.abs(got - want) <= Math.abs(want) * 2 ** -21 || Math.abs(want) + Math.abs(got) < 2 ** -124)) return;
      bad.push(`${pa} / ${pb}: ${got} (0x${f32bits(got).toString(16)}), want ${want} (0x${f32bits(want).toString(16)})`);
    });
    expect(bad.slice(0, 8), `${bad.length} of ${pairs.length} quotients differ`).toEqual([]);
  });

  it('Reciprocal is Div(1, x), bit for bit', async () => {
    const r = rng(7);
    const xs = [...randomPairs(r, 2000).map((p) => p[1]), 3, 7, 0.1, -9.9, 2 ** 120];
    const x = hostTensor('float32', [xs.length], xs);
    const device = await testDevice();
    const recip: Node = { name: 'recip_check', opType: 'Reciprocal', domain: '', inputs: ['x'], outputs: ['y'], attrs: {} };
    const [y] = await scoped(device, () => runNode(device, recip, [x], { opset: 13 }));
    const bad = Array.from(x.data).flatMap((v, i) => {
      const want = Math.fround(1 / v);
      return Math.abs(want) >= 2 ** -125 && f32bits(y!.data[i]!) !== f32bits(want) ? [`1 / ${v}: ${y!.data[i]}, want ${want}`] : [];
    });
    expect(bad.slice(0, 8), `${bad.length} of ${xs.length} differ`).toEqual([]);
  });
});
