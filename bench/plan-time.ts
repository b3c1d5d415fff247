/**
 * Planning time of a text model at several sequence lengths (issue #12 item 5): createPipeline for a
 * second length must reuse the compiled kernels and take ≤ 50 ms for the BERT-base-sized encoder.
 * Times each CPU phase of planNetwork (specialize, each graph pass, compileProgram) per length, counts
 * the kernel keys a length adds to those already compiled, and, with --gpu, times createPipeline
 * itself (kernel compiles hit the per-device cache after the first length; weights are uploaded again).
 * Build and run:
 *   python3 scripts/export_blocks.py test/.cache/blocks bert_base_dyn     # 340 MB, dynamic seq
 *   npx esbuild bench/plan-time.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/bench/plan-time.js
 *   node dist/bench/plan-time.js [--model test/.cache/blocks/bert_base_dyn.onnx] [--seqs 128,64,96,128] [--reps 5] [--gpu]
 * Without --gpu it needs a device only for its limits (no kernel is compiled): fine on lavapipe.
 */
import { requestDevice, deviceLimits } from '../src/gpu/device.js';
import { specialize } from '../src/ir/infer.js';
import type { Graph } from '../src/ir/types.js';
import { opRules } from '../src/ops/registry.js';
import { foldBatchNorm } from '../src/passes/fold-batchnorm.js';
import { fuseLayerNorm } from '../src/passes/fuse-layernorm.js';
import { applyViews } from '../src/passes/views.js';
import { fuseEpilogues } from '../src/passes/fuse-epilogue.js';
import { fuseElementwise } from '../src/passes/fuse-elementwise.js';
import { compileProgram } from '../src/runtime/compile.js';
import { viewRules } from '../src/runtime/view-rules.js';
import { deviceCaps } from '../src/runtime/single.js';
import { loadGraph } from '../src/runtime/library.js';
import { createPipeline, planNetwork } from '../src/runtime/pipeline.js';

const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1]! : dflt; };
const model = arg('model', 'test/.cache/blocks/bert_base_dyn.onnx');
const seqs = arg('seqs', '128,64,96,128').split(',').map(Number);
const reps = Number(arg('reps', '5'));
const gpu = process.argv.includes('--gpu');

const now = () => performance.now();
// This process's CPU time (ms): other work on a shared machine stretches wall time, not this.
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
// the least of the repetitions: the figure with the fewest interruptions
const best = (v: number[]) => Math.min(...v);

/** planNetwork's steps one by one (keep in step with runtime/pipeline.ts), each timed. */
function phases(device: GPUDevice, graph: Graph, dims: Record<string, number[]>): { times: Record<string, number>; keys: string[]; dispatches: number } {
  const t: Record<string, number> = {};
  let t0 = cpu();
  const lap = (k: string) => { const t1 = cpu(); t[k] = t1 - t0; t0 = t1; };
  const sg = specialize(graph, dims, opRules);
  lap('specialize');
  let g = foldBatchNorm(sg.graph, sg.constants); lap('foldBatchNorm');
  g = fuseLayerNorm(g, sg.types, sg.constants); lap('fuseLayerNorm');
  for (const [name, c] of sg.constants) if (!sg.types.has(name)) sg.types.set(name, { dtype: c.dtype, shape: c.shape });
  g = applyViews(g, sg.types, viewRules(g, sg.types, sg.constants), { constants: sg.constants }); lap('views');
  g = fuseEpilogues(g, sg.types, sg.constants); lap('fuseEpilogues');
  g = fuseElementwise(g, sg.types); lap('fuseElementwise');
  for (const [name, c] of sg.constants) if (!sg.types.has(name)) sg.types.set(name, { dtype: c.dtype, shape: c.shape });
  const l = deviceLimits(device);
  const p = compileProgram(g, sg.types, sg.constants, { caps: deviceCaps(device), storageAlign: l.minStorageBufferOffsetAlignment, uniformAlign: l.minUniformBufferOffsetAlignment });
  lap('compileProgram');
  return { times: t, keys: p.dispatches.map((d) => `${d.signature}|${d.kernel.key}`), dispatches: p.dispatches.length };
}

async function main(): Promise<void> {
  const device = await requestDevice({ quiet: true });
  let t0 = now();
  const { graph } = await loadGraph(model);
  console.log(`${model}: ${graph.nodes.length} nodes, loaded in ${(now() - t0).toFixed(0)} ms`);
  const input = graph.inputs.find((i) => !graph.initializers.has(i.name))!;
  const dimsFor = (s: number) => ({ [input.name]: input.shape.map((d, k) => (typeof d === 'number' ? d : k === 1 ? s : 1)) });
  const seen = new Set<string>();
  console.log('seq  phase CPU ms (best of reps): ' + ['specialize', 'foldBatchNorm', 'fuseLayerNorm', 'views', 'fuseEpilogues', 'fuseElementwise', 'compileProgram'].join(' / ') + ' | total | planNetwork (best) | new kernel keys');
  for (const s of seqs) {
    const runs: ReturnType<typeof phases>[] = [];
    for (let r = 0; r < reps; r++) runs.push(phases(device, graph, dimsFor(s)));
    const names = Object.keys(runs[0]!.times);
    const med = names.map((k) => best(runs.map((x) => x.times[k]!)));
    const total = best(runs.map((x) => Object.values(x.times).reduce((a, b) => a + b, 0)));
    const fresh = new Set(runs[0]!.keys.filter((k) => !seen.has(k)));
    runs[0]!.keys.forEach((k) => seen.add(k));
    const pn: number[] = [], pw: number[] = [];
    for (let r = 0; r < reps; r++) { t0 = cpu(); const w0 = now(); planNetwork(device, graph, { inputDimensions: dimsFor(s) }); pn.push(cpu() - t0); pw.push(now() - w0); }
    console.log(`${String(s).padStart(4)} ${med.map((m) => m.toFixed(1)).join(' / ')} | ${total.toFixed(1)} | ${best(pn).toFixed(1)} ms CPU, ${best(pw).toFixed(1)} ms wall | ${fresh.size} new of ${new Set(runs[0]!.keys).size} (${runs[0]!.dispatches} dispatches)`);
  }
  if (gpu) {
    for (const s of seqs) {
      t0 = now();
      const p = await createPipeline(device, graph, { inputDimensions: dimsFor(s) });
      await device.queue.onSubmittedWorkDone();
      console.log(`createPipeline seq ${s}: ${(now() - t0).toFixed(1)} ms (${p.dispatchCount} dispatches, weights ${(p.weightsBytes / 1e6).toFixed(0)} MB)`);
      p.destroy();
    }
  }
  device.destroy();
}

main().catch((e) => { console.error(e); process.exit(1); });
