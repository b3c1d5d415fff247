/**
 * Closes the run with the 10 slowest files and cases (so the suite's budget is visible in every run)
 * and one plain line, `tests: N passed, N failed, N skipped`, that any CI log reader understands.
 * A file over FILE_BUDGET_S seconds is reported as over budget: the suite must fit 15 minutes on 2 cores.
 */
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

export const FILE_BUDGET_S = 90;

const secs = (ms: number) => `${(ms / 1000).toFixed(1).padStart(6)} s`;

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>): void {
    let passed = 0, failed = 0, skipped = 0;
    const cases: { name: string; ms: number }[] = [];
    const files: { name: string; ms: number }[] = [];
    for (const m of modules) {
      const file = relative(process.cwd(), m.moduleId);
      const d = m.diagnostic();
      // Collecting (imports, top-level awaits) is part of a file's cost too.
      files.push({ name: file, ms: d.duration + d.collectDuration + d.setupDuration });
      for (const t of m.children.allTests()) {
        const s = t.result().state;
        if (s === 'passed') passed++; else if (s === 'failed') failed++; else skipped++;
        const td = t.diagnostic();
        if (td) cases.push({ name: `${file} > ${t.fullName}`, ms: td.duration });
      }
    }
    for (const m of modules) if (m.state() === 'failed' && [...m.children.allTests()].length === 0) failed++;
    failed += errors.length;
    const out: string[] = [];
    const top = <T extends { ms: number }>(xs: T[]) => [...xs].sort((a, b) => b.ms - a.ms).slice(0, 10);
    out.push('', 'slowest files:');
    for (const f of top(files)) out.push(`${secs(f.ms)}  ${f.name}${f.ms > FILE_BUDGET_S * 1000 ? `  (over the ${FILE_BUDGET_S} s budget of a file)` : ''}`);
    out.push('slowest cases:');
    for (const c of top(cases)) out.push(`${secs(c.ms)}  ${c.name.length > 150 ? `${c.name.slice(0, 147)}...` : c.name}`);
    process.stdout.write(`${out.join('\n')}\n\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
