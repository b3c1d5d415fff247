/**
 * A small seeded batch of the fuzzer (`npm run fuzz` runs the long campaigns): every mutated model
 * must load, plan (and for some, run on the GPU) or be refused with a typed WgmlError, in time.
 */
import { describe, it, expect } from 'vitest';
import { loadCorpus, runCase, type CaseResult } from '../src/fuzz/case.js';
import { testDevice } from './helpers/gpu.js';

const SEED = Number(process.env.WGML_SEED ?? 20240917);
const CASES = 300;

describe('fuzz (seeded batch)', () => {
  it(`${CASES} mutated ONNX/.wgml models end in success or a typed error (seed ${SEED})`, async () => {
    const device = await testDevice();
    const corpus = await loadCorpus();
    expect(corpus.onnx.length).toBeGreaterThanOrEqual(5);
    expect(corpus.wgml.length).toBeGreaterThanOrEqual(5);
    const bad: CaseResult[] = [];
    const outcomes: Record<string, number> = {};
    let slowest = 0;
    for (let i = 0; i < CASES; i++) {
      const t0 = performance.now();
      // 3% of the cases also create a pipeline and run it on the device.
      const r = await runCase(corpus, SEED, i, { device, gpuFraction: 0.03 });
      slowest = Math.max(slowest, performance.now() - t0);
      outcomes[`${r.outcome}@${r.stage}`] = (outcomes[`${r.outcome}@${r.stage}`] ?? 0) + 1;
      if (r.outcome === 'fail') bad.push(r);
    }
    const report = bad.map((r) => `case ${SEED}:${r.index} (${r.seed}; ${r.what}) at ${r.stage}: ${r.error}`).join('\n');
    expect(report, 'replay with: npm run fuzz -- --replay SEED:INDEX').toBe('');
    expect(slowest).toBeLessThan(2000);
    // The batch must exercise every stage, not only fail at decoding.
    expect(outcomes['ok@plan'] ?? 0).toBeGreaterThan(10);
    expect(Object.keys(outcomes).some((k) => k.startsWith('typed@plan'))).toBe(true);
  });
});
