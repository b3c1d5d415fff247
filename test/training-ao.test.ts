/**
 * training/train_ao.py's export path with batch norm (--norm): the norms folded into the convolutions
 * (fold_norm) and the graph written node by node (export_onnx), run by wgml, against the batch-norm
 * model itself in PyTorch (eval mode), the reference no part of the fold or the writer produced.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as wgml from '../src/index.js';
import { loadGraph } from '../src/runtime/library.js';
import { hostTensor } from '../src/ir/types.js';
import { testDevice } from './helpers/gpu.js';
import { compareClose } from './helpers/random.js';

// Batch norms with statistics and affine parameters far from the identity, so a fold that drops or misplaces
// any of mean, variance, scale or shift moves the output well past the tolerance.
const SCRIPT = `
import json, sys, torch
sys.path.insert(0, 'training')
from train_ao import AONet, fold_norm, export_onnx
torch.manual_seed(3)
m = AONet((4, 6, 8), depth_scale=20.0, in_ch=5, norm=True)
norms = [n for n in m.modules() if isinstance(n, torch.nn.BatchNorm2d)]
assert norms, 'AONet(norm=True) has no batch norms'
with torch.no_grad():
    for n in norms:
        n.running_mean.uniform_(-0.5, 0.5); n.running_var.uniform_(0.2, 3.0)
        n.weight.uniform_(0.5, 1.5); n.bias.uniform_(-0.3, 0.3)
m.eval()
x = torch.rand(1, 5, 16, 16)
with torch.no_grad():
    y = m(x)
export_onnx(fold_norm(m), sys.argv[1], 50.0)
json.dump({'norms': len(norms), 'x': x.flatten().tolist(), 'y': y.flatten().tolist()}, open(sys.argv[2], 'w'))
`;

describe('train_ao.py --norm export', () => {
  it('the folded ONNX run by wgml matches the batch-norm model in PyTorch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wgml-ao-norm-'));
    try {
      const onnx = join(dir, 'ao.onnx'), ref = join(dir, 'ref.json');
      execFileSync('/usr/bin/python3', ['-c', SCRIPT, onnx, ref], { stdio: ['ignore', 'ignore', 'inherit'] });
      const want = JSON.parse(readFileSync(ref, 'utf8')) as { norms: number; x: number[]; y: number[] };
      expect(want.norms).toBeGreaterThan(4);
      const { graph } = await loadGraph(onnx);
      // Only the ops the demo's network runs: the norms are gone from the graph.
      expect(new Set(graph.nodes.map((n) => n.opType))).toEqual(new Set(['Conv', 'Relu', 'MaxPool', 'Resize', 'Concat', 'Sigmoid']));
      const device = await testDevice();
      const got = await wgml.runModel(device, graph, { gbuffer: hostTensor('float32', [1, 5, 16, 16], Float32Array.from(want.x)) });
      const y = Float32Array.from(want.y);
      expect(compareClose(got.ao!.data as Float32Array, y, 1e-4, 1e-5)).toBeNull();
      // The output varies across the image: a constant would hide a wrong fold behind the sigmoid.
      expect(Math.max(...y) - Math.min(...y)).toBeGreaterThan(0.02);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  }, 120_000);
});
