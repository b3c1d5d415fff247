/** `wgml debug`: run a model with every intermediate kept and name the first bad node. */
import type { Command } from 'commander';
import { basename } from 'node:path';
import { fmtShape } from '../ir/types.js';
import { fmtNode } from '../debug/capture.js';
import { debugModel } from '../debug/model.js';
import { action, assertWritable, cliDevice, collect, loadForDebug, numberOption, writeBytes } from './common.js';
import { Progress } from './progress.js';

interface Opts { input: string[]; dims: string[]; castInputs?: boolean; reference?: boolean; json?: boolean; rtol: string; factor: string; seed: string; fuse?: boolean; all?: boolean; html?: string }

export function register(program: Command): void {
  program.command('debug <model>').description('run with every intermediate kept; name the first node whose output holds NaN/Inf or explodes (or, with --reference, differs from onnxruntime)')
    .option('--input <NAME=FILE.npy>', 'an input (repeatable); missing inputs get seeded random data', collect, [])
    .option('--dims <NAME=AxBxC>', 'concrete input dimensions (repeatable)', collect, [])
    .option('--cast-inputs', 'convert inputs whose dtype differs from the model\'s (default: refuse them)')
    .option('--reference', 'compare every intermediate with onnxruntime-node (CPU)')
    .option('--rtol <x>', 'relative error that fails a node with --reference', '1e-3')
    .option('--factor <x>', 'growth of max |x| over the inputs that counts as an explosion', '1e3')
    .option('--seed <n>', 'seed of generated inputs', '1')
    .option('--fuse', 'debug the fused graph (captured values then follow fused nodes)')
    .option('--all', 'print every node, not just the first bad one')
    .option('--json', 'print JSON: { firstBadNode, nodes }')
    .option('--html <file>', 'also write the graph view: every node\'s statistics and previews, coloured by NaN/Inf (or error with --reference), opened on the first bad node')
    .action(action(async (model: string, opts: Opts) => {
      const rtol = numberOption('--rtol', opts.rtol, { min: 0, real: true, example: '1e-3' });
      const factor = numberOption('--factor', opts.factor, { min: 1, real: true, example: '1e3' });
      const seed = numberOption('--seed', opts.seed, { example: '1' });
      const { bytes, inputs, dims } = await loadForDebug(model, opts);
      if (opts.html) await assertWritable(opts.html, 'graph page (--html)');
      const device = await cliDevice({ quiet: !!opts.json });
      const progress = new Progress('debug');
      try {
        const { report, capture } = await debugModel(device, bytes, { inputs, inputDimensions: dims, reference: opts.reference, rtol, factor, seed, fuse: opts.fuse, onProgress: progress.callback })
          .finally(() => progress.stop());
        for (const g of report.generatedInputs) console.error(`wgml: input '${g.name}' not given: using seeded random data ${fmtShape(g.shape)} (seed ${g.seed})`);
        if (opts.html) {
          const { graphHtml, inspectOfProgram } = await import('../debug/html.js');
          await writeBytes(opts.html, graphHtml(inspectOfProgram(capture.program), { capture, report, rtol: opts.reference ? rtol : undefined, title: `${basename(model)} — wgml debug${opts.reference ? ' --reference' : ''}` }), 'graph page (--html)');
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
