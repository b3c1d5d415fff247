/**
 * com.microsoft Attention and MultiHeadAttention (ops/linalg/attention-ms.ts) against onnxruntime-node:
 * every mask_index form its CPU kernel has ([B] lengths, [2B] end/start, [B, T], [B, S, T]),
 * unidirectional, attention_bias broadcast over batch or heads, a custom scale and mask_filter_value,
 * qkv_hidden_sizes with a narrower V, MultiHeadAttention's bias, cross-attention and [B, N, L, H]
 * key/value. The packed QKV / KV layouts, which onnxruntime's CPU kernel lacks, are checked against
 * onnxruntime on the same data unpacked. Models: scripts/export_attention.py (onnx.helper).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as wgml from '../src/index.js';
import { loadGraph } from '../src/runtime/library.js';
import { referenceNode } from '../src/runtime/single.js';
import type { Graph, HostTensor } from '../src/ir/types.js';
import { hostTensor, shapeSize } from '../src/ir/types.js';
import { testDevice } from './helpers/gpu.js';
import { relErr } from './helpers/ort.js';
import { randn, rng, testSeed } from './helpers/random.js';

const SCRIPT = 'scripts/export_attention.py';
const DIR = `test/.cache/attention-${createHash('sha256').update(readFileSync(SCRIPT)).digest('hex').slice(0, 10)}`;
const seed = testSeed();
const r = rng(seed);
const B = 2, S = 6, L = 9, N = 4, H = 8, D = 32;
const f = (shape: number[]) => hostTensor('float32', shape, randn(r, shapeSize(shape)));
const i32 = (shape: number[], v: number[]) => hostTensor('int32', shape, v);
/** 0/1 rows with at least their first key kept. */
const bits = (shape: number[]) => i32(shape, Array.from({ length: shapeSize(shape) }, (_, k) => (k % shape[shape.length - 1]! === 0 || r() > 0.35 ? 1 : 0)));

const CASES: Record<string, () => Record<string, HostTensor>> = {
  ms_attention_raw2d: () => ({ x: f([B, S, D]), mask: i32([B, S], [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]) }),
  ms_attention_lengths_causal: () => ({ x: f([B, S, D]), mask: i32([B], [6, 3]) }),
  ms_attention_endstart_bias: () => ({ x: f([B, S, D]), mask: i32([2 * B], [6, 4, 0, 1]), ab: f([1, N, S, S]) }),
  ms_attention_qkv_sizes_3d: () => ({ x: f([B, S, D]), mask: bits([B, S, S]) }),
  ms_mha_cross_bias: () => ({ q: f([B, S, D]), k: f([B, L, D]), v: f([B, L, D]), mask: bits([B, L]) }),
  ms_mha_causal_bias_ab: () => ({ q: f([B, S, D]), k: f([B, S, D]), v: f([B, S, D]), ab: f([B, 1, S, S]) }),
  ms_mha_bnsh: () => ({ q: f([B, S, D]), k: f([B, N, L, H]), v: f([B, N, L, H]), mask: bits([B, S, L]) }),
};
const PACKED = ['ms_mha_packed_qkv', 'ms_mha_packed_kv', 'ms_mha_plain', 'ms_mha_plain_cross_lengths'];

beforeAll(() => {
  const missing = [...Object.keys(CASES), ...PACKED].filter((m) => !existsSync(`${DIR}/${m}.onnx`));
  if (missing.length) execFileSync('/usr/bin/python3', [SCRIPT, DIR, ...missing], { stdio: ['ignore', 'inherit', 'ignore'] });
}, 300_000);

