// Tensor: write/read round trips for every dtype (packed and padded sizes), strided reads against a
// CPU gather, f16 conversion, and every validation rule of tensor.ts.
import { describe, it, expect } from 'vitest';
import { tensor, tensorView, liveTensorCount } from '../src/tensor/tensor.js';
import { tensorBinding } from '../src/tensor/wgsl.js';
import { DTYPES, f16BitsToF32, f32ToF16Bits, type DType } from '../src/tensor/dtype.js';
import { DeviceLostError, DTypeError, ResourceStateError, ShapeError } from '../src/errors.js';
import { requestDevice } from '../src/gpu/device.js';
import { testDevice, scoped, hasF16 } from './helpers/gpu.js';

const F16 = await hasF16();
import { rng, testSeed } from './helpers/random.js';
import { randomData } from './helpers/tensor-data.js';

const seed = testSeed();

describe('f16 conversion', () => {
  it('rounds to nearest even and handles subnormals, overflow, NaN', () => {
    expect(f32ToF16Bits(1)).toBe(0x3c00);
    expect(f32ToF16Bits(-2)).toBe(0xc000);
    expect(f32ToF16Bits(65504)).toBe(0x7bff);
    expect(f32ToF16Bits(65520)).toBe(0x7c00); // halfway to the next power rounds up to infinity
    expect(f32ToF16Bits(2 ** -24)).toBe(1);
    expect(f32ToF16Bits(2 ** -25)).toBe(0); // tie rounds to even (0)
    expect(f32ToF16Bits(3 * 2 ** -25)).toBe(2); // tie rounds to even (2)
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie to even
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(f32ToF16Bits(-0)).toBe(0x8000);
    expect(f32ToF16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(f32ToF16Bits(NaN) & 0x3ff).not.toBe(0);
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff)) continue;
      if (f32ToF16Bits(f16BitsToF32(h)) !== h) throw new Error(`f16 round trip of ${h.toString(16)}`);
    }
  });
});

describe('write → read round trips', () => {
  for (const dtype of DTYPES) {
    it.skipIf(dtype === 'f16' && !F16)(`${dtype}, sizes 1…13 (seed ${seed})`, async () => {
      const device = await testDevice();
      const r = rng(seed + dtype.charCodeAt(0) + dtype.length);
      await scoped(device, async () => {
        for (const n of [1, 2, 3, 4, 5, 7, 8, 13]) {
          const t = tensor(device, { dtype, shape: [n], label: `rt ${dtype} ${n}` });
          const data = randomData(dtype, n, r);
          t.write(data);
          expect(Array.from(await t.read()), `${dtype} n=${n}`).toEqual(Array.from(data));
          // A reshaped view shares the buffer, and its padding, with the owner.
          const v = t.reshape([1, n]);
          const again = randomData(dtype, n, r);
          v.write(again);
          expect(Array.from(await t.read())).toEqual(Array.from(again));
          t.destroy();
        }
      });
    });
  }

  it.skipIf(!F16)('f16 tensors take f32 values', async () => {
    const device = await testDevice();
    const t = tensor(device, { dtype: 'f16', shape: [3] });
    t.write(new Float32Array([1, 0.1, -65504]));
    expect(Array.from(await t.read())).toEqual([0x3c00, f32ToF16Bits(0.1), 0xfbff]);
    t.destroy();
  });

  it('writes aligned views, refuses views sharing a word with other data', async () => {
    const device = await testDevice();
    const base = tensor(device, { dtype: 'u8', shape: [16] });
    base.write(new Uint8Array(16).fill(9));
    const mid = tensorView(base.buffer, { dtype: 'u8', shape: [8], offset: 4 }, device);
    mid.write(Uint8Array.from({ length: 8 }, (_, i) => i));
    expect(Array.from(await base.read())).toEqual([9, 9, 9, 9, 0, 1, 2, 3, 4, 5, 6, 7, 9, 9, 9, 9]);
    const odd = tensorView(base.buffer, { dtype: 'u8', shape: [4], offset: 2 }, device);
    expect(() => odd.write(new Uint8Array(4))).toThrow(ShapeError);
    const short = tensorView(base.buffer, { dtype: 'u8', shape: [3], offset: 4 }, device);
    expect(() => short.write(new Uint8Array(3))).toThrow(ShapeError); // its last word holds element 7 too
    base.destroy();
    if (!F16) return;
    const h = tensor(device, { dtype: 'f16', shape: [6] });
    const hv = tensorView(h.buffer, { dtype: 'f16', shape: [3], offset: 3 }, device);
    expect(() => hv.write(new Uint16Array(3))).toThrow(ShapeError); // starts mid-word
    h.destroy();
  });
});

