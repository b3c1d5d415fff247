// Tensor bindings in WGSL: generated code (snapshots), and strided views read through the accessors by
// a compute kernel, a fragment shader and a vertex shader, each compared with a CPU gather.
import { describe, it, expect } from 'vitest';
import { tensor, tensorView, type Tensor } from '../src/tensor/tensor.js';
import { tensorBinding } from '../src/tensor/wgsl.js';
import { f16BitsToF32, type AnyTypedArray, type DType } from '../src/tensor/dtype.js';
import { BindingError, DTypeError, ResourceStateError } from '../src/errors.js';
import { resolveWgsl } from '../src/gpu/wgsl.js';
import { requestDevice } from '../src/gpu/device.js';
import { testDevice, scoped, hasF16 } from './helpers/gpu.js';
import { rng, testSeed } from './helpers/random.js';
import { randomData } from './helpers/tensor-data.js';

const seed = testSeed();
const F16 = await hasF16();

/** Row-major gather of a strided view out of the raw buffer contents. */
function gather(raw: ArrayLike<number>, shape: readonly number[], strides: readonly number[], offset: number): number[] {
  const out: number[] = [];
  const n = shape.reduce((a, b) => a * b, 1);
  const idx = shape.map(() => 0);
  for (let k = 0; k < n; k++) {
    let e = offset;
    idx.forEach((i, d) => (e += i * strides[d]!));
    out.push(raw[e]!);
    for (let d = shape.length - 1; d >= 0; d--) { if (++idx[d]! < shape[d]!) break; idx[d] = 0; }
  }
  return out;
}

/** A buffer holding `raw` (padded to 4 bytes), wrapped as the base of views. */
function baseBuffer(device: GPUDevice, raw: AnyTypedArray): GPUBuffer {
  const size = Math.ceil(raw.byteLength / 4) * 4;
  const buffer = device.createBuffer({ label: 'test base', size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, mappedAtCreation: true });
  new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
  buffer.unmap();
  return buffer;
}

/** Three views of rank 3 over a base of 4*5*6 elements: transposed, sliced with an offset, broadcast. */
const VIEWS = [
  { name: 'transposed', shape: [6, 5, 4], strides: [1, 6, 30], offset: 0 },
  { name: 'sliced', shape: [3, 2, 5], strides: [30, 6, 1], offset: 7 },
  { name: 'broadcast', shape: [2, 3, 5], strides: [0, 30, 1], offset: 3 },
] as const;

async function runCompute(device: GPUDevice, code: string, bindings: { b: ReturnType<typeof tensorBinding>; t: Tensor }[], threads: number): Promise<void> {
  const layout = device.createBindGroupLayout({ label: 'test', entries: bindings.flatMap((x) => x.b.layoutEntries) });
  const module = device.createShaderModule({ label: 'test', code });
  const pipeline = device.createComputePipeline({ label: 'test', layout: device.createPipelineLayout({ label: 'test', bindGroupLayouts: [layout] }), compute: { module, entryPoint: 'main' } });
  const bg = device.createBindGroup({ label: 'test', layout, entries: bindings.flatMap((x) => x.b.entries(x.t)) });
  const enc = device.createCommandEncoder({ label: 'test' });
  const pass = enc.beginComputePass({ label: 'test' });
  pass.setPipeline(pipeline); pass.setBindGroup(0, bg); pass.dispatchWorkgroups(Math.ceil(threads / 64));
  pass.end();
  device.queue.submit([enc.finish()]);
}

