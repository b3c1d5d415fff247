// Weights at their own width. On the GPU (runtime/half-weights.ts): which constants qualify, the packing, the
// accessors the kernels read them through, and whole models: a float16 model gives bit-identical outputs with its
// weights at half the bytes (both recordings), and 'f16' on float32 models stays near onnxruntime's outputs. In
// .wgml packages (runtime/package.ts): float16 and int8 initializers travel narrow, and come back the same.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import * as wgml from '../src/index.js';
import type { HostTensor } from '../src/ir/types.js';
import { halfBytes, halfEligible, MIN_ROUNDED, packHalf, roundedToHalf, withHalfBuffers } from '../src/runtime/half-weights.js';
import { f16BitsToF32, f32ToF16Bits } from '../src/tensor/dtype.js';
import { kernelWgsl, signature } from '../src/gpu/signature.js';
import { UsageError } from '../src/errors.js';
import { loadGraph } from '../src/runtime/library.js';
import { PACKAGE_VERSION } from '../src/runtime/package.js';
import { testDevice, scoped } from './helpers/gpu.js';
import { rng } from './helpers/random.js';
import { graph, node, f32 as f32Info, int } from './helpers/graph.js';
import { runCli } from './helpers/cli.js';
import { register as registerModels } from '../src/cli/models.js';
import { hostTensor } from '../src/ir/types.js';

const DIR = 'test/fixtures/coverage-2';
const f32 = (dtype: HostTensor['dtype'], values: number[]): HostTensor => ({ dtype, shape: [values.length], data: Float32Array.from(values) });
const halves = (n: number, seed: number) => { const r = rng(seed); return Array.from({ length: n }, () => f16BitsToF32(f32ToF16Bits((r() - 0.5) * 8))); };

describe('which constants are stored half', () => {
  it("'auto' takes the constants whose values are all float16 values, nothing else", () => {
    const h = halves(40, 1);
    expect(halfEligible(f32('float16', h), 'auto')).toBe(true);
    // a BatchNorm folded into float16 weights in f32 leaves values float16 cannot hold: kept f32
    expect(halfEligible(f32('float16', [...h.slice(0, 39), 0.1]), 'auto')).toBe(false);
    expect(halfEligible(f32('float32', h), 'auto')).toBe(true);     // e.g. a package written with --weights f16
    expect(halfEligible(f32('float32', [...h, NaN, Infinity]), 'auto')).toBe(true);
    expect(halfEligible(f32('float32', [0.1, ...h]), 'auto')).toBe(false);
    expect(halfEligible(f32('float16', h), 'f32')).toBe(false);
    expect(halfEligible({ dtype: 'int32', shape: [40], data: new Int32Array(40) }, 'f16')).toBe(false);
  });

  it("'f16' also rounds float32 constants, but not short ones or ones outside float16's range", () => {
    const r = rng(2), w = Array.from({ length: MIN_ROUNDED }, () => r() - 0.5);
    expect(halfEligible(f32('float32', w), 'f16')).toBe(true);
    expect(halfEligible(f32('float32', w.slice(1)), 'f16')).toBe(false);          // a scalar or small table
    expect(halfEligible(f32('float32', [...w, -1e9]), 'f16')).toBe(false);        // an additive mask
    expect(halfEligible(f32('float32', [...w, Infinity]), 'f16')).toBe(false);
    expect(halfEligible(f32('float32', [...w, 65504]), 'f16')).toBe(true);
  });

  it('packs two to a word, low half first, rounding to nearest', () => {
    const words = packHalf(f32('float32', [1, -2, 0.1, 65504, 3]));
    expect(words.length).toBe(3);
    expect(halfBytes(5)).toBe(12);
    expect(words[0]).toBe((0x3c00 | (0xc000 << 16)) >>> 0);
    expect(f16BitsToF32(words[1]! & 0xffff)).toBe(f16BitsToF32(f32ToF16Bits(0.1)));
    expect(words[1]! >>> 16).toBe(0x7bff);
    expect(words[2]).toBe(0x4200);
  });
});

