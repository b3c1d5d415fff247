// Textures ↔ tensors: every format both ways and both layouts, against texel values computed on the
// CPU (unorm and f16 conversions included), plus every validation rule.
import { describe, it, expect } from 'vitest';
import { tensor, tensorView, type Tensor } from '../src/tensor/tensor.js';
import { encodeTensorToTexture, encodeTextureToTensor, texturePipelineCount, TEXTURE_TENSOR_FORMATS, type TextureTensorLayout } from '../src/tensor/texture.js';
import { f16BitsToF32, f32ToF16Bits } from '../src/tensor/dtype.js';
import { BindingError, DTypeError, ResourceStateError, ShapeError } from '../src/errors.js';
import { requestDevice } from '../src/gpu/device.js';
import { testDevice, scoped } from './helpers/gpu.js';
import { rng, randn, testSeed, compareClose } from './helpers/random.js';

const seed = testSeed();
const W = 5, H = 3; // not multiples of the 8×8 workgroup, so bounds checks matter

/** Bytes per texel and per channel of each format. */
const FMT: Record<string, { bpc: number; kind: 'unorm8' | 'f16' | 'f32' }> = {
  depth32float: { bpc: 4, kind: 'f32' }, r8unorm: { bpc: 1, kind: 'unorm8' }, rg8unorm: { bpc: 1, kind: 'unorm8' }, rgba8unorm: { bpc: 1, kind: 'unorm8' },
  r16float: { bpc: 2, kind: 'f16' }, rg16float: { bpc: 2, kind: 'f16' }, rgba16float: { bpc: 2, kind: 'f16' },
  r32float: { bpc: 4, kind: 'f32' }, rg32float: { bpc: 4, kind: 'f32' }, rgba32float: { bpc: 4, kind: 'f32' },
};
const FORMATS = Object.keys(FMT);

function makeTexture(device: GPUDevice, format: string, usage: number): GPUTexture {
  return device.createTexture({ label: `test ${format}`, size: [W, H], format: format as GPUTextureFormat, usage });
}

/** Channel-interleaved texel values (HWC) as the texture decodes them, and the raw bytes for writeTexture. */
function randomTexels(format: string, r: () => number): { values: Float32Array; bytes: Uint8Array } {
  const { bpc, kind } = FMT[format]!;
  const n = W * H * TEXTURE_TENSOR_FORMATS[format]!.channels;
  const bytes = new Uint8Array(n * bpc);
  const values = new Float32Array(n);
  if (kind === 'unorm8') for (let i = 0; i < n; i++) { bytes[i] = Math.floor(r() * 256); values[i] = bytes[i]! / 255; }
  if (kind === 'f16') {
    const h = new Uint16Array(bytes.buffer);
    randn(r, n, 100).forEach((v, i) => { h[i] = f32ToF16Bits(v); values[i] = f16BitsToF32(h[i]!); });
  }
  if (kind === 'f32') {
    const f = new Float32Array(bytes.buffer);
    f.set(format === 'depth32float' ? Float32Array.from({ length: n }, () => r()) : randn(r, n));
    values.set(f);
  }
  return { values, bytes };
}

/** HWC values → the tensor's row-major order for a layout. */
function toLayout(hwc: Float32Array, C: number, layout: TextureTensorLayout, chs: number[] = Array.from({ length: C }, (_, i) => i)): number[] {
  const out: number[] = [];
  const Cin = hwc.length / (W * H);
  if (layout === 'NHWC') { for (let p = 0; p < W * H; p++) for (const c of chs) out.push(hwc[p * Cin + c]!); }
  else for (const c of chs) for (let p = 0; p < W * H; p++) out.push(hwc[p * Cin + c]!);
  return out;
}

