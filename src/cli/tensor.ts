/** `wgml tensor dump`: write any captured value of a model run to .npy or PNG, with a histogram. */
import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { WgmlError } from '../errors.js';
import { fmtShape } from '../ir/types.js';
import { debugModel } from '../debug/model.js';
import { fmtStats, tensorStats } from '../debug/stats.js';
import { channelPng, fmtHistogram, imageDims, tensorHistogram, toNpy } from '../debug/viewer.js';
import { action, cliDevice, collect, parseDims, readInputs } from './common.js';

interface Opts { value: string; input: string[]; dims: string[]; out: string; falseColour?: boolean; channel?: string; batch: string; bins: string; seed: string; fuse?: boolean }

export function register(program: Command): void {
  const tensor = program.command('tensor').description('look at the tensors of a model run');
  tensor.command('dump <model>').description('write a value (input, intermediate, output) to .npy, or to PNG per channel when image-like; prints a histogram')
    .requiredOption('--value <NAME>', 'the value to dump')
    .requiredOption('--out <file>', 'file.npy, or file.png (one file per channel: file_c<k>.png when there are several)')
    .option('--input <NAME=FILE.npy>', 'an input (repeatable); missing inputs get seeded random data', collect, [])
    .option('--dims <NAME=AxBxC>', 'concrete input dimensions (repeatable)', collect, [])
    .option('--false-colour', 'PNG through a colour ramp instead of grey')
    .option('--channel <k>', 'only this channel')
    .option('--batch <n>', 'batch item for PNG', '0')
    .option('--bins <n>', 'histogram bins', '16')
    .option('--seed <n>', 'seed of generated inputs', '1')
    .option('--fuse', 'capture the fused graph')
    .action(action(async (model: string, opts: Opts) => {
      const device = await cliDevice();
      try {
        const { capture, report } = await debugModel(device, model, { inputs: await readInputs(opts.input), inputDimensions: parseDims(opts.dims), seed: Number(opts.seed), fuse: opts.fuse });
        for (const g of report.generatedInputs) console.error(`wgml: input '${g.name}' not given: using seeded random data ${fmtShape(g.shape)} (seed ${g.seed})`);
        const t = capture.values.get(opts.value);
        if (!t) throw new WgmlError('E_CLI', `the run has no value '${opts.value}'`, `values: ${[...capture.values.keys()].slice(0, 40).join(', ')}`);
        const written: string[] = [];
        if (opts.out.endsWith('.npy')) { await writeFile(opts.out, toNpy(t)); written.push(opts.out); }
        else if (opts.out.endsWith('.png')) {
          const d = imageDims(t.shape);
          if (!d) throw new WgmlError('E_CLI', `'${opts.value}' has shape ${fmtShape(t.shape)}, not image-like`, 'PNG takes H×W, C×H×W or N×C×H×W; use --out file.npy');
          const chans = opts.channel !== undefined ? [Number(opts.channel)] : Array.from({ length: d[1] }, (_, c) => c);
          for (const c of chans) {
            const file = chans.length === 1 ? opts.out : opts.out.replace(/\.png$/, `_c${c}.png`);
            await writeFile(file, channelPng(t, c, { batch: Number(opts.batch), falseColour: opts.falseColour }));
            written.push(file);
          }
        } else throw new WgmlError('E_CLI', `--out '${opts.out}' is neither .npy nor .png`, 'write --out value.npy or --out value.png');
        console.log(`${opts.value}: ${t.dtype} ${fmtShape(t.shape)} ${fmtStats(tensorStats(t.data))}`);
        console.log(fmtHistogram(tensorHistogram(t, Number(opts.bins))));
        console.log(`wrote ${written.join(', ')}`);
      } finally {
        device.destroy();
      }
    }));
}