describe('tensorBinding WGSL', () => {
  it('generates layout struct and accessors (f32 rank 2, read)', () => {
    const b = tensorBinding('X', { dtype: 'f32', rank: 2 }, { binding: 0, group: 1 });
    expect(b.wgsl.enables).toBeUndefined();
    expect(b.wgsl.code).toMatchInlineSnapshot(`
      "@group(1) @binding(0) var<storage, read> X: array<f32>;
      @group(1) @binding(1) var<uniform> X_layout: X_Layout;
      struct X_Layout { shape: array<vec4<u32>, 1>, strides: array<vec4<u32>, 1>, offset: u32, numel: u32 }
      fn X_shape(d: u32) -> u32 { return X_layout.shape[d / 4u][d % 4u]; }
      fn X_stride(d: u32) -> u32 { return X_layout.strides[d / 4u][d % 4u]; }
      fn X_numel() -> u32 { return X_layout.numel; }
      fn X_index(i0: u32, i1: u32) -> u32 { return X_layout.offset + i0 * X_layout.strides[0][0] + i1 * X_layout.strides[0][1]; }
      fn X_linear_index(k: u32) -> u32 {
        var e = X_layout.offset;
        var r = k;
        e += (r % X_layout.shape[0][1]) * X_layout.strides[0][1]; r /= X_layout.shape[0][1];
        e += r * X_layout.strides[0][0];
        return e;
      }
      fn X_load(e: u32) -> f32 { return X[e]; }
      fn X_at(i0: u32, i1: u32) -> f32 { return X_load(X_index(i0, i1)); }
      fn X_at_linear(k: u32) -> f32 { return X_load(X_linear_index(k)); }
      "
    `);
  });
  it('generates packed 8-bit read_write accessors with atomics, and enable f16 for f16', () => {
    const b = tensorBinding('Q', { dtype: 'i8', rank: 1 }, { binding: 2, access: 'read_write' });
    expect(b.wgsl.code).toMatchInlineSnapshot(`
      "@group(0) @binding(2) var<storage, read_write> Q: array<atomic<u32>>;
      @group(0) @binding(3) var<uniform> Q_layout: Q_Layout;
      struct Q_Layout { shape: array<vec4<u32>, 1>, strides: array<vec4<u32>, 1>, offset: u32, numel: u32 }
      fn Q_shape(d: u32) -> u32 { return Q_layout.shape[d / 4u][d % 4u]; }
      fn Q_stride(d: u32) -> u32 { return Q_layout.strides[d / 4u][d % 4u]; }
      fn Q_numel() -> u32 { return Q_layout.numel; }
      fn Q_index(i0: u32) -> u32 { return Q_layout.offset + i0 * Q_layout.strides[0][0]; }
      fn Q_linear_index(k: u32) -> u32 {
        var e = Q_layout.offset;
        var r = k;
        e += r * Q_layout.strides[0][0];
        return e;
      }
      fn Q_load(e: u32) -> i32 { return extractBits(bitcast<i32>(atomicLoad(&Q[e / 4u])), (e % 4u) * 8u, 8u); }
      fn Q_store(e: u32, v: i32) {
        let sh = (e % 4u) * 8u;
        atomicAnd(&Q[e / 4u], ~(0xffu << sh));
        atomicOr(&Q[e / 4u], (bitcast<u32>(v) & 0xffu) << sh);
      }
      fn Q_at(i0: u32) -> i32 { return Q_load(Q_index(i0)); }
      fn Q_at_linear(k: u32) -> i32 { return Q_load(Q_linear_index(k)); }
      fn Q_set(i0: u32, v: i32) { Q_store(Q_index(i0), v); }
      fn Q_set_linear(k: u32, v: i32) { Q_store(Q_linear_index(k), v); }
      "
    `);
    const h = tensorBinding('H', { dtype: 'f16', rank: 0 }, { binding: 0 });
    expect(h.wgsl.enables).toEqual(['f16']);
    expect(resolveWgsl({ bindings: [], requires: [h.wgsl], body: '' })).toMatch(/^enable f16;\n/);
    expect(h.wgsl.code).toContain('fn H_at() -> f16');
  });
  it('refuses bad bindings with typed errors', async () => {
    const device = await testDevice();
    expect(() => tensorBinding('X', { dtype: 'f32', rank: 1 }, { binding: 0, access: 'read_write', visibility: GPUShaderStage.VERTEX | GPUShaderStage.FRAGMENT })).toThrow(BindingError);
    expect(() => tensorBinding('1x', { dtype: 'f32', rank: 1 }, { binding: 0 })).toThrow(BindingError);
    expect(() => tensorBinding('X', { dtype: 'f32', rank: 9 }, { binding: 0 })).toThrow(BindingError);
    expect(() => tensorBinding('X', { dtype: 'f32', rank: 1 }, { binding: 0, layoutBinding: 0 })).toThrow(BindingError);
    expect(() => tensorBinding('X', { dtype: 'f64' as DType, rank: 1 }, { binding: 0 })).toThrow(DTypeError);
    const noF16 = await requestDevice({ disableFeatures: ['shader-f16'], quiet: true });
    expect(() => tensorBinding('X', { dtype: 'f16', rank: 1, device: noF16 }, { binding: 0 })).toThrow(DTypeError);
    noF16.destroy();
    const b = tensorBinding('X', { dtype: 'f32', rank: 2 }, { binding: 0, access: 'read_write' });
    const t = tensor(device, { dtype: 'f32', shape: [4] });
    expect(() => b.entries(t)).toThrow(BindingError); // rank mismatch
    const i = tensor(device, { dtype: 'i32', shape: [2, 2] });
    expect(() => b.entries(i)).toThrow(BindingError); // dtype mismatch
    const bc = tensorView(t.buffer, { dtype: 'f32', shape: [3, 4], strides: [0, 1] }, device);
    expect(() => b.entries(bc)).toThrow(BindingError); // broadcast read_write would race
    const d = tensor(device, { dtype: 'f32', shape: [2, 2] });
    d.destroy();
    expect(() => b.entries(d)).toThrow(ResourceStateError);
    t.destroy(); i.destroy();
  });
});

