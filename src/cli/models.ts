/** `wgml run`, `wgml inspect`, `wgml convert`: models from the command line. */
import type { Command } from 'commander';
import { basename, join } from 'node:path';
import { writeNpy } from '../ir/npy.js';
import { fmtShape, shapeSize, type Graph, type ValueType } from '../ir/types.js';
import { BindingError, UsageError } from '../errors.js';
import { loadGraph } from '../runtime/library.js';
import { planNetwork } from '../runtime/pipeline.js';
import { roundedToHalf, type WeightsPrecision } from '../runtime/half-weights.js';
import { runModel } from '../runtime/run.js';
import { writePackage } from '../runtime/package.js';
import { foldBatchNorm } from '../passes/fold-batchnorm.js';
import { action, assertWritable, checkCliInputs, checkDimsNames, cliDevice, collect, fmtBytes, makeDir, parseDims, readInputs, WEIGHTS_OPTION, writeBytes } from './common.js';
import { Progress } from './progress.js';

export async function inspectJson(model: string | { graph: Graph; format: string }, dims: Record<string, number[]>, device: GPUDevice, weights?: WeightsPrecision) {
  const { graph, format } = typeof model === 'string' ? await loadGraph(model) : model;
  const p = planNetwork(device, graph, { inputDimensions: dims, weights });
  const t = (n: string): ValueType | undefined => p.values.get(n)?.type;
  const nodes = p.nodes.map((n) => ({
    name: n.name, op: n.domain ? `${n.domain}.${n.opType}` : n.opType,
    inputs: n.inputs.filter(Boolean).map((i) => ({ name: i, shape: t(i)?.shape, place: p.values.get(i)?.place })),
    outputs: n.outputs.filter(Boolean).map((o) => ({ name: o, shape: t(o)?.shape, place: p.values.get(o)?.place })),
    attrs: Object.fromEntries(Object.entries(n.attrs).filter(([, a]) => a.kind !== 'tensor' && a.kind !== 'graph').map(([k, a]) => [k, a.value])),
    kernels: n.dispatches.map((d) => p.dispatches[d]!.kernel.name),
    flops: n.flops,
  }));
  return {
    format, inputs: p.inputs.map((i) => ({ name: i.name, dtype: i.type.dtype, shape: i.type.shape })),
    outputs: p.outputs.map((o) => ({ name: o.name, dtype: o.type.dtype, shape: o.type.shape })),
    nodes, dispatches: p.dispatches.length, flops: nodes.reduce((a, n) => a + n.flops, 0),
    intermediatesHeapSize: p.intermediatesHeapSize, peakLiveBytes: p.peakLiveBytes, weightsBytes: p.weightsBytes,
    // constants stored as float16 pairs (runtime/half-weights.ts) and all constants the kernels read
    weightTensors: p.weights.length, halfWeightTensors: p.weights.filter((w) => w.half).length,
  };
}

