import { describe, it, expect } from 'vitest';
import * as wgml from '../src/index.js';
import { referenceNode } from '../src/runtime/single.js';
import { hostTensor, type HostTensor } from '../src/ir/types.js';
import { planNetwork } from '../src/runtime/pipeline.js';
import { testDevice, scoped } from './helpers/gpu.js';
import { graph, node, f32, int } from './helpers/graph.js';
import { rng, randn, compareClose } from './helpers/random.js';

/** CPU evaluation of a graph node by node with the ops' references (no fusion). */
function cpuRun(g: wgml.Graph, inputs: Record<string, HostTensor>): Record<string, HostTensor> {
  const env = new Map<string, HostTensor>([...g.initializers, ...Object.entries(inputs)]);
  for (const n of g.nodes) {
    const outs = referenceNode(n, n.inputs.map((i) => (i ? env.get(i)! : null)), g.opsets[''] ?? 17);
    n.outputs.forEach((o, k) => env.set(o, outs[k]!));
  }
  return Object.fromEntries(g.outputs.map((o) => [o.name, env.get(o.name)!]));
}

describe('network runtime', () => {
  const r = rng(Number(process.env.WGML_SEED ?? 1234));
  // x[B,16] → MatMul W1 → Add b → Relu → MatMul W2 → (+ x residual) → Reshape → Softmax
  const W1 = hostTensor('float32', [16, 32], randn(r, 512, 0.3));
  const b1 = hostTensor('float32', [32], randn(r, 32));
  const W2 = hostTensor('float32', [32, 16], randn(r, 512, 0.3));
  const shape = hostTensor('int64', [3], [-1, 4, 4]);
  const g = graph([f32('x', ['B', 16])], [f32('y', ['B', 4, 4]), f32('h', ['B', 32])], [
    node('MatMul', ['x', 'W1'], ['m1']),
    node('Add', ['m1', 'b1'], ['a1']),
    node('Relu', ['a1'], ['h']),
    node('MatMul', ['h', 'W2'], ['m2']),
    node('Add', ['m2', 'x'], ['res']),
    node('Reshape', ['res', 'shape'], ['r3']),
    node('Softmax', ['r3'], ['y'], { axis: int(-1) }),
  ], { W1, b1, W2, shape });

  it('runs a whole graph in one pass and matches the CPU references', async () => {
    const device = await testDevice();
    const x = hostTensor('float32', [3, 16], randn(r, 48));
    const gpu = await wgml.runModel(device, g, { x });
    const cpu = cpuRun(g, { x });
    for (const k of ['y', 'h']) expect(compareClose(gpu[k]!.data, cpu[k]!.data, 1e-4, 1e-5), k).toBeNull();
  });

  it('fuses the residual Add into the MatMul and plans a compact heap', async () => {
    const device = await testDevice();
    const p = planNetwork(device, g, { inputDimensions: { x: [64, 16] } });
    const ops = p.nodes.map((n) => n.opType);
    expect(ops.filter((o) => o === 'Add').length).toBeLessThan(2);
    // the residual Add is the second MatMul's epilogue; bias + Relu the first's
    const mm2 = p.nodes.find((n) => n.opType === 'MatMul' && n.inputs.includes('x') && n.attrs.wgml_epilogue);
    expect(mm2).toBeDefined();
    expect(p.nodes.map((n) => n.opType)).toEqual(['MatMul', 'MatMul', 'Reshape', 'Softmax']);
    expect(p.intermediatesHeapSize).toBeLessThanOrEqual(p.peakLiveBytes * 1.1);
  });

  it('records with encodeNetwork into the caller encoder and reuses bind groups across frames', async () => {
    const device = await testDevice();
    const pipeline = await wgml.createPipeline(device, g, { inputDimensions: { x: [2, 16] } });
    expect(pipeline.inputs).toEqual([{ name: 'x', dtype: 'f32', elemType: 'float32', shape: [2, 16] }]);
    const heap = wgml.createHeap(device, pipeline.intermediatesHeapSize);
    const x = wgml.tensor(device, { dtype: 'f32', shape: [2, 16] });
    const y = wgml.tensor(device, { dtype: 'f32', shape: [2, 4, 4] });
    const h = wgml.tensor(device, { dtype: 'f32', shape: [2, 32] });
    const args = pipeline.bind({ x, y, h }, heap);
    for (let frame = 0; frame < 3; frame++) {
      const xs = hostTensor('float32', [2, 16], randn(r, 32));
      x.write(xs.data as Float32Array);
      const enc = device.createCommandEncoder();
      wgml.encodeNetwork(enc, args);
      device.queue.submit([enc.finish()]);
      const got = await y.read();
      expect(compareClose(got, cpuRun(g, { x: xs }).y!.data)).toBeNull();
    }
    for (const t of [x, y, h, heap]) t.destroy();
    pipeline.destroy();
  });

  it('refuses bad bindings with typed errors', async () => {
    const device = await testDevice();
    const pipeline = await wgml.createPipeline(device, g, { inputDimensions: { x: [2, 16] } });
    const heap = wgml.createHeap(device, pipeline.intermediatesHeapSize);
    const x = wgml.tensor(device, { dtype: 'f32', shape: [2, 16] });
    const y = wgml.tensor(device, { dtype: 'f32', shape: [2, 4, 4] });
    const h = wgml.tensor(device, { dtype: 'f32', shape: [2, 32] });
    expect(() => pipeline.bind({ x, y }, heap)).toThrow(/missing tensors for 'h'/);
    expect(() => pipeline.bind({ x: h, y, h }, heap)).toThrow(wgml.BindingError);
    expect(() => pipeline.bind({ x, y, h, z: x }, heap)).toThrow(/'z' is not an input or output/);
    const small = wgml.createHeap(device, 256);
    if (pipeline.intermediatesHeapSize > 256) expect(() => pipeline.bind({ x, y, h }, small)).toThrow(/heap holds 256 bytes/);
    const xi = wgml.tensor(device, { dtype: 'i32', shape: [2, 16] });
    expect(() => pipeline.bind({ x: xi, y, h }, heap)).toThrow(/is f32/);
    const args = pipeline.bind({ x, y, h }, heap);
    x.destroy();
    expect(() => wgml.encodeNetwork(device.createCommandEncoder(), args)).toThrow(wgml.ResourceStateError);
    pipeline.destroy();
    expect(() => pipeline.bind({ x: h, y, h }, heap)).toThrow(/after destroy/);
    for (const t of [y, h, heap, small, xi]) t.destroy();
  });

  it('an output that is also an input (a pass-through) is the caller\'s tensor, not a copy onto itself (fuzzer, seed 901)', async () => {
    const device = await testDevice();
    const pass = graph([f32('x', [2, 3])], [f32('x', [2, 3]), f32('y', [2, 3])], [node('Relu', ['x'], ['y'])]);
    const x = hostTensor('float32', [2, 3], [-1, 2, -3, 4, -5, 6]);
    const out = await scoped(device, () => wgml.runModel(device, pass, { x }));
    expect(Array.from(out.x!.data)).toEqual([-1, 2, -3, 4, -5, 6]);
    expect(Array.from(out.y!.data)).toEqual([0, 2, 0, 4, 0, 6]);
  });

  it('round-trips a .wgml package', async () => {
    const device = await testDevice();
    const bytes = wgml.writePackage(g);
    const lib = await wgml.loadLibrary(device, bytes);
    const x = hostTensor('float32', [3, 16], randn(r, 48));
    const a = await wgml.runModel(device, lib.function('main').graph, { x });
    const b = cpuRun(g, { x });
    expect(compareClose(a.y!.data, b.y!.data)).toBeNull();
    const corrupt = bytes.slice();
    corrupt[corrupt.length - 5]! ^= 0xff;
    await expect(wgml.loadLibrary(device, corrupt)).rejects.toThrow(/checksum/);
    await expect(wgml.loadLibrary(device, bytes.slice(0, 20))).rejects.toThrow(wgml.ModelFormatError);
  });
});