describe('strided views through the accessors', () => {
  const dtypes: DType[] = ['f32', 'f16', 'i32', 'u32', 'i8', 'u8'];
  for (const dtype of dtypes) {
    it.skipIf(dtype === 'f16' && !F16)(`compute: ${dtype} views copied with X_at / X_at_linear into dense and transposed tensors (seed ${seed})`, async () => {
      const device = await testDevice();
      const r = rng(seed + dtype.length);
      const raw = randomData(dtype, 4 * 5 * 6 + 1, r);
      const buf = baseBuffer(device, raw);
      await scoped(device, async () => {
        for (const v of VIEWS) {
          const X = tensorView(buf, { dtype, ...v, label: `X ${v.name}` }, device);
          const [a, b, c] = v.shape;
          const expected = gather(raw, v.shape, v.strides, v.offset);
          const Y1 = tensor(device, { dtype, shape: [...v.shape], label: 'Y1' });
          // Y2 is written through a transposed view [a,b,c] with strides [1, a, a*b] of a dense buffer.
          const Y2base = tensor(device, { dtype, shape: [c, b, a], label: 'Y2' });
          const Y2 = tensorView(Y2base.buffer, { dtype, shape: [a, b, c], strides: [1, a, a * b] }, device);
          const bx = tensorBinding('X', X, { binding: 0 });
          const by1 = tensorBinding('Y1', Y1, { binding: 2, access: 'read_write' });
          const by2 = tensorBinding('Y2', Y2, { binding: 4, access: 'read_write' });
          const code = resolveWgsl({ bindings: [], requires: [bx.wgsl, by1.wgsl, by2.wgsl], body: `
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let k = g.x;
  if (k >= X_numel()) { return; }
  Y1_set_linear(k, X_at_linear(k));
  let i2 = k % X_shape(2u); let i1 = (k / X_shape(2u)) % X_shape(1u); let i0 = k / (X_shape(2u) * X_shape(1u));
  Y2_set(i0, i1, i2, X_at(i0, i1, i2));
}` });
          await runCompute(device, code, [{ b: bx, t: X }, { b: by1, t: Y1 }, { b: by2, t: Y2 }], v.shape.reduce((p, q) => p * q, 1));
          expect(Array.from(await Y1.read()), `${dtype} ${v.name} linear`).toEqual(expected);
          expect(Array.from(await Y2.read()), `${dtype} ${v.name} strided set`).toEqual(expected);
          // The base of Y2 holds the transpose: element [i,j,k] of the view is at i + a*j + a*b*k.
          expect(Array.from(await Y2base.read())).toEqual(gather(expected, [c, b, a], [1, c, b * c], 0));
          Y1.destroy(); Y2base.destroy();
        }
      });
      buf.destroy();
    });
  }
});

