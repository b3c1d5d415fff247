/** `wgml profile`: per-node GPU times of one inference as a Chrome trace, and which node reads/writes what. */
import type { Command } from 'commander';
import { basename } from 'node:path';
import { WgmlError } from '../errors.js';
import { fmtShape } from '../ir/types.js';
import { createPipeline } from '../runtime/pipeline.js';
import { createHeap } from '../runtime/heap.js';
import { encodeNetwork } from '../runtime/encode.js';
import { generateInputs } from '../debug/model.js';
import { GpuProfiler, fmtDependencies, validateTrace } from '../debug/profiler.js';
import { addOutputTensors, uploadInputs, warmUpNetwork } from '../runtime/run.js';
import { action, assertWritable, cliDevice, collect, loadForDebug, numberOption, writeBytes } from './common.js';
import { Progress } from './progress.js';

interface Opts { input: string[]; dims: string[]; castInputs?: boolean; out?: string; html?: string; warmup: string; noFuse?: boolean; deps?: boolean; json?: boolean; seed: string }

export function register(program: Command): void {
  program.command('profile <model>').description('GPU time per node (one timed pass per node) as Chrome trace / Perfetto JSON, plus each node\'s reads and writes')
    .option('--input <NAME=FILE.npy>', 'an input (repeatable); missing inputs get seeded random data', collect, [])
    .option('--dims <NAME=AxBxC>', 'concrete input dimensions (repeatable)', collect, [])
    .option('--cast-inputs', 'convert inputs whose dtype differs from the model\'s (default: refuse them)')
    .option('--out <trace.json>', 'write the trace (open in ui.perfetto.dev or chrome://tracing)')
    .option('--html <file>', 'write the graph view coloured by GPU time per node (the profiled, fused graph)')
    .option('--warmup <n>', 'untimed runs first', '2')
    .option('--no-fuse', 'profile the unfused graph')
    .option('--deps', 'list every pass with the ranges it reads and writes')
    .option('--json', 'print passes and problems as JSON')
    .option('--seed <n>', 'seed of generated inputs', '1')
    .action(action(async (model: string, opts: Opts & { fuse?: boolean }) => {
      const warmup = numberOption('--warmup', opts.warmup, { min: 0, example: '2' });
      const seed = numberOption('--seed', opts.seed);
      const { graph, inputs: given, dims } = await loadForDebug(model, opts);
      if (opts.out) await assertWritable(opts.out, 'trace (--out)');
      if (opts.html) await assertWritable(opts.html, 'graph page (--html)');
      const device = await cliDevice({ quiet: !!opts.json });
      const made: { destroy(): void }[] = [];
      const progress = new Progress('profile');
      try {
        const { inputs, generated } = generateInputs(graph, given, dims, seed);
        for (const g of generated) console.error(`wgml: input '${g.name}' not given: using seeded random data ${fmtShape(g.shape)} (seed ${g.seed})`);
        const inputDimensions = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.shape]));
        const pipeline = await createPipeline(device, graph, { inputDimensions, fuse: opts.fuse !== false, onProgress: progress.callback });
        made.push(pipeline);
        const args = addOutputTensors(device, pipeline, uploadInputs(device, pipeline, inputs, made), made);
        const heap = createHeap(device, pipeline.intermediatesHeapSize);
        made.push(heap);
        const bound = pipeline.bind(args, heap);
        await warmUpNetwork(bound, progress.callback);
        progress.stop();
        for (let i = 0; i < warmup; i++) { const e = device.createCommandEncoder(); encodeNetwork(e, bound); device.queue.submit([e.finish()]); }
        const prof = new GpuProfiler(device, { capacity: Math.max(16, pipeline.program.nodes.length) });
        made.push(prof);
        prof.beginFrame();
        prof.markWritten(...pipeline.inputs.map((s) => s.name));
        const enc = device.createCommandEncoder({ label: 'wgml profile' });
        prof.network(enc, bound);
        prof.resolve(enc);
        device.queue.submit([enc.finish()]);
        const frame = await prof.read();
        const bad = validateTrace(frame.trace);
        if (bad.length) throw new WgmlError('E_TRACE', `the trace is malformed: ${bad[0]}`, 'this is a wgml bug; please report it');
        if (opts.out) { await writeBytes(opts.out, JSON.stringify(frame.trace), 'trace (--out)'); console.error(`wrote ${opts.out} (${frame.passes.length} passes)`); }
        if (opts.html) {
          const { graphHtml, inspectOfProgram } = await import('../debug/html.js');
          // One timed pass per node with kernels, named after the node: its GPU time is the pass's.
          const times = new Map(frame.passes.filter((p) => p.op !== undefined).map((p) => [p.name, p.endNs! - p.startNs!]));
          await writeBytes(opts.html, graphHtml(inspectOfProgram(pipeline.program), { times, title: `${basename(model)} — wgml profile` }), 'graph page (--html)');
          console.error(`wrote ${opts.html}`);
        }
        if (opts.json) { console.log(JSON.stringify({ passes: frame.passes, problems: frame.problems }, null, 2)); return; }
        const total = frame.passes.reduce((a, p) => a + (p.endNs! - p.startNs!), 0);
        const top = [...frame.passes].sort((a, b) => (b.endNs! - b.startNs!) - (a.endNs! - a.startNs!));
        console.log(`${frame.passes.length} timed passes, ${(total / 1e6).toFixed(3)} ms GPU in passes`);
        for (const p of top.slice(0, 20)) console.log(`  ${((p.endNs! - p.startNs!) / 1e3).toFixed(1).padStart(10)} µs  ${(p.op ?? '').padEnd(14)} ${p.name}`);
        if (opts.deps) console.log(fmtDependencies(frame.passes, frame.problems));
        else for (const q of frame.problems) console.log(`! '${q.pass}' reads ${q.read.resource} [${q.read.start ?? 0}, ${q.read.end ?? '∞'}): ${q.reason}`);
      } finally {
        progress.stop();
        for (const m of made.reverse()) m.destroy();
        device.destroy();
      }
    }));
}