describe('strided reads', () => {
  for (const dtype of ['f16', 'i8', 'u8', 'f32'] as DType[]) {
    it.skipIf(dtype === 'f16' && !F16)(`${dtype}: transposed, sliced with offset, broadcast (seed ${seed})`, async () => {
      const device = await testDevice();
      const raw = randomData(dtype, 24, rng(seed + 5));
      const base = tensor(device, { dtype, shape: [24] });
      base.write(raw);
      const cases = [
        { shape: [6, 4], strides: [1, 6], offset: 0, want: (i: number, j: number) => raw[i + 6 * j]! },
        { shape: [2, 3], strides: [8, 1], offset: 5, want: (i: number, j: number) => raw[5 + 8 * i + j]! },
        { shape: [3, 5], strides: [0, 1], offset: 3, want: (_: number, j: number) => raw[3 + j]! },
      ];
      for (const c of cases) {
        const v = tensorView(base.buffer, { dtype, shape: c.shape, strides: c.strides, offset: c.offset }, device);
        const want: number[] = [];
        for (let i = 0; i < c.shape[0]!; i++) for (let j = 0; j < c.shape[1]!; j++) want.push(c.want(i, j));
        expect(Array.from(await v.read()), JSON.stringify(c.strides)).toEqual(want);
      }
      base.destroy();
    });
  }
});