describe('half-width accessors', () => {
  const sig = signature({ params: { n: 'u32' }, buffers: [{ name: 'W', elem: 'f32', vec4: true }, { name: 'Y', elem: 'f32', writes: true }] });
  const spec = withHalfBuffers({ name: 'k', key: 'k', sig, params: { n: 1 }, args: [{ input: 0 }, { output: 0 }], workgroups: [1, 1, 1], source: () => ({ body: '' }), uniforms: null }, new Set([0]));

  it('unpack element i from half i & 1 of word i >> 1, a vec4 from two words, in both bind modes', () => {
    expect(spec.key).toBe('k|half0');
    const groups = kernelWgsl(spec.sig, 'rw', { body: '' });
    expect(groups).toContain('var<storage, read> W: array<u32>;');
    expect(groups).toContain('fn W_ld(i: u32) -> f32 { return unpack2x16float(W[i >> 1u])[i & 1u]; }');
    expect(groups).toContain('fn W_ld4(j: u32) -> vec4<f32> { return vec4<f32>(unpack2x16float(W[2u * j]), unpack2x16float(W[2u * j + 1u])); }');
    const shared = kernelWgsl(spec.sig, 'rw', { body: '' }, { kind: 'shared', declarations: () => '', bindings: ['wgml_weights', 'wgml_heap'] });
    expect(shared).toContain('fn W_ld(i: u32) -> f32 { return unpack2x16float(wgml_weights[(W_at + i) >> 1u])[(W_at + i) & 1u]; }');
    expect(shared).toContain('unpack2x16float(wgml_weights[(W_at >> 1u) + 2u * j])');
  });

  it('refuse a half buffer the kernel writes or binds writable', () => {
    expect(() => kernelWgsl(spec.sig, 'ww', { body: '' })).toThrow(/half-width/);
  });
});

interface Case { model: string; inputs: Record<string, { dtype: string; shape: number[]; data: number[] }>; outputs: Record<string, { data: number[] }> }
const load = (name: string) => JSON.parse(readFileSync(`${DIR}/${name}.json`, 'utf8')) as Case;
const hostInputs = (c: Case): Record<string, HostTensor> => Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, {
  dtype: v.dtype as HostTensor['dtype'], shape: v.shape, data: v.dtype.startsWith('float') ? Float32Array.from(v.data) : Int32Array.from(v.data),
}]));

/** Bytes of the weights themselves (weightsBytes also counts the padding to 256-byte offsets, most of a tiny model's). */
async function weightsBytes(device: GPUDevice, c: Case, weights: wgml.PipelineOptions['weights']): Promise<number> {
  const lib = await wgml.loadLibrary(device, `${DIR}/${c.model}`);
  const inputDimensions = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, v.shape]));
  const p = await wgml.createPipeline(device, lib.function('main'), { inputDimensions, weights });
  const bytes = p.program.weights.reduce((a, w) => a + (w.half ? halfBytes(w.tensor.data.length) : 4 * w.tensor.data.length), 0);
  p.destroy();
  return bytes;
}

