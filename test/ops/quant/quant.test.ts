import { describe, it, expect } from 'vitest';
import { deviceCaps, inferContext, opFor, runNode, referenceNode } from '../../../src/runtime/single.js';
import { Attrs } from '../../../src/ir/attrs.js';
import { hostTensor, type AttrValue, type ElemType, type HostTensor, type Node } from '../../../src/ir/types.js';
import { testDevice } from '../../helpers/gpu.js';
import { rng, randn, randInt, testSeed, compareClose } from '../../helpers/random.js';

const seed = testSeed();
const r = rng(seed);
const int = (v: number): AttrValue => ({ kind: 'int', value: v });
const n = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const q = (dtype: ElemType, shape: number[]) => hostTensor(dtype, shape, randInt(r, n(shape), dtype === 'uint8' ? 0 : -128, dtype === 'uint8' ? 255 : 127));

function node(opType: string, nIn: number, attrs: Record<string, AttrValue> = {}, nOut = 1): Node {
  return { name: `${opType}_t`, opType, domain: '', inputs: [...Array(nIn)].map((_, i) => `x${i}`), outputs: [...Array(nOut)].map((_, i) => `y${i}`), attrs };
}

async function check(nd: Node, inputs: (HostTensor | null)[], opset = 13, rtol = 0): Promise<HostTensor[]> {
  const ref = referenceNode(nd, inputs, opset);
  const gpu = await runNode(await testDevice(), nd, inputs, { opset });
  ref.forEach((t, i) => {
    expect(gpu[i]!.shape).toEqual(t.shape);
    expect(gpu[i]!.dtype).toBe(t.dtype);
    if (rtol) expect(compareClose(gpu[i]!.data, t.data, rtol, 1e-7), `seed ${seed}`).toBeNull();
    else expect(Array.from(gpu[i]!.data), `seed ${seed} ${nd.opType} output ${i}`).toEqual(Array.from(t.data));
  });
  return ref;
}

