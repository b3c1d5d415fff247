/**
 * Micro-benchmark of the fused attention kernel (wgml.Attention) with GPU timestamp queries.
 * Cases: synthetic BERT-base (12 heads, S 128, D 64) and ViT-B/16 (S 197) shapes at batch 1, q/k/v read
 * as views of one packed QKV projection and the output written into [B, S, 768] (plain, a padding mask,
 * causal with −inf and with HF's finfo.min fill, batch 8, S 512); and, with --models DIR, the Attention
 * node of each model there (bench/transformer_models.py's bert_encoder.onnx, vit_b_16.onnx, vit_tiny.onnx)
 * exactly as the compiler plans it: its views of the projection, its output view, its attributes. It
 * says whether a model's layout is the synthetic one.
 * Per case: every block configuration of the sweep plus the one attentionConfig() picks ('auto'), all
 * compiled before timing (no compile gaps: the GPU clocks down when idle); a ~0.3 s warm-up; then
 * `--rounds` rounds over all configurations, each `--reps` back-to-back dispatches in one timed pass,
 * keeping each one's best round, and 'single': one dispatch per timed pass, the median (what one node in a
 * network costs, as `wgml profile` times it; rank by this one); and the auto one with its inputs
 * bound read-only (a network binds them read_write, as its heap is written). Every configuration's output
 * is checked against the op's CPU reference. The unfused kernels (MatMul, Mul, Softmax, MatMul) for scale.
 *   npx esbuild bench/attention.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/bench/attention.js
 *   node dist/bench/attention.js [--models DIR] [--reps 30] [--rounds 3] [--filter bert] [--nosweep] [--json FILE]
 * Retune attentionConfig() in src/ops/linalg/attention-kernel.ts from the summary (test/attention-op.test.ts
 * checks the rule against the committed results).
 */
import { appendFileSync } from 'node:fs';
import { requestDevice } from '../src/gpu/device.js';
import { Attrs } from '../src/ir/attrs.js';
import { hostTensor, shapeSize, type AttrValue, type HostTensor, type Node, type ValueType } from '../src/ir/types.js';
import { fmtView, inputViewAttr, nodeViews, OUTPUT_VIEW_ATTR, viewAttr, viewedTypes, viewExtent, type View } from '../src/ir/view.js';
import { attentionConfig, attentionConfigOk, configName, type AttentionConfig } from '../src/ops/linalg/attention-kernel.js';
import type { GpuPlan, KernelSpec } from '../src/ops/types.js';
import { loadGraph } from '../src/runtime/library.js';
import { planNetwork } from '../src/runtime/pipeline.js';
import { bindGroupLayout, bindingSignature, pipelineFor } from '../src/runtime/kernels.js';
import { deviceCaps, inferContext, opFor, referenceNode } from '../src/runtime/single.js';

const arg = (name: string, def: string) => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1] ?? def : def; };
const reps = Number(arg('--reps', '30')), rounds = Number(arg('--rounds', '3')), jsonOut = arg('--json', '');
let device: GPUDevice;

interface Case { name: string; node: Node; inputs: HostTensor[]; flop: number; synthetic: boolean; dims?: { B: number; H: number; S: number; D: number } }

const random = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (Math.random() * 2 - 1) * scale);
const ints = (v: number[]): AttrValue => ({ kind: 'ints', value: v });

/** torch's packed projection [B, S, 3E] read as [B, H, S, D] q/k/v, output into [B, S, E]. */
function packedViews(B: number, H: number, S: number, D: number): { qkv: (w: number) => View; out: View } {
  const E = H * D;
  return { qkv: (w) => ({ shape: [B, H, S, D], strides: [S * 3 * E, D, 3 * E, 1], offset: w * E }), out: { shape: [B, H, S, D], strides: [S * E, D, E, 1], offset: 0 } };
}

