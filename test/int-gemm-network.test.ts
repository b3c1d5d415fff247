/**
 * MatMulInteger as quantized models hold it (a constant B, packed four to a word by passes/pack-int-weights.ts), through
 * whole pipelines with the shared recording, against a plain CPU loop written here: exact i32 sums for ragged M/N/K,
 * K splits, zero points scalar / per row / per column and the four int8/uint8 pairings. The cases run one after
 * another on one device, so a pipeline cached for one shape must not serve another that needs other bindings (A read
 * four values at a time where K is a multiple of 4). bench/quant/int-gemm-check.mjs runs the same on any device,
 * there also on the subgroup-matrix tiles.
 */
import { describe, it, expect } from 'vitest';
import * as wgml from '../src/index.js';
import type { Graph, HostTensor } from '../src/ir/types.js';
import { testDevice, scoped } from './helpers/gpu.js';
import { rng, testSeed } from './helpers/random.js';

const seed = testSeed();
const r = rng(seed);
type T8 = 'int8' | 'uint8';
const ints = (n: number, t: T8) => Int32Array.from({ length: n }, () => Math.floor(r() * 256) - (t === 'int8' ? 128 : 0));

function cpu(x: Int32Array, W: Int32Array, za: Int32Array, zb: Int32Array, rows: number, M: number, K: number, N: number): Int32Array {
  const y = new Int32Array(rows * N);
  for (let i = 0; i < rows; i++) {
    const a = za.length > 1 ? za[i % M]! : za[0] ?? 0;
    for (let c = 0; c < N; c++) {
      const b = zb.length > 1 ? zb[c]! : zb[0] ?? 0;
      let acc = 0;
      for (let k = 0; k < K; k++) acc += (x[i * K + k]! - a) * (W[k * N + c]! - b);
      y[i * N + c] = acc;
    }
  }
  return y;
}

describe(`MatMulInteger with packed constant weights, in networks (WGML_SEED=${seed})`, () => {
  // the default tile, and the variant that stages packed B a word (four columns) at a time, transposed in registers
  for (const tile of [null, 'bk32pfv4pb']) it(`gives the exact sums of a CPU loop, shape after shape on one device (tile ${tile ?? 'default'})`, async () => {
    const device = await testDevice();
    const cases: [number, number, number, T8, T8, 'scalar' | 'row' | null][] = [
      [16, 32, 16, 'uint8', 'int8', 'scalar'], [33, 70, 17, 'uint8', 'int8', 'row'], [40, 64, 48, 'int8', 'uint8', 'row'], [70, 130, 67, 'int8', 'uint8', 'scalar'],
      [20, 300, 40, 'uint8', 'int8', 'row'], [17, 1001, 9, 'int8', 'int8', 'scalar'], [24, 96, 33, 'uint8', 'uint8', null], [3, 40, 5, 'uint8', 'int8', 'scalar'],
    ];
    for (const [M, K, N, ta, tb, zp] of cases) {
      const W = ints(K * N, tb), x = ints(M * K, ta);
      const za = zp === 'row' ? ints(M, ta) : zp ? ints(1, ta) : new Int32Array(0), zb = zp === 'row' ? ints(N, tb) : zp ? ints(1, tb) : new Int32Array(0);
      const init = (dtype: T8, shape: number[], data: Int32Array): HostTensor => ({ dtype, shape, data });
      const initializers = new Map<string, HostTensor>([['W', init(tb, [K, N], W)]]);
      if (zp) { initializers.set('za', init(ta, zp === 'row' ? [M] : [], za)); initializers.set('zb', init(tb, zp === 'row' ? [N] : [], zb)); }
      const g: Graph = {
        name: 'mmi', inputs: [{ name: 'x', dtype: ta, shape: [M, K] }], outputs: [{ name: 'y', dtype: 'int32', shape: [M, N] }],
        nodes: [{ name: 'mmi', opType: 'MatMulInteger', domain: '', inputs: zp ? ['x', 'W', 'za', 'zb'] : ['x', 'W'], outputs: ['y'], attrs: tile ? { wgml_int_tile: { kind: 'string', value: tile } } : {} }],
        initializers, valueInfo: new Map(), opsets: { '': 13 },
      };
      const got = await scoped(device, async () => {
        const p = await wgml.createPipeline(device, g);
        const heap = wgml.createHeap(device, p.intermediatesHeapSize);
        const tx = wgml.tensor(device, { dtype: ta === 'int8' ? 'i32' : 'u32', shape: [M, K] });
        tx.write(ta === 'int8' ? x : Uint32Array.from(x));
        const ty = wgml.tensor(device, { dtype: 'i32', shape: [M, N] });
        const e = device.createCommandEncoder();
        wgml.encodeNetwork(e, p.bind({ x: tx, y: ty }, heap));
        device.queue.submit([e.finish()]);
        const y = await ty.read();
        for (const t of [tx, ty]) t.destroy();
        heap.destroy(); p.destroy();
        return y;
      });
      expect(Array.from(got), `M${M} K${K} N${N} ${ta}×${tb} zero points ${zp}`).toEqual(Array.from(cpu(x, W, za, zb, M, M, K, N)));
    }
  });
});
