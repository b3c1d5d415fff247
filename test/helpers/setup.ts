// Every test file runs with GPU validation errors turned into failures.
import { afterEach, expect } from 'vitest';
import { drainUncapturedErrors } from './gpu.js';

afterEach(() => {
  const errs = drainUncapturedErrors();
  expect(errs, `GPU validation errors:\n${errs.join('\n')}`).toEqual([]);
});
