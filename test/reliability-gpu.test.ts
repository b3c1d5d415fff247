/**
 * Device limits, device loss, leaks and GPU hygiene: what a long-running app needs from wgml.
 * Each test that wraps device methods uses a device of its own.
 */
import { describe, it, expect } from 'vitest';
import * as wgml from '../src/index.js';
import { hostTensor, type HostTensor } from '../src/ir/types.js';
import { planNetwork } from '../src/runtime/pipeline.js';
import { liveTensorCount } from '../src/tensor/tensor.js';
import { FAKE_DEVICE } from '../src/fuzz/case.js';
import { scoped, testDevice } from './helpers/gpu.js';
import { graph, node, f32, ints, int } from './helpers/graph.js';
import { rng, randn, compareClose } from './helpers/random.js';

const r = rng(Number(process.env.WGML_SEED ?? 4242));

/** Count buffers made through this device and not destroyed yet. */
function trackBuffers(device: GPUDevice): { live: () => number; made: () => number } {
  const live = new Set<GPUBuffer>();
  let made = 0;
  const create = device.createBuffer.bind(device);
  device.createBuffer = (desc: GPUBufferDescriptor) => {
    const b = create(desc);
    made++; live.add(b);
    const destroy = b.destroy.bind(b);
    b.destroy = () => { live.delete(b); destroy(); };
    return b;
  };
  return { live: () => live.size, made: () => made };
}

const fakeDevice = (limits: Record<string, number>) => ({ ...FAKE_DEVICE, limits: { ...FAKE_DEVICE.limits, ...limits } }) as unknown as GPUDevice;

// x[1,Cin,H,W] → Conv 3x3 (Cin→4) → Relu → Conv 1x1 (4→1) → y
function twoConv(cin: number) {
  return graph([f32('x', [1, cin, 'H', 'W'])], [f32('y', [1, 1, 'H', 'W'])], [
    node('Conv', ['x', 'w1', 'b1'], ['c1'], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]) }, 'conv1'),
    node('Relu', ['c1'], ['a1'], {}, 'relu1'),
    node('Conv', ['a1', 'w2'], ['y'], { kernel_shape: ints([1, 1]) }, 'conv2'),
  ], { w1: hostTensor('float32', [4, cin, 3, 3], randn(r, 36 * cin, 0.3)), b1: hostTensor('float32', [4], randn(r, 4)), w2: hostTensor('float32', [1, 4, 1, 1], randn(r, 4)) });
}

async function runOnce(device: GPUDevice, fn: wgml.Graph | { graph: wgml.Graph }, x: HostTensor): Promise<Float32Array> {
  const p = await wgml.createPipeline(device, fn, { inputDimensions: { x: x.shape } });
  try { return (await wgml.runPipeline(device, p, { x })).y!.data as Float32Array; } finally { p.destroy(); }
}

