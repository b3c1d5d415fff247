/**
 * The attention kernels are declared (gpu/signature.ts), so issue #18's shared recording covers them: the
 * WGSL both binding modes generate for the fused kernel (q/k/v and the output as vec4 arrays: in shared
 * mode the heap binding is declared array<vec4<u32>> and every buffer on it addresses components); each
 * variant run under one shared bind group (test/helpers/declared.ts: operands at offsets of the weights and
 * heap, parameter blocks at override offsets) against the op's CPU reference — packed q/k/v with several
 * rows per thread and a finite causal fill, a padding mask read once per key on the scalar path,
 * com.microsoft MultiHeadAttention's bias and mask kernels; and an exported model recorded shared end to
 * end against onnxruntime-node.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as wgml from '../src/index.js';
import { hostTensor, type AttrValue, type HostTensor, type Node } from '../src/ir/types.js';
import { inputViewAttr, OUTPUT_VIEW_ATTR, viewAttr, type View } from '../src/ir/view.js';
import { loadGraph } from '../src/runtime/library.js';
import { referenceNode } from '../src/runtime/single.js';
import { testDevice } from './helpers/gpu.js';
import { compileShared, groupsWgsl, planNode, runShared, sharedWgsl } from './helpers/declared.js';
import { relErr } from './helpers/ort.js';
import { compareClose, rng, testSeed, randomTensors } from './helpers/random.js';

const SCRIPT = 'scripts/export_attention.py';
const DIR = `test/.cache/attention-${createHash('sha256').update(readFileSync(SCRIPT)).digest('hex').slice(0, 10)}`;
const seed = testSeed();
const r = rng(seed);
const rand = randomTensors(r);
const ints = (value: number[]): AttrValue => ({ kind: 'ints', value });

/** q, k, v as views of one packed [B, S, 3, H, D] projection; the output written into [B, S, H, D]. */
function packed(B: number, H: number, S: number, D: number, attrs: Record<string, AttrValue>): Node {
  const qkv = (w: number): View => ({ shape: [B, H, S, D], strides: [S * 3 * H * D, D, 3 * H * D, 1], offset: w * H * D });
  const out: View = { shape: [B, H, S, D], strides: [S * H * D, D, H * D, 1], offset: 0 };
  return {
    name: 'attn', opType: 'Attention', domain: 'wgml', inputs: ['x', 'x', 'x'], outputs: ['y'],
    attrs: { ...attrs, [inputViewAttr(0)]: viewAttr(qkv(0)), [inputViewAttr(1)]: viewAttr(qkv(1)), [inputViewAttr(2)]: viewAttr(qkv(2)), [OUTPUT_VIEW_ATTR]: viewAttr(out) },
  };
}

async function matches(node: Node, ins: HostTensor[], opset = 1): Promise<void> {
  const want = referenceNode(node, ins, opset)[0]!;
  const [got] = await runShared(await testDevice(), node, ins, opset);
  expect(compareClose(got!.data, want.data, 1e-4, 1e-5), `${node.opType} ${JSON.stringify(node.attrs)}, seed ${seed}`).toBeNull();
}

describe('attention kernels, declared', () => {
  it('generate their declarations in both binding modes (packed q/k/v and the output as vec4s, causal with a finite fill), which compile', async () => {
    const node = packed(1, 2, 8, 8, { causal: { kind: 'int', value: 1 }, causal_fill: { kind: 'float', value: -3.4028234663852886e38 } });
    const x = rand([1, 8, 3, 2, 8]);
    const k = planNode(node, [x, x, x], 1).kernels[0]!;
    expect(k.key).toBe('attention|16x32x8x32v4o4|none:f32|cfinite#K=Q#V=Q');
    expect(groupsWgsl(k)).toMatchSnapshot();
    const shared = sharedWgsl(k);
    expect(shared).toContain('wgml_weights: array<vec4<u32>>');
    expect(shared).toMatchSnapshot();
    // the finite-fill check branches on workgroup-uniform values only, also where P is a private copy
    await compileShared(await testDevice(), k);
  });
});

