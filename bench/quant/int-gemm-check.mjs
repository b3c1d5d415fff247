// MatMulInteger with a constant B (packed four to a word, as in every quantized model) against a plain CPU loop,
// exact, on the subgroup-matrix tiles (createPipeline's intMatrix, where the device has int8 matrices) and on the
// default dot4 tiles (a second device without chromium-experimental-subgroup-matrix): ragged M/N/K, K splits, zero points scalar / per row / per column, the
// four int8/uint8 pairings. Then the GPU time of BERT-sized products on both (timestamp queries, median of 30).
// `npx tsc -p . && node bench/quant/int-gemm-check.mjs` (on lavapipe both devices run the dot4 tiles; the subgroup-
// matrix tiles need an adapter with i8 M16×N16×K32 matrices, e.g. an H200 through bench/h200-quant-check.sh).
import * as wgml from '../../dist/index.js';

const FEATURE = 'chromium-experimental-subgroup-matrix';
const fast = await wgml.requestDevice({ quiet: true });
const slow = await wgml.requestDevice({ quiet: true, disableFeatures: [FEATURE] });
let s = 7; const r = () => { s = (s * 1103515245 + 12345) >>> 0; return s / 4294967296; };
const ints = (n, t) => Int32Array.from({ length: n }, () => Math.floor(r() * 256) - (t === 'int8' ? 128 : 0));

function graph(M, K, N, ta, tb, zp, batch = [], tile = null) {
  const W = ints(K * N, tb);
  const za = zp === 'row' ? ints(M, ta) : ints(1, ta), zb = zp === 'row' ? ints(N, tb) : ints(1, tb);
  const inits = new Map([['W', { dtype: tb, shape: [K, N], data: W }]]);
  const inputs = ['x', 'W'];
  if (zp) { inits.set('za', { dtype: ta, shape: zp === 'row' ? [M] : [], data: za }); inits.set('zb', { dtype: tb, shape: zp === 'row' ? [N] : [], data: zb }); inputs.push('za', 'zb'); }
  const g = { name: 'mmi', inputs: [{ name: 'x', dtype: ta, shape: [...batch, M, K] }], outputs: [{ name: 'y', dtype: 'int32', shape: [...batch, M, N] }],
    nodes: [{ name: 'mmi', opType: 'MatMulInteger', domain: '', inputs, outputs: ['y'], attrs: tile ? { wgml_int_tile: { kind: 'string', value: tile } } : {} }], initializers: inits, valueInfo: new Map(), opsets: { '': 13 } };
  return { g, W, za: zp ? za : [0], zb: zp ? zb : [0] };
}

function cpu(x, W, za, zb, rows, M, K, N) {
  const y = new Int32Array(rows * N);
  for (let r0 = 0; r0 < rows; r0++) {
    const m = r0 % M, a = za.length > 1 ? za[m] : za[0];
    for (let c = 0; c < N; c++) {
      const b = zb.length > 1 ? zb[c] : zb[0];
      let acc = 0;
      for (let k = 0; k < K; k++) acc += (x[r0 * K + k] - a) * (W[k * N + c] - b);
      y[r0 * N + c] = acc;
    }
  }
  return y;
}

async function gpuRun(device, g, x, shape, outShape, time = 0) {
  const p = await wgml.createPipeline(device, g, { intMatrix: true });
  const heap = wgml.createHeap(device, p.intermediatesHeapSize);
  const signed = g.inputs[0].dtype === 'int8';
  const tx = wgml.tensor(device, { dtype: signed ? 'i32' : 'u32', shape }); tx.write(signed ? x : Uint32Array.from(x));
  const ty = wgml.tensor(device, { dtype: 'i32', shape: outShape });
  const b = p.bind({ x: tx, y: ty }, heap);
  const e = device.createCommandEncoder(); wgml.encodeNetwork(e, b); device.queue.submit([e.finish()]);
  const y = await ty.read();
  const kernels = p.program.dispatches.map((d) => d.kernel.name);
  let ms = null;
  if (time) {
    const qs = device.createQuerySet({ type: 'timestamp', count: 2 });
    const rb = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const mb = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const t = [];
    for (let i = 0; i < time + 5; i++) {
      const enc = device.createCommandEncoder();
      enc.beginComputePass({ timestampWrites: { querySet: qs, beginningOfPassWriteIndex: 0 } }).end();
      wgml.encodeNetwork(enc, b);
      enc.beginComputePass({ timestampWrites: { querySet: qs, endOfPassWriteIndex: 1 } }).end();
      enc.resolveQuerySet(qs, 0, 2, rb, 0); enc.copyBufferToBuffer(rb, 0, mb, 0, 16);
      device.queue.submit([enc.finish()]);
      await mb.mapAsync(GPUMapMode.READ); const v = new BigUint64Array(mb.getMappedRange().slice(0)); mb.unmap();
      if (i >= 5) t.push(Number(v[1] - v[0]) / 1e6);
    }
    t.sort((u, w) => u - w); ms = t[t.length >> 1];
  }
  return { y, kernels, ms };
}

