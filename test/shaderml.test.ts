import { describe, it, expect } from 'vitest';
import { ShaderMLP, type MlpWgsl } from '../src/shaderml/mlp.js';
import { subgroupSupport } from '../src/shaderml/subgroup.js';
import { forwardInt8 } from '../src/shaderml/quant.js';
import { MlpDimensionError, ShaderMLFeatureError, WeightFileError } from '../src/shaderml/errors.js';
import { requestDevice } from '../src/gpu/device.js';
import { readSafetensors, writeSafetensors } from '../src/tensor/safetensors.js';
import { roundHalf } from '../src/shaderml/half.js';
import type { Activation } from '../src/shaderml/activations.js';
import { resolveWgsl } from '../src/gpu/wgsl.js';
import { testDevice, scoped, computeOnce, hasF16 } from './helpers/gpu.js';
import { rng, randn, compareClose, testSeed } from './helpers/random.js';

const SIZES = [5, 12, 7, 3];
const ACT_SETS: Activation[][] = [['silu', 'tanh', 'sine'], ['relu', 'leaky_relu', 'sigmoid']];

function buffer(device: GPUDevice, data: Float32Array, usage: number): GPUBuffer {
  const b = device.createBuffer({ label: 'test', size: data.byteLength, usage, mappedAtCreation: true });
  new Float32Array(b.getMappedRange()).set(data);
  b.unmap();
  return b;
}

const readRow = (n: number) => `fn read_x(r: u32) -> array<f32, ${n}> { var x: array<f32, ${n}>; for (var i = 0u; i < ${n}u; i++) { x[i] = X[r * ${n}u + i]; } return x; }`;

/** Evaluate the MLP per invocation in a compute shader (workgroup 32, lane = local index). */
async function runCompute(device: GPUDevice, mlp: ShaderMLP, net: MlpWgsl, x: Float32Array): Promise<Float32Array> {
  const rows = x.length / mlp.inputs, OUT = mlp.outputs;
  const call = net.signature.includes('lane') ? `${net.name}(read_x(r), lid)` : `${net.name}(read_x(r))`;
  const code = resolveWgsl({
    bindings: [{ name: 'X', kind: 'read', type: 'array<f32>' }, { name: 'Y', kind: 'read_write', type: 'array<f32>' }],
    requires: [net.module],
    body: `${readRow(mlp.inputs)}
@compute @workgroup_size(32) fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = min(wg.x * 32u + lid, ${rows - 1}u); // no early return: subgroup scope needs the whole workgroup
  let y = ${call};
  if (wg.x * 32u + lid < ${rows}u) { for (var o = 0u; o < ${OUT}u; o++) { Y[r * ${OUT}u + o] = y[o]; } }
}`,
  });
  return computeOnce(device, code, x, rows * OUT, Math.ceil(rows / 32), net);
}

/** Rows of X through the network in the vertex stage, one point per row, outputs as flat varyings. */
function vertexProgram(net: MlpWgsl, N: number): string {
  return resolveWgsl({ bindings: [{ name: 'X', kind: 'read', type: 'array<f32>' }], requires: [net.module], body: `${readRow(SIZES[0]!)}
struct V { @builtin(position) pos: vec4<f32>, @location(0) @interpolate(flat) y: vec4<f32> }
@vertex fn vs(@builtin(vertex_index) i: u32) -> V {
  let y = ${net.name}(read_x(i));
  return V(vec4((f32(i) + 0.5) / ${N}.0 * 2.0 - 1.0, 0.0, 0.0, 1.0), vec4(y[0], y[1], y[2], 1.0));
}
@fragment fn fs(v: V) -> @location(0) vec4<f32> { return v.y; }` });
}

