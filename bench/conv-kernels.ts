/**
 * Micro-benchmark of the conv-family kernels with GPU timestamp queries, at ResNet-18, MobileNetV2
 * and U-Net layer shapes (batch 1, f32, bias + ReLU epilogue, random data). For each conv it times the
 * automatic plan and a sweep of variants (GEMM tiles × split-K, tiled-direct configs), so one device
 * call answers which choice is best per shape; other U-Net ops (ConvTranspose, MaxPool, Resize,
 * Concat) are timed through their OpDefs. Build and run:
 *   npx esbuild bench/conv-kernels.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/bench/conv-kernels.js
 *   node dist/bench/conv-kernels.js [--reps 20] [--filter resnet] [--small] [--nosweep] [--full FILE]
 * `--small` shrinks every shape 8× per side (for software GPUs). The table printed last has one line
 * per layer: the automatic plan and the best variant; `--full` writes every variant's time.
 */
import { writeFileSync } from 'node:fs';
import { requestDevice } from '../src/gpu/device.js';
import { Attrs } from '../src/ir/attrs.js';
import { hostTensor, type AttrValue, type HostTensor, type Node } from '../src/ir/types.js';
import { convIo, convPlan, type ConvTuning } from '../src/ops/conv/conv.js';
import { forwardGeometry, parseWindow } from '../src/ops/conv/geometry.js';
import type { ConvShape } from '../src/ops/conv/conv-kernels.js';
import { tiledOk, tiledSmem } from '../src/ops/conv/conv-tiled.js';
import type { GpuPlan, KernelContext } from '../src/ops/types.js';
import { bindGroupLayout, bindingSignature, pipelineFor } from '../src/runtime/kernels.js';
import { deviceCaps, inferContext, opFor } from '../src/runtime/single.js';

interface Layer { name: string; cin: number; cout: number; h: number; w: number; k: number; s: number; p: number; g?: number; act?: string }
interface OtherOp { name: string; op: string; shapes: number[][]; attrs: Record<string, AttrValue>; consts?: Record<number, HostTensor>; bytes: number }

const LAYERS: Layer[] = [
  { name: 'resnet18 conv1 7x7/2', cin: 3, cout: 64, h: 224, w: 224, k: 7, s: 2, p: 3 },
  { name: 'resnet18 layer1 3x3', cin: 64, cout: 64, h: 56, w: 56, k: 3, s: 1, p: 1 },
  { name: 'resnet18 layer2 3x3/2', cin: 64, cout: 128, h: 56, w: 56, k: 3, s: 2, p: 1 },
  { name: 'resnet18 layer2 1x1/2', cin: 64, cout: 128, h: 56, w: 56, k: 1, s: 2, p: 0 },
  { name: 'resnet18 layer2 3x3', cin: 128, cout: 128, h: 28, w: 28, k: 3, s: 1, p: 1 },
  { name: 'resnet18 layer3 3x3/2', cin: 128, cout: 256, h: 28, w: 28, k: 3, s: 2, p: 1 },
  { name: 'resnet18 layer3 3x3', cin: 256, cout: 256, h: 14, w: 14, k: 3, s: 1, p: 1 },
  { name: 'resnet18 layer4 3x3/2', cin: 256, cout: 512, h: 14, w: 14, k: 3, s: 2, p: 1 },
  { name: 'resnet18 layer4 3x3', cin: 512, cout: 512, h: 7, w: 7, k: 3, s: 1, p: 1 },
  { name: 'mobilenetv2 dw 3x3 112', cin: 96, cout: 96, h: 112, w: 112, k: 3, s: 2, p: 1, g: 96 },
  // ConvNeXt-T blocks at 224: 7×7 depthwise, no activation (the depthwise path: window in registers)
  { name: 'convnext dw 7x7 56', cin: 96, cout: 96, h: 56, w: 56, k: 7, s: 1, p: 3, g: 96, act: '' },
  { name: 'convnext dw 7x7 28', cin: 192, cout: 192, h: 28, w: 28, k: 7, s: 1, p: 3, g: 192, act: '' },
  { name: 'convnext dw 7x7 14', cin: 384, cout: 384, h: 14, w: 14, k: 7, s: 1, p: 3, g: 384, act: '' },
  { name: 'convnext dw 7x7 7', cin: 768, cout: 768, h: 7, w: 7, k: 7, s: 1, p: 3, g: 768, act: '' },
  { name: 'mobilenetv2 pw 1x1 28', cin: 32, cout: 192, h: 28, w: 28, k: 1, s: 1, p: 0 },
  { name: 'mobilenetv2 pw 1x1 7', cin: 960, cout: 320, h: 7, w: 7, k: 1, s: 1, p: 0 },
  { name: 'unet 4->16 3x3 1080p', cin: 4, cout: 16, h: 1080, w: 1920, k: 3, s: 1, p: 1 },
  { name: 'unet 16->16 3x3 1080p', cin: 16, cout: 16, h: 1080, w: 1920, k: 3, s: 1, p: 1 },
  { name: 'unet 16->32 3x3 540p', cin: 16, cout: 32, h: 540, w: 960, k: 3, s: 1, p: 1 },
  { name: 'unet 32->32 3x3 540p', cin: 32, cout: 32, h: 540, w: 960, k: 3, s: 1, p: 1 },
  { name: 'unet 32->64 3x3 270p', cin: 32, cout: 64, h: 270, w: 480, k: 3, s: 1, p: 1 },
  { name: 'unet 64->64 3x3 270p', cin: 64, cout: 64, h: 270, w: 480, k: 3, s: 1, p: 1 },
  { name: 'unet 64->32 3x3 540p', cin: 64, cout: 32, h: 540, w: 960, k: 3, s: 1, p: 1 },
  { name: 'unet 32->16 1x1 1080p', cin: 32, cout: 16, h: 1080, w: 1920, k: 1, s: 1, p: 0, act: '' },
  { name: 'unet 32->16 3x3 1080p', cin: 32, cout: 16, h: 1080, w: 1920, k: 3, s: 1, p: 1 },
  { name: 'unet 16->1 1x1 1080p sig', cin: 16, cout: 1, h: 1080, w: 1920, k: 1, s: 1, p: 0, act: 'sigmoid' },
  { name: 'unet 16->1 3x3 1080p', cin: 16, cout: 1, h: 1080, w: 1920, k: 3, s: 1, p: 1 },
];

