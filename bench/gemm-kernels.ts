/**
 * GEMM kernel benchmark: TFLOP/s of every configuration (tile × split-K, the GEMVs) at the BERT-base
 * and ViT-B/16 shapes (batch 1, f32) plus 4096³, through MatMul's own planner (a node forcing each
 * choice with `wgml_gemm`), and what the selection table picks ('auto'). Operands are laid out as in
 * the exported models after the views pass: attention's Q, K, V are strided views of the [S, 12, 64]
 * projection output, Kᵀ read transposed. ConvNeXt-T's MLP shapes (NHWC tokens × channels) too.
 * Timing: every variant of a shape is compiled first, the clocks are brought up by ~30 ms of work, then
 * 7 rounds time each variant in turn (round-robin, so drift and clock steps hit all alike; the old
 * one-variant-after-another order let a pipeline compile's idle gap drop the clocks before some
 * variants: the same kernel came out 11 and 40 µs):
 * - hot: GPU timestamps around REPS back-to-back dispatches (the reduce included for split-K);
 * - cold (`--cold`): one repetition after a 128 MiB write flushed the L2, B (the weight) alone cold: A
 *   is rewritten just before, as a network's previous node would have — a model's situation, where
 *   every weight is read once per inference and hundreds of MB stream between two reads of it.
 * The median of the 7 rounds. One process, a few minutes on an H200 (a deadline skips what is left
 * and says so). Build and run:
 *   npx esbuild bench/gemm-kernels.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/bench/gemm-kernels.js
 *   node dist/bench/gemm-kernels.js [--filter bert] [--reps 20] [--json FILE] [--quick] [--cold]
 *   node dist/bench/gemm-kernels.js --check     (small sizes, every configuration against a CPU reference)
 * `--no-robust` runs on a device made with Dawn's `disable_robustness` toggle (no index clamping in the
 * shaders), to measure what WebGPU's robust buffer access costs these kernels.
 */
import { writeFileSync } from 'node:fs';
import { requestDevice } from '../src/gpu/device.js';
import { Attrs } from '../src/ir/attrs.js';
import type { AttrValue, Node, ValueType } from '../src/ir/types.js';
import { denseView, permuteView, type View } from '../src/ir/view.js';
import { TILE_CONFIGS, choiceName, type GemmChoice } from '../src/ops/linalg/gemm-select.js';
import { gemmProblem } from '../src/ops/linalg/gemm-layout.js';
import { planChoice } from '../src/ops/linalg/matmul-kernel.js';
import type { GpuPlan, KernelContext } from '../src/ops/types.js';
import { bindGroupLayout, bindingSignature, pipelineFor } from '../src/runtime/kernels.js';
import { deviceCaps, inferContext, opFor } from '../src/runtime/single.js';

/** One GEMM shape: Y[batch, M, N] = A[batch, M, K]·B[batch, K, N]; `attn` lays A/B out as attention does. */
interface Shape { name: string; M: number; K: number; N: number; batch?: number; attn?: 'qk' | 'pv' }

const HEADS = 12, DH = 64;
const model = (tag: string, S: number): Shape[] => [
  { name: `${tag} qkv ${S}x768x2304`, M: S, K: 768, N: 2304 },
  { name: `${tag} out-proj ${S}x768x768`, M: S, K: 768, N: 768 },
  { name: `${tag} ffn-up ${S}x768x3072`, M: S, K: 768, N: 3072 },
  { name: `${tag} ffn-down ${S}x3072x768`, M: S, K: 3072, N: 768 },
  { name: `${tag} attn q.kT 12x[${S}x64x${S}]`, M: S, K: DH, N: S, batch: HEADS, attn: 'qk' },
  { name: `${tag} attn p.v 12x[${S}x${S}x64]`, M: S, K: S, N: DH, batch: HEADS, attn: 'pv' },
];
/** ConvNeXt-T at 224²: per stage, H·W tokens through the block's Linear C → 4C and 4C → C. */
const convnext: Shape[] = [[3136, 96], [784, 192], [196, 384], [49, 768]].flatMap(([T, C]) => [
  { name: `convnext up ${T}x${C}x${4 * C!}`, M: T!, K: C!, N: 4 * C! },
  { name: `convnext down ${T}x${4 * C!}x${C}`, M: T!, K: 4 * C!, N: C! },
]);
const SHAPES: Shape[] = [
  ...model('bert', 128), ...model('vit', 197), ...convnext,
  { name: 'decode gemv 1x768x768', M: 1, K: 768, N: 768 },
  { name: 'decode gemv 1x768x3072', M: 1, K: 768, N: 3072 },
  { name: 'square 4096^3', M: 4096, K: 4096, N: 4096 },
];

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] ?? def : def;
}
const has = (f: string) => process.argv.includes(f);

