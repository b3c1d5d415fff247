/**
 * wgml's fuzzer: `npm run fuzz -- --cases N --seed S [--timeout-ms 2000] [--gpu 0.01] [--replay S:I]`.
 * Cases run in one child process at a time (one core); the parent is the watchdog: a case that does
 * not finish in time (a hang) or kills the child (out of memory, a native crash) is reported with
 * its seed and index, and the run continues after it in a fresh child. A child process rather than
 * a worker thread: terminating a thread with Dawn work in flight aborts the whole process.
 * Exit status 1 when anything was found.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { CaseResult } from './case.js';

interface Finding { index: number; kind: 'untyped' | 'hang' | 'crash'; detail: string }
/** Op rules that crashed (wrapped into typed NodeErrors by guardRule): op bugs, grouped by message. */
const opBugs = new Map<string, { count: number; first: string }>();

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' }, 'timeout-ms': { type: 'string', default: '2000' },
    gpu: { type: 'string', default: '0' }, replay: { type: 'string' }, 'no-testdata': { type: 'boolean', default: false },
    'heap-mb': { type: 'string', default: '1024' }, quiet: { type: 'boolean', default: false }, start: { type: 'string', default: '0' },
  },
});

let seed = Number(values.seed);
let from = Number(values.start), to = from + Number(values.cases);
if (values.replay) {
  const [s, i] = values.replay.split(':').map(Number);
  seed = s!; from = i!; to = i! + 1;
}
const timeoutMs = Number(values['timeout-ms']);
const gpuFraction = values.replay ? Math.min(1, Number(values.gpu)) : Number(values.gpu);
const findings: Finding[] = [];
const counts = { ok: 0, typed: 0, internal: 0, fail: 0 };
const codes = new Map<string, number>();
const t0 = Date.now();

function report(f: Finding): void {
  findings.push(f);
  console.log(`FAIL ${f.kind} case ${seed}:${f.index} (replay: npm run fuzz -- --replay ${seed}:${f.index})\n  ${f.detail.replace(/\n/g, '\n  ')}`);
}

/** Run cases [start, to) in one worker; resolves with the next index to run (after a hang or crash). */
function runWorker(start: number): Promise<number> {
  return new Promise((resolve) => {
    const w = fork(fileURLToPath(new URL('./worker.js', import.meta.url)), [JSON.stringify({ seed, from: start, to, gpuFraction, testdata: !values['no-testdata'] })], {
      execArgv: [`--max-old-space-size=${Number(values['heap-mb'])}`],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let current = start;
    let timer: NodeJS.Timeout | null = null;
    let settled = false;
    const finish = (next: number) => { if (!settled) { settled = true; if (timer) clearTimeout(timer); resolve(next); } };
    const arm = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => { report({ index: current, kind: 'hang', detail: `no result after ${timeoutMs} ms` }); w.kill('SIGKILL'); finish(current + 1); }, timeoutMs);
    };
    w.on('message', (msg) => {
      const m = msg as { type: string; index?: number; result?: CaseResult };
      if (m.type === 'start') { current = m.index!; arm(); }
      else if (m.type === 'done') {
        if (timer) clearTimeout(timer);
        const r = m.result!;
        counts[r.outcome]++;
        if (r.code) codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
        if (r.outcome === 'internal') {
          const key = (r.error ?? '').replace(/node '[^']*'/, "node '…'").replace(/\[[^\]]*\]/g, '[…]').slice(0, 160);
          const b = opBugs.get(key);
          if (b) b.count++; else opBugs.set(key, { count: 1, first: `${seed}:${r.index}` });
        }
        if (r.outcome === 'fail') report({ index: r.index, kind: 'untyped', detail: `seed model ${r.seed}; mutation: ${r.what}; stage ${r.stage}\n${r.error}` });
        else if (values.replay) console.log(`case ${seed}:${r.index} (${r.seed}; ${r.what}): ${r.outcome} at ${r.stage}${r.error ? `\n  ${r.error}` : ''}`);
        const done = counts.ok + counts.typed + counts.internal + counts.fail;
        if (!values.quiet && done % 5000 === 0) console.log(`${done} cases, ${((Date.now() - t0) / 1000).toFixed(0)} s, ${findings.length} finding(s)`);
      } else if (m.type === 'finished') finish(to);
    });
    w.on('error', (e: Error) => { report({ index: current, kind: 'crash', detail: `child died: ${e.message}` }); finish(current + 1); });
    w.on('exit', (code, signal) => { if (!settled) { report({ index: current, kind: 'crash', detail: `child exited with code ${code} signal ${signal}` }); finish(current + 1); } });
  });
}

let next = from;
while (next < to) next = await runWorker(next);
if (opBugs.size) {
  console.log(`${opBugs.size} distinct op-rule crash(es) (typed NodeError with details.internal; op bugs for src/ops owners):`);
  for (const [k, b] of opBugs) console.log(`  ${b.count}× first at ${b.first}: ${k}`);
}
const total = counts.ok + counts.typed + counts.internal + counts.fail + findings.filter((f) => f.kind !== 'untyped').length;
console.log(`fuzz seed ${seed}, cases ${from}..${to}: ${total} run in ${((Date.now() - t0) / 1000).toFixed(1)} s — ${counts.ok} ok, ${counts.typed} typed errors (${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')}), ${counts.internal} op-rule crashes, ${findings.length} finding(s)`);
process.exit(findings.length ? 1 : 0);