async function ort(path: string, inputs: Record<string, HostTensor>): Promise<Float32Array> {
  const o = await import('onnxruntime-node');
  const session = await o.InferenceSession.create(path, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
  const feeds: Record<string, InstanceType<typeof o.Tensor>> = {};
  for (const [k, v] of Object.entries(inputs)) feeds[k] = v.dtype === 'int32' ? new o.Tensor('int32', Int32Array.from(v.data), v.shape) : new o.Tensor('float32', Float32Array.from(v.data), v.shape);
  const out = await session.run(feeds);
  await session.release();
  return Float32Array.from(out.y!.data as Float32Array);
}

/** The node's CPU reference on the model's initializers and these inputs. */
function cpu(g: Graph, inputs: Record<string, HostTensor>): HostTensor {
  const n = g.nodes[0]!;
  const vals = new Map<string, HostTensor>([...g.initializers, ...Object.entries(inputs)]);
  return referenceNode(n, n.inputs.map((x) => (x ? vals.get(x)! : null)), 1)[0]!;
}

/** [B, L, N, k, H] → the k-th of the packed tensors as [B, L, N·H]. */
function unpack(t: HostTensor, k: number): HostTensor {
  const [b, l, n, m, h] = t.shape as [number, number, number, number, number];
  const out = new Float32Array(b * l * n * h);
  for (let i = 0; i < b * l * n; i++) for (let d = 0; d < h; d++) out[i * h + d] = t.data[(i * m + k) * h + d]!;
  return hostTensor('float32', [b, l, n * h], out);
}

describe(`com.microsoft attention ops (WGML_SEED=${seed})`, () => {
  for (const [model, make] of Object.entries(CASES)) {
    it(`${model}: GPU and CPU reference match onnxruntime`, async () => {
      const path = `${DIR}/${model}.onnx`;
      const inputs = make();
      const g = (await loadGraph(path)).graph;
      const want = await ort(path, inputs);
      expect(relErr(cpu(g, inputs).data, want), 'reference').toBeLessThan(1e-5);
      const got = await wgml.runModel(await testDevice(), g, inputs);
      expect(relErr(got.y!.data, want), 'GPU').toBeLessThan(1e-4);
    });
  }

  it('MultiHeadAttention with packed [B, S, N, 3, H] QKV and packed [B, L, N, 2, H] KV equals onnxruntime on the unpacked tensors', async () => {
    const device = await testDevice();
    const qkv = f([B, S, N, 3, H]);
    const a = await wgml.runModel(device, (await loadGraph(`${DIR}/ms_mha_packed_qkv.onnx`)).graph, { qkv });
    expect(relErr(a.y!.data, await ort(`${DIR}/ms_mha_plain.onnx`, { q: unpack(qkv, 0), k: unpack(qkv, 1), v: unpack(qkv, 2) }))).toBeLessThan(1e-4);
    const q = f([B, S, D]), kv = f([B, L, N, 2, H]), mask = i32([B], [9, 5]);
    const b = await wgml.runModel(device, (await loadGraph(`${DIR}/ms_mha_packed_kv.onnx`)).graph, { q, kv, mask });
    expect(relErr(b.y!.data, await ort(`${DIR}/ms_mha_plain_cross_lengths.onnx`, { q, k: unpack(kv, 0), v: unpack(kv, 1), mask }))).toBeLessThan(1e-4);
  });

  it('refuses past state, present outputs and 4-D masks with the reason, naming the node', async () => {
    const g = (await loadGraph(`${DIR}/ms_attention_raw2d.onnx`)).graph;
    const withPast: Graph = { ...g, inputs: [...g.inputs, { name: 'past', dtype: 'float32', shape: [2, B, N, 3, H] }], nodes: [{ ...g.nodes[0]!, inputs: ['x', 'w', 'b', 'mask', 'past'] }] };
    await expect(wgml.runModel(await testDevice(), withPast, { x: f([B, S, D]), mask: i32([B, S], Array(B * S).fill(1)), past: f([2, B, N, 3, H]) }))
      .rejects.toThrow(/node 'Attention#0' \(Attention\): input 4 \(past state\) is not supported/);
    const present: Graph = { ...g, nodes: [{ ...g.nodes[0]!, outputs: ['y', 'present'] }] };
    await expect(wgml.runModel(await testDevice(), present, { x: f([B, S, D]), mask: i32([B, S], Array(B * S).fill(1)) }))
      .rejects.toThrow(/output 1 \(present state \/ qk\) is not supported/);
    const m4: Graph = { ...g, inputs: g.inputs.map((i) => (i.name === 'mask' ? { ...i, shape: [B, 1, S, S] } : i)) };
    await expect(wgml.runModel(await testDevice(), m4, { x: f([B, S, D]), mask: i32([B, 1, S, S], Array(B * S * S).fill(1)) }))
      .rejects.toThrow(/4-D Megatron masks/);
  });
});