describe(`attention kernels under one shared bind group (WGML_SEED=${seed})`, () => {
  it('packed q/k/v, two rows per thread, causal with finite fills (blocks skipped where exact, revisited where not)', async () => {
    const x = rand([2, 19, 3, 2, 8]);
    const cfg = { wgml_config: ints([16, 16, 8, 32, 2]) };
    await matches(packed(2, 2, 19, 8, { ...cfg, causal: { kind: 'int', value: 1 }, causal_fill: { kind: 'float', value: -3.4028234663852886e38 } }), [x, x, x]);
    await matches(packed(2, 2, 19, 8, { ...cfg, causal: { kind: 'int', value: 1 }, causal_fill: { kind: 'float', value: -1 } }), [x, x, x]);
  });

  it('head size off the vec4 grid with a boolean padding mask read once per key; four rows per thread with an additive mask', async () => {
    const keep = hostTensor('bool', [2, 1, 1, 13], Array.from({ length: 26 }, (_, i) => (i % 13 < 10 || i < 13 ? 1 : 0)));
    await matches({ name: 'attn', opType: 'Attention', domain: 'wgml', inputs: ['q', 'k', 'v', 'm'], outputs: ['y'], attrs: { mask_mode: { kind: 'string', value: 'keep' } } },
      [rand([2, 3, 7, 6]), rand([2, 3, 13, 6]), rand([2, 3, 13, 6]), keep]);
    await matches({ name: 'attn', opType: 'Attention', domain: 'wgml', inputs: ['q', 'k', 'v', 'm'], outputs: ['y'], attrs: { wgml_config: ints([16, 16, 4, 32, 4]) } },
      [rand([3, 21, 8]), rand([3, 18, 8]), rand([3, 18, 8]), rand([3, 21, 18], 2)]);
  });

  it('com.microsoft MultiHeadAttention: the bias kernel, the mask kernel and the attention kernel in one pass', async () => {
    const node: Node = { name: 'mha', opType: 'MultiHeadAttention', domain: 'com.microsoft', inputs: ['q', 'k', 'v', 'bias', 'mask'], outputs: ['y'], attrs: { num_heads: { kind: 'int', value: 2 } } };
    const mask = hostTensor('int32', [2, 5], [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    await matches(node, [rand([2, 4, 16]), rand([2, 5, 16]), rand([2, 5, 16]), rand([48]), mask]);
  });
});

describe(`attention recorded shared in a network (WGML_SEED=${seed})`, () => {
  beforeAll(() => {
    if (!existsSync(`${DIR}/bert_o13.onnx`)) execFileSync('/usr/bin/python3', [SCRIPT, DIR, 'bert_o13'], { stdio: ['ignore', 'inherit', 'ignore'] });
  }, 300_000);

  it('HF BERT (padding mask): every attention dispatch binds the shared group, outputs match onnxruntime', async () => {
    const device = await testDevice();
    const path = `${DIR}/bert_o13.onnx`;
    const ins = { x: rand([2, 8, 32]), attention_mask: hostTensor('int64', [2, 8], Array.from({ length: 16 }, (_, i) => (i >= 13 ? 0 : 1))) };
    const graph = (await loadGraph(path)).graph;
    const pipeline = await wgml.createPipeline(device, graph, { inputDimensions: { x: [2, 8, 32], attention_mask: [2, 8] }, recording: 'shared' });
    let got: Record<string, HostTensor>;
    try {
      expect(pipeline.recording.mode).toBe('shared');
      const attention = pipeline.program.dispatches.map((d, i) => ({ d, i })).filter(({ d }) => d.kernel.name.startsWith('attention'));
      expect(attention.length).toBe(2);
      for (const { d, i } of attention) expect(pipeline.shared?.plan.dispatches[i], d.kernel.name).toBeTruthy();
      got = await wgml.runPipeline(device, pipeline, ins);
    } finally { pipeline.destroy(); }
    const o = await import('onnxruntime-node');
    const session = await o.InferenceSession.create(path, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
    const out = await session.run({ x: new o.Tensor('float32', Float32Array.from(ins.x.data), ins.x.shape), attention_mask: new o.Tensor('int64', BigInt64Array.from(Array.from(ins.attention_mask.data, BigInt)), [2, 8]) });
    await session.release();
    for (const [name, w] of Object.entries(out)) expect(relErr(got[name]!.data, Float32Array.from(w.data as Float32Array)), name).toBeLessThan(1e-4);
  }, 120_000);
});