/** Fill a depth32float texture with given values through a render pass independent of wgml. */
function fillDepth(device: GPUDevice, tex: GPUTexture, values: Float32Array): void {
  const src = device.createBuffer({ label: 'test depth values', size: values.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(src, 0, values);
  const module = device.createShaderModule({ label: 'test depth fill', code: `
@group(0) @binding(0) var<storage, read> d: array<f32>;
@vertex fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f { return vec4f(f32((i << 1u) & 2u) * 2.0 - 1.0, f32(i & 2u) * 2.0 - 1.0, 0.0, 1.0); }
@fragment fn fs(@builtin(position) p: vec4f) -> @builtin(frag_depth) f32 { return d[u32(p.y) * ${W}u + u32(p.x)]; }` });
  const pipeline = device.createRenderPipeline({ label: 'test depth fill', layout: 'auto', vertex: { module }, fragment: { module, targets: [] },
    depthStencil: { format: 'depth32float', depthWriteEnabled: true, depthCompare: 'always' } });
  const enc = device.createCommandEncoder({ label: 'test depth fill' });
  const pass = enc.beginRenderPass({ label: 'test depth fill', colorAttachments: [], depthStencilAttachment: { view: tex.createView(), depthLoadOp: 'clear', depthStoreOp: 'store', depthClearValue: 0 } });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, device.createBindGroup({ label: 'test', layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: src } }] }));
  pass.draw(3); pass.end();
  device.queue.submit([enc.finish()]);
  src.destroy();
}

