import { describe, it, expect } from 'vitest';
import * as wgml from '../src/index.js';
import { referenceNode } from '../src/runtime/single.js';
import { hostTensor, type HostTensor } from '../src/ir/types.js';
import { planNetwork } from '../src/runtime/pipeline.js';
import { testDevice } from './helpers/gpu.js';
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
    const mm2 = p.nodes.find((n) => n.opType === 'MatMul' && n.attrs.wgml_residual);
    expect(mm2).toBeDefined();
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
