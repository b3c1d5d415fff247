/**
 * Planning time of a text model at several sequence lengths (issue #12 item 5): createPipeline for a
 * second length must reuse the compiled kernels and take ≤ 50 ms for the BERT-base-sized encoder.
 * Times planNetwork per length (its steps through PipelineOptions.timings: specialize, each graph
 * pass, compileProgram), counts the kernel keys a length adds to those already compiled and, with
 * --gpu, times createPipeline itself (kernels hit the per-device cache after the first length and
 * the weights buffer is shared, so what is left is planning and the uniforms).
 * Build and run:
 *   python3 scripts/export_blocks.py test/.cache/blocks bert_base_dyn     # 340 MB, dynamic seq
 *   npx esbuild bench/plan-time.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/bench/plan-time.js
 *   node dist/bench/plan-time.js [--model test/.cache/blocks/bert_base_dyn.onnx] [--seqs 128,64,96,128] [--reps 5] [--gpu]
 * Without --gpu it needs a device only for its limits (no kernel is compiled): fine on lavapipe. On a
 * shared machine wall times stretch; the CPU column is this process's own time.
 */
import { requestDevice } from '../src/gpu/device.js';
import { loadGraph } from '../src/runtime/library.js';
import { createPipeline, planNetwork } from '../src/runtime/pipeline.js';

const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1]! : dflt; };
const model = arg('model', 'test/.cache/blocks/bert_base_dyn.onnx');
const seqs = arg('seqs', '128,64,96,128').split(',').map(Number);
const reps = Number(arg('reps', '5'));
const gpu = process.argv.includes('--gpu');

const now = () => performance.now();
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

async function main(): Promise<void> {
  const device = await requestDevice({ quiet: true });
  let t0 = now();
  const { graph } = await loadGraph(model);
  console.log(`${model}: ${graph.nodes.length} nodes, loaded in ${(now() - t0).toFixed(0)} ms`);
  const input = graph.inputs.find((i) => !graph.initializers.has(i.name))!;
  const dimsFor = (s: number) => ({ [input.name]: input.shape.map((d, k) => (typeof d === 'number' ? d : k === 1 ? s : 1)) });
  const seen = new Set<string>();
  console.log('seq | planNetwork best of reps: wall ms, CPU ms | its steps (wall ms, best run) | kernel keys new / all (dispatches)');
  for (const s of seqs) {
    let best = { wall: Infinity, cpu: Infinity, steps: {} as Record<string, number> };
    let keys: string[] = [];
    for (let r = 0; r < reps; r++) {
      const timings: Record<string, number> = {};
      const c0 = cpu(), w0 = now();
      const p = planNetwork(device, graph, { inputDimensions: dimsFor(s), timings });
      const run = { wall: now() - w0, cpu: cpu() - c0, steps: timings };
      if (run.wall < best.wall) best = run;
      keys = p.dispatches.map((d) => `${d.signature}|${d.kernel.key}`);
    }
    const fresh = new Set(keys.filter((k) => !seen.has(k)));
    keys.forEach((k) => seen.add(k));
    const steps = Object.entries(best.steps).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
    console.log(`${String(s).padStart(4)} | ${best.wall.toFixed(1)}, ${best.cpu.toFixed(1)} | ${steps} | ${fresh.size} / ${new Set(keys).size} (${keys.length})`);
  }
  if (gpu) {
    for (const s of seqs) {
      t0 = now();
      const p = await createPipeline(device, graph, { inputDimensions: dimsFor(s) });
      const ms = now() - t0;
      await device.queue.onSubmittedWorkDone();
      console.log(`createPipeline seq ${s}: ${ms.toFixed(1)} ms (${p.dispatchCount} dispatches, weights ${(p.weightsBytes / 1e6).toFixed(0)} MB${ms > 50 && s !== seqs[0] ? ', OVER the 50 ms target' : ''})`);
      // kept alive: later lengths share its weights buffer, as an application's pipelines would
    }
  }
  device.destroy();
}

main().catch((e) => { console.error(e); process.exit(1); });
