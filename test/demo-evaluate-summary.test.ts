/**
 * evaluate.ts's summary of per-view scores: the pooled figure is the PSNR of the views' mean squared error, so it
 * sits below the mean of per-view PSNR whenever the views differ, and one easy view cannot lift it much.
 */
import { describe, it, expect } from 'vitest';
import { summarizeScores } from '../src/demo/evaluate.js';

describe('summarizeScores', () => {
  it('gives mean, median, worst and pooled PSNR of per-view scores', () => {
    const s = summarizeScores([{ psnrDb: 40, mae: 0.002 }, { psnrDb: 20, mae: 0.05 }, { psnrDb: 30, mae: 0.01 }]);
    expect(s.meanPsnrDb).toBeCloseTo(30, 10);
    expect(s.medianPsnrDb).toBe(30);
    expect(s.minPsnrDb).toBe(20);
    expect(s.meanMae).toBeCloseTo(0.062 / 3, 12);
    // MSEs 1e-4, 1e-2, 1e-3: their mean 3.7e-3 is 24.318 dB.
    expect(s.pooledPsnrDb).toBeCloseTo(-10 * Math.log10(0.0111 / 3), 10);
    expect(s.pooledPsnrDb).toBeCloseTo(24.318, 3);
  });
  it('takes the middle two for an even count, and pooled equals the mean when the views agree', () => {
    expect(summarizeScores([{ psnrDb: 31, mae: 0 }, { psnrDb: 29, mae: 0 }, { psnrDb: 38, mae: 0 }, { psnrDb: 27, mae: 0 }]).medianPsnrDb).toBe(30);
    const same = summarizeScores([{ psnrDb: 28.5, mae: 0.01 }, { psnrDb: 28.5, mae: 0.01 }]);
    expect(same.pooledPsnrDb).toBeCloseTo(28.5, 10);
  });
});