describe('whole models with half-width weights', () => {
  for (const name of ['cnn_f16', 'transformer_f16', 'gpt2_legacy_f16_p5']) {
    it(`${name}: float16 weights at half the bytes, outputs bit-identical to f32 weights`, async () => {
      const device = await testDevice();
      const c = load(name);
      const [full, half] = [await weightsBytes(device, c, 'f32'), await weightsBytes(device, c, 'auto')];
      expect(half).toBeLessThan(0.51 * full);
      await scoped(device, async () => {
        const ref = await wgml.runModel(device, `${DIR}/${c.model}`, hostInputs(c), { weights: 'f32', recording: 'groups' });
        // GPT-2 with its KV cache has 11 inputs and outputs: shared recording needs 14 storage bindings, over
        // SwiftShader's 12, so it runs in groups alone
        for (const recording of name.startsWith('gpt2') ? ['groups'] as const : ['groups', 'shared'] as const) {
          const got = await wgml.runModel(device, `${DIR}/${c.model}`, hostInputs(c), { weights: 'auto', recording });
          for (const [k, t] of Object.entries(ref)) expect(Array.from(got[k]!.data), `${name} ${recording} ${k}`).toEqual(Array.from(t.data));
        }
      });
    });
  }

  for (const name of ['unet_block_8x8', 'whisper_encoder_19']) {
    it(`${name}: 'f16' rounds float32 weights, about halving them, and stays within 1e-2 of onnxruntime`, async () => {
      const device = await testDevice();
      const c = load(name);
      const [full, half] = [await weightsBytes(device, c, 'f32'), await weightsBytes(device, c, 'f16')];
      expect(half).toBeLessThan(0.53 * full);
      const got = await scoped(device, () => wgml.runModel(device, `${DIR}/${c.model}`, hostInputs(c), { weights: 'f16' }));
      for (const [k, ref] of Object.entries(c.outputs)) {
        const a = got[k]!.data, scale = Math.max(...ref.data.map(Math.abs));
        const err = Math.max(...ref.data.map((v, i) => Math.abs(a[i]! - v))) / scale;
        console.log(`${name} ${k}: max|wgml − onnxruntime| / max|onnxruntime| = ${err.toExponential(2)} with float16 weights`);
        expect(err, `${name} ${k}`).toBeLessThan(1e-2);
        expect(err, `${name} ${k}: rounding happened`).toBeGreaterThan(1e-6);
      }
    });
  }

  it('split-K GEMMs and convolutions, their two dispatches in one module (pairs), read half weights as f32 ones, in both recordings', async () => {
    const device = await testDevice();
    const K = 4096, r = rng(11), w = (n: number, s: number) => Float32Array.from({ length: n }, () => f16BitsToF32(f32ToF16Bits((r() - 0.5) * s)));
    const g = graph([f32Info('x', [8, K]), f32Info('img', [1, 256, 8, 8])], [f32Info('y', [8, 64]), f32Info('z', [1, 64, 8, 8])], [
      node('MatMul', ['x', 'W'], ['y']),
      node('Conv', ['img', 'C'], ['z'], { kernel_shape: { kind: 'ints', value: [3, 3] }, pads: { kind: 'ints', value: [1, 1, 1, 1] } }),
    ], { W: { dtype: 'float32', shape: [K, 64], data: w(K * 64, 1) }, C: { dtype: 'float32', shape: [64, 256, 3, 3], data: w(64 * 256 * 9, 0.1) } });
    const inputs = { x: hostTensor('float32', [8, K], Array.from({ length: 8 * K }, () => r() - 0.5)), img: hostTensor('float32', [1, 256, 8, 8], Array.from({ length: 256 * 64 }, () => r() - 0.5)) };
    const p = await wgml.createPipeline(device, g, { splitKPairs: 'all' });
    expect(p.program.dispatches.map((d) => d.kernel.name).filter((n) => /splitk|reduce/.test(n)).length, 'split-K GEMMs').toBeGreaterThanOrEqual(2);
    expect(p.program.weights.filter((x) => x.half).map((x) => x.name).sort()).toEqual(['C', 'W']);
    p.destroy();
    await scoped(device, async () => {
      for (const recording of ['groups', 'shared'] as const) {
        const [a, b] = [await wgml.runModel(device, g, inputs, { weights: 'f32', splitKPairs: 'all', recording }), await wgml.runModel(device, g, inputs, { splitKPairs: 'all', recording })];
        for (const k of ['y', 'z']) expect(Array.from(b[k]!.data), `${recording} ${k}`).toEqual(Array.from(a[k]!.data));
      }
    });
  });

  it('wgml inspect --weights says how many tensors are at half width and what the weights take', async () => {
    const args = ['inspect', `${DIR}/whisper_encoder.onnx`, '--dims', 'mel=2x16x19', '--json'];
    const [full, half] = [JSON.parse((await runCli(registerModels, [...args, '--weights', 'f32'])).out), JSON.parse((await runCli(registerModels, [...args, '--weights', 'f16'])).out)];
    expect(full.halfWeightTensors).toBe(0);
    expect(half.halfWeightTensors).toBeGreaterThan(0.5 * half.weightTensors);
    expect(half.weightsBytes).toBeLessThan(full.weightsBytes);
  });

  it('an unknown weights option is refused by name', async () => {
    const device = await testDevice();
    const lib = await wgml.loadLibrary(device, `${DIR}/cnn_f16.onnx`);
    await expect(wgml.createPipeline(device, lib.function('main'), { weights: 'bf16' as never })).rejects.toThrow(UsageError);
  });
});

/** A dynamically quantized MLP layer (onnxruntime's quantize_dynamic form) with int8 weights as an initializer and in a Constant node. */
function quantizedLayer(): wgml.Graph {
  const r = rng(7), q = (n: number) => Int32Array.from({ length: n }, () => Math.round((r() - 0.5) * 250));
  const t = (dtype: HostTensor['dtype'], shape: number[], data: ArrayLike<number>): HostTensor => ({ dtype, shape, data: dtype === 'float32' ? Float32Array.from(data) : Int32Array.from(data) });
  return graph([f32Info('x', [4, 64])], [f32Info('y', [4, 32])], [
    node('DynamicQuantizeLinear', ['x'], ['xq', 'xs', 'xz']),
    node('MatMulInteger', ['xq', 'W', 'xz'], ['h']),
    node('Constant', [], ['W2'], { value: { kind: 'tensor', value: t('int8', [64, 32], q(2048)) } }),
    node('Cast', ['h'], ['hf'], { to: int(1) }),
    node('Mul', ['hf', 'xs'], ['hs']),
    node('DynamicQuantizeLinear', ['hs'], ['hq', 'hsc', 'hz']),
    node('MatMulInteger', ['hq', 'W2', 'hz'], ['y32']),
    node('Cast', ['y32'], ['yf'], { to: int(1) }),
    node('Mul', ['yf', 'hsc'], ['y']),
  ], { W: t('int8', [64, 64], q(4096)) });
}