/** Render a W×H rgba32float target with `fs`/`vs` code; returns rows of 4 floats per pixel. */
async function render(device: GPUDevice, code: string, W: number, H: number, net: MlpWgsl, xb: GPUBuffer, visibility: number, vertices: number, topology: GPUPrimitiveTopology): Promise<Float32Array> {
  return scoped(device, async () => {
    const tex = device.createTexture({ size: [W, H], format: 'rgba32float', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
    const l0 = device.createBindGroupLayout({ entries: [{ binding: 0, visibility, buffer: { type: 'read-only-storage' } }] });
    const l1 = device.createBindGroupLayout({ entries: net.layoutEntries(visibility) });
    const module = device.createShaderModule({ code });
    const pipe = await device.createRenderPipelineAsync({
      layout: device.createPipelineLayout({ bindGroupLayouts: [l0, l1] }),
      vertex: { module, entryPoint: 'vs' }, fragment: { module, entryPoint: 'fs', targets: [{ format: 'rgba32float' }] }, primitive: { topology },
    });
    const enc = device.createCommandEncoder();
    const pass = enc.beginRenderPass({ colorAttachments: [{ view: tex.createView(), loadOp: 'clear', storeOp: 'store', clearValue: [0, 0, 0, 0] }] });
    pass.setPipeline(pipe);
    pass.setBindGroup(0, device.createBindGroup({ layout: l0, entries: [{ binding: 0, resource: { buffer: xb } }] }));
    pass.setBindGroup(1, device.createBindGroup({ layout: l1, entries: net.bindGroupEntries(device) }));
    pass.draw(vertices);
    pass.end();
    const bpr = Math.ceil((W * 16) / 256) * 256;
    const rb = device.createBuffer({ size: bpr * H, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    enc.copyTextureToBuffer({ texture: tex }, { buffer: rb, bytesPerRow: bpr }, [W, H]);
    device.queue.submit([enc.finish()]);
    await rb.mapAsync(GPUMapMode.READ);
    const all = new Float32Array(rb.getMappedRange().slice(0));
    rb.unmap();
    const out = new Float32Array(W * H * 4);
    for (let y = 0; y < H; y++) out.set(all.subarray((y * bpr) / 4, (y * bpr) / 4 + W * 4), y * W * 4);
    return out;
  });
}

function firstOutputs(y: Float32Array, rows: number, n: number): Float32Array {
  const o = new Float32Array(rows * 4);
  for (let r = 0; r < rows; r++) { for (let i = 0; i < Math.min(n, 3); i++) o[r * 4 + i] = y[r * n + i]!; o[r * 4 + 3] = 1; }
  return o;
}

function reference(mlp: ShaderMLP, x: Float32Array, precision: 'f32' | 'f16'): Float32Array {
  if (precision === 'f32') return mlp.forward(x);
  const h = ShaderMLP.fromLayers([...mlp.sizes], mlp.layers.map((l) => ({ weight: roundHalf(l.weight), bias: roundHalf(l.bias) })), mlp.layers.map((l) => l.activation));
  return h.forward(roundHalf(x));
}
// f16 arithmetic: ~1e-3 relative per op, accumulated over up to 12 terms and 3 layers.
const TOL = { f32: [1e-4, 2e-5], f16: [2e-2, 2e-2] } as const;
const F16 = await hasF16();

describe('ShaderMLP thread scope', () => {
  const seed = testSeed();
  for (const precision of ['f32', 'f16'] as const) {
    for (const storage of ['buffer', 'inline', 'constants', 'uniform'] as const) {
      it.skipIf(precision === 'f16' && !F16)(`compute stage, ${precision}, ${storage} weights, every activation (seed ${seed})`, async () => {
        const device = await testDevice();
        for (const [k, acts] of ACT_SETS.entries()) {
          const mlp = ShaderMLP.random(SIZES, acts, seed + k);
          const x = randn(rng(seed + 10 + k), 40 * SIZES[0]!);
          const net = mlp.wgsl({ name: 'net', precision, storage, device });
          expect(net.precision).toBe(precision);
          const got = await runCompute(device, mlp, net, x);
          const [rt, at] = TOL[precision];
          expect(compareClose(got, reference(mlp, x, precision), rt, at), `acts ${acts}`).toBeNull();
        }
      });
    }
  }

  it(`fragment stage: each pixel evaluates the MLP on its own inputs (seed ${seed})`, async () => {
    const device = await testDevice();
    const W = 16, H = 4, mlp = ShaderMLP.random(SIZES, ACT_SETS[0]!, seed + 3);
    const x = randn(rng(seed + 4), W * H * SIZES[0]!);
    for (const precision of F16 ? ['f32', 'f16'] as const : ['f32'] as const) {
      const net = mlp.wgsl({ name: 'shade', precision, device, group: 1 });
      const code = resolveWgsl({ bindings: [{ name: 'X', kind: 'read', type: 'array<f32>' }], requires: [net.module], body: `${readRow(SIZES[0]!)}
@vertex fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4<f32> { let p = array(vec2(-1.0, -1.0), vec2(3.0, -1.0), vec2(-1.0, 3.0)); return vec4(p[i], 0.0, 1.0); }
@fragment fn fs(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
  let r = u32(pos.y) * ${W}u + u32(pos.x);
  let y = shade(read_x(r));
  return vec4(y[0], y[1], y[2], 1.0);
}` });
      const got = await render(device, code, W, H, net, buffer(device, x, GPUBufferUsage.STORAGE), GPUShaderStage.FRAGMENT, 3, 'triangle-list');
      const [rt, at] = TOL[precision];
      expect(compareClose(got, firstOutputs(reference(mlp, x, precision), W * H, 3), rt, at), precision).toBeNull();
    }
  });

  it('f16 without shader-f16: refused by name, and auto takes f32', async () => {
    const noF16 = await requestDevice({ disableFeatures: ['shader-f16'], quiet: true });
    const mlp = ShaderMLP.random(SIZES, ACT_SETS[0]!, seed);
    let err: unknown;
    try { mlp.wgsl({ name: 'net', precision: 'f16', device: noF16 }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ShaderMLFeatureError);
    expect(String((err as Error).message)).toContain("'net': precision f16 needs the shader-f16 feature");
    expect(mlp.wgsl({ name: 'net', precision: 'auto', device: noF16 }).precision).toBe('f32');
    noF16.destroy();
  });

  it(`vertex stage: each vertex evaluates the MLP, results reach the target as flat varyings (seed ${seed})`, async () => {
    const device = await testDevice();
    const N = 32, mlp = ShaderMLP.random(SIZES, ACT_SETS[1]!, seed + 5);
    const x = randn(rng(seed + 6), N * SIZES[0]!);
    for (const storage of ['buffer', 'inline', 'constants', 'uniform'] as const) {
      const net = mlp.wgsl({ name: 'vnet', storage, device, group: 1 });
      const code = vertexProgram(net, N);
      const got = await render(device, code, N, 1, net, buffer(device, x, GPUBufferUsage.STORAGE), GPUShaderStage.VERTEX, N, 'point-list');
      expect(compareClose(got, firstOutputs(mlp.forward(x), N, 3), ...TOL.f32), storage).toBeNull();
    }
  });
});

/**
 * int8 agreement: the kernels round half to even with a fused scale and keep biases of fast layers in
 * accumulator units; forwardInt8 rounds half away from zero in f64. A tie broken differently moves one
 * hidden activation by one step, which moves an output by a fraction of the output's own int8 step
 * (range/127; up to 1.09 of it over 30 seeds). So: every output within two such steps, and on
 * average within a tenth of one.
 */
function expectInt8Close(got: Float32Array, ref: Float32Array, what: string): void {
  const step = Math.max(...ref.map(Math.abs), 1e-6) / 127;
  const err = got.map((v, i) => Math.abs(v - ref[i]!) / step);
  expect(Math.max(...err), `${what}: worst error in output int8 steps`).toBeLessThan(2);
  expect(err.reduce((a, e) => a + e, 0) / err.length, `${what}: mean error in output int8 steps`).toBeLessThan(0.1);
}

describe('ShaderMLP int8 thread scope (dot4I8Packed)', () => {
  const seed = testSeed();
  for (const storage of ['constants', 'buffer'] as const) {
    it(`compute stage, ${storage} weights, every activation, against the CPU int8 reference (seed ${seed})`, async () => {
      const device = await testDevice();
      for (const [k, acts] of ACT_SETS.entries()) {
        const mlp = ShaderMLP.random(SIZES, acts, seed + k);
        const x = randn(rng(seed + 10 + k), 64 * SIZES[0]!).map((v) => v * 0.5 + 0.8); // off-centre: a non-zero input zero point
        mlp.calibrate(x);
        const net = mlp.wgsl({ name: 'net', precision: 'int8', storage, device });
        expect([net.precision, net.scope]).toEqual(['int8', 'thread']);
        const got = await runCompute(device, mlp, net, x);
        expectInt8Close(got, forwardInt8(mlp, x), `acts ${acts}`);
        // And it is a quantized version of the float network, not something else.
        const f = mlp.forward(x), scale = Math.max(...f.map(Math.abs));
        expect(Math.max(...got.map((v, i) => Math.abs(v - f[i]!))) / scale, `acts ${acts} vs f32`).toBeLessThan(0.15);
      }
    });
  }

  it(`fragment and vertex stages (seed ${seed})`, async () => {
    const device = await testDevice();
    const W = 16, H = 4, mlp = ShaderMLP.random(SIZES, ACT_SETS[1]!, seed + 3);
    const x = randn(rng(seed + 4), W * H * SIZES[0]!).map((v) => v + 1);
    mlp.calibrate(x);
    const ref = firstOutputs(forwardInt8(mlp, x), W * H, 3);
    const net = mlp.wgsl({ name: 'shade', precision: 'int8', device, group: 1 });
    const fcode = resolveWgsl({ bindings: [{ name: 'X', kind: 'read', type: 'array<f32>' }], requires: [net.module], body: `${readRow(SIZES[0]!)}
@vertex fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4<f32> { let p = array(vec2(-1.0, -1.0), vec2(3.0, -1.0), vec2(-1.0, 3.0)); return vec4(p[i], 0.0, 1.0); }
@fragment fn fs(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
  let y = shade(read_x(u32(pos.y) * ${W}u + u32(pos.x)));
  return vec4(y[0], y[1], y[2], 1.0);
}` });
    expectInt8Close(await render(device, fcode, W, H, net, buffer(device, x, GPUBufferUsage.STORAGE), GPUShaderStage.FRAGMENT, 3, 'triangle-list'), ref, 'fragment');
    const N = W * H, vnet = mlp.wgsl({ name: 'vnet', precision: 'int8', storage: 'buffer', device, group: 1 });
    const vcode = vertexProgram(vnet, N);
    expectInt8Close(await render(device, vcode, N, 1, vnet, buffer(device, x, GPUBufferUsage.STORAGE), GPUShaderStage.VERTEX, N, 'point-list'), ref, 'vertex');
  });

  it('generates straight-line dot4 code (snapshot of a 5 → 4 → 3 ReLU network)', () => {
    const w = (o: number, i: number, k: number) => ({ weight: Array.from({ length: o * i }, (_, j) => Math.sin(j * 1.7 + k) * 0.5), bias: Array.from({ length: o }, (_, j) => 0.1 * (j - 1)) });
    const mlp = ShaderMLP.fromLayers([5, 4, 3], [w(4, 5, 0), w(3, 4, 1)], ['relu', 'none']);
    mlp.calibrate(Array.from({ length: 40 }, (_, j) => (j % 7) / 7));
    expect(mlp.wgsl({ name: 'tiny', precision: 'int8' }).module.code).toMatchInlineSnapshot(`
      "fn tiny(x: array<f32, 5>) -> array<f32, 3> {
        let h0_0 = pack4xU8(bitcast<vec4<u32>>(clamp(fma(vec4(x[0], x[1], x[2], x[3]), vec4(269.3939514160156), vec4(12582797.0)), vec4(12582785.0), vec4(12583039.0))));
        let h0_1 = pack4xU8(bitcast<vec4<u32>>(clamp(fma(vec4(x[4], 0.0, 0.0, 0.0), vec4(269.3939514160156), vec4(12582797.0)), vec4(12582785.0), vec4(12583039.0))));
        let a1_0 = bitcast<f32>(1262483145i + dot4I8Packed(h0_0, 0x8ae07e00u) + dot4I8Packed(h0_1, 0x3fu));
        let a1_1 = bitcast<f32>(1262496084i + dot4I8Packed(h0_0, 0x6db1a765u) + dot4I8Packed(h0_1, 0x32u));
        let a1_2 = bitcast<f32>(1262474983i + dot4I8Packed(h0_0, 0xf27fed86u) + dot4I8Packed(h0_1, 0x85u));
        let a1_3 = bitcast<f32>(1262509427i + dot4I8Packed(h0_0, 0xa3b6702eu) + dot4I8Packed(h0_1, 0x62u));
        let h1_0 = pack4xU8(bitcast<vec4<u32>>(clamp(fma(vec4(a1_0, a1_1, a1_2, a1_3), vec4(0.004418849945068359), vec4(12527195.0)), vec4(12582797.0), vec4(12583039.0))));
        let a2_0 = bitcast<f32>(1262485504i + dot4I8Packed(h1_0, 0xe987366bu));
        let a2_1 = bitcast<f32>(1262485504i + dot4I8Packed(h1_0, 0x2a83f67fu));
        let a2_2 = bitcast<f32>(1262485504i + dot4I8Packed(h1_0, 0x60a0b972u));
        return array<f32, 3>(sml_none_f32(fma(a2_0 - 12582912.0, 0.000012999012142245192, -0.07458693534135818), 0.0), sml_none_f32(fma(a2_1 - 12582912.0, 0.000012999012142245192, 0.05082613602280617), 0.0), sml_none_f32(fma(a2_2 - 12582912.0, 0.000012999012142245192, 0.16428011655807495), 0.0));
      }"
    `);
  });

  it('refuses storage it cannot use, with the storage named', () => {
    const mlp = ShaderMLP.random(SIZES, 'relu', 1);
    expect(() => mlp.wgsl({ name: 'n', precision: 'int8', storage: 'uniform' })).toThrow(/int8 precision takes storage 'constants' or 'buffer', not 'uniform'/);
  });
});

describe('ShaderMLP subgroup scope', () => {
  it('runs int8 subgroup matrices where the adapter has them, else falls back to thread scope', async () => {
    const device = await testDevice();
    const seed = testSeed();
    const mlp = ShaderMLP.random([18, 32, 32, 8], 'relu', seed);
    const x = randn(rng(seed + 1), 64 * 18, 0.5);
    mlp.calibrate(x);
    const net = mlp.wgsl({ name: 'decodeMaterial', scope: 'subgroup', device });
    const why = subgroupSupport(device);
    const got = await runCompute(device, mlp, net, x);
    if (why) {
      // Same int8 numbers on the thread path; an explicit float precision gives the float network.
      expect([net.scope, net.precision]).toEqual(['thread', 'int8']);
      expect(net.fallbackReason).toBe(why);
      expectInt8Close(got, forwardInt8(mlp, x), 'subgroup fallback');
      const f = mlp.wgsl({ name: 'decodeMaterial', scope: 'subgroup', precision: 'f32', device });
      expect([f.scope, f.precision, f.fallbackReason]).toEqual(['thread', 'f32', why]);
      expect(compareClose(await runCompute(device, mlp, f, x), mlp.forward(x), ...TOL.f32)).toBeNull();
    } else {
      expect(net.scope).toBe('subgroup');
      // The kernel's integer sums are exact; only the f32 epilogue rounds.
      expect(compareClose(got, forwardInt8(mlp, x), 1e-4, 1e-4)).toBeNull();
      const err = Math.max(...got.map((v, i) => Math.abs(v - mlp.forward(x)[i]!)));
      expect(err).toBeLessThan(0.1);
    }
  });
});

describe('ShaderMLP construction and files', () => {
  it('refuses mismatched dimensions with typed errors', () => {
    const w = (o: number, i: number) => ({ weight: new Float32Array(o * i), bias: new Float32Array(o) });
    expect(() => ShaderMLP.fromLayers([4, 8, 2], [w(8, 4), w(2, 7)])).toThrow(MlpDimensionError);
    expect(() => ShaderMLP.fromLayers([4, 8, 2], [w(8, 4), { weight: new Float32Array(16), bias: new Float32Array(3) }])).toThrow(/bias has 3 values, expected 2/);
    expect(() => ShaderMLP.fromLayers([4, 8, 2], [w(8, 4)])).toThrow(MlpDimensionError);
    expect(() => ShaderMLP.fromLayers([4, 8, 2], [w(8, 4), w(2, 8)], ['relu'])).toThrow(MlpDimensionError);
    expect(() => ShaderMLP.random([4, 8], 'relu').forward(new Float32Array(7))).toThrow(MlpDimensionError);
    const bad = writeSafetensors({ 'layers.0.weight': { dtype: 'F32', shape: [8, 4], data: new Float32Array(32) }, 'layers.0.bias': { dtype: 'F32', shape: [8], data: new Float32Array(8) },
      'layers.1.weight': { dtype: 'F32', shape: [2, 6], data: new Float32Array(12) }, 'layers.1.bias': { dtype: 'F32', shape: [2], data: new Float32Array(2) } });
    expect(() => ShaderMLP.fromSafetensors(bad)).toThrow(MlpDimensionError);
    expect(() => readSafetensors(bad.subarray(0, bad.length - 4))).toThrow(WeightFileError);
  });

  it('round-trips through safetensors (F32 exact, F16 rounded)', () => {
    const mlp = ShaderMLP.random([6, 10, 4], ['silu', 'sigmoid'], testSeed());
    const back = ShaderMLP.fromSafetensors(mlp.toSafetensors());
    expect(back.sizes).toEqual(mlp.sizes);
    expect(back.layers.map((l) => l.activation)).toEqual(['silu', 'sigmoid']);
    back.layers.forEach((l, i) => expect(Array.from(l.weight)).toEqual(Array.from(mlp.layers[i]!.weight)));
    const half = ShaderMLP.fromSafetensors(mlp.toSafetensors('F16'));
    half.layers.forEach((l, i) => expect(Array.from(l.bias)).toEqual(Array.from(roundHalf(mlp.layers[i]!.bias))));
  });
});
