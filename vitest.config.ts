import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Software GPUs are slow and Dawn instances are heavy: one fork per file, two at a time on 2 cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    setupFiles: ['test/helpers/setup.ts'],
    // lavapipe at 4 lanes (128-bit SoA) rather than the host's 8: most of a cold run is LLVM compiling shaders, and
    // each kernel's code is half as wide. Measured on 2 cores with an empty Mesa shader cache, all 2,628 tests
    // passing: 702 → 395 s cold, 228 → 186 s warm (2026-12-07). The cache keys the width, so the two never mix. A
    // width set by hand wins.
    env: { LP_NATIVE_VECTOR_WIDTH: process.env.LP_NATIVE_VECTOR_WIDTH ?? '128' },
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
