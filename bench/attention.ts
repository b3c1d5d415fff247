/**
 * Micro-benchmark of the fused attention kernel (wgml.Attention) with GPU timestamp queries, at the
 * shapes of BERT-base (12 heads, S 128, D 64) and ViT-B/16 (S 197), batch 1, f32: q/k/v read as views
 * of one packed QKV projection [B, S, 3·768] and the output written into [B, S, 768], as the attention
 * pass sets it up; with a padding mask, causally, and at batch 8 / S 512 for scale. Each shape times
 * the configuration attentionConfig() picks ('auto') and a sweep of block configurations (BQ × BK × T),
 * and the unfused path for comparison (MatMul, Mul, Softmax, MatMul kernels of today's ops). The auto
 * configuration's output is checked against the op's CPU reference. Build and run:
 *   npx esbuild bench/attention.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/bench/attention.js
 *   node dist/bench/attention.js [--reps 50] [--filter bert] [--nosweep] [--nocheck]
 * Prints µs and effective TFLOP/s (4·B·H·Sq·Sk·D FLOPs) per variant, then one summary line per shape.
 * To change what the kernel picks, edit attentionConfig() in src/ops/linalg/attention-kernel.ts.
 */
import { requestDevice } from '../src/gpu/device.js';
import { Attrs } from '../src/ir/attrs.js';
import { hostTensor, type AttrValue, type HostTensor, type Node } from '../src/ir/types.js';
import { inputViewAttr, OUTPUT_VIEW_ATTR, viewAttr, type View } from '../src/ir/view.js';
import { attentionConfig, attentionConfigOk, type AttentionConfig } from '../src/ops/linalg/attention-kernel.js';
import type { GpuPlan, KernelContext } from '../src/ops/types.js';
import { bindGroupLayout, bindingSignature, pipelineFor } from '../src/runtime/kernels.js';
import { deviceCaps, inferContext, opFor, referenceNode } from '../src/runtime/single.js';

interface Shape { name: string; B: number; H: number; S: number; D: number; mask?: 'pad' | 'causal' }
const SHAPES: Shape[] = [
  { name: 'bert-base S128', B: 1, H: 12, S: 128, D: 64 },
  { name: 'bert-base S128 pad-mask', B: 1, H: 12, S: 128, D: 64, mask: 'pad' },
  { name: 'bert-base S128 causal', B: 1, H: 12, S: 128, D: 64, mask: 'causal' },
  { name: 'vit-b/16 S197', B: 1, H: 12, S: 197, D: 64 },
  { name: 'bert-base B8 S128', B: 8, H: 12, S: 128, D: 64 },
  { name: 'bert-base S512', B: 1, H: 12, S: 512, D: 64 },
];

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] ?? def : def;
}
const reps = Number(arg('--reps', '50'));
let device: GPUDevice;

