/**
 * The bad-inputs table of docs/errors.md, one test per row: each refusal is typed, carries the code
 * the table gives, and names what is wrong (node, op, input, shapes) with a hint.
 */
import { describe, it, expect } from 'vitest';
import * as wgml from '../src/index.js';
import { registerOp } from '../src/ops/registry.js';
import { readNpy, writeNpy } from '../src/ir/npy.js';
import { hostTensor } from '../src/ir/types.js';
import { planNetwork } from '../src/runtime/pipeline.js';
import { encodeTextureToTensor } from '../src/tensor/texture.js';
import { testDevice, scoped } from './helpers/gpu.js';
import { graph, node, f32, ints } from './helpers/graph.js';
import { DT, encodeModel, node as pnode, valueInfo } from './helpers/onnx-testdata.js';
import { rng, randn } from './helpers/random.js';

/** The thrown error, checked for class, code and the words it must contain. */
async function refusal<T extends wgml.WgmlError>(f: () => unknown, cls: abstract new (...a: never[]) => T, code: string, ...words: (string | RegExp)[]): Promise<T> {
  let err: unknown;
  try { await f(); } catch (e) { err = e; }
  expect(err, `expected ${cls.name}`).toBeInstanceOf(cls);
  const e = err as T;
  expect(e.code).toBe(code);
  expect(e.hint.length).toBeGreaterThan(10);
  for (const w of words) expect(e.message).toMatch(w);
  return e;
}

const r = rng(Number(process.env.WGML_SEED ?? 99));
// x[1,2,4,4] → Conv(w[3,2,3,3], pads 1) → Relu → y[1,3,4,4]
const convNet = () => graph([f32('x', [1, 2, 'H', 'W'])], [f32('y', [1, 3, 'H', 'W'])], [
  node('Conv', ['x', 'w'], ['c'], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]) }, 'conv1'),
  node('Relu', ['c'], ['y'], {}, 'relu1'),
], { w: hostTensor('float32', [3, 2, 3, 3], randn(r, 54, 0.3)) });

async function convPipeline(device: GPUDevice, fuse = true) {
  const p = await wgml.createPipeline(device, convNet(), { inputDimensions: { x: [1, 2, 4, 4] }, fuse });
  const heap = wgml.createHeap(device, p.intermediatesHeapSize);
  const x = wgml.tensor(device, { dtype: 'f32', shape: [1, 2, 4, 4], label: 'x' });
  const y = wgml.tensor(device, { dtype: 'f32', shape: [1, 3, 4, 4], label: 'y' });
  return { p, heap, x, y, free: () => { for (const o of [p, heap, x, y]) o.destroy(); } };
}

