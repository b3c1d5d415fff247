/**
 * The attention kernels are declared (gpu/signature.ts), so issue #18's shared recording covers them: the
 * WGSL both binding modes generate for the fused kernel (q/k/v and the output as vec4 arrays: in shared
 * mode the heap binding is declared array<vec4<u32>> and every buffer on it addresses components), and
 * exported models whose attention runs under the network's one bind group — a padding mask read once
 * per key (HF BERT), causal attention skipping key blocks (torch 2.x's SDPA export), and
 * com.microsoft MultiHeadAttention's bias and mask kernels — against onnxruntime-node.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as wgml from '../src/index.js';
import { hostTensor, shapeSize, type AttrValue, type HostTensor, type Node } from '../src/ir/types.js';
import { inputViewAttr, OUTPUT_VIEW_ATTR, viewAttr, type View } from '../src/ir/view.js';
import { kernelWgsl } from '../src/gpu/signature.js';
import { loadGraph } from '../src/runtime/library.js';
import { scoped, testDevice } from './helpers/gpu.js';
import { groupsWgsl, planNode } from './helpers/declared.js';
import { relErr } from './helpers/ort.js';
import { randn, rng, testSeed } from './helpers/random.js';

const SCRIPT = 'scripts/export_attention.py';
const DIR = `test/.cache/attention-${createHash('sha256').update(readFileSync(SCRIPT)).digest('hex').slice(0, 10)}`;
const seed = testSeed();
const r = rng(seed);
const E = 32, S = 8;
const x = (shape: number[]) => hostTensor('float32', shape, randn(r, shapeSize(shape)));
const attnMask = () => hostTensor('int64', [2, S], Array.from({ length: 2 * S }, (_, i) => (i >= S && i % S >= S - 3 ? 0 : 1)));
const MODELS: Record<string, () => Record<string, HostTensor>> = {
  bert_o13: () => ({ x: x([2, S, E]), attention_mask: attnMask() }),
  sdpa_causal_o14: () => ({ q: x([2, 2, 6, 8]), k: x([2, 2, 6, 8]), v: x([2, 2, 6, 8]) }),
  ms_mha_causal_bias_ab: () => ({ q: x([2, 6, 32]), k: x([2, 6, 32]), v: x([2, 6, 32]), ab: x([2, 1, 6, 6]) }),
};

beforeAll(() => {
  const missing = Object.keys(MODELS).filter((m) => !existsSync(`${DIR}/${m}.onnx`));
  if (missing.length) execFileSync('/usr/bin/python3', [SCRIPT, DIR, ...missing], { stdio: ['ignore', 'inherit', 'ignore'] });
}, 300_000);

async function ort(path: string, inputs: Record<string, HostTensor>): Promise<Record<string, Float32Array>> {
  const o = await import('onnxruntime-node');
  const session = await o.InferenceSession.create(path, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
  const feeds: Record<string, InstanceType<typeof o.Tensor>> = {};
  for (const [k, v] of Object.entries(inputs)) {
    feeds[k] = v.dtype === 'int64' ? new o.Tensor('int64', BigInt64Array.from(Array.from(v.data, BigInt)), v.shape) : new o.Tensor('float32', Float32Array.from(v.data), v.shape);
  }
  const out = await session.run(feeds);
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Float32Array.from(v.data as Float32Array)]));
}

/** The shared bind group's bindings as the runtime declares them: a buffer read four at a time makes its binding vec4<u32>. */
const declarations = (wide: ReadonlySet<string>) => `@group(0) @binding(0) var<storage, read> wgml_params: array<u32>;
fn wgml_word(i: u32) -> u32 { return wgml_params[i]; }
@group(0) @binding(1) var<storage, read_write> wgml_heap: array<${wide.has('wgml_heap') ? 'vec4<u32>' : 'u32'}>;
@group(0) @binding(2) var<storage, read> wgml_weights: array<${wide.has('wgml_weights') ? 'vec4<u32>' : 'u32'}>;`;

describe('attention kernels, declared', () => {
  it('generate their declarations in both binding modes (packed q/k/v and the output as vec4s, causal with a finite fill), which compile', async () => {
    const B = 1, H = 2, Sq = 8, D = 8;
    const qkv = (w: number): View => ({ shape: [B, H, Sq, D], strides: [Sq * 3 * H * D, D, 3 * H * D, 1], offset: w * H * D });
    const attrs: Record<string, AttrValue> = { causal: { kind: 'int', value: 1 }, causal_fill: { kind: 'float', value: -3.4028234663852886e38 }, [inputViewAttr(0)]: viewAttr(qkv(0)), [inputViewAttr(1)]: viewAttr(qkv(1)), [inputViewAttr(2)]: viewAttr(qkv(2)), [OUTPUT_VIEW_ATTR]: viewAttr({ shape: [B, H, Sq, D], strides: [Sq * H * D, D, H * D, 1], offset: 0 }) };
    const node: Node = { name: 'attn', opType: 'Attention', domain: 'wgml', inputs: ['x', 'x', 'x'], outputs: ['y'], attrs };
    const xs = hostTensor('float32', [B, H, Sq, D], new Float32Array(B * H * Sq * D));
    const k = planNode(node, [xs, xs, xs], 1).kernels[0]!;
    expect(k.key).toBe('attention|16x32x8x32v4o4|none:f32|cfinite#K=Q#V=Q');
    expect(groupsWgsl(k)).toMatchSnapshot();
    const shared = kernelWgsl(k.sig!, 'ww', k.source!(), { kind: 'shared', declarations, bindings: ['wgml_heap', 'wgml_heap'] });
    expect(shared).toContain('wgml_heap: array<vec4<u32>>');
    expect(shared).toMatchSnapshot();
    // the finite-fill check branches on workgroup-uniform values only, also where P is a private copy
    const device = await testDevice();
    await scoped(device, () => device.createComputePipelineAsync({ layout: 'auto', compute: { module: device.createShaderModule({ code: shared }), entryPoint: 'main', constants: { wgml_params_at: 0 } } }));
  });

});

describe(`attention kernels under shared recording (WGML_SEED=${seed})`, () => {
  for (const [model, inputs] of Object.entries(MODELS)) {
    it(`${model}: attention under the network's shared bind group matches onnxruntime`, async () => {
      const device = await testDevice();
      const path = `${DIR}/${model}.onnx`;
      const ins = inputs();
      const graph = (await loadGraph(path)).graph;
      const dims = Object.fromEntries(Object.entries(ins).map(([k, v]) => [k, v.shape]));
      const pipeline = await wgml.createPipeline(device, graph, { inputDimensions: dims, recording: 'shared' });
      expect(pipeline.recording.mode).toBe('shared');
      const attention = pipeline.program.dispatches.map((d, i) => ({ d, i })).filter(({ d }) => /^(ms_)?attention/.test(d.kernel.name));
      expect(attention.length).toBeGreaterThan(0);
      // every attention dispatch binds the shared group: a parameter block of its own, no bind group
      for (const { d, i } of attention) expect(pipeline.shared?.plan.dispatches[i], d.kernel.name).toBeTruthy();
      let got: Record<string, HostTensor>;
      try { got = await wgml.runPipeline(device, pipeline, ins); } finally { pipeline.destroy(); }
      const want = await ort(path, ins);
      for (const [name, w] of Object.entries(want)) expect(relErr(got[name]!.data, w), `${model} '${name}'`).toBeLessThan(1e-4);
    }, 120_000);
  }
});