function upload(data: Float32Array | Int32Array): GPUBuffer {
  const b = device.createBuffer({ label: 'in', size: Math.max(16, data.byteLength), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
  device.queue.writeBuffer(b, 0, data);
  return b;
}

/** `reps` back-to-back runs in one timed pass, twice; the lower per-run time (µs). Optionally reads the output back. */
async function timePlan(plan: GpuPlan, ins: GPUBuffer[], outBytes: number, readBack = false): Promise<{ us: number; out?: Float32Array }> {
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const y = device.createBuffer({ label: 'y', size: outBytes, usage });
  const scratch = (plan.scratch ?? []).map((n) => device.createBuffer({ label: 'scratch', size: Math.max(16, n), usage }));
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
  await run(3, false);
  const us = Math.min(await run(reps, true), await run(reps, true));
  let out: Float32Array | undefined;
  if (readBack) {
    const rb = device.createBuffer({ size: outBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(y, 0, rb, 0, outBytes);
    device.queue.submit([enc.finish()]);
    await rb.mapAsync(GPUMapMode.READ);
    out = new Float32Array(rb.getMappedRange().slice(0));
    rb.destroy();
  }
  for (const b of [y, ...scratch, ...ubufs, resolve, read]) b.destroy();
  qs.destroy();
  return { us, out };
}

/** An op's GPU plan for a node with these input types. */
function planOf(node: Node, types: HostTensor[] | { dtype: 'float32' | 'bool'; shape: number[] }[], opset = 17): GpuPlan {
  const op = opFor(node, opset);
  const a = op.attrs(new Attrs(node), opset);
  const ictx = inferContext(node, types.map((t) => ({ dtype: t.dtype, shape: t.shape })), () => undefined, opset);
  const kctx: KernelContext = { ...ictx, outputs: op.infer(ictx, a), caps: deviceCaps(device) };
  const p = op.gpu!(kctx, a);
  if (typeof p === 'string') throw new Error(`${node.opType}: ${p}`);
  return p;
}

const random = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (Math.random() * 2 - 1) * scale);

async function benchShape(s: Shape, sweep: boolean, check: boolean): Promise<string> {
  const { B, H, S, D } = s;
  const E = H * D;
  const flop = 4 * B * H * S * S * D;
  // q, k, v: views of a packed [B, S, 3E] projection as [B, H, S, D]; output into [B, S, E]
  const qkv = (w: number): View => ({ shape: [B, H, S, D], strides: [S * 3 * E, D, 3 * E, 1], offset: w * E });
  const outView: View = { shape: [B, H, S, D], strides: [S * E, D, E, 1], offset: 0 };
  const attrs: Record<string, AttrValue> = { [inputViewAttr(0)]: viewAttr(qkv(0)), [inputViewAttr(1)]: viewAttr(qkv(1)), [inputViewAttr(2)]: viewAttr(qkv(2)), [OUTPUT_VIEW_ATTR]: viewAttr(outView) };
  const x = hostTensor('float32', [B, S, 3 * E], random(B * S * 3 * E));
  const inputs: HostTensor[] = [x, x, x];
  if (s.mask === 'pad') {
    const m = new Float32Array(B * S);
    for (let j = S - S / 4; j < S; j++) m[j] = -1e9; // batch 0's last quarter is padding
    inputs.push(hostTensor('float32', [B, 1, 1, S], m));
    attrs.mask_mode = { kind: 'string', value: 'add' };
  }
  if (s.mask === 'causal') attrs.causal = { kind: 'int', value: 1 };
  const node = (cfg: AttentionConfig | null): Node => ({
    name: s.name, opType: 'Attention', domain: 'wgml', inputs: ['x', 'x', 'x', ...(inputs[3] ? ['m'] : [])], outputs: ['y'],
    attrs: cfg ? { ...attrs, wgml_config: { kind: 'ints', value: [cfg.bq, cfg.bk, cfg.t, cfg.dmax] } } : attrs,
  });
  const viewed = [{ dtype: 'float32' as const, shape: [B, H, S, D] }, { dtype: 'float32' as const, shape: [B, H, S, D] }, { dtype: 'float32' as const, shape: [B, H, S, D] }, ...(inputs[3] ? [inputs[3]] : [])];
  const bufs = inputs.map((t) => upload(t.data as Float32Array));
  const caps = deviceCaps(device);
  const planFor = (cfg: AttentionConfig | null) => {
    const n = node(cfg);
    const op = opFor(n, 1);
    const a = op.attrs(new Attrs(n), 1);
    const ictx = inferContext(n, viewed, () => undefined, 1);
    const p = op.gpu!({ ...ictx, outputs: op.infer(ictx, a), caps, views: [qkv(0), qkv(1), qkv(2), null], outView }, a);
    if (typeof p === 'string') throw new Error(p);
    return p;
  };
  const auto = attentionConfig({ batch: [B, H], Sq: S, D, Dv: D }, caps.maxComputeWorkgroupStorageSize, caps.maxComputeInvocationsPerWorkgroup) as AttentionConfig;
  const autoName = `${auto.bq}x${auto.bk}x${auto.t}`;
  const a = await timePlan(planFor(null), bufs, 4 * B * S * E, check);
  let checkMsg = '';
  if (check && a.out) {
    const ref = referenceNode(node(null), inputs, 1)[0]!.data;
    let num = 0, den = 0;
    for (let i = 0; i < ref.length; i++) { num = Math.max(num, Math.abs(a.out[i]! - ref[i]!)); den = Math.max(den, Math.abs(ref[i]!)); }
    checkMsg = ` | check ${(num / den).toExponential(1)}${num / den < 1e-4 ? ' ok' : ' FAIL'}`;
  }
  console.log(`${s.name.padEnd(26)} auto ${autoName.padEnd(10)} ${a.us.toFixed(1).padStart(8)} us ${(flop / a.us / 1e6).toFixed(2).padStart(6)} TFLOP/s${checkMsg}`);
  let best = a.us, bestName = autoName;
  if (sweep) for (const bq of [8, 16, 32]) for (const bk of [16, 32, 64]) for (const t of [4, 8, 16]) {
    const c = { bq, bk, t, dmax: auto.dmax };
    if (!attentionConfigOk(c, caps.maxComputeWorkgroupStorageSize, Math.min(256, caps.maxComputeInvocationsPerWorkgroup))) continue;
    const r = await timePlan(planFor(c), bufs, 4 * B * S * E);
    console.log(`${s.name.padEnd(26)}      ${`${bq}x${bk}x${t}`.padEnd(10)} ${r.us.toFixed(1).padStart(8)} us ${(flop / r.us / 1e6).toFixed(2).padStart(6)} TFLOP/s`);
    if (r.us < best) { best = r.us; bestName = `${bq}x${bk}x${t}`; }
  }
  // The unfused path with today's kernels: Q·Kᵀ (K given transposed), scale, [mask,] Softmax, P·V.
  const mm = (a: string, b: string, o: string): Node => ({ name: o, opType: 'MatMul', domain: '', inputs: [a, b], outputs: [o], attrs: {} });
  const f = (shape: number[]) => ({ dtype: 'float32' as const, shape });
  const plans = [
    planOf(mm('q', 'kt', 's'), [f([B, H, S, D]), f([B, H, D, S])]),
    planOf({ name: 'scale', opType: 'Mul', domain: '', inputs: ['s', 'c'], outputs: ['s2'], attrs: {} }, [f([B, H, S, S]), f([])]),
    planOf({ name: 'softmax', opType: 'Softmax', domain: '', inputs: ['s2'], outputs: ['p'], attrs: {} }, [f([B, H, S, S])]),
    planOf(mm('p', 'v', 'y'), [f([B, H, S, S]), f([B, H, S, D])]),
  ];
  const big = upload(random(B * H * S * Math.max(S, D)));
  const one = upload(new Float32Array([0.125]));
  let unfused = 0;
  for (const p of plans) unfused += (await timePlan(p, [big, p === plans[1] ? one : big], 4 * B * H * S * Math.max(S, D))).us;
  for (const b of [...bufs, big, one]) b.destroy();
  return `${s.name.padEnd(26)} auto ${autoName.padEnd(9)} ${a.us.toFixed(1).padStart(7)} us ${(flop / a.us / 1e6).toFixed(2).padStart(5)} TFLOP/s | best ${bestName.padEnd(9)} ${best.toFixed(1).padStart(7)} us | unfused 4 kernels ${unfused.toFixed(1).padStart(7)} us${checkMsg}`;
}

async function main(): Promise<void> {
  const filter = arg('--filter', '');
  device = await requestDevice({ quiet: true });
  if (!device.features.has('timestamp-query')) throw new Error('this device has no timestamp-query');
  const caps = deviceCaps(device);
  console.log(`workgroup memory ${caps.maxComputeWorkgroupStorageSize} B, invocations ${caps.maxComputeInvocationsPerWorkgroup}, reps ${reps}`);
  const lines: string[] = [];
  for (const s of SHAPES.filter((x) => x.name.includes(filter))) lines.push(await benchShape(s, !process.argv.includes('--nosweep'), !process.argv.includes('--nocheck')));
  console.log('\nsummary');
  for (const l of lines) console.log(l);
  device.destroy();
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
