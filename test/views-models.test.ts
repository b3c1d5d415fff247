/**
 * Exported models through the views pass, LayerNorm recomposition and elementwise fusion: outputs
 * against onnxruntime-node, and the dispatches they save, counted per layer/block from the plan
 * (`wgml inspect --json`). Models come from scripts/export_blocks.py (Debian's torch 1.13, seeded
 * random weights, small sizes).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as wgml from '../src/index.js';
import { planNetwork } from '../src/runtime/pipeline.js';
import { loadGraph } from '../src/runtime/library.js';
import { inspectJson } from '../src/cli/models.js';
import { hostTensor, shapeSize } from '../src/ir/types.js';
import { testDevice } from './helpers/gpu.js';
import { ortRun, relErr } from './helpers/ort.js';
import { randn, rng, testSeed } from './helpers/random.js';
import { graph, node, f32, ints } from './helpers/graph.js';

const rand = (shape: number[]) => hostTensor('float32', shape, randn(rng(testSeed() + shape.length), shapeSize(shape)));

const DIR = 'test/.cache/blocks';
const MODELS = ['ln_mlp13', 'encoder1_o14', 'encoder1_o17', 'encoder2_o17', 'encoder2_dyn', 'vit1', 'vit2', 'convnext_tiny'];
const seed = testSeed();

beforeAll(() => {
  const missing = MODELS.filter((m) => !existsSync(`${DIR}/${m}.onnx`));
  if (missing.length) execFileSync('/usr/bin/python3', ['scripts/export_blocks.py', DIR, ...missing], { stdio: 'inherit' });
}, 600_000);

const path = (m: string) => `${DIR}/${m}.onnx`;
const inputShape: Record<string, number[]> = { ln_mlp13: [2, 8, 32], encoder: [1, 8, 32], vit: [1, 3, 32, 32], convnext_tiny: [1, 3, 64, 64] };
const shapeOf = (m: string) => inputShape[m] ?? inputShape[m.replace(/\d.*$/, '')]!;

async function againstOrt(m: string): Promise<void> {
  const device = await testDevice();
  const shape = shapeOf(m);
  const x = hostTensor('float32', shape, randn(rng(seed), shapeSize(shape)));
  const got = await wgml.runModel(device, path(m), { input: x });
  const ref = await ortRun(path(m), { input: x });
  const err = relErr(got.output!.data, ref.output!.data);
  console.log(`${m}: max|wgml-ort|/max|ort| = ${err.toExponential(2)}`);
  expect(err, `${m} (WGML_SEED=${seed})`).toBeLessThan(1e-4);
}

async function plan(m: string, fuse = true) {
  const device = await testDevice();
  return planNetwork(device, (await loadGraph(path(m))).graph, { fuse });
}

/** Dispatches of one layer: the plan of an L+1-layer model minus the L-layer one, through `wgml inspect --json`. */
async function perLayer(a: string, b: string): Promise<number> {
  const device = await testDevice();
  const j = async (m: string) => (await inspectJson(path(m), {}, device)).dispatches;
  return (await j(b)) - (await j(a));
}

describe('LayerNorm written out by exporters below opset 17', () => {
  it('folds back into LayerNormalization and matches onnxruntime (Linear–LN–GELU–Linear–LN at opset 13)', async () => {
    const p = await plan('ln_mlp13');
    const ops = p.nodes.filter((n) => !n.alias).map((n) => n.opType);
    // recomposed, then folded into the Linear before it where one writes its rows (wgml_layernorm)
    expect(ops.filter((o) => o === 'LayerNormalization').length + p.nodes.filter((n) => n.attrs.wgml_layernorm).length).toBe(2);
    expect(ops.filter((o) => ['ReduceMean', 'Pow', 'Sqrt', 'Div', 'Sub'].includes(o))).toEqual([]);
    expect(p.dispatches.length).toBeLessThan((await plan('ln_mlp13', false)).dispatches.length / 3);
    await againstOrt('ln_mlp13');
  });

  it('an opset 14 encoder layer plans like its opset 17 export and matches onnxruntime', async () => {
    expect((await plan('encoder1_o14')).dispatches.length).toBe((await plan('encoder1_o17')).dispatches.length);
    await againstOrt('encoder1_o14');
  });
});