const ints = (v: number[]): AttrValue => ({ kind: 'ints', value: v });
const f32 = (v: number[]): HostTensor => hostTensor('float32', [v.length], Float32Array.from(v));
const OTHERS: OtherOp[] = [
  { name: 'unet convT 64->32 2x2/2 540p', op: 'ConvTranspose', shapes: [[1, 64, 270, 480], [64, 32, 2, 2], [32]], attrs: { strides: ints([2, 2]) }, bytes: 4 * (64 * 270 * 480 + 32 * 540 * 960) },
  { name: 'unet maxpool 16ch 1080p', op: 'MaxPool', shapes: [[1, 16, 1080, 1920]], attrs: { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }, bytes: 4 * 16 * 1080 * 1920 * 1.25 },
  { name: 'unet maxpool 32ch 540p', op: 'MaxPool', shapes: [[1, 32, 540, 960]], attrs: { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }, bytes: 4 * 32 * 540 * 960 * 1.25 },
  { name: 'unet resize x2 32ch 1080p', op: 'Resize', shapes: [[1, 32, 540, 960], [0], [4]], attrs: { mode: { kind: 'string', value: 'nearest' } }, consts: { 2: f32([1, 1, 2, 2]) }, bytes: 4 * 32 * 540 * 960 * 5 },
  { name: 'unet concat 16+16 1080p', op: 'Concat', shapes: [[1, 16, 1080, 1920], [1, 16, 1080, 1920]], attrs: { axis: { kind: 'int', value: 1 } }, bytes: 4 * 64 * 1080 * 1920 },
  { name: 'unet concat 32+32 540p', op: 'Concat', shapes: [[1, 32, 540, 960], [1, 32, 540, 960]], attrs: { axis: { kind: 'int', value: 1 } }, bytes: 4 * 128 * 540 * 960 },
];

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] ?? def : def;
}

const reps = Number(arg('--reps', '20'));
const small = process.argv.includes('--small');
const full: string[] = [];
let device: GPUDevice;