function synthetic(name: string, B: number, H: number, S: number, D: number, mask?: 'pad' | 'causal' | 'causal-finfo'): Case {
  const E = H * D;
  const v = packedViews(B, H, S, D);
  const attrs: Record<string, AttrValue> = { [inputViewAttr(0)]: viewAttr(v.qkv(0)), [inputViewAttr(1)]: viewAttr(v.qkv(1)), [inputViewAttr(2)]: viewAttr(v.qkv(2)), [OUTPUT_VIEW_ATTR]: viewAttr(v.out) };
  const inputs = [hostTensor('float32', [B, S, 3 * E], random(B * S * 3 * E))];
  const names = ['x', 'x', 'x'];
  if (mask === 'pad') {
    const m = new Float32Array(B * S);
    for (let j = S - S / 4; j < S; j++) m[j] = -1e9; // batch 0's last quarter is padding
    inputs.push(hostTensor('float32', [B, 1, 1, S], m));
    names.push('m');
    attrs.mask_mode = { kind: 'string', value: 'add' };
  }
  if (mask?.startsWith('causal')) attrs.causal = { kind: 'int', value: 1 };
  if (mask === 'causal-finfo') attrs.causal_fill = { kind: 'float', value: -3.4028234663852886e38 };
  return { name, node: { name, opType: 'Attention', domain: 'wgml', inputs: names, outputs: ['y'], attrs }, inputs: [inputs[0]!, inputs[0]!, inputs[0]!, ...inputs.slice(1)], flop: 4 * B * H * S * S * D, synthetic: true, dims: { B, H, S, D } };
}

/** The first Attention node of a model as the compiler plans it, on random data of its operands' sizes. */
async function modelCase(path: string): Promise<Case | null> {
  const { graph } = await loadGraph(path);
  const prog = planNetwork(device, graph, {});
  const n = prog.nodes.find((x) => x.opType === 'Attention' && x.domain === 'wgml');
  if (!n) { console.log(`${path}: no fused Attention node`); return null; }
  const types = n.inputs.map((v) => prog.values.get(v)!.type);
  const data = new Map<string, HostTensor>();
  const inputs = n.inputs.map((v, i) => {
    if (!data.has(v)) { const t = types[i]!; data.set(v, hostTensor(t.dtype, [...t.shape], t.dtype === 'float32' ? random(shapeSize(t.shape)) : new Int32Array(shapeSize(t.shape)).fill(1))); }
    return data.get(v)!;
  });
  const views = nodeViews(n);
  const q = viewedTypes(n as unknown as Node, types, views.inputs, [0, 1, 2, 3])[0]!;
  const [Sq, D] = q.shape.slice(-2) as [number, number];
  const z = shapeSize(q.shape.slice(0, -2));
  const count = prog.nodes.filter((x) => x.opType === 'Attention').length;
  const name = `${path.split('/').pop()!.replace('.onnx', '')} node`;
  console.log(`${name}: ${count} Attention nodes; the first reads ${n.inputs.map((v, i) => `${v} ${views.inputs[i] ? fmtView(views.inputs[i]!) : 'dense'}`).join(' | ')}; writes ${views.output ? fmtView(views.output) : 'dense'}; attrs ${JSON.stringify(Object.fromEntries(Object.entries(n.attrs).filter(([k]) => !k.startsWith('wgml_'))))}`);
  const syn = packedViews(1, z, Sq, D);
  const same = [0, 1, 2].every((i) => JSON.stringify(views.inputs[i]?.strides.slice(-3)) === JSON.stringify(syn.qkv(i).strides.slice(-3)));
  console.log(`${name}: q/k/v strides ${same ? 'match' : 'DIFFER from'} the synthetic packed layout`);
  return { name, node: { name, opType: 'Attention', domain: 'wgml', inputs: [...n.inputs], outputs: ['y'], attrs: { ...n.attrs } }, inputs, flop: 4 * z * Sq * Sq * D, synthetic: false };
}

/** The node's plan with a forced configuration (null: attentionConfig's), its inputs read through the node's views. */
function planFor(c: Case, cfg: AttentionConfig | null): { plan: GpuPlan; outElems: number } {
  const node: Node = cfg ? { ...c.node, attrs: { ...c.node.attrs, wgml_config: ints([cfg.bq, cfg.bk, cfg.t, cfg.dmax, cfg.r]) } } : c.node;
  const op = opFor(node, 1);
  const a = op.attrs(new Attrs(node), 1);
  const views = nodeViews(node);
  const types = viewedTypes(node, c.inputs.map((t): ValueType => ({ dtype: t.dtype, shape: [...t.shape] })), views.inputs, op.viewInputs ?? []);
  const ictx = inferContext(node, types, () => undefined, 1);
  const outs = op.infer(ictx, a);
  const p = op.gpu!({ ...ictx, outputs: outs, caps: deviceCaps(device), views: views.inputs, outView: views.output }, a);
  if (typeof p === 'string') throw new Error(`${c.name}: ${p}`);
  return { plan: p, outElems: views.output ? viewExtent(views.output) : shapeSize(outs[0]!.shape) };
}

