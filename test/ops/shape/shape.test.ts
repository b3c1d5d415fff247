import { describe, it, expect } from 'vitest';
import { runNode, referenceNode } from '../../../src/runtime/single.js';
import { hostTensor, type AttrValue, type ElemType, type HostTensor, type Node } from '../../../src/ir/types.js';
import { testDevice } from '../../helpers/gpu.js';
import { rng, randn, randInt, testSeed } from '../../helpers/random.js';

const seed = testSeed();
const r = rng(seed);
const ints = (v: number[]): AttrValue => ({ kind: 'ints', value: v });
const int = (v: number): AttrValue => ({ kind: 'int', value: v });
const str = (v: string): AttrValue => ({ kind: 'string', value: v });
const i64 = (v: number[]) => hostTensor('int64', [v.length], v);
const randT = (shape: number[], dtype: ElemType = 'float32'): HostTensor =>
  hostTensor(dtype, shape, dtype === 'float32' ? randn(r, shape.reduce((a, b) => a * b, 1)) : randInt(r, shape.reduce((a, b) => a * b, 1), dtype === 'uint8' ? 0 : -100, 100));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const randShape = (rank: number, lo = 1, hi = 5) => [...Array(rank)].map(() => lo + Math.floor(r() * (hi - lo + 1)));

function node(opType: string, nIn: number, attrs: Record<string, AttrValue> = {}, nOut = 1): Node {
  return { name: `${opType.toLowerCase()}_t`, opType, domain: '', inputs: [...Array(nIn)].map((_, i) => `x${i}`), outputs: [...Array(nOut)].map((_, i) => `y${i}`), attrs };
}

/** GPU vs CPU reference, exact; returns the reference outputs. */
async function check(n: Node, inputs: (HostTensor | null)[], opts: { opset?: number; constants?: number[] } = {}): Promise<HostTensor[]> {
  const device = await testDevice();
  const ref = referenceNode(n, inputs, opts.opset ?? 17);
  const gpu = await runNode(device, n, inputs, opts);
  expect(gpu.length, `seed ${seed}`).toBe(ref.length);
  gpu.forEach((g, i) => {
    expect(g.shape, `seed ${seed} ${n.opType} output ${i} shape`).toEqual(ref[i]!.shape);
    expect(g.dtype).toBe(ref[i]!.dtype);
    expect(Array.from(g.data), `seed ${seed} ${n.opType} output ${i}`).toEqual(Array.from(ref[i]!.data));
  });
  return ref;
}