let device: GPUDevice;
const T0 = Date.now();
const DEADLINE_S = Number(arg('--deadline', '160'));

/** Input types, views and buffer sizes of a shape as the network would bind it. */
function layout(s: Shape): { types: ValueType[]; views: (View | null)[]; elems: number[] } {
  const b = s.batch ?? 1;
  if (s.attn === 'qk') {
    // Q and K: [S, 12, 64] projections; Q viewed [12, S, 64], Kᵀ viewed [12, 64, S]
    const base = denseView([s.M, HEADS, DH]);
    return { types: [{ dtype: 'float32', shape: [HEADS, s.M, DH] }, { dtype: 'float32', shape: [HEADS, DH, s.N] }],
      views: [permuteView(base, [1, 0, 2]), permuteView(base, [1, 2, 0])], elems: [s.M * HEADS * DH, s.N * HEADS * DH] };
  }
  if (s.attn === 'pv') {
    return { types: [{ dtype: 'float32', shape: [HEADS, s.M, s.K] }, { dtype: 'float32', shape: [HEADS, s.K, DH] }],
      views: [null, permuteView(denseView([s.K, HEADS, DH]), [1, 0, 2])], elems: [HEADS * s.M * s.K, s.K * HEADS * DH] };
  }
  const a = b > 1 ? [b, s.M, s.K] : [s.M, s.K];
  return { types: [{ dtype: 'float32', shape: a }, { dtype: 'float32', shape: [s.K, s.N] }], views: [null, null], elems: [b * s.M * s.K, s.K * s.N] };
}

function plan(s: Shape, choice: string | null): GpuPlan | string {
  const attrs: Record<string, AttrValue> = choice ? { wgml_gemm: { kind: 'string', value: choice } } : {};
  const node: Node = { name: s.name, opType: 'MatMul', domain: '', inputs: ['a', 'b'], outputs: ['y'], attrs };
  const op = opFor(node, 17);
  const { types, views } = layout(s);
  const ictx = inferContext(node, types, () => undefined, 17);
  const a = op.attrs(new Attrs(node), 17);
  const outs = op.infer(ictx, a);
  const kctx: KernelContext = { ...ictx, outputs: outs, caps: deviceCaps(device), views, outView: null };
  return op.gpu!(kctx, a);
}

/** What selection picks for this shape (from the normalized problem). */
function autoChoice(s: Shape): GemmChoice {
  const { types, views } = layout(s);
  const v = (i: number) => views[i] ?? denseView(types[i]!.shape);
  const y = denseView([...(types[0]!.shape.length === 3 ? [types[0]!.shape[0]!] : []), s.M, s.N]);
  return planChoice(gemmProblem(v(0), v(1), y, [])).choice;
}