interface Ready { steps: { k: KernelSpec; pipeline: GPUComputePipeline; bg: GPUBindGroup }[]; y: GPUBuffer; outElems: number; destroy(): void }

/** Pipelines and bind groups for a plan; inputs bind read_write as a network binds its heap (`widen`), else as the kernel declares. */
async function prepare(plan: GpuPlan, outElems: number, ins: GPUBuffer[], widen = true): Promise<Ready> {
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const y = device.createBuffer({ label: 'y', size: Math.max(16, outElems * 4), usage });
  const made = [y, ...(plan.scratch ?? []).map((n) => device.createBuffer({ label: 'scratch', size: Math.max(16, n), usage }))];
  const steps = await Promise.all(plan.kernels.map(async (k) => {
    const sig = widen ? bindingSignature(k, () => false) : bindingSignature(k);
    const entries: GPUBindGroupEntry[] = [];
    if (k.uniforms) {
      const ub = device.createBuffer({ label: 'u', size: k.uniforms.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(ub, 0, k.uniforms);
      made.push(ub);
      entries.push({ binding: 0, resource: { buffer: ub } });
    }
    for (const ka of k.args) entries.push({ binding: entries.length, resource: { buffer: 'input' in ka ? ins[ka.input]! : 'output' in ka ? y : made[1 + ka.scratch]! } });
    return { k, pipeline: await pipelineFor(device, k, sig), bg: device.createBindGroup({ label: k.name, layout: bindGroupLayout(device, sig), entries }) };
  }));
  return { steps, y, outElems, destroy: () => made.forEach((b) => b.destroy()) };
}

const qs = () => device.createQuerySet({ type: 'timestamp', count: 2 * Math.max(reps, 2) });

/** µs per run: 'batch' = `n` runs back-to-back in one timed pass, divided by n; 'single' = one run per timed pass, the median. */
async function time(r: Ready, n: number, mode: 'batch' | 'single'): Promise<number> {
  const set = qs();
  const bytes = 16 * n;
  const resolve = device.createBuffer({ size: bytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const read = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  const passes = mode === 'batch' ? 1 : n;
  for (let p = 0; p < passes; p++) {
    const pass = enc.beginComputePass({ timestampWrites: { querySet: set, beginningOfPassWriteIndex: 2 * p, endOfPassWriteIndex: 2 * p + 1 } });
    for (let i = 0; i < (mode === 'batch' ? n : 1); i++) for (const s of r.steps) { pass.setPipeline(s.pipeline); pass.setBindGroup(0, s.bg); pass.dispatchWorkgroups(...s.k.workgroups); }
    pass.end();
  }
  enc.resolveQuerySet(set, 0, 2 * passes, resolve, 0);
  enc.copyBufferToBuffer(resolve, 0, read, 0, 16 * passes);
  device.queue.submit([enc.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const t = new BigUint64Array(read.getMappedRange().slice(0, 16 * passes));
  read.unmap();
  for (const b of [resolve, read]) b.destroy();
  set.destroy();
  const us = Array.from({ length: passes }, (_, p) => Number(t[2 * p + 1]! - t[2 * p]!) / 1000);
  if (mode === 'batch') return us[0]! / n;
  us.sort((a, b) => a - b);
  return us[us.length >> 1]!;
}

async function readBack(r: Ready): Promise<Float32Array> {
  const rb = device.createBuffer({ size: r.y.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(r.y, 0, rb, 0, r.y.size);
  device.queue.submit([enc.finish()]);
  await rb.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(rb.getMappedRange().slice(0, r.outElems * 4));
  rb.destroy();
  return out;
}

/** The sweep: BQ 8–64, R 1–4 rows per thread, T 4–16, BK 16–64, 32–256 threads. */
function sweep(dmax: number): AttentionConfig[] {
  const caps = deviceCaps(device);
  const out: AttentionConfig[] = [];
  for (const bq of [8, 16, 32, 64]) for (const r of [1, 2, 4]) for (const t of [4, 8, 16]) for (const bk of [16, 32, 64]) {
    const c = { bq, bk, t, r, dmax };
    const nt = (bq / r) * t;
    if (nt >= 32 && nt <= 256 && attentionConfigOk(c, caps.maxComputeWorkgroupStorageSize, caps.maxComputeInvocationsPerWorkgroup)) out.push(c);
  }
  return out;
}

function relErr(got: Float32Array, want: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!, g = got[i]!;
    if (Number.isNaN(w) !== Number.isNaN(g)) return Infinity;
    if (!Number.isNaN(w)) { num = Math.max(num, Math.abs(g - w)); den = Math.max(den, Math.abs(w)); }
  }
  return num / Math.max(den, 1e-30);
}

function upload(t: HostTensor): GPUBuffer {
  const b = device.createBuffer({ label: 'in', size: Math.max(16, t.data.byteLength), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
  device.queue.writeBuffer(b, 0, t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return b;
}

/** Today's unfused path at a synthetic shape: Q·Kᵀ, scale, Softmax, P·V. */
async function unfused(d: NonNullable<Case['dims']>): Promise<number> {
  const { B, H, S, D } = d;
  const f = (shape: number[]): ValueType => ({ dtype: 'float32', shape });
  const nd = (opType: string, inputs: string[]): Node => ({ name: opType, opType, domain: '', inputs, outputs: ['o'], attrs: {} });
  const plan = (node: Node, types: ValueType[]) => {
    const op = opFor(node, 17); const a = op.attrs(new Attrs(node), 17);
    const ictx = inferContext(node, types, () => undefined, 17);
    const p = op.gpu!({ ...ictx, outputs: op.infer(ictx, a), caps: deviceCaps(device) }, a);
    if (typeof p === 'string') throw new Error(p);
    return p;
  };
  const big = upload(hostTensor('float32', [B * H * S * Math.max(S, D)], random(B * H * S * Math.max(S, D))));
  const one = upload(hostTensor('float32', [1], [0.125]));
  const out = B * H * S * Math.max(S, D);
  const parts = [
    [plan(nd('MatMul', ['a', 'b']), [f([B, H, S, D]), f([B, H, D, S])]), [big, big]],
    [plan(nd('Mul', ['a', 'b']), [f([B, H, S, S]), f([])]), [big, one]],
    [plan(nd('Softmax', ['a']), [f([B, H, S, S])]), [big]],
    [plan(nd('MatMul', ['a', 'b']), [f([B, H, S, S]), f([B, H, S, D])]), [big, big]],
  ] as const;
  let us = 0;
  for (const [p, ins] of parts) { const r = await prepare(p, out, [...ins], false); await time(r, reps, 'batch'); us += await time(r, reps, 'batch'); r.destroy(); }
  big.destroy(); one.destroy();
  return us;
}

async function bench(c: Case, doSweep: boolean): Promise<string> {
  const bufs = c.inputs.map(upload);
  const caps = deviceCaps(device);
  const types = viewedTypes(c.node, c.inputs.map((t) => ({ dtype: t.dtype, shape: [...t.shape] })), nodeViews(c.node).inputs, [0, 1, 2, 3]);
  const [Sq, D] = types[0]!.shape.slice(-2) as [number, number];
  const Dv = types[2]!.shape[types[2]!.shape.length - 1]!;
  const auto = attentionConfig({ batch: types[0]!.shape.slice(0, -2), Sq, D, Dv }, caps.maxComputeWorkgroupStorageSize, caps.maxComputeInvocationsPerWorkgroup) as AttentionConfig;
  const autoName = configName(auto);
  const cfgs = doSweep ? sweep(auto.dmax).filter((x) => configName(x) !== autoName) : [];
  const runs = [{ name: autoName, auto: true, ...planFor(c, null) }, ...cfgs.map((x) => ({ name: configName(x), auto: false, ...planFor(c, x) }))];
  // Every pipeline before any timing: compiling between timings idles the GPU, which then clocks down.
  const ready = await Promise.all(runs.map((x) => prepare(x.plan, x.outElems, bufs)));
  const t0 = performance.now();
  while (performance.now() - t0 < 300) await time(ready[0]!, reps, 'batch');
  // Both measures for every configuration, interleaved: 'batch' (back-to-back, divided) and 'single'
  // (one dispatch per timed pass, median), each its best round.
  const best = ready.map(() => Infinity), single = ready.map(() => Infinity);
  for (let round = 0; round < rounds; round++) for (let i = 0; i < ready.length; i++) {
    best[i] = Math.min(best[i]!, await time(ready[i]!, reps, 'batch'));
    single[i] = Math.min(single[i]!, await time(ready[i]!, reps, 'single'));
  }
  const want = referenceNode(c.node, c.inputs, 1)[0]!.data;
  const errs = await Promise.all(ready.map(async (r) => relErr(await readBack(r), want)));
  const argmin = (xs: number[]) => xs.reduce((b, x, i) => (x < xs[b]! ? i : b), 0);
  const bi = argmin(best), si = argmin(single);
  // The auto kernel with q/k/v bound read-only (a network binds its heap read_write): does the access mode matter?
  const ro = await prepare(runs[0]!.plan, runs[0]!.outElems, bufs, false);
  await time(ro, reps, 'batch');
  const roUs = Math.min(await time(ro, reps, 'batch'), await time(ro, reps, 'batch'));
  ro.destroy();
  const unf = c.synthetic && !c.node.attrs.causal && c.inputs.length === 3 ? await unfused(c.dims!) : NaN;
  const tf = (us: number) => (c.flop / us / 1e6).toFixed(2);
  runs.forEach((x, i) => {
    console.log(`${c.name.padEnd(24)} ${x.auto ? 'auto' : '    '} ${x.name.padEnd(11)} ${best[i]!.toFixed(1).padStart(8)} us ${tf(best[i]!).padStart(6)} TFLOP/s  single ${single[i]!.toFixed(1).padStart(8)} us  err ${errs[i]!.toExponential(1)}${errs[i]! < 1e-4 ? '' : ' FAIL'}`);
    if (jsonOut) appendFileSync(jsonOut, `${JSON.stringify({ case: c.name, config: x.name, auto: x.auto, us: +best[i]!.toFixed(2), singleUs: +single[i]!.toFixed(2), err: errs[i] })}\n`);
  });
  ready.forEach((r) => r.destroy());
  bufs.forEach((b) => b.destroy());
  const bad = runs.filter((_, i) => !(errs[i]! < 1e-4)).map((x) => x.name);
  const f = (us: number) => us.toFixed(1).padStart(7);
  return `${c.name.padEnd(24)} auto ${autoName.padEnd(11)} ${f(best[0]!)} us, single ${f(single[0]!)} (read-only inputs ${roUs.toFixed(1)})`
    + ` | best ${runs[bi]!.name.padEnd(11)} ${f(best[bi]!)} us | best single ${runs[si]!.name.padEnd(11)} ${f(single[si]!)} us | auto/best ${(best[0]! / best[bi]!).toFixed(2)}, single ${(single[0]! / single[si]!).toFixed(2)}`
    + `${Number.isNaN(unf) ? '' : ` | unfused 4 kernels ${unf.toFixed(1)} us`} | ${bad.length ? `CHECK FAILED: ${bad.join(' ')}` : 'all checked'}`;
}

async function main(): Promise<void> {
  const filter = arg('--filter', ''), models = arg('--models', '');
  device = await requestDevice({ quiet: true });
  if (!device.features.has('timestamp-query')) throw new Error('this device has no timestamp-query');
  const caps = deviceCaps(device);
  console.log(`workgroup memory ${caps.maxComputeWorkgroupStorageSize} B, invocations ${caps.maxComputeInvocationsPerWorkgroup}, reps ${reps}, rounds ${rounds}`);
  const cases: (() => Promise<Case | null> | Case)[] = [
    () => synthetic('bert-base S128', 1, 12, 128, 64),
    () => synthetic('bert-base S128 pad-mask', 1, 12, 128, 64, 'pad'),
    () => synthetic('bert-base S128 causal', 1, 12, 128, 64, 'causal'),
    () => synthetic('bert-base S128 causal-finfo', 1, 12, 128, 64, 'causal-finfo'),
    () => synthetic('vit-b/16 S197', 1, 12, 197, 64),
    () => synthetic('bert-base B8 S128', 8, 12, 128, 64),
    () => synthetic('bert-base S512', 1, 12, 512, 64),
    ...(models ? ['bert_encoder', 'vit_b_16', 'vit_tiny'].map((m) => () => modelCase(`${models}/${m}.onnx`).catch((e: Error) => { console.log(`${m}: ${e.message}`); return null; })) : []),
  ];
  const lines: string[] = [];
  for (const make of cases) {
    const c = await make();
    if (!c || !c.name.includes(filter)) continue;
    lines.push(await bench(c, !process.argv.includes('--nosweep')));
    console.log(`= ${lines[lines.length - 1]}`);
  }
  console.log('\nsummary (µs per dispatch: best round of back-to-back runs; single = one dispatch per timed pass, median of a round, best round)');
  for (const l of lines) console.log(l);
  device.destroy();
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