describe('device limits are refused with LimitError before any GPU work', () => {
  it('weights and activations over maxStorageBufferBindingSize', async () => {
    const device = await wgml.requestDevice({ limits: { maxStorageBufferBindingSize: 1 << 20 }, quiet: true });
    // WebGPU never grants less than its default (128 MiB); wgml holds itself to the smaller request.
    expect(wgml.deviceLimits(device).maxStorageBufferBindingSize).toBe(1 << 20);
    const count = trackBuffers(device);
    // weights: a Conv by a 1024×512×1×1 f32 kernel (2 MiB; wide MatMul/Gemm weights are split instead, test/split-wide-weights.test.ts)
    // (values float16 cannot hold: float16 values would be stored at half width, 1 MiB, which fits)
    const conv = (W: HostTensor) => graph([f32('x', [1, 512, 1, 1])], [f32('y', [1, 1024, 1, 1])], [node('Conv', ['x', 'W'], ['y'], { kernel_shape: ints([1, 1]) }, 'proj')], { W });
    const e1 = await wgml.createPipeline(device, conv(hostTensor('float32', [1024, 512, 1, 1], randn(r, 1 << 19)))).catch((e) => e);
    expect(e1).toBeInstanceOf(wgml.LimitError);
    expect(e1.message).toMatch(/node 'proj' \(Conv\): weight 'W' of shape \[1024, 512, 1, 1\] is 2097152 bytes, over this device's maxStorageBufferBindingSize \(1048576\)/);
    // activations: conv1's output [1,4,256,300] is 1.2 MB
    const e2 = await wgml.createPipeline(device, twoConv(1), { inputDimensions: { x: [1, 1, 256, 300] } }).catch((e) => e);
    expect(e2).toBeInstanceOf(wgml.LimitError);
    expect(e2.message).toMatch(/node 'conv1' \(Conv\): value '\w+' of shape \[1, 4, 256, 300\] needs 1228800 bytes/);
    expect(e2.hint).toMatch(/smaller input dimensions/);
    expect(e2.details).toMatchObject({ node: 'conv1', op: 'Conv', limit: 1 << 20 });
    expect(count.made()).toBe(0);
    const halfWidth = await wgml.createPipeline(device, conv(hostTensor('float32', [1024, 512, 1, 1])));
    expect(halfWidth.weightsBytes).toBe(1 << 20);
    halfWidth.destroy();
    // the same network at a size that fits runs
    const x = hostTensor('float32', [1, 1, 8, 8], randn(r, 64));
    expect((await runOnce(device, twoConv(1), x)).length).toBe(64);
    device.destroy();
  });

  it('heap or weights over maxBufferSize, and kernels over maxStorageBuffersPerShaderStage', () => {
    const g = twoConv(2);
    const heapHog = planNetwork(FAKE_DEVICE, g, { inputDimensions: { x: [1, 2, 64, 64] }, fuse: false });
    expect(heapHog.intermediatesHeapSize).toBeGreaterThan(4096);
    expect(() => planNetwork(fakeDevice({ maxBufferSize: 4096 }), g, { inputDimensions: { x: [1, 2, 64, 64] }, fuse: false }))
      .toThrow(/needs a heap of \d+ bytes for its intermediates, over this device's maxBufferSize \(4096\)/);
    expect(() => planNetwork(fakeDevice({ maxBufferSize: 64 }), g, { inputDimensions: { x: [1, 2, 2, 2] } })).toThrow(wgml.LimitError);
    // conv1 binds x, w1, b1 and its output: 4 storage buffers
    let err: unknown;
    try { planNetwork(fakeDevice({ maxStorageBuffersPerShaderStage: 3 }), g, { inputDimensions: { x: [1, 2, 4, 4] } }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(wgml.NodeError);
    expect((err as Error).message).toMatch(/node 'conv1' \(Conv\): kernel '\w+' binds 4 storage buffers, over this device's maxStorageBuffersPerShaderStage \(3\)/);
  });
});

describe('device loss', () => {
  it('every entry point throws DeviceLostError; a new device, reloaded, gives the same results', async () => {
    const device = await wgml.requestDevice({ quiet: true });
    const bytes = wgml.writePackage(twoConv(2));
    const x = hostTensor('float32', [1, 2, 5, 7], randn(r, 70));
    const lib = await wgml.loadLibrary(device, bytes);
    const before = await runOnce(device, lib.function('main'), x);
    const p = await wgml.createPipeline(device, lib.function('main'), { inputDimensions: { x: [1, 2, 5, 7] } });
    const heap = wgml.createHeap(device, p.intermediatesHeapSize);
    const xt = wgml.tensor(device, { dtype: 'f32', shape: [1, 2, 5, 7] });
    const yt = wgml.tensor(device, { dtype: 'f32', shape: [1, 1, 5, 7] });
    const args = p.bind({ x: xt, y: yt }, heap);
    const pending = yt.read(); // a read in flight when the device goes
    device.destroy();
    await device.lost;
    await expect(pending).rejects.toBeInstanceOf(wgml.DeviceLostError);
    const lost = [
      () => wgml.tensor(device, { dtype: 'f32', shape: [4] }),
      () => wgml.createHeap(device, 1024),
      () => wgml.createPipeline(device, lib.function('main'), { inputDimensions: { x: [1, 2, 5, 7] } }),
      () => p.bind({ x: xt, y: yt }, heap),
      () => wgml.encodeNetwork(device.createCommandEncoder(), args),
      () => yt.read(),
      () => xt.write(new Float32Array(70)),
      () => wgml.loadLibrary(device, bytes),
    ];
    for (const f of lost) {
      const e = await (async () => f())().then(() => null, (e) => e);
      expect(e, String(f)).toBeInstanceOf(wgml.DeviceLostError);
      expect(e.code).toBe('E_DEVICE_LOST');
      expect(e.hint).toMatch(/request a new device/);
    }
    // destroy() after loss is harmless
    for (const o of [xt, yt, heap, p, lib]) o.destroy();
    // the documented recovery: new device, reload, recreate pipelines and heaps
    const device2 = await wgml.requestDevice({ quiet: true });
    const lib2 = await wgml.loadLibrary(device2, bytes);
    const after = await runOnce(device2, lib2.function('main'), x);
    expect(compareClose(after, before, 1e-6, 1e-7)).toBeNull();
    device2.destroy();
  });
});

describe('leaks', () => {
  it('a thousand create/run/destroy cycles leave no GPU buffer behind', async () => {
    const device = await wgml.requestDevice({ quiet: true });
    const count = trackBuffers(device);
    const g = graph([f32('x', [2, 8])], [f32('y', [2, 4])], [
      node('MatMul', ['x', 'W'], ['m'], {}, 'mm'), node('Relu', ['m'], ['h'], {}, 'relu'), node('Softmax', ['h'], ['y'], { axis: int(-1) }, 'sm'),
    ], { W: hostTensor('float32', [8, 4], randn(r, 32)) });
    const lib = await wgml.loadLibrary(device, wgml.writePackage(g));
    const base = { buffers: count.live(), tensors: liveTensorCount(device) };
    let p = await wgml.createPipeline(device, lib.function('main'), { fuse: false });
    let heap = wgml.createHeap(device, p.intermediatesHeapSize);
    let pipelines = 1;
    for (let cycle = 0; cycle < 1000; cycle++) {
      if (cycle % 40 === 39) { // a few dozen pipeline and heap re-creations
        p.destroy(); heap.destroy();
        p = await wgml.createPipeline(device, lib.function('main'), { fuse: false });
        heap = wgml.createHeap(device, p.intermediatesHeapSize);
        pipelines++;
      }
      const x = wgml.tensor(device, { dtype: 'f32', shape: [2, 8] });
      const y = wgml.tensor(device, { dtype: 'f32', shape: [2, 4] });
      x.write(new Float32Array(16).fill(cycle % 7));
      const enc = device.createCommandEncoder();
      wgml.encodeNetwork(enc, p.bind({ x, y }, heap));
      device.queue.submit([enc.finish()]);
      if (cycle % 100 === 0) expect((await y.read()).length).toBe(8);
      x.destroy(); y.destroy();
    }
    p.destroy(); heap.destroy();
    // runModel and runPipeline clean up after themselves too, including when they throw
    await wgml.runModel(device, g, { x: hostTensor('float32', [2, 8], randn(r, 16)) });
    await expect(wgml.runModel(device, g, { x: hostTensor('float32', [3, 8], randn(r, 24)) })).rejects.toBeInstanceOf(wgml.BindingError);
    lib.destroy();
    expect(pipelines).toBeGreaterThanOrEqual(25);
    expect(count.made()).toBeGreaterThan(2000);
    expect({ buffers: count.live(), tensors: liveTensorCount(device) }).toEqual(base);
    device.destroy();
  });
});

describe('GPU hygiene', () => {
  it("encodeNetwork records between the caller's own passes and leaves the encoder usable", async () => {
    const device = await testDevice();
    const g = twoConv(2);
    const x = hostTensor('float32', [1, 2, 4, 4], randn(r, 32));
    const expected = await runOnce(device, g, x);
    const p = await wgml.createPipeline(device, g, { inputDimensions: { x: [1, 2, 4, 4] } });
    const heap = wgml.createHeap(device, p.intermediatesHeapSize);
    const xt = wgml.tensor(device, { dtype: 'f32', shape: [1, 2, 4, 4] });
    const yt = wgml.tensor(device, { dtype: 'f32', shape: [1, 1, 4, 4] });
    xt.write(x.data as Float32Array);
    const args = p.bind({ x: xt, y: yt }, heap);
    const tex = device.createTexture({ size: [4, 4], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT });
    const copy = device.createBuffer({ size: 64, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
    await scoped(device, async () => {
      const enc = device.createCommandEncoder();
      enc.beginRenderPass({ colorAttachments: [{ view: tex.createView(), loadOp: 'clear', storeOp: 'store', clearValue: [1, 0, 0, 1] }] }).end();
      const before = enc.beginComputePass({ label: 'app pass' });
      before.end();
      wgml.encodeNetwork(enc, args);
      wgml.encodeNetwork(enc, args); // twice in one encoder
      enc.copyBufferToBuffer(yt.buffer, 0, copy, 0, 64);
      enc.beginComputePass({ label: 'app pass 2' }).end();
      device.queue.submit([enc.finish()]);
      expect(compareClose(await yt.read(), expected, 1e-6, 1e-7)).toBeNull();
      // a refused encode throws before opening a pass: the caller's encoder still finishes cleanly
      const enc2 = device.createCommandEncoder();
      heap.destroy();
      expect(() => wgml.encodeNetwork(enc2, args)).toThrow(wgml.ResourceStateError);
      enc2.beginComputePass().end();
      device.queue.submit([enc2.finish()]);
    });
    for (const o of [p, xt, yt, tex, copy]) o.destroy();
  });

  it('a bind() that throws builds nothing', async () => {
    const device = await wgml.requestDevice({ quiet: true });
    const count = trackBuffers(device);
    let groups = 0;
    const cbg = device.createBindGroup.bind(device);
    device.createBindGroup = (d: GPUBindGroupDescriptor) => { groups++; return cbg(d); };
    const p = await wgml.createPipeline(device, twoConv(2), { inputDimensions: { x: [1, 2, 4, 4] }, fuse: false });
    const heap = wgml.createHeap(device, p.intermediatesHeapSize);
    const xt = wgml.tensor(device, { dtype: 'f32', shape: [1, 2, 4, 4] });
    const bad = wgml.tensor(device, { dtype: 'f32', shape: [1, 1, 4, 5] });
    const [made, g0] = [count.made(), groups];
    await scoped(device, () => {
      expect(() => p.bind({ x: xt, y: bad }, heap)).toThrow(/output 'y' has shape \[1, 1, 4, 4\] in this pipeline; the tensor given has \[1, 1, 4, 5\]/);
      expect(() => p.bind({ x: xt, y: xt }, heap)).toThrow(wgml.BindingError);
    });
    expect([count.made(), groups]).toEqual([made, g0]);
    for (const o of [p, heap, xt, bad]) o.destroy();
    device.destroy();
  });
});

describe('workgroup storage limit', () => {
  it('a kernel over maxComputeWorkgroupStorageSize is refused with a LimitError naming the node, before any GPU work', async () => {
    const { registerOp } = await import('../src/ops/registry.js');
    const { signature } = await import('../src/gpu/signature.js');
    const { declaredKernel } = await import('../src/ops/types.js');
    const sig = signature({ buffers: [{ name: 'X', elem: 'f32' }, { name: 'Y', elem: 'f32', writes: true }] });
    registerOp({
      type: 'BigShared', domain: 'test.limits', attrs: () => ({}), infer: (ctx) => [ctx.inputs[0]!], reference: ([x]) => [x!],
      gpu: () => ({ kernels: [declaredKernel({
        name: 'big_shared', key: 'big_shared', sig, params: {}, args: [{ input: 0 }, { output: 0 }], workgroups: [1, 1, 1],
        source: () => ({ body: `var<workgroup> big: array<f32, 20000>;
@compute @workgroup_size(64) fn main(@builtin(local_invocation_index) i: u32) { let P = wgml_init(); big[i] = X_ld(i); workgroupBarrier(); Y_st(i, big[63u - i]); }` }),
      })] }),
    });
    const device = await testDevice();
    const g = { name: 'wg', inputs: [{ name: 'x', dtype: 'float32' as const, shape: [64] }], outputs: [{ name: 'y', dtype: 'float32' as const, shape: [64] }],
      nodes: [{ name: 'hog', opType: 'BigShared', domain: 'test.limits', inputs: ['x'], outputs: ['y'], attrs: {} }],
      initializers: new Map(), valueInfo: new Map(), opsets: { '': 17, 'test.limits': 1 } };
    const err = await wgml.createPipeline(device, g).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(wgml.LimitError);
    expect((err as Error).message).toMatch(/node 'hog' \(BigShared\).*workgroup storage/);
  });
});
