/** `wgml run`, `wgml inspect`, `wgml convert`: models from the command line. */
import type { Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeNpy } from '../ir/npy.js';
import { fmtShape, type ValueType } from '../ir/types.js';
import { BindingError } from '../errors.js';
import { loadGraph } from '../runtime/library.js';
import { planNetwork } from '../runtime/pipeline.js';
import { runModel } from '../runtime/run.js';
import { writePackage } from '../runtime/package.js';
import { foldBatchNorm } from '../passes/fold-batchnorm.js';
import { nodeFlops } from '../runtime/flops.js';
import { action, cliDevice, collect, fmtBytes, parseDims, readInputs } from './common.js';

export async function inspectJson(model: string, dims: Record<string, number[]>, device: GPUDevice) {
  const { graph, format } = await loadGraph(model);
  const p = planNetwork(device, graph, { inputDimensions: dims });
  const t = (n: string): ValueType | undefined => p.values.get(n)?.type;
  const nodes = p.nodes.map((n) => ({
    name: n.name, op: n.domain ? `${n.domain}.${n.opType}` : n.opType,
    inputs: n.inputs.filter(Boolean).map((i) => ({ name: i, shape: t(i)?.shape, place: p.values.get(i)?.place })),
    outputs: n.outputs.filter(Boolean).map((o) => ({ name: o, shape: t(o)?.shape, place: p.values.get(o)?.place })),
    attrs: Object.fromEntries(Object.entries(n.attrs).filter(([, a]) => a.kind !== 'tensor' && a.kind !== 'graph').map(([k, a]) => [k, a.value])),
    kernels: n.dispatches.map((d) => p.dispatches[d]!.kernel.name),
    flops: nodeFlops(n.opType, n.inputs.map(t), n.outputs.map(t)),
  }));
  return {
    format, inputs: p.inputs.map((i) => ({ name: i.name, dtype: i.type.dtype, shape: i.type.shape })),
    outputs: p.outputs.map((o) => ({ name: o.name, dtype: o.type.dtype, shape: o.type.shape })),
    nodes, dispatches: p.dispatches.length, flops: nodes.reduce((a, n) => a + n.flops, 0),
    intermediatesHeapSize: p.intermediatesHeapSize, peakLiveBytes: p.peakLiveBytes, weightsBytes: p.weightsBytes,
  };
}

export function register(program: Command): void {
  program.command('run <model>').description('run a model (.onnx or .wgml) on the GPU; writes NAME.npy per output')
    .option('--input <NAME=FILE.npy>', 'an input (repeatable)', collect, [])
    .option('--output-dir <dir>', 'where to write the outputs', '.')
    .action(action(async (model: string, opts: { input: string[]; outputDir: string }) => {
      const inputs = await readInputs(opts.input);
      const { graph } = await loadGraph(model);
      const needed = graph.inputs.filter((i) => !graph.initializers.has(i.name));
      const missing = needed.filter((i) => !inputs[i.name]);
      if (missing.length) throw new BindingError(`missing inputs: ${missing.map((i) => i.name).join(', ')}`,
        `give each with --input NAME=FILE.npy; the model's inputs are ${needed.map((i) => `${i.name} (${i.dtype} ${fmtShape(i.shape)})`).join(', ')}`);
      const device = await cliDevice();
      const outs = await runModel(device, graph, inputs);
      await mkdir(opts.outputDir, { recursive: true });
      for (const [name, t] of Object.entries(outs)) {
        const file = join(opts.outputDir, `${name.replace(/[^\w.-]/g, '_')}.npy`);
        await writeFile(file, writeNpy(t));
        console.log(`${name}: ${t.dtype} ${fmtShape(t.shape)} → ${file}`);
      }
      device.destroy();
    }));

  program.command('inspect <model>').description('inputs, outputs, nodes after fusion, FLOPs and the memory plan')
    .option('--dims <NAME=AxBxC>', 'concrete input dimensions (repeatable)', collect, [])
    .option('--json', 'print JSON')
    .option('--html <file>', 'write an interactive graph view')
    .action(action(async (model: string, opts: { dims: string[]; json?: boolean; html?: string }) => {
      const device = await cliDevice();
      const j = await inspectJson(model, parseDims(opts.dims), device);
      if (opts.html) {
        const { writeGraphHtml } = await import('../debug/html.js');
        await writeGraphHtml(opts.html, j, { title: `${basename(model)} — wgml inspect` });
        console.error(`wrote ${opts.html}`);
      }
      if (opts.json) console.log(JSON.stringify(j, null, 2));
      else if (!opts.html) {
        for (const i of j.inputs) console.log(`input  ${i.name}: ${i.dtype} ${fmtShape(i.shape)}`);
        for (const o of j.outputs) console.log(`output ${o.name}: ${o.dtype} ${fmtShape(o.shape)}`);
        for (const n of j.nodes) console.log(`  ${n.op.padEnd(18)} ${n.name.padEnd(28)} ${n.outputs.map((o) => fmtShape(o.shape ?? [])).join(' ')}  ${(n.flops / 1e6).toFixed(2)} MFLOP`);
        console.log(`${j.nodes.length} nodes, ${j.dispatches} dispatches, ${(j.flops / 1e9).toFixed(3)} GFLOP`);
        console.log(`weights ${fmtBytes(j.weightsBytes)}, intermediatesHeapSize ${fmtBytes(j.intermediatesHeapSize)}, peakLiveBytes ${fmtBytes(j.peakLiveBytes)}`);
      }
      device.destroy();
    }));

  program.command('convert <model>').description('convert an ONNX model to a .wgml package (optimized graph + safetensors weights + manifest)')
    .requiredOption('-o, --output <file>', 'the .wgml file to write')
    .action(action(async (model: string, opts: { output: string }) => {
      const { graph } = await loadGraph(model);
      const constants = new Map(graph.initializers);
      const g = foldBatchNorm(graph, constants);
      const used = new Set(g.nodes.flatMap((n) => n.inputs));
      const inits = new Map([...constants].filter(([k]) => used.has(k) || g.outputs.some((o) => o.name === k)));
      const bytes = writePackage({ ...g, initializers: inits }, 'wgml convert');
      await writeFile(opts.output, bytes);
      console.log(`wrote ${opts.output}: ${g.nodes.length} nodes (${graph.nodes.length - g.nodes.length} folded), ${inits.size} weights, ${fmtBytes(bytes.length)}`);
    }));
}