function buffer(n: number, data?: Float32Array): GPUBuffer {
  const b = device.createBuffer({ label: 'bench', size: Math.max(16, n * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
  const d = data ?? Float32Array.from({ length: n }, () => Math.random() * 2 - 1);
  device.queue.writeBuffer(b, 0, d);
  return b;
}

interface Bound { steps: { k: GpuPlan['kernels'][number]; pipeline: GPUComputePipeline; bg: GPUBindGroup }[]; free: GPUBuffer[] }

async function bind(p: GpuPlan, ins: GPUBuffer[], y: GPUBuffer): Promise<Bound> {
  const free: GPUBuffer[] = [];
  const scratch = (p.scratch ?? []).map((n) => { const b = device.createBuffer({ label: 'scratch', size: n, usage: GPUBufferUsage.STORAGE }); free.push(b); return b; });
  const steps = await Promise.all(p.kernels.map(async (k) => {
    const entries: GPUBindGroupEntry[] = [];
    if (k.uniforms) {
      const ub = device.createBuffer({ label: 'u', size: k.uniforms.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(ub, 0, k.uniforms);
      free.push(ub);
      entries.push({ binding: 0, resource: { buffer: ub } });
    }
    for (const a of k.args) entries.push({ binding: entries.length, resource: { buffer: 'input' in a ? ins[a.input]! : 'output' in a ? y : scratch[a.scratch]! } });
    return { k, pipeline: await pipelineFor(device, k), bg: device.createBindGroup({ label: k.name, layout: bindGroupLayout(device, bindingSignature(k)), entries }) };
  }));
  return { steps, free };
}

const ROUNDS = 7;

/** A pass that writes 128 MiB (more than any GPU's L2): what the next pass reads comes from memory. */
let flushPass: ((enc: GPUCommandEncoder) => void) | null = null;
function flusher(): (enc: GPUCommandEncoder) => void {
  if (flushPass) return flushPass;
  const words = 32 << 20;
  const buf = device.createBuffer({ label: 'l2 flush', size: words * 4, usage: GPUBufferUsage.STORAGE });
  const module = device.createShaderModule({ label: 'l2 flush', code: `@group(0) @binding(0) var<storage, read_write> b: array<vec4<u32>>;
@compute @workgroup_size(256) fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) n: vec3<u32>) {
  let i = g.x + g.y * n.x * 256u; if (i < arrayLength(&b)) { b[i] = vec4<u32>(i); } }` });
  const pipe = device.createComputePipeline({ label: 'l2 flush', layout: 'auto', compute: { module, entryPoint: 'main' } });
  const bg = device.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: buf } }] });
  flushPass = (enc) => {
    const pass = enc.beginComputePass({ label: 'l2 flush' });
    pass.setPipeline(pipe); pass.setBindGroup(0, bg); pass.dispatchWorkgroups(8192, Math.ceil(words / 4 / 256 / 8192), 1);
    pass.end();
  };
  return flushPass;
}

function encodeSteps(enc: GPUCommandEncoder, b: Bound, reps: number, tw?: GPUComputePassTimestampWrites): void {
  const pass = enc.beginComputePass(tw ? { timestampWrites: tw } : {});
  for (let r = 0; r < reps; r++) for (const st of b.steps) { pass.setPipeline(st.pipeline); pass.setBindGroup(0, st.bg); pass.dispatchWorkgroups(...st.k.workgroups); }
  pass.end();
}

/**
 * Median µs per repetition of each bound variant (hot) and, with `cold`, of one repetition after an
 * L2 flush: ROUNDS rounds, each timing every variant in turn, one submit per round.
 */
