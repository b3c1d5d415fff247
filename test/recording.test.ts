/**
 * Shared recording (issue 18): declared kernels share the network's one bind group, so a dispatch costs
 * setPipeline + dispatchWorkgroups. Checked against per-dispatch bind groups and CPU references, and by
 * counting the calls encodeNetwork makes on a recording fake encoder. A small CNN (convolutions, pooling,
 * elementwise, global pooling, Gemm) records every dispatch shared. Every kernel is declared (the
 * undeclared-WGSL path is gone), so a kernel a test swaps in (helpers/broken-kernel.ts) shares too.
 */
import { describe, it, expect } from 'vitest';
import * as wgml from '../src/index.js';
import { referenceNode } from '../src/runtime/single.js';
import { hostTensor, type HostTensor } from '../src/ir/types.js';
import { testDevice } from './helpers/gpu.js';
import { graph, node, f32, int, ints } from './helpers/graph.js';
import { withStandInKernel } from './helpers/broken-kernel.js';
import { requestDevice } from '../src/gpu/device.js';
import { dispatchWorkgroups } from '../src/gpu/dispatch.js';
import { rng, randn, compareClose } from './helpers/random.js';

function cpuRun(g: wgml.Graph, inputs: Record<string, HostTensor>): Record<string, HostTensor> {
  const env = new Map<string, HostTensor>([...g.initializers, ...Object.entries(inputs)]);
  for (const n of g.nodes) {
    const outs = referenceNode(n, n.inputs.map((i) => (i ? env.get(i)! : null)), g.opsets[''] ?? 17);
    n.outputs.forEach((o, k) => env.set(o, outs[k]!));
  }
  return Object.fromEntries(g.outputs.map((o) => [o.name, env.get(o.name)!]));
}

/** A stand-in for GPUCommandEncoder that records the calls encodeNetwork makes. */
function fakeEncoder(): { encoder: GPUCommandEncoder; calls: string[]; dispatchArgs: number[][] } {
  const calls: string[] = [], dispatchArgs: number[][] = [];
  const pass = {
    setPipeline: () => calls.push('setPipeline'),
    setBindGroup: () => calls.push('setBindGroup'),
    dispatchWorkgroups: (...a: number[]) => { calls.push('dispatch'); dispatchArgs.push(a); },
    end: () => calls.push('end'),
  };
  const encoder = { beginComputePass: () => { calls.push('begin'); return pass; } };
  return { encoder: encoder as unknown as GPUCommandEncoder, calls, dispatchArgs };
}

describe('dispatchWorkgroups', () => {
  it('leaves trailing counts of 1 out (Dawn-node converts every argument given) and keeps the rest', () => {
    const f = fakeEncoder();
    const pass = f.encoder.beginComputePass();
    for (const wg of [[7, 1, 1], [7, 3, 1], [7, 1, 3], [1, 1, 1], [1, 2, 2]] as [number, number, number][]) dispatchWorkgroups(pass, wg);
    expect(f.dispatchArgs).toEqual([[7], [7, 3], [7, 1, 3], [1], [1, 2, 2]]);
  });
});