describe('bad inputs get typed errors that say what and how to fix', () => {
  it('missing input at bind() and at runPipeline()', async () => {
    const device = await testDevice();
    const { p, heap, y, free } = await convPipeline(device);
    await refusal(() => p.bind({ y }, heap), wgml.BindingError, 'E_BIND', /missing tensors for 'x'/, /x: f32 \[1, 2, 4, 4\]/);
    await refusal(() => wgml.runPipeline(device, p, {}), wgml.BindingError, 'E_BIND', /input 'x' was not given/, /\[1,2,4,4\]/);
    free();
  });

  it('wrong shape or dtype at bind()', async () => {
    const device = await testDevice();
    const { p, heap, y, free } = await convPipeline(device);
    const wrongShape = wgml.tensor(device, { dtype: 'f32', shape: [1, 2, 8, 8] });
    const wrongType = wgml.tensor(device, { dtype: 'i32', shape: [1, 2, 4, 4] });
    await refusal(() => p.bind({ x: wrongShape, y }, heap), wgml.BindingError, 'E_BIND', /input 'x'/, /\[1, 2, 4, 4\]/, /\[1, 2, 8, 8\]/);
    await refusal(() => p.bind({ x: wrongType, y }, heap), wgml.BindingError, 'E_BIND', /input 'x' is f32/, /given is i32/);
    await refusal(() => p.bind({ x: {} as wgml.Tensor, y }, heap), wgml.BindingError, 'E_BIND', /must be a wgml Tensor/);
    wrongShape.destroy(); wrongType.destroy(); free();
  });

  it('a tensor view over a buffer too small for its shape', async () => {
    const device = await testDevice();
    const buf = device.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE });
    await refusal(() => wgml.tensorView(buf, { dtype: 'f32', shape: [4, 8] }, device), wgml.ShapeError, 'E_SHAPE', /element 31/, /holds 64 bytes/);
    await refusal(() => wgml.tensorView(buf, { dtype: 'f32', shape: [4], offset: 14 }, device), wgml.ShapeError, 'E_SHAPE', /holds 64 bytes/);
    buf.destroy();
  });

  it('a texture of a format wgml does not convert', async () => {
    const device = await testDevice();
    const tex = device.createTexture({ size: [4, 4], format: 'rgba8uint', usage: GPUTextureUsage.TEXTURE_BINDING, label: 'ids' });
    const t = wgml.tensor(device, { dtype: 'f32', shape: [1, 4, 4, 4] });
    await refusal(() => encodeTextureToTensor(device.createCommandEncoder(), tex, t), wgml.DTypeError, 'E_DTYPE', /'ids' has format rgba8uint/);
    const ok = device.createTexture({ size: [4, 4], format: 'rgba8unorm', usage: GPUTextureUsage.TEXTURE_BINDING, label: 'color' });
    const small = wgml.tensor(device, { dtype: 'f32', shape: [1, 4, 2, 2] });
    await refusal(() => encodeTextureToTensor(device.createCommandEncoder(), ok, small), wgml.ShapeError, 'E_SHAPE', /\[1, 4, 2, 2\]/, /needs \[1, 4, 4, 4\]/);
    for (const o of [tex, ok, t, small]) o.destroy();
  });

  it('an op wgml lacks, listing every such node at load time', async () => {
    const device = await testDevice();
    const bytes = encodeModel({
      nodes: [pnode('Relu', ['x'], ['a']), pnode('FancyOp', ['a'], ['b'], [], { name: 'fancy', domain: 'com.example' }), pnode('StringNormalizer', ['b'], ['y'], [], { name: 'norm' })],
      inputs: [valueInfo('x', DT.FLOAT, [2])], outputs: [valueInfo('y', DT.FLOAT, [2])], domains: { 'com.example': 1 },
    });
    const e = await refusal(() => wgml.loadLibrary(device, bytes), wgml.UnsupportedOpsError, 'E_UNSUPPORTED_OP', /fancy: com.example.FancyOp/, /norm: StringNormalizer/);
    // an op of unknown meaning has no kernel; a known one says why and what to do instead
    expect(e.nodes.map((n) => n.reason)).toEqual(['wgml has no kernel for this op', 'a string op: wgml stores numbers only']);
    expect(e.nodes.map((n) => n.name)).toEqual(['fancy', 'norm']);
  });

  it('an opset outside 1..21', async () => {
    const mk = (opset: number) => encodeModel({ nodes: [pnode('Relu', ['x'], ['y'])], inputs: [valueInfo('x', DT.FLOAT, [2])], outputs: [valueInfo('y', DT.FLOAT, [2])], opset });
    await refusal(() => wgml.loadOnnx(mk(0)), wgml.ModelFormatError, 'E_MODEL_FORMAT', /opset 0/, /1\.\.21/);
    const e = await refusal(() => wgml.loadOnnx(mk(30)), wgml.ModelFormatError, 'E_MODEL_FORMAT', /opset 30/);
    expect(e.hint).toMatch(/version_converter/);
  });

  it('a heap too small, and a heap over maxBufferSize', async () => {
    const device = await testDevice();
    const { p, x, y, free } = await convPipeline(device, false); // unfused: Conv's output lives in the heap
    expect(p.intermediatesHeapSize).toBeGreaterThan(0);
    const small = wgml.createHeap(device, p.intermediatesHeapSize - 4);
    await refusal(() => p.bind({ x, y }, small), wgml.BindingError, 'E_BIND', new RegExp(`needs ${p.intermediatesHeapSize}`));
    await refusal(() => wgml.createHeap(device, device.limits.maxBufferSize + 4), wgml.LimitError, 'E_LIMIT', /maxBufferSize/);
    await refusal(() => wgml.createHeap(device, -1), wgml.LimitError, 'E_LIMIT', /not a non-negative integer/);
    small.destroy(); free();
  });

  it('a tensor or heap from another device', async () => {
    const device = await testDevice();
    const other = await wgml.requestDevice({ quiet: true });
    const { p, heap, y, free } = await convPipeline(device);
    const foreign = wgml.tensor(other, { dtype: 'f32', shape: [1, 2, 4, 4], label: 'foreign' });
    await refusal(() => p.bind({ x: foreign, y }, heap), wgml.ResourceStateError, 'E_RESOURCE_STATE', /'foreign' belongs to another GPUDevice/);
    const x = wgml.tensor(device, { dtype: 'f32', shape: [1, 2, 4, 4] });
    const foreignHeap = wgml.createHeap(other, p.intermediatesHeapSize);
    await refusal(() => p.bind({ x, y }, foreignHeap), wgml.ResourceStateError, 'E_RESOURCE_STATE', /heap belongs to another GPUDevice/);
    foreign.destroy(); foreignHeap.destroy(); x.destroy(); free();
    other.destroy();
  });

  it('a destroyed tensor, pipeline, heap or library', async () => {
    const device = await testDevice();
    const { p, heap, x, y, free } = await convPipeline(device);
    const args = p.bind({ x, y }, heap);
    const enc = () => wgml.encodeNetwork(device.createCommandEncoder(), args);
    heap.destroy();
    await refusal(enc, wgml.ResourceStateError, 'E_RESOURCE_STATE', /heap was used after destroy/);
    const heap2 = wgml.createHeap(device, p.intermediatesHeapSize);
    const args2 = p.bind({ x, y }, heap2);
    y.destroy();
    await refusal(() => wgml.encodeNetwork(device.createCommandEncoder(), args2), wgml.ResourceStateError, 'E_RESOURCE_STATE', /tensor 'y' was used after destroy/);
    await refusal(() => y.read(), wgml.ResourceStateError, 'E_RESOURCE_STATE', /'y'/);
    await refusal(() => y.write(new Float32Array(48)), wgml.ResourceStateError, 'E_RESOURCE_STATE');
    const view = wgml.tensorView(x.buffer, { dtype: 'f32', shape: [32], label: 'xview' }, device);
    x.destroy();
    await refusal(() => view.read(), wgml.ResourceStateError, 'E_RESOURCE_STATE', /'xview'.*owning its buffer/);
    p.destroy();
    await refusal(() => p.bind({ x, y }, heap2), wgml.ResourceStateError, 'E_RESOURCE_STATE', /after destroy/, /createPipeline/);
    const lib = await wgml.loadLibrary(device, wgml.writePackage(convNet()));
    lib.destroy();
    await refusal(() => lib.function('main'), wgml.ResourceStateError, 'E_RESOURCE_STATE', /library was used after destroy/);
    heap2.destroy(); free();
  });

  it('.npy files that lie about their size', () => {
    const good = writeNpy(hostTensor('float32', [2, 3], [1, 2, 3, 4, 5, 6]));
    expect([...readNpy(good).data]).toEqual([1, 2, 3, 4, 5, 6]);
    // every dtype reads back as itself: a float16 model's outputs feed its next step as float16
    for (const dt of ['float16', 'float64', 'int64', 'int32', 'int16', 'int8', 'uint64', 'uint32', 'uint16', 'uint8', 'bool'] as const) {
      const vals = dt === 'bool' ? [1, 0, 1, 1, 0, 0] : dt.startsWith('float') ? [0.5, -2, 3.25, 65504, 6e-8, 0] : dt.startsWith('u') ? [0, 1, 2, 200, 7, 9] : [-3, 1, 2, 100, 7, -9];
      const back = readNpy(writeNpy(hostTensor(dt, [2, 3], vals)));
      expect([back.dtype, ...back.data], dt).toEqual([dt, ...(dt === 'float16' ? [0.5, -2, 3.25, 65504, 2 ** -24, 0] : vals.map(Math.fround))]);
    }
    expect([...readNpy(writeNpy(hostTensor('float16', [2], [1 + 2 ** -12, 70000]))).data]).toEqual([1, Infinity]);
    const lie = (from: string, to: string) => {
      const s = new TextDecoder().decode(good).replace(from, to.padEnd(from.length));
      const b = new TextEncoder().encode(s.slice(0, 10 + new DataView(good.buffer).getUint16(8, true)));
      const out = new Uint8Array(good.length); out.set(good); out.set(b.subarray(10), 10); return out;
    };
    expect(() => readNpy(lie('(2, 3)', '(3, 3)'), 'a.npy')).toThrow(/a.npy: header says shape \(3, 3\) of <f4: 36 data bytes, but the file holds 24/);
    expect(() => readNpy(good.subarray(0, good.length - 4), 'b.npy')).toThrow(wgml.ModelFormatError);
    expect(() => readNpy(lie('(2, 3)', '(1e30,)'), 'c.npy')).toThrow(wgml.ModelFormatError);
    const hdr = good.slice(); new DataView(hdr.buffer).setUint16(8, 60000, true);
    expect(() => readNpy(hdr, 'd.npy')).toThrow(/runs past the end/);
    const v9 = good.slice(); v9[6] = 9;
    expect(() => readNpy(v9, 'e.npy')).toThrow(/format version 9/);
  });

  it('empty STRING attributes (unset bytes field) load as empty strings', async () => {
    const bytes = encodeModel({ nodes: [pnode('Relu', ['x'], ['y'], [{ name: 'note', type: 3 }])], inputs: [valueInfo('x', DT.FLOAT, [2])], outputs: [valueInfo('y', DT.FLOAT, [2])] });
    const g = await wgml.loadOnnx(bytes);
    expect(g.nodes[0]!.attrs.note).toEqual({ kind: 'string', value: '' });
  });

  it('a .wgml manifest with a malformed graph is refused with the JSON path', async () => {
    const bytes = wgml.writePackage(convNet());
    const dv = new DataView(bytes.buffer);
    const mlen = dv.getUint32(8, true);
    const manifest = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + mlen)));
    const rewrite = (edit: (m: any) => void) => { // eslint-disable-line @typescript-eslint/no-explicit-any
      const m = structuredClone(manifest); edit(m);
      const weights = bytes.subarray(manifest.sections[0].offset);
      let json = JSON.stringify(m);
      const enc = new TextEncoder();
      for (let k = 0; k < 3; k++) { m.sections[0].offset = Math.ceil((12 + enc.encode(json).length) / 8) * 8; json = JSON.stringify(m); }
      const mj = enc.encode(json);
      const out = new Uint8Array(m.sections[0].offset + weights.length);
      out.set(bytes.subarray(0, 8)); new DataView(out.buffer).setUint32(8, mj.length, true); out.set(mj, 12); out.set(weights, m.sections[0].offset);
      return out;
    };
    expect(wgml.readPackage(rewrite(() => {})).nodes.length).toBe(2);
    expect(() => wgml.readPackage(rewrite((m) => { m.graph.nodes[0].inputs = 'x'; }))).toThrow(/graph.nodes.0.inputs/);
    expect(() => wgml.readPackage(rewrite((m) => { m.graph.inputs[0].dtype = 'float128'; }))).toThrow(/graph.inputs.0.dtype/);
    expect(() => wgml.readPackage(rewrite((m) => { m.graph.nodes[1].inputs = ['nowhere']; }))).toThrow(/reads value 'nowhere'/);
    expect(() => wgml.readPackage(rewrite((m) => { m.graph.nodes[0].inputs[0] = 'y'; }))).toThrow(/cycle/);
    expect(() => wgml.readPackage(rewrite((m) => { m.graph.opsets[''] = 40; }))).toThrow(/opset 40/);
    expect(() => wgml.readPackage(rewrite((m) => { m.tensors.w.shape = [1e6, 1e6]; }))).toThrow(wgml.ModelFormatError);
  });

  it('op-rule crashes on malformed nodes become NodeErrors naming the node and its inputs', async () => {
    const device = await testDevice();
    // ops check their own arity now…
    const g = graph([f32('x', [2, 3])], [f32('y', [3, 2])], [node('Transpose', [], ['y'], {}, 'tr')]);
    await refusal(() => planNetwork(device, g), wgml.NodeError, 'E_NODE', /node 'tr' \(Transpose\)/, /0 input/);
    // …and a rule that still crashes (a TypeError inside infer) is caught by the guard, not leaked
    registerOp({ type: 'Crash', domain: 'test.crash', attrs: () => ({}), infer: (ctx) => [{ dtype: 'float32', shape: (ctx.inputs[1] as unknown as { shape: number[] }).shape }], reference: () => [] });
    const g2 = { ...graph([f32('x', [2, 3])], [f32('y', [2, 3])], [node('Crash', ['x'], ['y'], {}, 'boom', 'test.crash')]), opsets: { '': 17, 'test.crash': 1 } };
    const e = await refusal(() => planNetwork(device, g2), wgml.NodeError, 'E_NODE', /node 'boom' \(Crash\)/, /1 input/);
    expect(e.details.internal).toBe(true);
  });

  it('fuzz regressions: a node missing an output its kernel writes; values over 2^31-1 elements', async () => {
    const device = await testDevice();
    const g = graph([f32('x', [2, 3])], [f32('x', [2, 3])], [node('Relu', ['x'], [], {}, 'r0')]);
    await refusal(() => planNetwork(device, g), wgml.NodeError, 'E_NODE', /node 'r0' \(Relu\): /);
    const lstmLike = graph([f32('x', ['T', 4])], [f32('y', ['T', 4])], [node('Relu', ['x'], ['y'], {}, 'r1')]);
    await refusal(() => planNetwork(device, lstmLike, { inputDimensions: { x: [2 ** 30, 4] } }), wgml.LimitError, 'E_LIMIT', /input 'x' of shape \[1073741824, 4\]/);
  });
});