async function timeAll(bs: Bound[], reps: number, cold: boolean, touchA: (enc: GPUCommandEncoder) => void): Promise<{ hot: number[]; cold: number[] }> {
  const per = cold ? 2 : 1;
  const n = bs.length * per;
  const qs = device.createQuerySet({ type: 'timestamp', count: 2 * n });
  const resolve = device.createBuffer({ size: 16 * n, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const read = device.createBuffer({ size: 16 * n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const tw = (i: number): GPUComputePassTimestampWrites => ({ querySet: qs, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 });
  // bring the clocks up: ~30 ms of the first variant
  for (let t0 = performance.now(); performance.now() - t0 < 30;) { const e = device.createCommandEncoder(); encodeSteps(e, bs[0]!, 50); device.queue.submit([e.finish()]); await device.queue.onSubmittedWorkDone(); }
  const hot: number[][] = bs.map(() => []), cd: number[][] = bs.map(() => []);
  const flush = cold ? flusher() : null;
  for (let r = 0; r < ROUNDS; r++) {
    const enc = device.createCommandEncoder();
    bs.forEach((b, v) => encodeSteps(enc, b, reps, tw(v * per)));
    if (flush) bs.forEach((b, v) => { flush(enc); touchA(enc); encodeSteps(enc, b, 1, tw(v * per + 1)); });
    enc.resolveQuerySet(qs, 0, 2 * n, resolve, 0);
    enc.copyBufferToBuffer(resolve, 0, read, 0, 16 * n);
    device.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const t = new BigUint64Array(read.getMappedRange().slice(0));
    read.unmap();
    bs.forEach((_, v) => {
      hot[v]!.push(Number(t[2 * v * per + 1]! - t[2 * v * per]!) / 1000 / reps);
      if (cold) cd[v]!.push(Number(t[2 * (v * per + 1) + 1]! - t[2 * (v * per + 1)]!) / 1000);
    });
  }
  qs.destroy(); resolve.destroy(); read.destroy();
  const med = (a: number[]) => (a.length ? [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]! : NaN);
  return { hot: hot.map(med), cold: cd.map(med) };
}

/** Choices worth timing for a shape: every tile × splits that leave ≥ 64 of K per slice; the GEMVs for one row. */
function variants(s: Shape, minK = 64): string[] {
  if (s.M === 1) return ['gemv_n', 'gemv_k', ...[2, 4, 6, 8, 12, 16].flatMap((k) => (s.K / k >= minK / 2 ? [`gemv_n/s${k}`, `gemv_k/s${k}`] : []))];
  const big = s.M * s.N * (s.batch ?? 1) >= 1 << 22;
  const splits = big ? [1] : [1, 2, 3, 4, 6, 8, 12, 16, 24].filter((k) => s.K / k >= minK);
  const tiles = TILE_CONFIGS.map((c) => c.name).filter((n) => !(big && (n === 't32x32' || n === 't64x32')));
  return tiles.flatMap((t) => splits.map((k) => (k === 1 ? t : `${t}/s${k}`)));
}

async function benchShape(s: Shape, reps: number, quick: boolean, cold: boolean, rows: string[], json: unknown[]): Promise<void> {
  const flop = 2 * s.M * s.N * s.K * (s.batch ?? 1);
  const { elems } = layout(s);
  const ins = elems.map((n) => buffer(n));
  const y = buffer((s.batch ?? 1) * s.M * s.N, new Float32Array((s.batch ?? 1) * s.M * s.N));
  const auto = autoChoice(s);
  const list = ['auto', ...(quick ? [] : variants(s).filter((v) => v !== choiceName(auto)))];
  const names: string[] = [], bound: Bound[] = [], plans: GpuPlan[] = [];
  for (const v of list) {
    if ((Date.now() - T0) / 1000 > DEADLINE_S) { rows.push(`${s.name}: deadline reached, ${list.length - names.length} variants skipped`); break; }
    const p = plan(s, v === 'auto' ? null : v);
    if (typeof p === 'string') continue;
    names.push(v); plans.push(p); bound.push(await bind(p, ins, y));
  }
  // the cold runs find A where the previous node left it: in L2 (rewrite it after the flush)
  const aCopy = buffer(elems[0]!);
  const touchA = (enc: GPUCommandEncoder) => enc.copyBufferToBuffer(aCopy, 0, ins[0]!, 0, aCopy.size);
  const reps1 = flop > 1e10 ? 3 : reps;
  const t = await timeAll(bound, reps1, cold && flop < 1e10, touchA);
  bound.forEach((b) => b.free.forEach((x) => x.destroy()));
  for (const b of [...ins, y, aCopy]) b.destroy();
  const results = names.map((v, i) => ({ v: v === 'auto' ? 'auto' : v, us: t.hot[i]!, cold: t.cold[i]! }));
  results.forEach((r, i) => json.push({ shape: s.name, M: s.M, K: s.K, N: s.N, batch: s.batch ?? 1, variant: r.v === 'auto' ? `auto:${choiceName(auto)}` : r.v, us: r.us, cold: r.cold, tflops: flop / r.us / 1e6, kernels: plans[i]!.kernels.map((k) => `${k.name}[${k.workgroups.join('x')}]`) }));
  const ok = results.filter((r) => Number.isFinite(r.us)).sort((a, b) => a.us - b.us);
  const a = results.find((r) => r.v === 'auto')!;
  const tf = (us: number) => (flop / us / 1e6).toFixed(2);
  console.log(`\n${s.name} (${(flop / 1e9).toFixed(3)} GFLOP): auto picks ${choiceName(auto)}`);
  for (const r of ok) console.log(`  ${r.v.padEnd(16)} ${r.us.toFixed(1).padStart(9)} us ${tf(r.us).padStart(7)} TFLOP/s${Number.isFinite(r.cold) ? ` | cold ${r.cold.toFixed(1).padStart(8)} us` : ''}`);
  const best = ok[0]!;
  const coldOk = results.filter((r) => Number.isFinite(r.cold)).sort((x, z) => x.cold - z.cold);
  const coldCol = coldOk.length ? ` | cold: auto ${a.cold.toFixed(1).padStart(7)} best ${coldOk[0]!.v.padEnd(12)} ${coldOk[0]!.cold.toFixed(1).padStart(7)} (${(a.cold / coldOk[0]!.cold).toFixed(2)})` : '';
  rows.push(`${s.name.padEnd(32)} ${choiceName(auto).padEnd(14)} ${a.us.toFixed(1).padStart(8)} ${tf(a.us).padStart(6)} | ${best.v.padEnd(14)} ${best.us.toFixed(1).padStart(8)} ${tf(best.us).padStart(6)} | auto/best ${(a.us / best.us).toFixed(2)}${coldCol}`);
}

/** --check: each configuration on small shapes against a CPU product (A, B dense or viewed as in `layout`). */
async function check(): Promise<boolean> {
  const small: Shape[] = [
    { name: 'rows', M: 37, K: 70, N: 52 }, { name: 'qk', M: 19, K: DH, N: 19, batch: HEADS, attn: 'qk' },
    { name: 'pv', M: 40, K: 40, N: DH, batch: HEADS, attn: 'pv' }, { name: 'gemv', M: 1, K: 300, N: 72 },
  ];
  let ok = true;
  for (const s of small) {
    const { types, views, elems } = layout(s);
    const data = elems.map((n) => Float32Array.from({ length: n }, () => Math.random() * 2 - 1));
    const v = (i: number) => views[i] ?? denseView(types[i]!.shape);
    const nb = s.batch ?? 1;
    const ref = new Float32Array(nb * s.M * s.N);
    const at = (i: number, c: number[]) => { const w = v(i); const cc = w.shape.length === 3 ? c : c.slice(1); return data[i]![w.offset + cc.reduce((acc, x, k) => acc + x * w.strides[k]!, 0)]!; };
    for (let z = 0; z < nb; z++) for (let m = 0; m < s.M; m++) for (let n = 0; n < s.N; n++) {
      let acc = 0;
      for (let k = 0; k < s.K; k++) acc += at(0, [z, m, k]) * at(1, [z, k, n]);
      ref[(z * s.M + m) * s.N + n] = acc;
    }
    const ins = data.map((d) => buffer(d.length, d));
    for (const vname of ['auto', ...variants(s, 24).filter((x) => !/\/s(6|8|12|16)$/.test(x))]) {
      const p = plan(s, vname === 'auto' ? null : vname);
      if (typeof p === 'string') { console.log(`${s.name} ${vname}: refused: ${p}`); ok = false; continue; }
      const y = buffer(ref.length, new Float32Array(ref.length));
      const b = await bind(p, ins, y);
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      for (const st of b.steps) { pass.setPipeline(st.pipeline); pass.setBindGroup(0, st.bg); pass.dispatchWorkgroups(...st.k.workgroups); }
      pass.end();
      const rb = device.createBuffer({ size: ref.length * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      enc.copyBufferToBuffer(y, 0, rb, 0, ref.length * 4);
      device.queue.submit([enc.finish()]);
      await rb.mapAsync(GPUMapMode.READ);
      const got = new Float32Array(rb.getMappedRange().slice(0));
      rb.unmap();
      let worst = 0;
      for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(got[i]! - ref[i]!) / (1e-3 + Math.abs(ref[i]!)));
      const good = worst < 1e-3;
      ok &&= good;
      console.log(`${good ? 'ok  ' : 'FAIL'} ${s.name.padEnd(5)} ${vname.padEnd(14)} worst rel err ${worst.toExponential(2)}`);
      b.free.forEach((x) => x.destroy()); y.destroy(); rb.destroy();
    }
    ins.forEach((x) => x.destroy());
  }
  return ok;
}

let keep: unknown;
/** A device without robustness transforms (Dawn toggle), for comparison with wgml's normal device. */
async function unrobustDevice(): Promise<GPUDevice> {
  const mod = (await import('webgpu')) as unknown as { create(flags: string[]): GPU; globals: Record<string, unknown> };
  for (const [k, v] of Object.entries(mod.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  const gpu = mod.create(['enable-dawn-features=allow_unsafe_apis,disable_robustness', 'disable-dawn-features=timestamp_quantization']);
  keep = gpu; // the instance must outlive the device (a collected instance aborts Dawn)
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('no adapter');
  const l = adapter.limits;
  return adapter.requestDevice({
    requiredFeatures: ['timestamp-query'].filter((f) => adapter.features.has(f)) as GPUFeatureName[],
    requiredLimits: { maxStorageBufferBindingSize: l.maxStorageBufferBindingSize, maxBufferSize: l.maxBufferSize, maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage, maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize },
  });
}

async function main(): Promise<void> {
  device = has('--no-robust') ? await unrobustDevice() : await requestDevice({ quiet: true });
  console.log(`device: ${device.adapterInfo?.description || device.adapterInfo?.device || '?'}${has('--no-robust') ? ' (disable_robustness)' : ''}`);
  if (has('--check')) { const ok = await check(); device.destroy(); process.exit(ok ? 0 : 1); }
  if (!device.features.has('timestamp-query')) throw new Error('this device has no timestamp-query');
  const filter = arg('--filter', '');
  const reps = Number(arg('--reps', '20'));
  const rows: string[] = [], json: unknown[] = [];
  for (const s of SHAPES.filter((x) => x.name.includes(filter))) await benchShape(s, reps, has('--quick'), has('--cold'), rows, json);
  console.log(`\n${'shape'.padEnd(32)} ${'auto'.padEnd(14)} ${'us'.padStart(8)} ${'TF/s'.padStart(6)} | ${'best'.padEnd(14)} ${'us'.padStart(8)} ${'TF/s'.padStart(6)} | auto/best${has('--cold') ? ' | cold (one rep after an L2 flush): auto, best (auto/best)' : ''}`);
  for (const r of rows) console.log(r);
  console.log(`total ${((Date.now() - T0) / 1000).toFixed(0)} s`);
  const jf = arg('--json', '');
  if (jf) writeFileSync(jf, json.map((j) => JSON.stringify(j)).join('\n') + '\n');
  device.destroy();
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