describe('.wgml packages keep initializers at their own width', () => {
  it('float16 and int8 weights travel narrow (initializers and Constant nodes), and load back the same values and outputs', async () => {
    const device = await testDevice();
    const { graph: f16 } = await loadGraph(`${DIR}/cnn_f16.onnx`);
    const f16Values = [...f16.initializers.values()].reduce((a, t) => a + t.data.length, 0);
    for (const [g, valueBytes, inputs] of [
      [f16, 2 * f16Values, hostInputs(load('cnn_f16'))],
      [quantizedLayer(), 4096 + 2048, { x: hostTensor('float32', [4, 64], Array.from({ length: 256 }, (_, i) => Math.sin(i))) }],
    ] as const) {
      const bytes = wgml.writePackage(g);
      expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true)).toBe(PACKAGE_VERSION);
      // the values at their own width, plus the manifest (the graph as JSON; inline tensors in base64)
      expect(bytes.length, `${g.name}: package ${bytes.length} B for ${valueBytes} B of values`).toBeLessThan(1.4 * valueBytes + 4000);
      const back = (await wgml.loadLibrary(device, bytes)).function('main').graph;
      for (const [name, t] of g.initializers) {
        const u = back.initializers.get(name)!;
        expect([u.dtype, u.shape, Array.from(u.data)], name).toEqual([t.dtype, t.shape, Array.from(t.data)]);
      }
      const [a, b] = [await wgml.runModel(device, g, inputs), await wgml.runModel(device, back, inputs)];
      for (const [k, t] of Object.entries(a)) expect(Array.from(b[k]!.data), k).toEqual(Array.from(t.data));
    }
  });
  it('`wgml convert --weights f16` halves a float32 model\'s package; loaded, it runs as weights: \'f16\' does, at half the weights', async () => {
    const device = await testDevice();
    const c = load('whisper_encoder_19'), path = `${DIR}/${c.model}`;
    const { graph: g } = await loadGraph(path);
    const rounded = { ...g, initializers: new Map([...g.initializers].map(([k, t]) => [k, roundedToHalf(t)])) };
    const [full, half] = [wgml.writePackage(g), wgml.writePackage(rounded)];
    const values = [...g.initializers.values()].reduce((a, t) => a + t.data.length, 0);
    expect(full.length - half.length, 'two bytes fewer a weight').toBeGreaterThan(1.8 * values);
    const lib = await wgml.loadLibrary(device, half);
    const inputDimensions = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, v.shape]));
    const p = await wgml.createPipeline(device, lib.function('main'), { inputDimensions });
    const payload = p.program.weights.reduce((a, w) => a + (w.half ? halfBytes(w.tensor.data.length) : 4 * w.tensor.data.length), 0);
    expect(payload).toBeLessThan(0.55 * (await weightsBytes(device, c, 'f32')));
    p.destroy();
    const [a, b] = [await wgml.runModel(device, path, hostInputs(c), { weights: 'f16' }), await wgml.runModel(device, half, hostInputs(c))];
    for (const [k, t] of Object.entries(a)) expect(Array.from(b[k]!.data), k).toEqual(Array.from(t.data));
  });

  it('version 1 packages (every value a 32-bit word) still load', async () => {
    const device = await testDevice();
    const { graph } = await loadGraph(`${DIR}/whisper_encoder.onnx`);
    const bytes = wgml.writePackage(graph); // float32 only: the same bytes as version 1 but for the version
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(4, 1, true);
    const back = (await wgml.loadLibrary(device, bytes)).function('main').graph;
    expect(back.initializers.size).toBe(graph.initializers.size);
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(4, PACKAGE_VERSION + 1, true);
    await expect(wgml.loadLibrary(device, bytes)).rejects.toThrow(/format version/);
  });
});