function randomBuffer(n: number, scale: number): GPUBuffer {
  const data = new Float32Array(Math.max(1, n));
  for (let i = 0; i < data.length; i++) data[i] = (Math.random() * 2 - 1) * scale;
  const b = device.createBuffer({ label: 'in', size: data.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(b, 0, data);
  return b;
}

/** Median-free but amortised: `reps` back-to-back repetitions in one timed pass, twice; the lower. */
async function timePlan(plan: GpuPlan, ins: GPUBuffer[], outBytes: number): Promise<number> {
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
  const y = device.createBuffer({ label: 'y', size: outBytes, usage });
  const scratch = (plan.scratch ?? []).map((n) => device.createBuffer({ label: 'scratch', size: n, usage }));
  const ubufs: GPUBuffer[] = [];
  const steps = await Promise.all(plan.kernels.map(async (k) => {
    const entries: GPUBindGroupEntry[] = [];
    if (k.uniforms) {
      const ub = device.createBuffer({ label: 'u', size: k.uniforms.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(ub, 0, k.uniforms);
      ubufs.push(ub);
      entries.push({ binding: 0, resource: { buffer: ub } });
    }
    for (const ka of k.args) entries.push({ binding: entries.length, resource: { buffer: 'input' in ka ? ins[ka.input]! : 'output' in ka ? y : scratch[ka.scratch]! } });
    return { k, pipeline: await pipelineFor(device, k), bg: device.createBindGroup({ label: k.name, layout: bindGroupLayout(device, bindingSignature(k)), entries }) };
  }));
  const qs = device.createQuerySet({ type: 'timestamp', count: 2 });
  const resolve = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const read = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const run = async (n: number, timed: boolean): Promise<number> => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass(timed ? { timestampWrites: { querySet: qs, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {});
    for (let r = 0; r < n; r++) for (const s of steps) { pass.setPipeline(s.pipeline); pass.setBindGroup(0, s.bg); pass.dispatchWorkgroups(...s.k.workgroups); }
    pass.end();
    if (timed) { enc.resolveQuerySet(qs, 0, 2, resolve, 0); enc.copyBufferToBuffer(resolve, 0, read, 0, 16); }
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    if (!timed) return 0;
    await read.mapAsync(GPUMapMode.READ);
    const t = new BigUint64Array(read.getMappedRange().slice(0));
    read.unmap();
    return Number(t[1]! - t[0]!) / 1000 / n;
  };
  await run(2, false);
  const us = Math.min(await run(reps, true), await run(reps, true));
  for (const b of [y, ...scratch, ...ubufs, resolve, read]) b.destroy();
  qs.destroy();
  return us;
}

const desc = (p: GpuPlan) => p.kernels.map((k) => `${k.name}[${k.workgroups.join('x')}]`).join('+');

async function benchConv(L: Layer, sweep: boolean, maxSmem: number): Promise<string> {
  const h = small ? Math.max(L.k, Math.ceil(L.h / 8)) : L.h, w = small ? Math.max(L.k, Math.ceil(L.w / 8)) : L.w;
  const g = L.g ?? 1;
  const act = L.act ?? 'relu';
  const attrs: Record<string, AttrValue> = { group: { kind: 'int', value: g }, strides: ints([L.s, L.s]), pads: ints([L.p, L.p, L.p, L.p]) };
  if (act) attrs.wgml_act = { kind: 'string', value: act };
  const node: Node = { name: L.name, opType: 'Conv', domain: '', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs };
  const ictx = inferContext(node, [{ dtype: 'float32', shape: [1, L.cin, h, w] }, { dtype: 'float32', shape: [L.cout, L.cin / g, L.k, L.k] }, { dtype: 'float32', shape: [L.cout] }], () => undefined, 17);
  const a = new Attrs(node);
  const geo = forwardGeometry(ictx, parseWindow(a), [h, w], [L.k, L.k]);
  const s: ConvShape = { batch: 1, cin: L.cin, cout: L.cout, groups: g, g: geo };
  const io = convIo(ictx, { act: (act || null) as never, params: [], residual: false });
  const ins = [randomBuffer(L.cin * h * w, 1), randomBuffer(L.cout * (L.cin / g) * L.k * L.k, 0.1), randomBuffer(L.cout, 0.1)];
  const outBytes = 4 * L.cout * geo.oh * geo.ow;
  const flop = 2 * L.cout * geo.oh * geo.ow * (L.cin / g) * L.k * L.k;
  const variants: [string, string, number, ConvTuning][] = [['auto', '', 0, { maxSmem }]];
  // depthwise: the dedicated path against the generic ones, so one run says whether it earns its place
  if (sweep && g > 1) variants.push(['direct', 'direct', 0, { maxSmem }], ['gemm', 'gemm', 0, { maxSmem }]);
  if (sweep && g === 1) {
    const M = geo.oh * geo.ow, K = L.cin * L.k * L.k;
    if (M < 65536) {
      for (const [bm, bn] of [[16, 64], [32, 64], [64, 64], [16, 32], [32, 32], [64, 32]] as const) {
        if (bn > 32 && L.cout <= 32) continue;
        for (const sp of [1, 2, 3, 4, 6, 8, 12, 16]) if (sp === 1 || K / sp >= 64) variants.push([`gemm${bm}x${bn}/s${sp}`, 'gemm', sp, { tile: { bm, bn, bk: 16 }, maxSmem }]);
        for (const sp of [1, 4]) if (sp === 1 || K / sp >= 64) variants.push([`gemm${bm}x${bn}/s${sp}/nopf`, 'gemm', sp, { tile: { bm, bn, bk: 16, pf: false }, maxSmem }]);
      }
    } else {
      variants.push(['gemm-default', 'gemm', 0, { maxSmem }]);
      if (L.cout <= 16) variants.push(['direct', 'direct', 0, { maxSmem }]);
    }
    if (tiledOk(s) && M >= 16384) {
      for (const px of [2, 4, 8]) for (const cb of [4, 8, 16, 32]) for (const ci of [4, 8]) {
        if (px * cb > 128 || (cb === 4) !== (L.cout <= 4) || cb >= 2 * L.cout + 8 || ci > L.cin * 2) continue;
        const cfg = { px, cb, ci };
        if (tiledSmem(s, cfg) <= maxSmem) variants.push([`tiled${px}x${cb}x${ci}`, 'tiled', 0, { tiled: cfg, maxSmem }]);
      }
    }
  }
  let auto = 0, autoDesc = '', best = Infinity, bestName = '';
  for (const [vname, force, split, tune] of variants) {
    let plan: GpuPlan;
    try { plan = convPlan(s, io, force, split, tune); } catch (e) { full.push(`${L.name} ${vname} plan error ${String(e)}`); continue; }
    const us = await timePlan(plan, ins, outBytes);
    full.push(`${L.name.padEnd(28)} ${vname.padEnd(20)} ${desc(plan).padEnd(50)} ${us.toFixed(1).padStart(8)} us ${(flop / us / 1e6).toFixed(2).padStart(6)} TFLOP/s`);
    if (vname === 'auto') { auto = us; autoDesc = desc(plan); }
    if (us < best) { best = us; bestName = vname; }
  }
  for (const b of ins) b.destroy();
  const floorUs = 4 * (L.cin * h * w + L.cout * geo.oh * geo.ow) / 3.0e6;
  return `${L.name.padEnd(28)} ${autoDesc.slice(0, 44).padEnd(44)} ${auto.toFixed(1).padStart(7)} ${(flop / auto / 1e6).toFixed(1).padStart(5)}T | best ${bestName.padEnd(16)} ${best.toFixed(1).padStart(7)} | mem floor ${floorUs.toFixed(0)}`;
}

async function benchOther(o: OtherOp): Promise<string> {
  const shapes = small ? o.shapes.map((s) => (s.length === 4 && s[0] === 1 ? [1, s[1]!, Math.ceil(s[2]! / 8), Math.ceil(s[3]! / 8)] : s)) : o.shapes;
  const node: Node = { name: o.name, opType: o.op, domain: '', inputs: shapes.map((_, i) => (o.op === 'Resize' && i === 1 ? '' : `i${i}`)), outputs: ['y'], attrs: o.attrs };
  const op = opFor(node, 17);
  const types = shapes.map((s, i) => (node.inputs[i] ? { dtype: 'float32' as const, shape: s } : null));
  const ictx = inferContext(node, types, (i) => o.consts?.[i], 17);
  const a = op.attrs(new Attrs(node), 17);
  const outs = op.infer(ictx, a);
  const kctx: KernelContext = { ...ictx, outputs: outs, caps: deviceCaps(device) };
  const plan = op.gpu!(kctx, a);
  if (typeof plan === 'string' || !('kernels' in plan)) return `${o.name}: no kernels (${typeof plan === 'string' ? plan : 'alias'})`;
  const ins = shapes.map((s) => randomBuffer(s.reduce((p, q) => p * q, 1), 1));
  const us = await timePlan(plan as GpuPlan, ins, 4 * outs[0]!.shape.reduce((p, q) => p * q, 1));
  for (const b of ins) b.destroy();
  const bytes = small ? o.bytes / 64 : o.bytes;
  full.push(`${o.name} ${desc(plan as GpuPlan)} ${us.toFixed(1)} us`);
  return `${o.name.padEnd(28)} ${desc(plan as GpuPlan).slice(0, 44).padEnd(44)} ${us.toFixed(1).padStart(7)} ${(bytes / us / 1e6).toFixed(2).padStart(5)}TB/s | mem floor ${(bytes / 3.0e6).toFixed(0)}`;
}

async function main(): Promise<void> {
  const filter = arg('--filter', '');
  const sweep = !process.argv.includes('--nosweep');
  device = await requestDevice({ quiet: true });
  if (!device.features.has('timestamp-query')) throw new Error('this device has no timestamp-query');
  const maxSmem = deviceCaps(device).maxComputeWorkgroupStorageSize;
  const lines: string[] = [];
  for (const L of LAYERS.filter((l) => l.name.includes(filter))) lines.push(await benchConv(L, sweep, maxSmem));
  for (const o of OTHERS.filter((l) => l.name.includes(filter))) lines.push(await benchOther(o));
  const fullFile = arg('--full', '');
  if (fullFile) writeFileSync(fullFile, full.join('\n') + '\n');
  else console.log(full.join('\n'));
  console.log(`\n${'layer'.padEnd(28)} ${'auto plan'.padEnd(44)} ${'us'.padStart(7)} ${'rate'.padStart(6)} | best variant (us)`);
  for (const l of lines) console.log(l);
  device.destroy();
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
