/**
 * Progress of long CLI work: a bar with ETA on a terminal, a plain line every few seconds otherwise,
 * nothing for work that ends quickly; and the library's progress callbacks (kernel compilation, the
 * driver's compile-at-first-use during the first run) that the commands feed it from.
 */
import { describe, it, expect } from 'vitest';
import { Writable } from 'node:stream';
import { Progress, fmtSeconds } from '../src/cli/progress.js';
import * as wgml from '../src/index.js';
import { planNetwork } from '../src/runtime/pipeline.js';
import { loadGraph } from '../src/runtime/library.js';
import { testDevice } from './helpers/gpu.js';
import { rng, randn, testSeed } from './helpers/random.js';
import { hostTensor } from '../src/ir/types.js';
import { fileURLToPath } from 'node:url';

/** A stream that records what is written; `tty` makes it look like a terminal to cli-progress. */
function sink(tty: boolean): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } }) as unknown as NodeJS.WriteStream & { text: () => string };
  Object.assign(w, { isTTY: tty, columns: 120, rows: 40, cursorTo: (x: number, _y?: unknown, cb?: () => void) => { chunks.push(`<cursor ${x}>`); cb?.(); return true; },
    clearLine: (_d: number, cb?: () => void) => { cb?.(); return true; }, clearScreenDown: (cb?: () => void) => { cb?.(); return true; },
    moveCursor: (_x: number, _y: number, cb?: () => void) => { cb?.(); return true; }, getWindowSize: () => [120, 40], text: () => chunks.join('') });
  return w;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Progress', () => {
  it('formats seconds as a person reads them', () => {
    expect([fmtSeconds(4.4), fmtSeconds(75), fmtSeconds(3725), fmtSeconds(Infinity)]).toEqual(['4s', '1m15s', '1h02m', '?']);
  });

  it('prints nothing for work that ends before the delay', async () => {
    const s = sink(false);
    const p = new Progress('run', { stream: s, delay: 0.2, every: 0.1 });
    p.update('compiling kernels', 0, 3); p.update('compiling kernels', 3, 3); p.stop();
    await sleep(300);
    expect(s.text()).toBe('');
  });

  it('off a terminal: a line every few seconds with count, percentage, elapsed time and ETA, then a final line', async () => {
    const s = sink(false);
    const p = new Progress('bench', { stream: s, delay: 0.05, every: 0.1 });
    p.update('first run', 0, 8);
    await sleep(80);
    p.update('first run', 2, 8);
    await sleep(130);
    p.update('first run', 4, 8, 'loss 1.00e-2');
    await sleep(120);
    p.update('first run', 8, 8);
    p.stop();
    const lines = s.text().trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines[0]).toMatch(/^wgml bench: first run [0-8]\/8 \(\d+%\), .*elapsed/);
    expect(lines.some((l) => /4\/8 \(50%\), loss 1\.00e-2, \d+s elapsed, ETA \d+s$/.test(l))).toBe(true);
    expect(lines[lines.length - 1]).toMatch(/^wgml bench: first run 8\/8 \(100%\), .*in all$/);
  });

  it('keeps reporting during one long step (a timer, not only updates)', async () => {
    const s = sink(false);
    const p = new Progress('debug', { stream: s, delay: 0.05, every: 0.05 });
    p.update('first run', 1, 4);
    await sleep(400);
    p.stop();
    expect(s.text().split('\n').filter((l) => l.includes('1/4')).length).toBeGreaterThanOrEqual(3);
  });

  it('on a terminal: a bar with ETA', async () => {
    const s = sink(true);
    const p = new Progress('compress', { stream: s, delay: 0 });
    for (let i = 0; i <= 10; i++) { p.update('train', i * 10, 100, `PSNR ${20 + i} dB`); await sleep(15); }
    p.stop();
    const t = s.text();
    expect(t).toMatch(/wgml compress: train \[[█░]+\] \d+\/100 \d+% \| ETA \d+s \| \d+s \| PSNR \d+ dB/);
    expect(t).toMatch(/100\/100 100%/);
  });

  it('WGML_PROGRESS=0 turns it off', async () => {
    process.env.WGML_PROGRESS = '0';
    try {
      const s = sink(false);
      const p = new Progress('run', { stream: s, delay: 0, every: 0 });
      p.update('x', 1, 2); await sleep(30); p.stop();
      expect(s.text()).toBe('');
    } finally { delete process.env.WGML_PROGRESS; }
  });
});

describe('progress callbacks of runModel and debugRun', () => {
  it('report compilation and a first run that runs each distinct kernel once, then the same outputs', async () => {
    const device = await testDevice();
    const { graph } = await loadGraph(fileURLToPath(new URL('../models/ao/ao.onnx', import.meta.url)));
    const x = hostTensor('float32', [1, 5, 16, 16], randn(rng(testSeed()), 5 * 16 * 16));
    const events: [string, number, number][] = [];
    const withProgress = await wgml.runModel(device, graph, { gbuffer: x }, { onProgress: (p, d, t) => events.push([p, d, t]) });
    const plain = await wgml.runModel(device, graph, { gbuffer: x });
    expect([...withProgress.ao!.data]).toEqual([...plain.ao!.data]);
    const compile = events.filter((e) => e[0] === 'compile'), first = events.filter((e) => e[0] === 'first run');
    const p = planNetwork(device, graph, { inputDimensions: { gbuffer: [1, 5, 16, 16] } });
    expect(compile[0]).toEqual(['compile', 0, p.dispatches.length]);
    expect(compile[compile.length - 1]).toEqual(['compile', p.dispatches.length, p.dispatches.length]);
    // One step per distinct kernel (WGSL + signature), in order, ending at the total.
    const distinct = new Set(p.dispatches.map((d) => `${d.kernel.key}|${d.signature}`)).size;
    expect(first.map((e) => e[1])).toEqual(Array.from({ length: first.length }, (_, i) => i));
    expect(first[first.length - 1]![1]).toBe(first[0]![2]);
    expect(first[0]![2]).toBeLessThanOrEqual(distinct);
    expect(first[0]![2]).toBeGreaterThan(3);
    const cap = await wgml.debugRun(device, graph, { gbuffer: x }, { onProgress: (ph, d, t) => events.push([`debug ${ph}`, d, t]) });
    expect(events.some((e) => e[0] === 'debug first run' && e[1] === e[2])).toBe(true);
    expect(cap.firstBad).toBeNull();
  });
});