describe(`shape ops (seed ${seed})`, () => {
  it('Reshape / Flatten / Squeeze / Unsqueeze reinterpret', async () => {
    const x = randT([2, 3, 4]);
    let [y] = await check(node('Reshape', 2), [x, i64([0, -1])]);
    expect(y!.shape).toEqual([2, 12]);
    [y] = await check(node('Reshape', 2, { allowzero: int(1) }), [hostTensor('float32', [0, 3]), i64([3, 0])], { opset: 14 });
    expect(y!.shape).toEqual([3, 0]);
    expect(() => referenceNode(node('Reshape', 2), [x, i64([5, -1])])).toThrow(/reshape/);
    [y] = await check(node('Flatten', 1, { axis: int(-1) }), [x]);
    expect(y!.shape).toEqual([6, 4]);
    [y] = await check(node('Squeeze', 2), [randT([1, 3, 1, 2]), i64([-2])], { opset: 13 });
    expect(y!.shape).toEqual([1, 3, 2]);
    [y] = await check(node('Squeeze', 1), [randT([1, 3, 1, 2])], { opset: 11 });
    expect(y!.shape).toEqual([3, 2]);
    [y] = await check(node('Unsqueeze', 1, { axes: ints([0, -1]) }), [x], { opset: 11 });
    expect(y!.shape).toEqual([1, 2, 3, 4, 1]);
    [y] = await check(node('Unsqueeze', 2), [x, i64([1, -2])], { opset: 13 });
    expect(y!.shape).toEqual([2, 1, 3, 1, 4]);
  });

  it('Shape / Size / Constant / ConstantOfShape / Range', async () => {
    const x = randT([2, 3, 4, 5]);
    let [y] = await check(node('Shape', 1), [x]);
    expect(Array.from(y!.data)).toEqual([2, 3, 4, 5]);
    [y] = await check(node('Shape', 1, { start: int(-3), end: int(-1) }), [x], { opset: 15 });
    expect(Array.from(y!.data)).toEqual([3, 4]);
    [y] = await check(node('Size', 1), [x]);
    expect(Array.from(y!.data)).toEqual([120]);
    const v = randT([3, 4]);
    [y] = await check(node('Constant', 0, { value: { kind: 'tensor', value: v } }), []);
    expect(Array.from(y!.data)).toEqual(Array.from(v.data));
    [y] = await check(node('Constant', 0, { value_ints: ints([4, -5, 6]) }), []);
    expect(Array.from(y!.data)).toEqual([4, -5, 6]);
    [y] = await check(node('ConstantOfShape', 1, { value: { kind: 'tensor', value: hostTensor('int32', [1], [7]) } }), [i64([2, 70, 3])]);
    expect(y!.data.every((e) => e === 7)).toBe(true);
    [y] = await check(node('ConstantOfShape', 1), [i64([3])]);
    expect(Array.from(y!.data)).toEqual([0, 0, 0]);
    const sc = (dt: ElemType, v: number) => hostTensor(dt, [], [v]);
    [y] = await check(node('Range', 3), [sc('int64', 10), sc('int64', -7), sc('int64', -3)]);
    expect(Array.from(y!.data)).toEqual([10, 7, 4, 1, -2, -5]);
    [y] = await check(node('Range', 3), [sc('float32', 0.5), sc('float32', 300.1), sc('float32', 0.75)]);
    expect(y!.shape).toEqual([400]);
  });

  it('Transpose, random ranks and perms', async () => {
    for (let t = 0; t < 4; t++) {
      const rank = 1 + Math.floor(r() * 6);
      const perm = [...Array(rank).keys()].sort(() => r() - 0.5);
      await check(node('Transpose', 1, { perm: ints(perm) }), [randT(randShape(rank, 1, 3), pick(['float32', 'int32', 'uint8'] as const))]);
    }
    const [y] = await check(node('Transpose', 1), [randT([2, 3, 4])]);
    expect(y!.shape).toEqual([4, 3, 2]);
  });

  it('Concat, negative axis, chunked inputs, empty inputs', async () => {
    const device = await testDevice();
    const limit = device.limits.maxStorageBuffersPerShaderStage;
    const count = Math.max(11, limit + 2);
    const axis = -2;
    const ins = [...Array(count)].map((_, i) => randT([2, i % 4 === 3 ? 0 : 1 + Math.floor(r() * 3), 3], 'int32'));
    const [y] = await check(node('Concat', count, { axis: int(axis) }), ins);
    expect(y!.shape[1]).toBe(ins.reduce((s, t) => s + t.shape[1]!, 0));
    await check(node('Concat', 3, { axis: int(0) }), [randT([2, 3]), randT([1, 3]), randT([4, 3])]);
  });

  it('Split: attribute, input, equal parts, num_outputs', async () => {
    const x = randT([3, 10, 2]);
    let ys = await check(node('Split', 1, { axis: int(1), split: ints([2, 5, 3]) }, 3), [x], { opset: 11 });
    expect(ys.map((y) => y.shape[1])).toEqual([2, 5, 3]);
    ys = await check(node('Split', 2, { axis: int(-2) }, 2), [x, i64([7, 3])], { opset: 13 });
    expect(ys.map((y) => y.shape[1])).toEqual([7, 3]);
    ys = await check(node('Split', 1, { axis: int(1) }, 5), [x], { opset: 13 });
    expect(ys.length).toBe(5);
    ys = await check(node('Split', 1, { axis: int(1), num_outputs: int(4) }, 4), [x], { opset: 18 });
    expect(ys.map((y) => y.shape[1])).toEqual([3, 3, 3, 1]);
  });

  it('Slice: negative steps, clamping, axes', async () => {
    for (let t = 0; t < 5; t++) {
      const rank = 1 + Math.floor(r() * 4);
      const shape = randShape(rank, 1, 6);
      const axes = [...Array(rank).keys()].filter(() => r() < 0.7);
      if (!axes.length) axes.push(0);
      const starts: number[] = [], ends: number[] = [], steps: number[] = [];
      for (const k of axes) {
        const d = shape[k]!;
        const step = pick([1, 2, -1, -2, 3]);
        starts.push(Math.floor(r() * (2 * d + 4)) - d - 2);
        ends.push(pick([Math.floor(r() * (2 * d + 4)) - d - 2, step > 0 ? 1000 : -1000]));
        steps.push(step);
      }
      const negAxes = axes.map((k) => (r() < 0.5 ? k - rank : k));
      await check(node('Slice', 5), [randT(shape, 'int32'), i64(starts), i64(ends), i64(negAxes), i64(steps)]);
    }
    const [y] = await check(node('Slice', 3), [randT([5, 4]), i64([-1, 1]), i64([-1000, 3])]);
    expect(y!.shape).toEqual([0, 2]);
    await check(node('Slice', 1, { starts: ints([1]), ends: ints([-1]), axes: ints([1]) }), [randT([2, 6])], { opset: 9 });
  });

  it('Gather with runtime and negative indices; GatherElements', async () => {
    for (const axis of [0, -1, 1]) {
      const x = randT([4, 5, 3]);
      const d = x.shape[axis < 0 ? axis + 3 : axis]!;
      const idx = hostTensor('int64', [2, 3], randInt(r, 6, -d, d - 1));
      await check(node('Gather', 2, { axis: int(axis) }), [x, idx]);
    }
    await check(node('Gather', 2), [randT([7, 2], 'uint8'), hostTensor('int64', [], [-2])]);
    const x = randT([3, 4, 5]);
    for (const axis of [0, 2, -2]) {
      const d = x.shape[axis < 0 ? axis + 3 : axis]!;
      const shape = [2, 3, 4];
      await check(node('GatherElements', 2, { axis: int(axis) }), [x, hostTensor('int64', shape, randInt(r, 24, -d, d - 1))]);
    }
  });

  it('Expand and Tile', async () => {
    let [y] = await check(node('Expand', 2), [randT([3, 1]), i64([2, 1, 4])]);
    expect(y!.shape).toEqual([2, 3, 4]);
    [y] = await check(node('Expand', 2), [randT([1, 4, 1, 2], 'int32'), i64([3, 1, 5, 1])]);
    expect(y!.shape).toEqual([3, 4, 5, 2]);
    [y] = await check(node('Tile', 2), [randT([2, 3, 1]), i64([2, 1, 3])]);
    expect(y!.shape).toEqual([4, 3, 3]);
  });

  it('Pad: constant/reflect/edge/wrap, negative pads, axes, opset 10 attrs', async () => {
    for (const mode of ['constant', 'reflect', 'edge', 'wrap']) {
      const x = randT([2, 3, 4]);
      const pads = [0, 2, 3, 1, -1, 2];
      await check(node('Pad', 3, { mode: str(mode) }), [x, i64(pads), hostTensor('float32', [], [2.5])], { opset: 19 });
    }
    const [y] = await check(node('Pad', 4), [randT([3, 4], 'int32'), i64([1, -1]), hostTensor('int32', [], [-9]), i64([-1])], { opset: 18 });
    expect(y!.shape).toEqual([3, 4]);
    await check(node('Pad', 1, { pads: ints([1, 0, 0, 2]), value: { kind: 'float', value: 1.5 }, mode: str('constant') }), [randT([2, 2])], { opset: 10 });
  });

  it('DepthToSpace (DCR, CRD) and SpaceToDepth', async () => {
    const x = randT([2, 8, 3, 2]);
    await check(node('DepthToSpace', 1, { blocksize: int(2) }), [x]);
    await check(node('DepthToSpace', 1, { blocksize: int(2), mode: str('CRD') }), [x]);
    const [y] = await check(node('SpaceToDepth', 1, { blocksize: int(2) }), [randT([1, 3, 4, 6])]);
    expect(y!.shape).toEqual([1, 12, 2, 3]);
    // Round trip: DCR DepthToSpace undoes SpaceToDepth.
    const z = randT([1, 2, 4, 6]);
    const [s] = referenceNode(node('SpaceToDepth', 1, { blocksize: int(2) }), [z]);
    const [back] = await runNode(await testDevice(), node('DepthToSpace', 1, { blocksize: int(2) }), [s!]);
    expect(Array.from(back!.data)).toEqual(Array.from(z.data));
  });

  it('Trilu and CumSum', async () => {
    for (const upper of [0, 1]) for (const k of [-2, 0, 3]) await check(node('Trilu', 2, { upper: int(upper) }), [randT([2, 4, 5], 'int32'), hostTensor('int64', [], [k])], { opset: 14 });
    await check(node('Trilu', 1), [randT([3, 3])], { opset: 14 });
    for (const axis of [0, -1, 1]) for (const exclusive of [0, 1]) for (const reverse of [0, 1]) {
      const dt = r() < 0.5 ? 'float32' as const : 'int32' as const;
      await check(node('CumSum', 2, { exclusive: int(exclusive), reverse: int(reverse) }), [randT([3, 5, 2], dt), hostTensor('int32', [], [axis])]);
    }
  });

  it('large 1-D tensors use the 2D-folded grid', async () => {
    const len = 65535 * 64 + 4099;
    const x = hostTensor('int32', [len], Int32Array.from({ length: len }, (_, i) => i * 7));
    const [y] = await runNode(await testDevice(), node('Slice', 5), [x, i64([len - 1]), i64([-len - 5]), i64([0]), i64([-1])], { opset: 13 });
    expect(y!.shape).toEqual([len]);
    expect(y!.data[0]).toBe((len - 1) * 7);
    expect(y!.data[len - 1]).toBe(0);
    expect(y!.data[12345]).toBe((len - 1 - 12345) * 7);
  });
});