describe('textures bound to a network', () => {
  it('converts texture inputs and outputs inside encodeNetwork, in the same encoder', async () => {
    const device = await testDevice();
    const W = 5, H = 3;
    const k = hostTensor('float32', [1], [2.5]);
    const g2 = graph([f32('img', [1, 4, H, W])], [f32('out', [1, 4, H, W])], [node('Mul', ['img', 'k'], ['m']), node('Relu', ['m'], ['out'])], { k });
    const pipeline = await wgml.createPipeline(device, g2);
    const heap = wgml.createHeap(device, pipeline.intermediatesHeapSize);
    const src = device.createTexture({ size: [W, H], format: 'rgba32float', usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST });
    const dst = device.createTexture({ size: [W, H], format: 'rgba32float', usage: GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.COPY_SRC });
    const texels = randn(rng(3), W * H * 4);
    device.queue.writeTexture({ texture: src }, texels, { bytesPerRow: W * 16 }, [W, H]);
    const args = pipeline.bind({ img: src, out: dst }, heap);
    const enc = device.createCommandEncoder();
    wgml.encodeNetwork(enc, args);
    const rb = device.createBuffer({ size: 256 * H, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
    enc.copyTextureToBuffer({ texture: dst }, { buffer: rb, bytesPerRow: 256 }, [W, H]);
    device.queue.submit([enc.finish()]);
    await rb.mapAsync(GPUMapMode.READ);
    const got = new Float32Array(rb.getMappedRange().slice(0));
    rb.unmap();
    for (let y = 0; y < H; y++) for (let x = 0; x < W * 4; x++) {
      const want = Math.max(0, texels[y * W * 4 + x]! * 2.5);
      expect(Math.abs(got[y * 64 + x]! - want)).toBeLessThan(1e-6);
    }
    const wrong = device.createTexture({ size: [W + 1, H], format: 'rgba32float', usage: GPUTextureUsage.TEXTURE_BINDING });
    expect(() => pipeline.bind({ img: wrong, out: dst }, heap)).toThrow(wgml.ShapeError);
    args.destroy(); heap.destroy(); pipeline.destroy();
    for (const t of [src, dst, wrong, rb]) t.destroy();
  });
});

describe('If', () => {
  const branch = (op: string): wgml.Graph => graph([], [f32(`${op}_out`, [2, 3])], [node(op, ['x', 'x'], [`${op}_out`])]);
  const ifNode = (cond: string) => node('If', [cond], ['y'], { then_branch: { kind: 'graph', value: branch('Add') }, else_branch: { kind: 'graph', value: branch('Mul') } });
  it('selects per element when the condition is a runtime value, and inlines a constant one', async () => {
    const device = await testDevice();
    const x = hostTensor('float32', [2, 3], randn(rng(9), 6));
    const runtime = graph([f32('x', [2, 3]), { name: 'c', dtype: 'bool', shape: [] }], [f32('y', [2, 3])], [ifNode('c')]);
    for (const c of [0, 1]) {
      const got = await wgml.runModel(device, runtime, { x, c: hostTensor('bool', [], [c]) });
      const want = Array.from(x.data, (v) => (c ? v + v : v * v));
      expect(compareClose(got.y!.data, want)).toBeNull();
    }
    const folded = graph([f32('x', [2, 3])], [f32('y', [2, 3])], [ifNode('c')], { c: hostTensor('bool', [], [0]) });
    const p = planNetwork(device, folded, {});
    expect(p.nodes.some((n) => n.opType === 'Where' || n.opType === 'Add')).toBe(false);
    const got = await wgml.runModel(device, folded, { x });
    expect(compareClose(got.y!.data, Array.from(x.data, (v) => v * v))).toBeNull();
  });
});

describe('Concat elimination', () => {
  it('has producers write into the Concat output when the parts are contiguous (no Concat kernel)', async () => {
    const device = await testDevice();
    const r2 = rng(21);
    const Wa = hostTensor('float32', [16, 16], randn(r2, 256, 0.3)), Wb = hostTensor('float32', [16, 16], randn(r2, 256, 0.3));
    const g3 = graph([f32('x', [1, 8, 16])], [f32('y', [1, 16, 16])], [
      node('MatMul', ['x', 'Wa'], ['a']), node('MatMul', ['x', 'Wb'], ['b']),
      node('Concat', ['a', 'b'], ['c'], { axis: int(1) }), node('Relu', ['c'], ['y']),
    ], { Wa, Wb });
    const p = planNetwork(device, g3, {});
    const concat = p.nodes.find((n) => n.opType === 'Concat')!;
    expect(concat.dispatches).toEqual([]);
    const pa = p.values.get('a')!.place, pc = p.values.get('c')!.place;
    expect(pa.kind).toBe('heap');
    expect(pa.offset).toBe(pc.offset);
    expect(p.values.get('b')!.place.offset).toBe(pc.offset + 8 * 16 * 4);
    const x = hostTensor('float32', [1, 8, 16], randn(r2, 128));
    const got = await wgml.runModel(device, g3, { x });
    expect(compareClose(got.y!.data, cpuRun(g3, { x }).y!.data)).toBeNull();
  });
});