async function readTexture(device: GPUDevice, tex: GPUTexture, bytesPerTexel: number): Promise<Uint8Array> {
  const buf = device.createBuffer({ label: 'test texture readback', size: 256 * H, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  const enc = device.createCommandEncoder({ label: 'test texture readback' });
  enc.copyTextureToBuffer({ texture: tex, aspect: tex.format === 'depth32float' ? 'depth-only' : 'all' }, { buffer: buf, bytesPerRow: 256 }, [W, H]);
  device.queue.submit([enc.finish()]);
  await buf.mapAsync(GPUMapMode.READ);
  const all = new Uint8Array(buf.getMappedRange().slice(0));
  buf.destroy();
  const out = new Uint8Array(W * H * bytesPerTexel);
  for (let y = 0; y < H; y++) out.set(all.subarray(y * 256, y * 256 + W * bytesPerTexel), y * W * bytesPerTexel);
  return out;
}

/** A [1,C,H,W] or [1,H,W,C] f32 tensor; `strided` makes it a non-dense view at an offset in a larger buffer. */
function makeTensor(device: GPUDevice, C: number, layout: TextureTensorLayout, strided: boolean): { t: Tensor; free: () => void } {
  const shape = layout === 'NCHW' ? [1, C, H, W] : [1, H, W, C];
  if (!strided) { const t = tensor(device, { dtype: 'f32', shape, label: `test ${layout}` }); return { t, free: () => t.destroy() }; }
  const base = tensor(device, { dtype: 'f32', shape: [C * H * W + 5], label: 'test base' });
  // Memory in the other layout: NCHW view over HWC memory, or NHWC view over CHW memory.
  const strides = layout === 'NCHW' ? [C * H * W, 1, W * C, C] : [C * H * W, W, 1, H * W];
  const t = tensorView(base.buffer, { dtype: 'f32', shape, strides, offset: 3 }, device);
  return { t, free: () => base.destroy() };
}

describe('texture → tensor', () => {
  for (const format of FORMATS) for (const layout of ['NCHW', 'NHWC'] as const) {
    it(`${format} ${layout} (seed ${seed})`, async () => {
      const device = await testDevice();
      const r = rng(seed + format.length * 7 + layout.length);
      const C = TEXTURE_TENSOR_FORMATS[format]!.channels;
      const tex = makeTexture(device, format, GPUTextureUsage.TEXTURE_BINDING | (format === 'depth32float' ? GPUTextureUsage.RENDER_ATTACHMENT : GPUTextureUsage.COPY_DST));
      const { values, bytes } = randomTexels(format, r);
      if (format === 'depth32float') fillDepth(device, tex, values);
      else device.queue.writeTexture({ texture: tex }, bytes, { bytesPerRow: W * C * FMT[format]!.bpc }, [W, H]);
      await scoped(device, async () => {
        for (const strided of [false, true]) {
          const { t, free } = makeTensor(device, C, layout, strided);
          const enc = device.createCommandEncoder({ label: 'test' });
          encodeTextureToTensor(enc, tex, t, { layout });
          device.queue.submit([enc.finish()]);
          const got = await t.read();
          expect(compareClose(got, toLayout(values, C, layout), 1e-6, 0), `strided=${strided}`).toBeNull();
          free();
        }
      });
      tex.destroy();
    });
  }

  it('selects channels by count or index', async () => {
    const device = await testDevice();
    const tex = makeTexture(device, 'rgba8unorm', GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST);
    const { values, bytes } = randomTexels('rgba8unorm', rng(seed + 1));
    device.queue.writeTexture({ texture: tex }, bytes, { bytesPerRow: W * 4 }, [W, H]);
    await scoped(device, async () => {
      for (const [channels, chs] of [[3, [0, 1, 2]], [[2, 0], [2, 0]], [[3], [3]]] as const) {
        const t = tensor(device, { dtype: 'f32', shape: [1, chs.length, H, W] });
        const enc = device.createCommandEncoder({ label: 'test' });
        encodeTextureToTensor(enc, tex, t, { channels });
        device.queue.submit([enc.finish()]);
        expect(compareClose(await t.read(), toLayout(values, 4, 'NCHW', [...chs]), 1e-6, 0)).toBeNull();
        t.destroy();
      }
    });
    tex.destroy();
  });
});

/** Expected texel bytes for f32 values written into a format (HWC order). */
function expectedBytes(format: string, hwc: Float32Array): Uint8Array {
  const { kind } = FMT[format]!;
  if (kind === 'unorm8') return Uint8Array.from(hwc, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
  if (kind === 'f16') return new Uint8Array(Uint16Array.from(hwc, (v) => f32ToF16Bits(v)).buffer);
  return new Uint8Array(Float32Array.from(hwc, (v) => (format === 'depth32float' ? Math.min(1, Math.max(0, v)) : v)).buffer);
}

/** Tensor values whose conversion is unambiguous: unorm values 0.3 LSB from a code, some out of range. */
function tensorValues(format: string, n: number, r: () => number): Float32Array {
  const { kind } = FMT[format]!;
  const v = kind === 'f16' ? randn(r, n, 50) : kind === 'unorm8' || format === 'depth32float'
    ? Float32Array.from({ length: n }, () => (format === 'depth32float' ? r() : (Math.floor(r() * 256) + (r() - 0.5) * 0.6) / 255)) : randn(r, n);
  if (kind === 'unorm8') { v[0] = -0.5; v[n - 1] = 1.7; }
  if (format === 'depth32float') { v[0] = -0.5; v[n - 1] = 1.5; }
  return v;
}

describe('tensor → texture', () => {
  for (const format of FORMATS) for (const layout of ['NCHW', 'NHWC'] as const) {
    const path = TEXTURE_TENSOR_FORMATS[format]!.write;
    it(`${format} ${layout} via ${path} (seed ${seed})`, async () => {
      const device = await testDevice();
      const r = rng(seed + format.length * 13 + layout.length);
      const C = TEXTURE_TENSOR_FORMATS[format]!.channels;
      const usage = GPUTextureUsage.COPY_SRC | (path === 'storage' ? GPUTextureUsage.STORAGE_BINDING : GPUTextureUsage.RENDER_ATTACHMENT);
      const tex = makeTexture(device, format, usage);
      const hwc = tensorValues(format, W * H * C, r);
      const want = expectedBytes(format, hwc);
      await scoped(device, async () => {
        for (const strided of [false, true]) {
          const { t, free } = makeTensor(device, C, layout, strided);
          // Upload through the dense base so the strided view sees the values in its own order.
          const data = Float32Array.from(toLayout(hwc, C, layout));
          if (!strided) t.write(data);
          else {
            const raw = new Float32Array(t.buffer.size / 4);
            const idx = [0, 0, 0, 0];
            for (let k = 0; k < data.length; k++) {
              raw[t.offset + idx.reduce((a, i, d) => a + i * t.strides[d]!, 0)] = data[k]!;
              for (let d = 3; d >= 0; d--) { if (++idx[d]! < t.shape[d]!) break; idx[d] = 0; }
            }
            device.queue.writeBuffer(t.buffer, 0, raw);
          }
          const enc = device.createCommandEncoder({ label: 'test' });
          encodeTensorToTexture(enc, t, tex, { layout });
          device.queue.submit([enc.finish()]);
          const got = await readTexture(device, tex, C * FMT[format]!.bpc);
          if (FMT[format]!.kind === 'f16') {
            // Vulkan lets the f32 → f16 output conversion round either way: allow one ulp.
            const g = new Uint16Array(got.buffer), e = new Uint16Array(want.buffer);
            for (let i = 0; i < e.length; i++) expect(Math.abs(g[i]! - e[i]!), `texel value ${i} (strided=${strided}): ${g[i]} vs ${e[i]}`).toBeLessThanOrEqual(1);
          } else expect(Array.from(got), `strided=${strided}`).toEqual(Array.from(want));
          free();
        }
      });
      tex.destroy();
    });
  }

  it('reuses one pipeline per format and layout', async () => {
    const device = await testDevice();
    const tex = makeTexture(device, 'rgba32float', GPUTextureUsage.STORAGE_BINDING);
    const t = tensor(device, { dtype: 'f32', shape: [1, 4, H, W] });
    const enc = device.createCommandEncoder({ label: 'test' });
    encodeTensorToTexture(enc, t, tex);
    const n = texturePipelineCount(device);
    encodeTensorToTexture(enc, t, tex);
    expect(texturePipelineCount(device)).toBe(n);
    device.queue.submit([enc.finish()]);
    t.destroy(); tex.destroy();
  });
});

describe('texture conversion validation', () => {
  it('refuses bad formats, usages, shapes, dtypes, destroyed tensors and foreign devices', async () => {
    const device = await testDevice();
    const enc = device.createCommandEncoder({ label: 'test (never submitted)' });
    const rgba = makeTexture(device, 'rgba32float', GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.STORAGE_BINDING);
    const t4 = tensor(device, { dtype: 'f32', shape: [1, 4, H, W] });
    const bad = makeTexture(device, 'rgba8uint', GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.STORAGE_BINDING);
    expect(() => encodeTextureToTensor(enc, bad, t4)).toThrow(DTypeError);
    expect(() => encodeTensorToTexture(enc, t4, bad)).toThrow(DTypeError);
    const i4 = tensor(device, { dtype: 'i32', shape: [1, 4, H, W] });
    expect(() => encodeTextureToTensor(enc, rgba, i4)).toThrow(DTypeError);
    const small = tensor(device, { dtype: 'f32', shape: [1, 4, H, W - 1] });
    expect(() => encodeTextureToTensor(enc, rgba, small)).toThrow(ShapeError);
    expect(() => encodeTensorToTexture(enc, small, rgba)).toThrow(ShapeError);
    expect(() => encodeTextureToTensor(enc, rgba, t4, { layout: 'NHWC' })).toThrow(ShapeError);
    expect(() => encodeTextureToTensor(enc, rgba, t4, { channels: 5 })).toThrow(ShapeError);
    expect(() => encodeTextureToTensor(enc, rgba, t4, { channels: [0, 1, 2, 4] })).toThrow(ShapeError);
    expect(() => encodeTextureToTensor(enc, rgba, t4, { channels: 3 })).toThrow(ShapeError); // C=4 vs 3 channels
    expect(() => encodeTextureToTensor(enc, rgba, t4, { mipLevel: 1 })).toThrow(ShapeError);
    const t3 = tensor(device, { dtype: 'f32', shape: [1, 3, H, W] });
    expect(() => encodeTensorToTexture(enc, t3, rgba)).toThrow(ShapeError); // writing needs every channel
    // Missing usages.
    const noBinding = makeTexture(device, 'rgba32float', GPUTextureUsage.STORAGE_BINDING);
    expect(() => encodeTextureToTensor(enc, noBinding, t4)).toThrow(BindingError);
    const noStorage = makeTexture(device, 'rgba32float', GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.RENDER_ATTACHMENT);
    expect(() => encodeTensorToTexture(enc, t4, noStorage)).toThrow(BindingError);
    const r8 = makeTexture(device, 'r8unorm', GPUTextureUsage.TEXTURE_BINDING);
    const t1 = tensor(device, { dtype: 'f32', shape: [1, 1, H, W] });
    expect(() => encodeTensorToTexture(enc, t1, r8)).toThrow(BindingError); // render path needs RENDER_ATTACHMENT
    const depth = makeTexture(device, 'depth32float', GPUTextureUsage.TEXTURE_BINDING);
    expect(() => encodeTensorToTexture(enc, t1, depth)).toThrow(BindingError);
    const ms = device.createTexture({ label: 'test ms', size: [W, H], format: 'rgba8unorm', sampleCount: 4, usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.RENDER_ATTACHMENT });
    expect(() => encodeTextureToTensor(enc, ms, t4)).toThrow(BindingError);
    // Destroyed tensor, and a tensor of another device.
    const gone = tensor(device, { dtype: 'f32', shape: [1, 4, H, W] });
    gone.destroy();
    expect(() => encodeTextureToTensor(enc, rgba, gone)).toThrow(ResourceStateError);
    expect(() => encodeTensorToTexture(enc, gone, rgba)).toThrow(ResourceStateError);
    const other = await requestDevice({ quiet: true });
    const foreign = tensor(other, { dtype: 'f32', shape: [1, 4, H, W] });
    expect(() => encodeTextureToTensor(enc, rgba, foreign, { device })).toThrow(ResourceStateError);
    expect(() => encodeTensorToTexture(enc, foreign, rgba, { device })).toThrow(ResourceStateError);
    foreign.destroy(); other.destroy();
    for (const x of [t4, i4, small, t3, t1]) x.destroy();
    for (const x of [rgba, bad, noBinding, noStorage, r8, depth, ms]) x.destroy();
  });
});

describe('mip levels and array layers', () => {
  it('writes and reads mip 1 of layer 1 only', async () => {
    const device = await testDevice();
    const tex = device.createTexture({ label: 'test mips', size: [W, H, 2], mipLevelCount: 2, format: 'rgba32float',
      usage: GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_SRC });
    const vals = randn(rng(seed + 9), 4 * 2 * 1);
    const src = tensor(device, { dtype: 'f32', shape: [1, 1, 2, 4] });
    src.write(vals);
    const back = tensor(device, { dtype: 'f32', shape: [1, 4, 1, 2] });
    const other = tensor(device, { dtype: 'f32', shape: [1, 4, 1, 2] });
    other.write(new Float32Array(8).fill(5));
    await scoped(device, async () => {
      const enc = device.createCommandEncoder({ label: 'test' });
      encodeTensorToTexture(enc, src, tex, { layout: 'NHWC', mipLevel: 1, layer: 1 });
      encodeTextureToTensor(enc, tex, back, { mipLevel: 1, layer: 1 });
      encodeTextureToTensor(enc, tex, other, { mipLevel: 1, layer: 0 });
      const buf = device.createBuffer({ label: 'test', size: 32, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
      enc.copyTextureToBuffer({ texture: tex, mipLevel: 1, origin: [0, 0, 1] }, { buffer: buf, bytesPerRow: 256 }, [2, 1]);
      device.queue.submit([enc.finish()]);
      await buf.mapAsync(GPUMapMode.READ);
      expect(Array.from(new Float32Array(buf.getMappedRange()))).toEqual(Array.from(vals));
      buf.destroy();
      // NHWC [1,1,2,4] → NCHW [1,4,1,2]: channel c of pixel x is vals[x*4 + c].
      expect(Array.from(await back.read())).toEqual([0, 1, 2, 3].flatMap((c) => [vals[c]!, vals[4 + c]!]));
      expect(Array.from(await other.read())).toEqual(new Array(8).fill(0)); // layer 0 was never written
    });
    for (const x of [src, back, other]) x.destroy();
    tex.destroy();
  });
});