/** Draw into a fresh rgba32float W×H target and read the texels back (4 floats each, row-major). */
async function render(device: GPUDevice, code: string, b: ReturnType<typeof tensorBinding>, t: Tensor, W: number, H: number, draw: { topology: GPUPrimitiveTopology; count: number }): Promise<Float32Array> {
  const target = device.createTexture({ label: 'test target', size: [W, H], format: 'rgba32float', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
  const layout = device.createBindGroupLayout({ label: 'test', entries: b.layoutEntries });
  const module = device.createShaderModule({ label: 'test', code });
  const pipeline = device.createRenderPipeline({
    label: 'test', layout: device.createPipelineLayout({ label: 'test', bindGroupLayouts: [layout] }),
    vertex: { module, entryPoint: 'vs' }, fragment: { module, entryPoint: 'fs', targets: [{ format: 'rgba32float' }] },
    primitive: { topology: draw.topology },
  });
  const out = device.createBuffer({ label: 'test readback', size: 256 * H, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  const enc = device.createCommandEncoder({ label: 'test' });
  const pass = enc.beginRenderPass({ label: 'test', colorAttachments: [{ view: target.createView(), loadOp: 'clear', storeOp: 'store', clearValue: [-7, -7, -7, -7] }] });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, device.createBindGroup({ label: 'test', layout, entries: b.entries(t) }));
  pass.draw(draw.count);
  pass.end();
  enc.copyTextureToBuffer({ texture: target }, { buffer: out, bytesPerRow: 256 }, [W, H]);
  device.queue.submit([enc.finish()]);
  await out.mapAsync(GPUMapMode.READ);
  const all = new Float32Array(out.getMappedRange().slice(0));
  out.destroy(); target.destroy();
  const texels = new Float32Array(W * H * 4);
  for (let y = 0; y < H; y++) texels.set(all.subarray(y * 64, y * 64 + W * 4), y * W * 4);
  return texels;
}

const VIEWS2 = [
  { name: 'transposed', shape: [6, 8], strides: [1, 6], offset: 0 },
  { name: 'sliced', shape: [3, 5], strides: [6, 1], offset: 7 },
  { name: 'broadcast', shape: [4, 5], strides: [0, 1], offset: 2 },
] as const;

const asF32 = (dtype: DType, v: number): number => (dtype === 'f16' ? f16BitsToF32(v) : v);

describe('accessors in render stages', () => {
  for (const dtype of ['f32', 'f16', 'i8', 'u8'] as DType[]) {
    it.skipIf(dtype === 'f16' && !F16)(`fragment and vertex shaders read ${dtype} views (seed ${seed})`, async () => {
      const device = await testDevice();
      const r = rng(seed + 100 + dtype.length);
      const raw = randomData(dtype, 49, r);
      const buf = baseBuffer(device, raw);
      await scoped(device, async () => {
        for (const v of VIEWS2) {
          const X = tensorView(buf, { dtype, ...v }, device);
          const [H, W] = v.shape;
          const expected = gather(raw, v.shape, v.strides, v.offset).map((x) => asF32(dtype, x));
          const fb = tensorBinding('X', X, { binding: 0, visibility: GPUShaderStage.FRAGMENT });
          const frag = await render(device, resolveWgsl({ bindings: [], requires: [fb.wgsl], body: `
@vertex fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
  let p = vec2f(f32((i << 1u) & 2u), f32(i & 2u));
  return vec4f(p * 2.0 - 1.0, 0.0, 1.0);
}
@fragment fn fs(@builtin(position) pos: vec4f) -> @location(0) vec4f {
  let x = u32(pos.x); let y = u32(pos.y);
  return vec4f(f32(X_at(y, x)), f32(X_at_linear(y * X_shape(1u) + x)), 0.0, 1.0);
}` }), fb, X, W, H, { topology: 'triangle-list', count: 3 });
          expect(Array.from(frag.filter((_, i) => i % 4 === 0)), `fragment ${dtype} ${v.name} X_at`).toEqual(expected);
          expect(Array.from(frag.filter((_, i) => i % 4 === 1)), `fragment ${dtype} ${v.name} X_at_linear`).toEqual(expected);

          const vb = tensorBinding('X', X, { binding: 0, visibility: GPUShaderStage.VERTEX });
          const vert = await render(device, resolveWgsl({ bindings: [], requires: [vb.wgsl], body: `
struct V { @builtin(position) pos: vec4f, @location(0) @interpolate(flat) v: vec2f }
@vertex fn vs(@builtin(vertex_index) i: u32) -> V {
  let w = X_shape(1u); let h = X_shape(0u);
  let px = (f32(i % w) + 0.5) / f32(w) * 2.0 - 1.0;
  let py = 1.0 - (f32(i / w) + 0.5) / f32(h) * 2.0;
  return V(vec4f(px, py, 0.0, 1.0), vec2f(f32(X_at_linear(i)), f32(X_at(i / w, i % w))));
}
@fragment fn fs(in: V) -> @location(0) vec4f { return vec4f(in.v, 0.0, 1.0); }` }), vb, X, W, H, { topology: 'point-list', count: W * H });
          expect(Array.from(vert.filter((_, i) => i % 4 === 0)), `vertex ${dtype} ${v.name} X_at_linear`).toEqual(expected);
          expect(Array.from(vert.filter((_, i) => i % 4 === 1)), `vertex ${dtype} ${v.name} X_at`).toEqual(expected);
        }
      });
      buf.destroy();
    });
  }
});

describe('buffers larger than maxStorageBufferBindingSize', () => {
  it('binds a window around the tensor and rebases its offset', async () => {
    const device = await testDevice();
    const limit = device.limits.maxStorageBufferBindingSize;
    if (limit + 4096 > device.limits.maxBufferSize) return; // the window path cannot arise on this device
    const big = device.createBuffer({ label: 'test big', size: limit + 4096, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
    const offset = limit / 4 + 3; // f32 elements past the first binding's reach, not 256-byte aligned
    const vals = Float32Array.from({ length: 12 }, (_, i) => i * 1.5 - 4);
    device.queue.writeBuffer(big, offset * 4, vals);
    await scoped(device, async () => {
      const X = tensorView(big, { dtype: 'f32', shape: [3, 4], strides: [1, 3], offset }, device);
      const Y = tensor(device, { dtype: 'f32', shape: [3, 4] });
      const bx = tensorBinding('X', X, { binding: 0 });
      const by = tensorBinding('Y', Y, { binding: 2, access: 'read_write' });
      const code = resolveWgsl({ bindings: [], requires: [bx.wgsl, by.wgsl], body: `
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  if (g.x < X_numel()) { Y_set_linear(g.x, X_at_linear(g.x)); }
}` });
      const [storage] = bx.entries(X);
      expect((storage!.resource as GPUBufferBinding).offset! % device.limits.minStorageBufferOffsetAlignment).toBe(0);
      expect((storage!.resource as GPUBufferBinding).size!).toBeLessThanOrEqual(limit);
      await runCompute(device, code, [{ b: bx, t: X }, { b: by, t: Y }], 12);
      expect(Array.from(await Y.read())).toEqual(gather(vals, [3, 4], [1, 3], 0));
      Y.destroy();
    });
    big.destroy();
  });
});