export function register(program: Command): void {
  program.command('run <model>').description('run a model (.onnx or .wgml) on the GPU; writes NAME.npy per output')
    .option('--input <NAME=FILE.npy>', 'an input (repeatable); its dtype must be the model\'s', collect, [])
    .option('--dims <NAME=AxBxC>', 'concrete input dimensions (repeatable; default: the shapes of the --input arrays, which it reshapes when given)', collect, [])
    .option('--cast-inputs', 'convert inputs whose dtype differs from the model\'s (default: refuse them)')
    .option('--output-dir <dir>', 'where to write the outputs', '.')
    .option(...WEIGHTS_OPTION)
    .action(action(async (model: string, opts: { input: string[]; dims: string[]; castInputs?: boolean; outputDir: string; weights: string }) => {
      const dims = parseDims(opts.dims);
      const given = await readInputs(opts.input);
      const { graph } = await loadGraph(model);
      checkDimsNames(graph, dims);
      const inputs = checkCliInputs(graph, given, opts.castInputs);
      const needed = graph.inputs.filter((i) => !graph.initializers.has(i.name));
      const missing = needed.filter((i) => !inputs[i.name]);
      if (missing.length) throw new BindingError(`missing inputs: ${missing.map((i) => i.name).join(', ')}`,
        `give each with --input NAME=FILE.npy; the model's inputs are ${needed.map((i) => `${i.name} (${i.dtype} ${fmtShape(i.shape)})`).join(', ')}`);
      // --dims with an --input reshapes the array (same element count): a flat .npy can feed an image input.
      for (const [name, d] of Object.entries(dims)) {
        const h = inputs[name];
        if (!h) continue;
        if (shapeSize(h.shape) !== shapeSize(d)) throw new UsageError(`--dims ${name}=${d.join('x')} (${shapeSize(d)} elements) does not fit the array given for '${name}' (${given.sources[name]}: ${fmtShape(h.shape)}, ${shapeSize(h.shape)} elements)`, `leave --dims out for inputs given with --input, or give an array of ${shapeSize(d)} elements`);
        inputs[name] = { ...h, shape: [...d] };
      }
      // Fail on a bad output folder before minutes of GPU work, not after.
      await makeDir(opts.outputDir, 'output folder (--output-dir)');
      const device = await cliDevice();
      const progress = new Progress('run');
      const outs = await runModel(device, graph, inputs, { inputDimensions: dims, onProgress: progress.callback, weights: opts.weights as WeightsPrecision }).finally(() => progress.stop());
      for (const [name, t] of Object.entries(outs)) {
        const file = join(opts.outputDir, `${name.replace(/[^\w.-]/g, '_')}.npy`);
        await writeBytes(file, writeNpy(t), `output '${name}'`);
        console.log(`${name}: ${t.dtype} ${fmtShape(t.shape)} → ${file}`);
      }
      device.destroy();
    }));

  program.command('inspect <model>').description('inputs, outputs, nodes after fusion, FLOPs and the memory plan')
    .option('--dims <NAME=AxBxC>', 'concrete input dimensions (repeatable)', collect, [])
    .option('--json', 'print JSON')
    .option('--html <file>', 'write an interactive graph view')
    .option(...WEIGHTS_OPTION)
    .action(action(async (model: string, opts: { dims: string[]; json?: boolean; html?: string; weights: string }) => {
      const dims = parseDims(opts.dims);
      const loaded = await loadGraph(model);
      checkDimsNames(loaded.graph, dims);
      if (opts.html) await assertWritable(opts.html, 'graph page (--html)');
      const device = await cliDevice({ quiet: !!opts.json });
      const j = await inspectJson(loaded, dims, device, opts.weights as WeightsPrecision);
      if (opts.html) {
        const { graphHtml } = await import('../debug/html.js');
        await writeBytes(opts.html, graphHtml(j, { title: `${basename(model)} — wgml inspect` }), 'graph page (--html)');
        console.error(`wrote ${opts.html}`);
      }
      if (opts.json) console.log(JSON.stringify(j, null, 2));
      else if (!opts.html) {
        for (const i of j.inputs) console.log(`input  ${i.name}: ${i.dtype} ${fmtShape(i.shape)}`);
        for (const o of j.outputs) console.log(`output ${o.name}: ${o.dtype} ${fmtShape(o.shape)}`);
        for (const n of j.nodes) console.log(`  ${n.op.padEnd(18)} ${n.name.padEnd(28)} ${n.outputs.map((o) => fmtShape(o.shape ?? [])).join(' ')}  ${(n.flops / 1e6).toFixed(2)} MFLOP`);
        console.log(`${j.nodes.length} nodes, ${j.dispatches} dispatches, ${(j.flops / 1e9).toFixed(3)} GFLOP`);
        console.log(`weights ${fmtBytes(j.weightsBytes)}${j.halfWeightTensors ? ` (${j.halfWeightTensors} of ${j.weightTensors} tensors at half width)` : ''}, intermediatesHeapSize ${fmtBytes(j.intermediatesHeapSize)}, peakLiveBytes ${fmtBytes(j.peakLiveBytes)}`);
      }
      device.destroy();
    }));

  program.command('convert <model>').description('convert an ONNX model to a .wgml package (optimized graph + safetensors weights + manifest)')
    .requiredOption('-o, --output <file>', 'the .wgml file to write')
    .option('--weights <mode>', 'f16: round float32 weights to float16 (half the file, and half the GPU memory when loaded), f32: keep them', 'f32')
    .action(action(async (model: string, opts: { output: string; weights: string }) => {
      if (opts.weights !== 'f16' && opts.weights !== 'f32') throw new UsageError(`--weights ${opts.weights} is neither f16 nor f32`, 'give --weights f16 or f32');
      const { graph } = await loadGraph(model);
      await assertWritable(opts.output, 'package (-o)');
      const constants = new Map(graph.initializers);
      const g = foldBatchNorm(graph, constants);
      const used = new Set(g.nodes.flatMap((n) => n.inputs));
      const kept = [...constants].filter(([k]) => used.has(k) || g.outputs.some((o) => o.name === k));
      // rounded here, the values load back as float16 values, which createPipeline's default then stores at half width
      const inits = new Map(opts.weights === 'f16' ? kept.map(([k, t]) => [k, roundedToHalf(t)] as const) : kept);
      const bytes = writePackage({ ...g, initializers: inits }, 'wgml convert');
      await writeBytes(opts.output, bytes, 'package (-o)');
      console.log(`wrote ${opts.output}: ${g.nodes.length} nodes (${graph.nodes.length - g.nodes.length} folded), ${inits.size} weights, ${fmtBytes(bytes.length)}`);
    }));
}