describe(`quantization ops (seed ${seed})`, () => {
  it('QuantizeLinear rounds half to even and saturates (uint8, int8, per-axis)', async () => {
    // x / 0.5 lands exactly on .5 ties: 0.25→0.5→0, 0.75→1.5→2, 1.25→2.5→2, -0.25→-0.5→0, -0.75→-1.5→-2
    const x = hostTensor('float32', [8], [0.25, 0.75, 1.25, -0.25, -0.75, 1000, -1000, 3.1]);
    let [y] = await check(node('QuantizeLinear', 3), [x, hostTensor('float32', [], [0.5]), hostTensor('int8', [], [0])]);
    expect(Array.from(y!.data)).toEqual([0, 2, 2, 0, -2, 127, -128, 6]);
    [y] = await check(node('QuantizeLinear', 3), [x, hostTensor('float32', [], [0.5]), hostTensor('uint8', [], [10])]);
    expect(Array.from(y!.data)).toEqual([10, 12, 12, 10, 8, 255, 0, 16]);
    [y] = await check(node('QuantizeLinear', 2), [x, hostTensor('float32', [], [0.5])], 10);
    expect(y!.dtype).toBe('uint8');
    for (const dt of ['uint8', 'int8'] as const) for (const axis of [1, -1, 0]) {
      const shape = [3, 4, 5];
      const d = shape[(axis + 3) % 3]!;
      const xs = hostTensor('float32', shape, randn(r, 60, 40));
      const sc = hostTensor('float32', [d], Array.from({ length: d }, () => 0.05 + r()));
      const zp = q(dt, [d]);
      await check(node('QuantizeLinear', 3, { axis: int(axis) }), [xs, sc, zp]);
    }
  });

  it('QuantizeLinear divides exactly: ties of x / scale with scales that are not powers of two round half to even', async () => {
    // k.5·s / s rounds (in f32) to k.5 or next to it: a division off by an ulp (WGSL allows 2.5, NVIDIA's
    // gives them) rounds the other way, and div_rn corrects it. lavapipe divides exactly here, so on it the
    // test holds div_rn to that (a version built on fma, which lavapipe does not fuse, failed it).
    const scales = [3.5, 0.7, 1.3, 0.1, 2.2, 7.9, ...Array.from({ length: 40 }, () => Math.fround(0.01 + 9 * r()))];
    const halves = [0.5, 1.5, 2.5, -0.5, -1.5, 12.5, 37.5, -63.5];
    const xs = scales.flatMap((s) => halves.map((h) => Math.fround(h * s)));
    for (const [k, s] of scales.entries()) {
      const x = hostTensor('float32', [halves.length], xs.slice(k * halves.length, (k + 1) * halves.length));
      const [y] = await check(node('QuantizeLinear', 3), [x, hostTensor('float32', [], [s]), hostTensor('int8', [], [0])]);
      // the reference divides in f64 and rounds to f32 (Math.fround), as an IEEE f32 division rounds
      expect(Array.from(y!.data), `scale ${s}`).toEqual(Array.from(x.data, (v) => { const t = Math.fround(v / Math.fround(s)); const f = Math.floor(t); return t - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(t); }));
    }
  });

  it('DequantizeLinear per-tensor / per-axis, and quantize→dequantize round trip', async () => {
    for (const dt of ['uint8', 'int8', 'int32'] as const) {
      const x = q(dt, [2, 3, 4]);
      await check(node('DequantizeLinear', 3), [x, hostTensor('float32', [], [0.1 + r()]), hostTensor(dt, [], [dt === 'uint8' ? 128 : -3])], 13, 1e-6);
      await check(node('DequantizeLinear', 3, { axis: int(-2) }), [x, hostTensor('float32', [3], [0.5, 1, 2]), q(dt, [3])], 13, 1e-6);
    }
    await check(node('DequantizeLinear', 2), [q('int8', [7]), hostTensor('float32', [], [0.25])], 10, 1e-6);
    // Round trip: |dequant(quant(x)) − x| ≤ scale/2 inside the representable range.
    const x = hostTensor('float32', [50], randn(r, 50, 2));
    const s = hostTensor('float32', [], [0.05]), z = hostTensor('int8', [], [3]);
    const device = await testDevice();
    const [qx] = await runNode(device, node('QuantizeLinear', 3), [x, s, z]);
    const [dx] = await runNode(device, node('DequantizeLinear', 3), [qx!, s, z]);
    x.data.forEach((v, i) => { const c = Math.min(Math.max(v, (-128 - 3) * 0.05), (127 - 3) * 0.05); expect(Math.abs(dx!.data[i]! - c)).toBeLessThanOrEqual(0.025 + 1e-6); });
  });

  it('DynamicQuantizeLinear: scale and zero point from a GPU min/max reduction', async () => {
    for (const len of [1, 37, 1000, 70000]) {
      const x = hostTensor('float32', [len], randn(r, len, 3));
      const [y, s, zp] = await check(node('DynamicQuantizeLinear', 1, {}, 3), [x], 11);
      expect(s!.shape).toEqual([]);
      // Dequantized values land within half a step of x.
      x.data.forEach((v, i) => expect(Math.abs((y!.data[i]! - zp!.data[0]!) * s!.data[0]! - v)).toBeLessThanOrEqual(s!.data[0]! * 0.5 + 1e-5));
    }
    // the extremes in the last reducing workgroup's slice, and in the first: every workgroup must find them
    // (70000 elements: 18 partial min/max pairs; 1.1M: the 256 cap, 17 elements a thread)
    for (const [len, at] of [[70000, 69999], [70000, 0], [1100000, 1099000]] as const) {
      const v = new Float32Array(len).map((_, i) => Math.sin(i) * 0.5);
      v[at] = -7.25; v[len - 1 - (at % 1000)] = 3.5;
      const [, s, zp] = await check(node('DynamicQuantizeLinear', 1, {}, 3), [hostTensor('float32', [len], v)], 11);
      expect(s!.data[0]).toBe(Math.fround(Math.fround(3.5 + 7.25) / 255));
      expect(zp!.data[0]).toBe(Math.round(7.25 / s!.data[0]!));
    }
    const [, s0] = await check(node('DynamicQuantizeLinear', 1, {}, 3), [hostTensor('float32', [3], [0, 0, 0])], 11);
    expect(s0!.data[0]).toBe(0);
    // ONNX spec example: [0, 2, -3, -2.5, 1.34, 0.5] → scale 5/255 ... zp 153
    const [y, , zp] = await check(node('DynamicQuantizeLinear', 1, {}, 3), [hostTensor('float32', [6], [0, 2, -3, -2.5, 1.34, 0.5])], 11);
    expect(zp!.data[0]).toBe(153);
    expect(Array.from(y!.data)).toEqual([153, 255, 0, 26, 221, 179]);
  });

  it('MatMulInteger: zero points scalar / per-row / per-column, batch broadcast, 1-D', async () => {
    const cases: [number[], number[], ElemType, ElemType][] = [[[3, 5], [5, 4], 'uint8', 'int8'], [[2, 1, 3, 7], [3, 7, 2], 'int8', 'uint8'], [[6], [6, 3], 'uint8', 'uint8'], [[2, 4, 6], [6], 'int8', 'int8'], [[0, 2, 3], [1, 3, 2], 'uint8', 'int8']]; // last: an empty batch (1 and 0 broadcast to 0)
    for (const [as, bs, ta, tb] of cases) {
      const A = q(ta, as), B = q(tb, bs);
      const M = as.length > 1 ? as[as.length - 2]! : 1, N = bs.length > 1 ? bs[bs.length - 1]! : 1;
      await check(node('MatMulInteger', 2), [A, B], 10);
      await check(node('MatMulInteger', 4), [A, B, q(ta, []), q(tb, [])], 10);
      await check(node('MatMulInteger', 4), [A, B, q(ta, [M]), q(tb, [N])], 10);
    }
  });

  it('MatMulInteger from 16 rows runs the 64×64 tiles: ragged edges, K not a multiple of 16, batches, zero points', async () => {
    // M, N, K straddle the tile (64) and slice (16) sizes; the tiled kernel's name says it ran
    const cases: [number[], number[], ElemType, ElemType][] = [[[16, 1], [1, 3], 'uint8', 'int8'], [[70, 45], [45, 67], 'uint8', 'int8'], [[2, 1, 33, 130], [3, 130, 20], 'int8', 'uint8'], [[128, 64], [64, 64], 'uint8', 'uint8'],
      // batches of single rows over a shared B fold into one GEMM of 40 rows; a per-row zero point keeps them apart
      [[40, 1, 24], [24, 10], 'uint8', 'int8'], [[1, 20, 8], [4, 8, 5], 'int8', 'int8']];
    for (const [as, bs, ta, tb] of cases) {
      const A = q(ta, as), B = q(tb, bs);
      const M = as[as.length - 2]!, N = bs[bs.length - 1]!;
      await check(node('MatMulInteger', 2), [A, B], 10);
      await check(node('MatMulInteger', 4), [A, B, q(ta, [M]), q(tb, [N])], 10);
    }
    // the ends of the ranges: the tiles offset int8 by 128 to run dot4U8Packed and take the zero points out after
    // the loop, so extreme operands and zero points test that arithmetic (sums of 65025·K wrap nowhere here)
    for (const [ta, tb] of [['uint8', 'int8'], ['int8', 'uint8'], ['int8', 'int8'], ['uint8', 'uint8']] as [ElemType, ElemType][]) {
      const [lo, hi] = [(t: ElemType) => (t === 'uint8' ? 0 : -128), (t: ElemType) => (t === 'uint8' ? 255 : 127)];
      const full = (t: ElemType, shape: number[], v: number) => hostTensor(t, shape, new Array(n(shape)).fill(v));
      for (const [va, vb, za, zb] of [[hi(ta), hi(tb), lo(ta), lo(tb)], [lo(ta), hi(tb), hi(ta), lo(tb)], [hi(ta), lo(tb), hi(ta), hi(tb)]]) {
        await check(node('MatMulInteger', 4), [full(ta, [33, 70], va!), full(tb, [70, 17], vb!), full(ta, [], za!), full(tb, [], zb!)], 10);
      }
    }
    const caps = deviceCaps(await testDevice());
    const kernels = (a: number[], b: number[]) => {
      const nd = node('MatMulInteger', 2), op = opFor(nd, 10);
      const ictx = inferContext(nd, [{ dtype: 'uint8', shape: a }, { dtype: 'int8', shape: b }], () => undefined, 10);
      const plan = op.gpu!({ ...ictx, outputs: op.infer(ictx, {}), caps }, {});
      return typeof plan === 'string' ? plan : plan.kernels.map((k) => k.name);
    };
    expect(kernels([70, 45], [45, 67])).toEqual(['matmul_integer_tile']);
    expect(kernels([40, 1, 24], [24, 10])).toEqual(['matmul_integer_tile']);
    expect(kernels([40, 1, 24], [40, 24, 10])).toEqual(['matmul_integer']);
  });

  it('MatMulInteger splits a long K over the grid when the tiles are few: partial sums, then a reduce that runs the store', async () => {
    // K ≥ 256 with one or two tiles: 2–8 slices of a multiple of 16 (the last one short, or empty when rounding up
    // leaves nothing for it); zero points per row and column, int8 and uint8, batches along z
    const cases: [number[], number[], ElemType, ElemType][] = [[[20, 300], [300, 40], 'uint8', 'int8'], [[2, 17, 1000], [2, 1000, 9], 'int8', 'uint8'],
      [[33, 260], [260, 70], 'uint8', 'uint8'], [[16, 3100], [3100, 16], 'int8', 'int8']];
    for (const [as, bs, ta, tb] of cases) {
      const A = q(ta, as), B = q(tb, bs);
      const M = as[as.length - 2]!, N = bs[bs.length - 1]!;
      await check(node('MatMulInteger', 2), [A, B], 10);
      await check(node('MatMulInteger', 4), [A, B, q(ta, [M]), q(tb, [N])], 10);
    }
    const caps = deviceCaps(await testDevice());
    const nd = node('MatMulInteger', 2), op = opFor(nd, 10);
    const ictx = inferContext(nd, [{ dtype: 'uint8', shape: [20, 300] }, { dtype: 'int8', shape: [300, 40] }], () => undefined, 10);
    const plan = op.gpu!({ ...ictx, outputs: op.infer(ictx, {}), caps }, {});
    if (typeof plan === 'string') throw new Error(plan);
    expect(plan.kernels.map((k) => k.name)).toEqual(['matmul_integer_tile_split', 'matmul_integer_split_reduce']);
    expect(plan.scratch).toEqual([4 * 20 * 40 * 3]);
  });

  it('MatMulInteger\'s dot4 tile variants (K step 32, register prefetch, vec4 loads of A) give the same exact sums', async () => {
    // ragged edges, a K that is no multiple of either step, splits, and zero points per row and column
    // (the v4 variants load A four k at a time where K is a multiple of 4: 300 and 132 here, not 45)
    const cases: [number[], number[], ElemType, ElemType][] = [[[70, 45], [45, 67], 'uint8', 'int8'], [[2, 1, 33, 132], [3, 132, 20], 'int8', 'uint8'], [[20, 300], [300, 40], 'uint8', 'uint8']];
    for (const tile of ['bk32', 'bk16pf', 'bk32pfv4', 'bk16v4']) {
      for (const [as, bs, ta, tb] of cases) {
        const A = q(ta, as), B = q(tb, bs);
        const M = as[as.length - 2]!, N = bs[bs.length - 1]!;
        await check(node('MatMulInteger', 4, { wgml_int_tile: { kind: 'string', value: tile } }), [A, B, q(ta, [M]), q(tb, [N])], 10);
      }
    }
  });

  it('MatMulInteger refuses operands other than int8/uint8 by name', () => {
    expect(() => referenceNode(node('MatMulInteger', 2), [hostTensor('int32', [2, 3], [1, 2, 3, 4, 5, 6]), q('int8', [3, 2])])).toThrow(/A is int32/);
    expect(() => referenceNode(node('MatMulInteger', 2), [q('uint8', [2, 3]), hostTensor('uint16', [3, 2], [1, 2, 3, 4, 5, 6])])).toThrow(/B is uint16/);
  });

  it('ConvInteger: pads, strides, dilations, groups, auto_pad, 1-D', async () => {
    const ints = (v: number[]): AttrValue => ({ kind: 'ints', value: v });
    await check(node('ConvInteger', 4, { pads: ints([1, 0, 1, 2]), strides: ints([2, 1]), dilations: ints([1, 2]) }), [q('uint8', [2, 3, 7, 6]), q('int8', [4, 3, 3, 2]), q('uint8', []), q('int8', [4])], 10);
    await check(node('ConvInteger', 3, { group: int(2), auto_pad: { kind: 'string', value: 'SAME_UPPER' }, strides: ints([2, 2]) }), [q('int8', [1, 4, 5, 5]), q('int8', [6, 2, 3, 3]), q('int8', [])], 10);
    await check(node('ConvInteger', 2), [q('uint8', [1, 2, 9]), q('uint8', [3, 2, 4])], 10);
    // from 16 output pixels, 16 channels a group and 16 taps: the dot4 tiles (implicit GEMM), per-channel w zero points
    await check(node('ConvInteger', 4, { pads: ints([1, 1, 2, 0]), strides: ints([1, 2]), dilations: ints([2, 1]), group: int(2) }), [q('uint8', [2, 6, 8, 9]), q('int8', [34, 3, 3, 3]), q('uint8', []), q('int8', [34])], 10);
    await check(node('ConvInteger', 4), [q('int8', [1, 16, 30]), q('uint8', [17, 16, 3]), q('int8', []), q('uint8', [])], 10);
    // few tiles over a long K (2 groups of 40 channels × 9 taps): split in slices, then a reduce
    const split = node('ConvInteger', 4, { pads: ints([1, 1, 1, 1]), group: int(2) });
    await check(split, [q('uint8', [1, 80, 5, 4]), q('int8', [34, 40, 3, 3]), q('uint8', []), q('int8', [34])], 10);
    const ictx = inferContext(split, [{ dtype: 'uint8', shape: [1, 80, 5, 4] }, { dtype: 'int8', shape: [34, 40, 3, 3] }, { dtype: 'uint8', shape: [] }, { dtype: 'int8', shape: [34] }], () => undefined, 10);
    const op = opFor(split, 10), at = op.attrs(new Attrs(split), 10);
    const plan = op.gpu!({ ...ictx, outputs: op.infer(ictx, at), caps: deviceCaps(await testDevice()) }, at);
    expect(typeof plan === 'string' ? plan : plan.kernels.map((k) => k.name)).toEqual(['conv_integer_tile_split', 'conv_integer_split_reduce']);
    // ONNX spec example: x = 2..10 (3×3), w = 1s (2×2), x_zero_point 1 → [12, 16, 24, 28]
    const [y] = await check(node('ConvInteger', 3), [hostTensor('uint8', [1, 1, 3, 3], [2, 3, 4, 5, 6, 7, 8, 9, 10]), hostTensor('uint8', [1, 1, 2, 2], [1, 1, 1, 1]), hostTensor('uint8', [], [1])], 10);
    expect(Array.from(y!.data)).toEqual([12, 16, 24, 28]);
  });
});
