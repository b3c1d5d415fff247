/** `wgml tensor dump`: write any captured value of a model run to .npy or PNG, with a histogram. */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { Graph } from '../ir/types.js';
import { closestName } from '../runtime/inputs.js';
import { fmtShape } from '../ir/types.js';
import { debugModel } from '../debug/model.js';
import { fmtStats, tensorStats } from '../debug/stats.js';
import { channelPng, fmtHistogram, imageDims, tensorHistogram, toNpy } from '../debug/viewer.js';
import { action, assertWritable, cliDevice, collect, loadForDebug, numberOption, writeBytes } from './common.js';
import { Progress } from './progress.js';

interface Opts { value: string; input: string[]; dims: string[]; castInputs?: boolean; out: string; falseColour?: boolean; channel?: string; batch: string; bins: string; seed: string; fuse?: boolean }

/** Every value name of a graph, its branches included. */
function valueNames(g: Graph, out = new Set<string>()): Set<string> {
  for (const i of g.inputs) out.add(i.name);
  for (const o of g.outputs) out.add(o.name);
  for (const k of g.initializers.keys()) out.add(k);
  for (const n of g.nodes) {
    for (const o of n.outputs) if (o) out.add(o);
    for (const a of Object.values(n.attrs)) if (a.kind === 'graph') valueNames(a.value, out);
  }
  return out;
}

export function register(program: Command): void {
  const tensor = program.command('tensor').description('look at the tensors of a model run');
  tensor.command('dump <model>').description('write a value (input, intermediate, output) to .npy, or to PNG per channel when image-like; prints a histogram')
    .requiredOption('--value <NAME>', 'the value to dump')
    .requiredOption('--out <file>', 'file.npy, or file.png (one file per channel: file_c<k>.png when there are several)')
    .option('--input <NAME=FILE.npy>', 'an input (repeatable); missing inputs get seeded random data', collect, [])
    .option('--dims <NAME=AxBxC>', 'concrete input dimensions (repeatable)', collect, [])
    .option('--cast-inputs', 'convert inputs whose dtype differs from the model\'s (default: refuse them)')
    .option('--false-colour', 'PNG through a colour ramp instead of grey')
    .option('--channel <k>', 'only this channel')
    .option('--batch <n>', 'batch item for PNG', '0')
    .option('--bins <n>', 'histogram bins', '16')
    .option('--seed <n>', 'seed of generated inputs', '1')
    .option('--fuse', 'capture the fused graph')
    .action(action(async (model: string, opts: Opts) => {
      const seed = numberOption('--seed', opts.seed), batch = numberOption('--batch', opts.batch, { min: 0, example: '0' }), bins = numberOption('--bins', opts.bins, { min: 1, max: 1000, example: '16' });
      const channel = opts.channel === undefined ? undefined : numberOption('--channel', opts.channel, { min: 0, example: '0' });
      if (!/\.(npy|png)$/.test(opts.out)) throw new UsageError(`--out '${opts.out}' is neither .npy nor .png`, 'write --out value.npy or --out value.png');
      const { bytes, graph, inputs, dims } = await loadForDebug(model, opts);
      await assertWritable(opts.out, 'the dump (--out)');
      // A misspelled --value fails now, not after the run.
      const names = valueNames(graph);
      // (Values inside If branches are renamed 'If#k/then/…' when expanded: those are checked after the run.)
      if (!names.has(opts.value) && !opts.value.includes('#')) {
        const near = closestName(opts.value, [...names]);
        throw new UsageError(`the model has no value '${opts.value}'${near ? ` (did you mean '${near}'?)` : ''}`, 'give the name of an input, output or node output; `wgml inspect MODEL` lists the nodes, `wgml debug MODEL --all` every value');
      }
      const device = await cliDevice();
      const progress = new Progress('tensor dump');
      try {
        const { capture, report } = await debugModel(device, bytes, { inputs, inputDimensions: dims, seed, fuse: opts.fuse, onProgress: progress.callback }).finally(() => progress.stop());
        for (const g of report.generatedInputs) console.error(`wgml: input '${g.name}' not given: using seeded random data ${fmtShape(g.shape)} (seed ${g.seed})`);
        const t = capture.values.get(opts.value);
        if (!t) throw new UsageError(`the run has no value '${opts.value}'`, `values: ${[...capture.values.keys()].slice(0, 40).join(', ')}`);
        const written: string[] = [];
        if (opts.out.endsWith('.npy')) { await writeBytes(opts.out, toNpy(t), 'the dump (--out)'); written.push(opts.out); }
        else if (opts.out.endsWith('.png')) {
          const d = imageDims(t.shape);
          if (!d) throw new UsageError(`'${opts.value}' has shape ${fmtShape(t.shape)}, not image-like`, 'PNG takes H×W, C×H×W or N×C×H×W; use --out file.npy');
          if (channel !== undefined && channel >= d[1]) throw new UsageError(`--channel ${channel}: '${opts.value}' has ${d[1]} channel(s)`, `give --channel 0 to ${d[1] - 1}, or leave it out for one PNG per channel`);
          if (batch >= d[0]) throw new UsageError(`--batch ${batch}: '${opts.value}' has batch ${d[0]}`, `give --batch 0 to ${d[0] - 1}`);
          const chans = channel !== undefined ? [channel] : Array.from({ length: d[1] }, (_, c) => c);
          for (const c of chans) {
            const file = chans.length === 1 ? opts.out : opts.out.replace(/\.png$/, `_c${c}.png`);
            await writeBytes(file, channelPng(t, c, { batch, falseColour: opts.falseColour }), 'the dump (--out)');
            written.push(file);
          }
        } else throw new UsageError(`--out '${opts.out}' is neither .npy nor .png`, 'write --out value.npy or --out value.png');
        console.log(`${opts.value}: ${t.dtype} ${fmtShape(t.shape)} ${fmtStats(tensorStats(t.data))}`);
        console.log(fmtHistogram(tensorHistogram(t, bins)));
        console.log(`wrote ${written.join(', ')}`);
      } finally {
        device.destroy();
      }
    }));
}