const VARIANTS = ['bk16', 'bk32', 'bk16pf', 'bk32pf', 'bk16v4', 'bk32pfv4', 'bk32pfv4pb'];
const toI32 = (y) => (y instanceof Int32Array ? y : Int32Array.from(y));
let bad = 0;
const cases = [[16, 32, 16, 'uint8', 'int8', 'scalar'], [33, 70, 17, 'uint8', 'int8', 'row'], [70, 130, 67, 'int8', 'uint8', 'scalar'], [128, 64, 64, 'uint8', 'uint8', 'row'],
  [20, 300, 40, 'uint8', 'int8', 'row'], [17, 1000, 9, 'int8', 'int8', 'scalar'], [64, 3072, 96, 'uint8', 'int8', null], [100, 96, 130, 'int8', 'uint8', 'row'], [3, 40, 5, 'uint8', 'int8', 'scalar']];
for (const [M, K, N, ta, tb, zp] of cases) {
  const batch = M === 3 ? [2] : [];
  const { g, W, za, zb } = graph(M, K, N, ta, tb, zp, batch);
  const rows = M * (batch[0] ?? 1);
  const x = ints(rows * K, ta);
  const want = cpu(x, W, za, zb, rows, M, K, N);
  // the dot4 tile's variants (ops/quant/int-gemm-tile.ts: K step 32, register prefetch) on the second device
  const runs = [['matrix', fast, g], ['dot4', slow, g], ...VARIANTS.map((v) => [`dot4 ${v}`, slow, { ...g, nodes: [{ ...g.nodes[0], attrs: { wgml_int_tile: { kind: 'string', value: v } } }] }])];
  for (const [name, dev, gg] of runs) {
    const { y, kernels } = await gpuRun(dev, gg, x, [...batch, M, K], [...batch, M, N]);
    const got = toI32(y);
    let diff = 0; for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) diff++;
    if (diff) bad++;
    console.log(`${diff ? 'FAIL' : 'ok  '} ${name} M${M} K${K} N${N} ${ta}×${tb} zp ${zp}: ${diff} of ${want.length} differ  [${kernels.join(', ')}]`);
  }
}
console.log(bad ? `CHECK FAILED: ${bad} runs differ` : 'CHECK PASSED: every run exact');
if (process.argv.includes('--time')) {
  for (const [M, K, N] of [[128, 768, 768], [128, 768, 3072], [128, 3072, 768], [128, 768, 2304], [512, 768, 3072], [2048, 1024, 1024]]) {
    const x = ints(M * K, 'uint8');
    const row = [];
    for (const [name, dev, tile] of [['matrix', fast, null], ['dot4', slow, null], ...VARIANTS.map((v) => [v, slow, v])]) {
      const { g } = graph(M, K, N, 'uint8', 'int8', 'scalar', [], tile);
      const { ms, kernels } = await gpuRun(dev, g, x, [M, K], [M, N], 30);
      row.push(`${name} ${ms.toFixed(4)} ms (${((2 * M * K * N) / ms / 1e9).toFixed(2)} TOPS)${tile ? '' : ` [${kernels.join(', ')}]`}`);
    }
    console.log(`TIME M${M} K${K} N${N}: ${row.join(' | ')}`);
  }
}
process.exit(bad ? 1 : 0);
