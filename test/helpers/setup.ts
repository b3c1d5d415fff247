// Every test file runs with GPU validation errors turned into failures.
import { afterEach, expect } from 'vitest';
import { drainUncapturedErrors } from './gpu.js';

// Loaded only when asked: it patches WebGPU's prototypes (test/helpers/pipeline-dump.ts).
if (process.env.WGML_PIPELINE_DUMP) (await import('./pipeline-dump.js')).dumpPipelines(process.env.WGML_PIPELINE_DUMP);

afterEach(() => {
  const errs = drainUncapturedErrors();
  expect(errs, `GPU validation errors:\n${errs.join('\n')}`).toEqual([]);
});
