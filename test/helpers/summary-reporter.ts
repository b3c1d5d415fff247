/** Prints one plain closing line, `tests: N passed, N failed, N skipped`, that any CI log reader understands. */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>): void {
    let passed = 0, failed = 0, skipped = 0;
    for (const m of modules) for (const t of m.children.allTests()) {
      const s = t.result().state;
      if (s === 'passed') passed++; else if (s === 'failed') failed++; else skipped++;
    }
    for (const m of modules) if (m.state() === 'failed' && [...m.children.allTests()].length === 0) failed++;
    failed += errors.length;
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