describe('tensor validation', () => {
  it('refuses bad shapes, dtypes, strides, offsets and extents', async () => {
    const device = await testDevice();
    expect(() => tensor(device, { dtype: 'f64' as DType, shape: [2] })).toThrow(DTypeError);
    expect(() => tensor(device, { dtype: 'f32', shape: [2, -1] })).toThrow(ShapeError);
    expect(() => tensor(device, { dtype: 'f32', shape: [2.5] })).toThrow(ShapeError);
    expect(() => tensor(device, { dtype: 'f32', shape: [1, 1, 1, 1, 1, 1, 1, 1, 1] })).toThrow(ShapeError);
    expect(() => tensor(device, { dtype: 'f32', shape: [device.limits.maxBufferSize] })).toThrow(ShapeError);
    const buf = device.createBuffer({ label: 'test', size: 64, usage: GPUBufferUsage.STORAGE });
    const view = (d: Partial<Parameters<typeof tensorView>[1]>) => tensorView(buf, { dtype: 'f32', shape: [4], ...d }, device);
    expect(view({ shape: [16] }).extentEnd).toBe(16);
    expect(() => view({ shape: [17] })).toThrow(ShapeError); // one element past the end
    expect(() => view({ shape: [4], offset: 13 })).toThrow(ShapeError);
    expect(() => view({ shape: [4, 4], strides: [5, 1] })).toThrow(ShapeError); // 3*5+3 = 18 ≥ 16
    expect(() => view({ dtype: 'u8', shape: [65] })).toThrow(ShapeError);
    expect(view({ dtype: 'u8', shape: [64] }).size).toBe(64);
    expect(() => view({ shape: [4], strides: [-1] })).toThrow(ShapeError);
    expect(() => view({ shape: [4], strides: [1.5] })).toThrow(ShapeError);
    expect(() => view({ shape: [4, 2], strides: [1] })).toThrow(ShapeError);
    expect(() => view({ offset: -1 })).toThrow(ShapeError);
    expect(() => view({ offset: 0.5 })).toThrow(ShapeError); // misaligned: not a whole element
    expect(() => view({ dtype: 'q4' as DType })).toThrow(DTypeError);
    expect(() => tensorView(buf, { dtype: 'f32', shape: [4] })).toThrow(ResourceStateError); // no device
    const uniformOnly = device.createBuffer({ label: 'test', size: 64, usage: GPUBufferUsage.UNIFORM });
    expect(() => tensorView(uniformOnly, { dtype: 'f32', shape: [4] }, device)).toThrow(ResourceStateError);
    buf.destroy(); uniformOnly.destroy();
  });

  it('refuses bad write() arguments and reshapes', async () => {
    const device = await testDevice();
    const t = tensor(device, { dtype: 'i32', shape: [2, 3] });
    expect(() => t.write(new Float32Array(6))).toThrow(DTypeError);
    expect(() => t.write(new Int32Array(5))).toThrow(ShapeError);
    const tr = tensorView(t.buffer, { dtype: 'i32', shape: [3, 2], strides: [1, 3] }, device);
    expect(() => tr.write(new Int32Array(6))).toThrow(ShapeError);
    expect(() => tr.reshape([6])).toThrow(ShapeError);
    expect(() => t.reshape([7])).toThrow(ShapeError);
    t.destroy();
  });

  it('refuses f16 without shader-f16, use after destroy, other devices and lost devices', async () => {
    const device = await testDevice();
    const noF16 = await requestDevice({ disableFeatures: ['shader-f16'], quiet: true });
    expect(noF16.features.has('shader-f16')).toBe(false);
    expect(() => tensor(noF16, { dtype: 'f16', shape: [2] })).toThrow(DTypeError);
    const b = noF16.createBuffer({ label: 'test', size: 16, usage: GPUBufferUsage.STORAGE });
    expect(() => tensorView(b, { dtype: 'f16', shape: [2] }, noF16)).toThrow(DTypeError);
    const foreign = tensor(noF16, { dtype: 'f32', shape: [2] });
    expect(() => foreign.assertUsable(device)).toThrow(ResourceStateError);
    foreign.assertUsable(noF16);

    const before = liveTensorCount(device);
    const t = tensor(device, { dtype: 'f32', shape: [4] });
    const v = t.reshape([2, 2]);
    expect(liveTensorCount(device)).toBe(before + 1);
    const bind = tensorBinding('X', t, { binding: 0 });
    bind.entries(t); // attaches a layout uniform, freed with the tensor
    const w = t.reshape([4, 1]);
    v.destroy(); // a view forgets; the owner still works
    expect(Array.from(await t.read())).toEqual([0, 0, 0, 0]);
    t.destroy(); t.destroy();
    expect(() => w.assertUsable()).toThrow(ResourceStateError); // views die with their owner's buffer
    expect(liveTensorCount(device)).toBe(before);
    expect(() => t.write(new Float32Array(4))).toThrow(ResourceStateError);
    await expect(t.read()).rejects.toThrow(ResourceStateError);
    expect(() => t.reshape([4])).toThrow(ResourceStateError);
    await expect(v.read()).rejects.toThrow(ResourceStateError);
    const late = tensorView(t.buffer, { dtype: 'f32', shape: [4] }, device);
    expect(() => late.assertUsable()).toThrow(ResourceStateError); // its buffer was freed with t
    expect(() => bind.entries(t)).toThrow(ResourceStateError);

    noF16.destroy();
    await noF16.lost;
    expect(() => tensor(noF16, { dtype: 'f32', shape: [2] })).toThrow(DeviceLostError);
    await expect(foreign.read()).rejects.toThrow(DeviceLostError);
  });
});