describe('shared recording', () => {
  const a = hostTensor('int64', [], [1]), z = hostTensor('int64', [], [0]);
  // Neg runs a stand-in kernel swapped in by the test (withStandInKernel): declared, so it shares like CumSum
  const g = graph([f32('x', ['N', 8])], [f32('y', ['N', 8]), f32('w', ['N', 8])], [
    node('CumSum', ['x', 'a'], ['c1']),
    node('CumSum', ['c1', 'z'], ['c2'], { reverse: int(1) }),
    node('Neg', ['c2'], ['n']),
    node('CumSum', ['n', 'a'], ['y'], { exclusive: int(1) }),
    node('CumSum', ['c2', 'z'], ['w']),
  ], { a, z });
  const standInNeg = <T>(fn: () => Promise<T>) => withStandInKernel('Neg', '-x', fn);

  it('gives the same outputs as per-dispatch bind groups and the CPU references', async () => {
    const device = await testDevice();
    const x = hostTensor('float32', [5, 8], randn(rng(7), 40));
    const want = cpuRun(g, { x });
    for (const recording of ['shared', 'groups'] as const) {
      const got = await standInNeg(() => wgml.runModel(device, g, { x }, { recording }));
      for (const k of ['y', 'w']) expect(compareClose(got[k]!.data, want[k]!.data, 1e-4, 1e-5), `${recording} ${k}`).toBeNull();
    }
  });

  it('records a declared kernel as setPipeline + dispatch, setting the shared bind group once per run of them', async () => {
    const device = await testDevice();
    const shared = await standInNeg(() => wgml.createPipeline(device, g, { inputDimensions: { x: [3, 8] }, recording: 'shared' }));
    const groups = await standInNeg(() => wgml.createPipeline(device, g, { inputDimensions: { x: [3, 8] }, recording: 'groups' }));
    expect(shared.recording.mode).toBe('shared');
    expect(groups.recording).toEqual({ mode: 'groups', reason: expect.stringContaining('groups') });
    const heap = wgml.createHeap(device, Math.max(shared.intermediatesHeapSize, groups.intermediatesHeapSize));
    const t = (s: number[]) => wgml.tensor(device, { dtype: 'f32', shape: s });
    const calls = (p: wgml.NetworkPipeline) => {
      const f = fakeEncoder();
      wgml.encodeNetwork(f.encoder, p.bind({ x: t([3, 8]), y: t([3, 8]), w: t([3, 8]) }, heap));
      return f.calls;
    };
    const cs = calls(shared), cg = calls(groups);
    // The counts given are each dispatch's workgroups, up to the trailing 1s left out.
    const f = fakeEncoder();
    wgml.encodeNetwork(f.encoder, shared.bind({ x: t([3, 8]), y: t([3, 8]), w: t([3, 8]) }, heap));
    expect(f.dispatchArgs.map((a) => [...a, 1, 1].slice(0, 3))).toEqual(shared.program.dispatches.map((d) => d.kernel.workgroups));
    const count = (c: string[], k: string) => c.filter((x) => x === k).length;
    expect(count(cs, 'dispatch')).toBe(5);
    expect(count(cg, 'dispatch')).toBe(5);
    // shared: the one group is set once for the five dispatches
    expect(count(cs, 'setBindGroup')).toBe(1);
    expect(count(cg, 'setBindGroup')).toBe(5);
    expect(count(cs, 'setPipeline')).toBe(5); // a pipeline per shared site
    // a second input size of the same network finds every pipeline compiled
    const again = await standInNeg(() => wgml.createPipeline(device, g, { inputDimensions: { x: [6, 8] }, recording: 'shared' }));
    expect(again.gpuPipelines).toEqual(shared.gpuPipelines);
    expect(shared.pipelineCount).toBe(5);
    expect(groups.pipelineCount).toBeLessThan(5);
  });

  it("'auto' chooses per-dispatch groups on a software adapter and says why; 'shared' refuses what cannot share", async () => {
    const device = await testDevice();
    const p = await wgml.createPipeline(device, g, { inputDimensions: { x: [2, 8] } });
    expect(p.recording.mode).toBe('groups');
    expect(p.recording.reason).toMatch(/software adapter/);
    // 3 shared bindings + 6 caller tensors do not fit a GPU with 8 storage buffers per stage
    const small = await requestDevice({ quiet: true, limits: { maxStorageBuffersPerShaderStage: 8 } });
    const xs = [0, 1, 2].map((i) => `x${i}`), ys = xs.map((x) => `y${x}`);
    const wide = graph(xs.map((x) => f32(x, [2, 8])), ys.map((y) => f32(y, [2, 8])), xs.map((x, i) => node('Neg', [x], [ys[i]!])));
    await expect(wgml.createPipeline(small, wide, { recording: 'shared' })).rejects.toThrow(/6 inputs and outputs need 9 storage bindings, over this device's 8/);
    small.destroy();
  });

  it("'auto' shares on a hardware adapter, and falls back to groups with the reason where the network does not fit", async () => {
    // A device that reports itself as hardware (the branch an H200 takes; this machine has only software adapters).
    const hw = await requestDevice({ quiet: true, limits: { maxStorageBuffersPerShaderStage: 8 } });
    wgml.deviceInfo(hw).software = null;
    const p = await wgml.createPipeline(hw, g, { inputDimensions: { x: [2, 8] } });
    expect(p.recording.mode).toBe('shared');
    const xs = [0, 1, 2].map((i) => `x${i}`), ys = xs.map((x) => `y${x}`);
    const wide = graph(xs.map((x) => f32(x, [2, 8])), ys.map((y) => f32(y, [2, 8])), xs.map((x, i) => node('Neg', [x], [ys[i]!])));
    const q = await wgml.createPipeline(hw, wide);
    expect(q.recording).toEqual({ mode: 'groups', reason: expect.stringMatching(/^auto: shared recording is not possible for this network: 6 inputs and outputs need 9 storage bindings/) });
    const x0 = hostTensor('float32', [2, 8], Float32Array.from({ length: 16 }, (_, i) => i - 7));
    const got = await wgml.runModel(hw, wide, { x0, x1: x0, x2: x0 });
    expect(Array.from(got.yx1!.data as Float32Array)).toEqual(Array.from(x0.data as Float32Array, (v) => -v));
    hw.destroy();
  });
});

describe('shared recording of a small CNN', () => {
  const r = rng(11);
  const t = (shape: number[], scale = 0.5) => hostTensor('float32', shape, randn(r, shape.reduce((p, q) => p * q, 1), scale));
  // Conv → Relu → MaxPool → 1×1 Conv + the pooled residual (Add) → × the pooled map (Mul) → GlobalAveragePool → Flatten → Gemm
  const g = graph([f32('x', [1, 3, 8, 8])], [f32('y', [1, 5])], [
    node('Conv', ['x', 'w1', 'b1'], ['c1'], { pads: ints([1, 1, 1, 1]) }),
    node('Relu', ['c1'], ['r1']),
    node('MaxPool', ['r1'], ['p'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }),
    node('Conv', ['p', 'w2'], ['c2']),
    node('Add', ['c2', 'p'], ['s']),
    node('Mul', ['s', 'p'], ['q']),
    node('GlobalAveragePool', ['q'], ['gap']),
    node('Flatten', ['gap'], ['f']),
    node('Gemm', ['f', 'wg', 'bg'], ['y'], { transB: int(1) }),
  ], { w1: t([8, 3, 3, 3]), b1: t([8]), w2: t([8, 8, 1, 1]), wg: t([5, 8]), bg: t([5]) });
  const x = t([1, 3, 8, 8], 1);

  it('records every dispatch shared (the GEMM family too), with the outputs of per-dispatch groups and the reference', async () => {
    const device = await testDevice();
    const want = cpuRun(g, { x });
    const got = { shared: await wgml.runModel(device, g, { x }, { recording: 'shared' }), groups: await wgml.runModel(device, g, { x }, { recording: 'groups' }) };
    expect(compareClose(got.shared.y!.data, got.groups.y!.data, 1e-6, 1e-7)).toBeNull();
    expect(compareClose(got.shared.y!.data, want.y!.data, 1e-4, 1e-5)).toBeNull();

    const shared = await wgml.createPipeline(device, g, { recording: 'shared' });
    const ds = shared.program.dispatches;
    const sd = shared.shared!.plan.dispatches;
    // Convolutions (Relu and the residual Add fused in; p, read twice by the second, copied), MaxPool, Mul,
    // GlobalAveragePool, the Gemm head: all shared
    expect(ds.map((d) => d.node)).toEqual(expect.arrayContaining(['Conv_c1', 'MaxPool_p', 'Conv_c2', 'Mul_q', 'GlobalAveragePool_gap', 'Gemm_y']));
    ds.forEach((d, i) => expect(sd[i] !== null, `${d.node}: ${d.kernel.name}`).toBe(true));
    const heap = wgml.createHeap(device, shared.intermediatesHeapSize);
    const f = fakeEncoder();
    wgml.encodeNetwork(f.encoder, shared.bind({ x: wgml.tensor(device, { dtype: 'f32', shape: [1, 3, 8, 8] }), y: wgml.tensor(device, { dtype: 'f32', shape: [1, 5] }) }, heap));
    const count = (k: string) => f.calls.filter((c) => c === k).length;
    expect(count('dispatch')).toBe(ds.length);
    expect(count('setPipeline')).toBe(ds.length);
    expect(count('setBindGroup')).toBe(1); // the shared group, once for the whole network
  });
});

describe('split-K pairs (issue 18)', () => {
  const r = rng(23);
  const t = (shape: number[], scale = 0.5) => hostTensor('float32', shape, randn(r, shape.reduce((p, q) => p * q, 1), scale));
  const s = (value: string) => ({ kind: 'string' as const, value });
  // A split conv (bias, residual and Relu in its reduce), then a split MatMul and a split Gemm whose reduce
  // runs a LayerNorm: three GEMMs whose partial products and reduce are two dispatches each.
  const g = graph([f32('x', [1, 24, 5, 5])], [f32('y', [25, 16]), f32('z', [25, 16])], [
    node('Conv', ['x', 'w1', 'b1', 'x'], ['c'], { pads: ints([1, 1, 1, 1]), wgml_test_path: s('gemm'), wgml_test_split: int(3), wgml_act: s('relu'), wgml_residual: int(1) }),
    node('Reshape', ['c', 'shape'], ['m']),
    node('Transpose', ['m'], ['mt'], { perm: ints([1, 0]) }),
    node('MatMul', ['mt', 'w2'], ['y'], { wgml_gemm: s('t32x32/s3') }),
    node('Gemm', ['mt', 'w3', 'b3'], ['zz'], { wgml_gemm: s('t32x32/s2') }),
    node('LayerNormalization', ['zz', 'g3', 'bb3'], ['z'], { axis: int(-1) }),
  ], { w1: t([24, 24, 3, 3], 0.1), b1: t([24]), shape: hostTensor('int64', [2], [24, 25]), w2: t([24, 16]), w3: t([24, 16]), b3: t([16]), g3: t([16]), bb3: t([16]) });
  const x = t([1, 24, 5, 5], 1);

  it('share one pipeline per pair (convolutions by default, MatMul/Gemm on request), so recording sets it once for both dispatches; outputs as with two and as the reference', async () => {
    const device = await testDevice();
    const want = cpuRun(g, { x });
    for (const splitKPairs of ['all', 'none'] as const) {
      for (const recording of splitKPairs === 'all' ? ['shared', 'groups'] as const : ['shared'] as const) {
        const got = await wgml.runModel(device, g, { x }, { recording, splitKPairs });
        for (const k of ['y', 'z']) expect(compareClose(got[k]!.data, want[k]!.data, 1e-4, 1e-5), `${k}, pairs ${splitKPairs}, ${recording}`).toBeNull();
      }
    }
    const sets = async (splitKPairs: 'conv' | 'all' | 'none') => {
      const p = await wgml.createPipeline(device, g, { recording: 'shared', splitKPairs });
      const f = fakeEncoder();
      const heap = wgml.createHeap(device, p.intermediatesHeapSize);
      wgml.encodeNetwork(f.encoder, p.bind({ x: wgml.tensor(device, { dtype: 'f32', shape: [1, 24, 5, 5] }), y: wgml.tensor(device, { dtype: 'f32', shape: [25, 16] }), z: wgml.tensor(device, { dtype: 'f32', shape: [25, 16] }) }, heap));
      const count = (k: string) => f.calls.filter((c) => c === k).length;
      const names = p.program.dispatches.map((d) => d.kernel.name);
      return { dispatches: count('dispatch'), setPipeline: count('setPipeline'), pipelines: p.pipelineCount, names };
    };
    const on = await sets('all'), conv = await sets('conv'), off = await sets('none');
    expect(on.dispatches).toBe(off.dispatches);
    expect(on.names.filter((n) => /reduce/.test(n))).toHaveLength(3);
    expect(off.setPipeline).toBe(off.dispatches);
    expect(on.setPipeline).toBe(on.dispatches - 3);
    expect(on.pipelines).toBe(off.pipelines - 3);
    expect(conv.setPipeline).toBe(conv.dispatches - 1); // the default: the convolution's pair only
  });
});
