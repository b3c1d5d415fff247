// ConvInteger 64→64 channels, 3×3, 56×56 (a ResNet stage), uint8 x, int8 weights: which kernel runs and its time per run
// on this device (submit + wait, median-free mean of 5 after 3 warm-ups). `npx tsc -p . && node bench/quant/conv-integer-time.mjs`.
import * as wgml from '../../dist/index.js';
const device = await wgml.requestDevice({ quiet: true });
let s = 3; const r = () => { s = (s * 1103515245 + 12345) >>> 0; return s / 4294967296; };
const [C, M, H] = [64, 64, 56];
const g = { name: 'c', inputs: [{ name: 'x', dtype: 'uint8', shape: [1, C, H, H] }], outputs: [{ name: 'y', dtype: 'int32', shape: [1, M, H, H] }],
  nodes: [{ name: 'cv', opType: 'ConvInteger', domain: '', inputs: ['x', 'W', 'xz'], outputs: ['y'], attrs: { pads: { kind: 'ints', value: [1, 1, 1, 1] } } }],
  initializers: new Map([['W', { dtype: 'int8', shape: [M, C, 3, 3], data: Int32Array.from({ length: M * C * 9 }, () => Math.floor(r() * 256) - 128) }], ['xz', { dtype: 'uint8', shape: [], data: Uint32Array.from([128]) }]]), valueInfo: new Map(), opsets: { '': 13 } };
const x = { dtype: 'uint8', shape: [1, C, H, H], data: Uint32Array.from({ length: C * H * H }, () => Math.floor(r() * 256)) };
const p = await wgml.createPipeline(device, g);
console.log(p.program.dispatches.map((d) => d.kernel.name));
const heap = wgml.createHeap(device, p.intermediatesHeapSize);
const tx = wgml.tensor(device, { dtype: 'u32', shape: x.shape }); tx.write(x.data);
const ty = wgml.tensor(device, { dtype: 'i32', shape: [1, M, H, H] });
const b = p.bind({ x: tx, y: ty }, heap);
for (let i = 0; i < 3; i++) { const e = device.createCommandEncoder(); wgml.encodeNetwork(e, b); device.queue.submit([e.finish()]); await device.queue.onSubmittedWorkDone(); }
const t = performance.now(); for (let i = 0; i < 5; i++) { const e = device.createCommandEncoder(); wgml.encodeNetwork(e, b); device.queue.submit([e.finish()]); await device.queue.onSubmittedWorkDone(); }
console.log('ms per run', ((performance.now() - t) / 5).toFixed(1));
process.exit(0);
