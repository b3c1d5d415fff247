/** `wgml debug`: run a model with every intermediate kept and name the first bad node. */
import type { Command } from 'commander';
import { basename } from 'node:path';
import { WgmlError } from '../errors.js';
import { fmtShape } from '../ir/types.js';
import { fmtNode } from '../debug/capture.js';
import { debugModel } from '../debug/model.js';
import { action, cliDevice, collect, parseDims, readInputs } from './common.js';

interface Opts { input: string[]; dims: string[]; reference?: boolean; json?: boolean; rtol: string; factor: string; seed: string; fuse?: boolean; all?: boolean; html?: string }

export function register(program: Command): void {
  program.command('debug <model>').description('run with every intermediate kept; name the first node whose output holds NaN/Inf or explodes (or, with --reference, differs from onnxruntime)')
    .option('--input <NAME=FILE.npy>', 'an input (repeatable); missing inputs get seeded random data', collect, [])
    .option('--dims <NAME=AxBxC>', 'concrete input dimensions (repeatable)', collect, [])
    .option('--reference', 'compare every intermediate with onnxruntime-node (CPU)')
    .option('--rtol <x>', 'relative error that fails a node with --reference', '1e-3')
    .option('--factor <x>', 'growth of max |x| over the inputs that counts as an explosion', '1e3')
    .option('--seed <n>', 'seed of generated inputs', '1')
    .option('--fuse', 'debug the fused graph (captured values then follow fused nodes)')
    .option('--all', 'print every node, not just the first bad one')
    .option('--json', 'print JSON: { firstBadNode, nodes }')
    .option('--html <file>', 'also write the graph view: every node\'s statistics and previews, coloured by NaN/Inf (or error with --reference), opened on the first bad node')
    .action(action(async (model: string, opts: Opts) => {
      const rtol = Number(opts.rtol), factor = Number(opts.factor), seed = Number(opts.seed);
      if (!(rtol >= 0) || !(factor > 1) || !Number.isInteger(seed)) throw new WgmlError('E_CLI', '--rtol must be ≥ 0, --factor > 1 and --seed an integer', 'e.g. --rtol 1e-3 --factor 1e3 --seed 1');
      const device = await cliDevice();
      try {
        const { report, capture } = await debugModel(device, model, { inputs: await readInputs(opts.input), inputDimensions: parseDims(opts.dims), reference: opts.reference, rtol, factor, seed, fuse: opts.fuse });
        for (const g of report.generatedInputs) console.error(`wgml: input '${g.name}' not given: using seeded random data ${fmtShape(g.shape)} (seed ${g.seed})`);
        if (opts.html) {
          const { writeGraphHtml, inspectOfProgram } = await import('../debug/html.js');
          await writeGraphHtml(opts.html, inspectOfProgram(capture.program), { capture, report, rtol: opts.reference ? rtol : undefined, title: `${basename(model)} — wgml debug${opts.reference ? ' --reference' : ''}` });
          console.error(`wrote ${opts.html}`);
        }
        if (opts.json) {
          const bad = report.firstBadNode;
          console.log(JSON.stringify({ firstBadNode: bad ? { name: bad.name, op: bad.op, index: bad.index, reason: bad.reason } : null, mode: report.mode, generatedInputs: report.generatedInputs, nodes: report.nodes }, null, 2));
          return;
        }
        if (opts.all) for (const n of report.nodes) console.log(fmtNode(n) + ('relErr' in n && n.relErr != null ? `\n  relative error vs onnxruntime: ${n.relErr.toExponential(2)}` : ''));
        const bad = report.firstBadNode;
        const what = report.mode === 'reference' ? `differs from onnxruntime by more than rtol ${rtol}` : 'holds NaN/Inf or explodes';
        if (!bad) { console.log(`no node ${what} (${report.nodes.length} nodes checked)`); return; }
        console.log(`first bad node: '${bad.name}' (${bad.op}), #${bad.index} of ${report.nodes.length}: ${bad.reason}`);
        if (!opts.all) console.log(fmtNode(bad.node));
      } finally {
        device.destroy();
      }
    }));
}
