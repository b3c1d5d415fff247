/** Seeded random data for tests: fresh per seed, reproducible when a test fails. */
import { hostTensor, shapeSize, type HostTensor } from '../../src/ir/types.js';

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

export function randn(r: () => number, n: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(r(), 1e-12), v = r();
    out[i] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return out;
}

/** float32 tensors of normal samples drawn from `r`: `const rand = randomTensors(rng(seed)); rand([2, 3], 0.5)`. */
export function randomTensors(r: () => number): (shape: number[], scale?: number) => HostTensor {
  return (shape, scale = 1) => hostTensor('float32', shape, randn(r, shapeSize(shape), scale));
}

export function randInt(r: () => number, n: number, lo: number, hi: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + Math.floor(r() * (hi - lo + 1));
  return out;
}

/**
 * Seed from the environment (WGML_SEED) or the clock, printed on failure by the caller. Read once per test file: a
 * test titled with the seed (evaluated when the file loads) must run with that seed, or its title cannot reproduce it.
 */
const SEED = Number(process.env.WGML_SEED ?? Date.now() % 1_000_000);
export function testSeed(): number {
  return SEED;
}

/** max |a-b| / (1e-6 + max|b|)-style comparison: returns the worst element report or null. */
export function compareClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-4, atol = 1e-5): string | null {
  if (actual.length !== expected.length) return `length ${actual.length} != ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) return `element ${i}: got ${a}, expected ${e}`;
  }
  return null;
}