describe('transformer layers', () => {
  it('post-norm encoder and ViT match onnxruntime', async () => {
    await againstOrt('encoder2_o17');
    await againstOrt('vit2');
  });

  it('views and fusion take at least a third of the dispatches out of each layer', async () => {
    for (const [a, b] of [['encoder1_o17', 'encoder2_o17'], ['vit1', 'vit2']] as const) {
      const before = (await plan(b, false)).dispatches.length - (await plan(a, false)).dispatches.length;
      const after = await perLayer(a, b);
      console.log(`${b.replace(/\d.*/, '')}: ${before} → ${after} dispatches per layer`);
      expect(after).toBeLessThanOrEqual(Math.floor(before * 2 / 3));
    }
  });

  // QKV GEMM + bias, attention (q/k/v and the output through views), out-projection + bias + residual,
  // LayerNorm, FFN-up + bias + GELU, FFN-down + bias + residual, LayerNorm: 7, plus at most one copy.
  it('an encoder layer and a ViT block take ≤ 10 dispatches each (issue #12 target)', async () => {
    expect(await perLayer('encoder1_o17', 'encoder2_o17')).toBeLessThanOrEqual(8);
    expect(await perLayer('vit1', 'vit2')).toBeLessThanOrEqual(8);
  });
});

describe('a text model at a second sequence length', () => {
  it('reuses every compiled kernel and the uploaded weights, and both lengths match onnxruntime', async () => {
    const device = await testDevice();
    const { graph } = await loadGraph(path('encoder2_dyn'));
    const keys = (p: wgml.NetworkPipeline) => new Set(p.program.dispatches.map((d) => `${d.signature}|${d.kernel.key}`));
    const p8 = await wgml.createPipeline(device, graph, { inputDimensions: { input: [1, 8, 32] } });
    const p5 = await wgml.createPipeline(device, graph, { inputDimensions: { input: [1, 5, 32] } });
    expect([...keys(p5)].filter((k) => !keys(p8).has(k))).toEqual([]);
    expect(p5.weights).toBe(p8.weights);
    p8.destroy(); // the weights stay for p5
    for (const [p, s] of [[p5, 5], [await wgml.createPipeline(device, graph, { inputDimensions: { input: [1, 8, 32] } }), 8]] as const) {
      const x = hostTensor('float32', [1, s, 32], randn(rng(seed + s), s * 32));
      const got = await wgml.runPipeline(device, p, { input: x });
      const ref = await ortRun(path('encoder2_dyn'), { input: x });
      expect(relErr(got.output!.data, ref.output!.data), `seq ${s} (WGML_SEED=${seed})`).toBeLessThan(1e-4);
      p.destroy();
    }
  });
});

describe('planning a graph again', () => {
  it('gives the same weight tensors, folded and derived ones included (recomposed LayerNorm, folded BatchNorm)', async () => {
    const device = await testDevice();
    const bn = graph([f32('x', [1, 3, 8, 8])], [f32('y', [1, 4, 8, 8])], [
      node('Conv', ['x', 'w'], ['c'], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]) }),
      node('BatchNormalization', ['c', 'g', 'b', 'm', 'v'], ['y']),
    ], { w: rand([4, 3, 3, 3]), g: rand([4]), b: rand([4]), m: rand([4]), v: hostTensor('float32', [4], [1, 2, 3, 4]) });
    for (const g of [(await loadGraph(path('ln_mlp13'))).graph, bn]) {
      const a = planNetwork(device, g), b = planNetwork(device, g);
      expect(a.weights.length).toBeGreaterThan(0);
      // derived tensors are the very same objects (what lets large ones share an upload); the rest equal
      const derived = a.weights.filter((w) => /::(bnfold|layernorm)/.test(w.name));
      expect(derived.length).toBeGreaterThan(0);
      a.weights.forEach((w, i) => {
        if (derived.includes(w)) expect(b.weights[i]!.tensor.data, w.name).toBe(w.tensor.data);
        else expect(Array.from(b.weights[i]!.tensor.data), w.name).toEqual(Array.from(w.tensor.data));
      });
    }
  });
});

describe('ConvNeXt', () => {
  /** Dispatches of the nodes of one CNBlock (stage 2, block 2 of convnext_tiny). */
  const block = (p: Awaited<ReturnType<typeof plan>>) => p.dispatches.filter((d) => d.node.includes('features.3/features.3.1/')).length;

  it('a block runs in 6 dispatches (15 without the passes), and convnext_tiny matches onnxruntime', async () => {
    const before = block(await plan('convnext_tiny', false)), after = block(await plan('convnext_tiny'));
    console.log(`convnext block: ${before} → ${after} dispatches`);
    expect(before).toBeGreaterThanOrEqual(15); // a split-K GEMM adds a reduce kernel
    expect(after).toBeLessThanOrEqual(6);
    await againstOrt('convnext_tiny');
  }, 300_000);

  // TODO(lead): flip to it() once the `gemm` branch's epilogue pass folds the bias+GELU into the first
  // Linear and the bias (+ layer scale + residual) into the second: dwconv, LN, 2 GEMMs.
  it.fails('a block runs in ≤ 4 dispatches (issue #12: ConvNeXt at CNN speed)', async () => {
    expect(block(await plan('convnext_tiny'))).toBeLessThanOrEqual(4);
  });
});
