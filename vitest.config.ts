import { homedir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * lavapipe at 4 lanes (128-bit SoA) rather than the host's 8: most of a cold run is LLVM compiling shaders, and each
 * kernel's code is half as wide. Measured on 2 cores with an empty Mesa shader cache, all 2,628 tests passing:
 * 702 → 395 s cold, 228 → 186 s warm (2026-12-07). Mesa's shader cache does not key the width: a run at 4 lanes that
 * read shaders compiled at 8 crashed its workers (the reverse, the demo reading the tests' shaders, was not tried), so
 * each width gets its own cache folder. A width or cache folder set by hand wins.
 */
function lavapipeEnv(): Record<string, string> {
  const lanes = process.env.LP_NATIVE_VECTOR_WIDTH ?? '128';
  return { LP_NATIVE_VECTOR_WIDTH: lanes, MESA_SHADER_CACHE_DIR: process.env.MESA_SHADER_CACHE_DIR ?? join(homedir(), '.cache', `wgml-mesa-lp${lanes}`) };
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Software GPUs are slow and Dawn instances are heavy: one fork per file, two at a time on 2 cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    setupFiles: ['test/helpers/setup.ts'],
    env: lavapipeEnv(),
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
