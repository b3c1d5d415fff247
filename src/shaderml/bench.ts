/**
 * Decode benchmark: a 3840×2160 per-pixel MLP (16+2 → 32 → 32 → 8) in one compute pass, timed with
 * timestamp queries. Variants: thread-scope f32 with weights in a storage buffer (loops), in a
 * uniform buffer or as literals (straight-line FMAs, unrolled.ts); subgroup-scope int8 one row per
 * invocation (subgroup.ts) and batched over blocks of pixels (subgroup-batch.ts); and, for
 * comparison, sampling the original textures block-compressed (BC7 albedo + BC5 normal + BC4
 * roughness, random block bytes) or as plain rgba8/rg8/r8 at the same resolution.
 * Inputs are made in the shader from the pixel ('sin': no 0.5 GB input buffer) or sampled from four
 * quarter-resolution rgba8 latent textures ('latent', as a real material decode does). Outputs are
 * 8 unorm8 values per pixel. Every variant with 'sin' inputs is checked on 256 pixels spread over
 * the whole image against its CPU reference, after poisoning the output.
 * Run: `node dist/shaderml/bench.js [width height reps [variant names…]]`; names select variants (see
 * `named` below and {@link parseFast} for `fast-…` names: e.g. `fast-b2-init-n8-g32`); none: the classic set.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requestDevice, deviceInfo } from '../gpu/device.js';
import { flattenWgsl } from '../gpu/wgsl.js';
import { ShaderMLP, type MlpWgsl } from './mlp.js';
import { subgroupSupport } from './subgroup.js';
import { forwardInt8 } from './quant.js';
import { subgroupBatchKernel } from './subgroup-batch.js';
import { subgroupFastKernel, type FastKernelOptions } from './subgroup-fast.js';

const IN = 18, OUT = 8;

function inputsOf(px: number, py: number, W: number, H: number): number[] {
  // Same formula as the WGSL below: smooth pseudo-latents in [-1, 1] plus uv.
  const x: number[] = [];
  for (let f = 0; f < IN - 2; f++) x.push(Math.fround(Math.sin(Math.fround(px * 0.013 * (f + 1) + py * 0.007 * (f + 2)))));
  x.push((px + 0.5) / W, (py + 0.5) / H);
  return x;
}

type Inputs = 'sin' | 'latent';
const LATENT_BINDINGS = `@group(0) @binding(1) var lat0: texture_2d<f32>;
@group(0) @binding(2) var lat1: texture_2d<f32>;
@group(0) @binding(3) var lat2: texture_2d<f32>;
@group(0) @binding(4) var lat3: texture_2d<f32>;
@group(0) @binding(5) var samp: sampler;`;

function inputFnWgsl(kind: Inputs, W: number, H: number): string {
  const uv = `let px = f32(i % ${W}u); let py = f32(i / ${W}u);`;
  if (kind === 'sin') {
    return `fn bench_in(i: u32) -> array<f32, ${IN}> {
  ${uv}
  var x: array<f32, ${IN}>;
  for (var f = 0u; f < ${IN - 2}u; f++) { x[f] = sin(px * 0.013 * f32(f + 1u) + py * 0.007 * f32(f + 2u)); }
  x[${IN - 2}] = (px + 0.5) / ${W}.0; x[${IN - 1}] = (py + 0.5) / ${H}.0;
  return x;
}`;
  }
  return `${LATENT_BINDINGS}
fn bench_in(i: u32) -> array<f32, ${IN}> {
  ${uv}
  let uv = vec2((px + 0.5) / ${W}.0, (py + 0.5) / ${H}.0);
  let a = textureSampleLevel(lat0, samp, uv, 0.0); let b = textureSampleLevel(lat1, samp, uv, 0.0);
  let c = textureSampleLevel(lat2, samp, uv, 0.0); let d = textureSampleLevel(lat3, samp, uv, 0.0);
  return array<f32, ${IN}>(a.x, a.y, a.z, a.w, b.x, b.y, b.z, b.w, c.x, c.y, c.z, c.w, d.x, d.y, d.z, d.w, uv.x, uv.y);
}`;
}

// Shading after the decode (the issue's "decode + shade"): Blinn-Phong with the decoded tangent-space
// normal, as render-material does, for the neural and the texture-sampling variants alike. The lit
// colour goes to its own buffer; Y keeps the raw decode for the CPU check.
const SHADE = `@group(0) @binding(6) var<storage, read_write> LIT: array<u32>;
fn bench_shade(i: u32, alb: vec3<f32>, nxy: vec2<f32>, rough: f32) {
  let ts = nxy * 2.0 - 1.0;
  let n = vec3(ts, sqrt(max(0.0, 1.0 - dot(ts, ts))));
  let l = vec3(0.4, 0.5, 0.7681146); let h = normalize(l + vec3(0.0, 0.0, 1.0));
  let r = clamp(rough, 0.02, 1.0);
  let spec = pow(max(dot(n, h), 0.0), mix(256.0, 4.0, r)) * (1.0 - r) * 0.6;
  LIT[i] = pack4x8unorm(vec4(clamp(alb * (0.08 + 0.92 * max(dot(n, l), 0.0)) + vec3(spec), vec3(0.0), vec3(1.0)), 1.0));
}`;
const STORE = `${SHADE}
fn bench_store(i: u32, y: array<f32, ${OUT}>) {
  let a = clamp(vec4(y[0], y[1], y[2], y[3]) * 0.25 + 0.5, vec4(0.0), vec4(1.0));
  let b = clamp(vec4(y[4], y[5], y[6], y[7]) * 0.25 + 0.5, vec4(0.0), vec4(1.0));
  Y[i] = vec2(pack4x8unorm(a), pack4x8unorm(b));
  bench_shade(i, a.xyz, vec2(a.w, b.x), b.y);
}`;

function threadShader(net: MlpWgsl, kind: Inputs, W: number, H: number, wg: number): string {
  const lane = net.signature.includes('lane');
  const lib = flattenWgsl(net.module);
  const enables = lib.enables.map((e) => `enable ${e};`).join('\n');
  return `${enables}
@group(0) @binding(0) var<storage, read_write> Y: array<vec2<u32>>;
${inputFnWgsl(kind, W, H)}
${STORE}
${lib.code}
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = min(gid.x + gid.y * nwg.x * ${wg}u, ${W * H - 1}u);
  bench_store(i, ${net.name}(bench_in(i)${lane ? ', lid' : ''}));
}`;
}

interface Variant {
  name?: string;
  label: string;
  code: string;
  inputs: Inputs | 'textures';
  /** Extra bind-group-0 entries (binding ≥ 1) and group-1 entries. */
  g1?: { layout: GPUBindGroupLayoutEntry[]; entries: GPUBindGroupEntry[] };
  dispatch: [number, number];
  ref?: 'f32' | 'int8';
  /** The network the CPU check runs (default: the ReLU one). */
  net?: ShaderMLP;
}

/**
 * `fast-` names: tokens b<N> blocks per subgroup, r<N> rows per thread,
 * none|int|init fold mode, n8 (M16N8K32 last layer), g<N> resident groups per SM (×132), as<N> acc stride,
 * pk (pack4xU8), dfour / hfour (last / first layer on dot4I8Packed), lat (latent-texture inputs).
 */
export function parseFast(name: string): { opts: Partial<FastKernelOptions>; groupsPerSM: number; latent: boolean } {
  const opts: Partial<FastKernelOptions> = {};
  let groupsPerSM = 16, latent = false;
  for (const tok of name.split('-').slice(1)) {
    const m = /^([a-z]+)(\d*)$/.exec(tok);
    if (!m) throw new Error(`bad token '${tok}' in '${name}'`);
    const [, k, v] = m, n = Number(v);
    if (k === 'b') opts.blocks = n;
    else if (k === 'r') opts.rowsPerThread = n;
    else if (k === 'none' || k === 'int' || k === 'init') opts.fold = k;
    else if (k === 'n' && n === 8) opts.n8 = true;
    else if (k === 'g') groupsPerSM = n;
    else if (k === 'as') opts.accStride = n;
    else if (k === 'pk') opts.pack = 'pack4xU8';
    else if (k === 'dfour') opts.tail = 'dot4';
    else if (k === 'hfour') opts.head = 'dot4';
    else if (k === 'lat') latent = true;
    else throw new Error(`bad token '${tok}' in '${name}'`);
  }
  return { opts, groupsPerSM, latent };
}

function xorshiftBytes(n: number, seed: number): Uint8Array {
  const u = new Uint32Array(Math.ceil(n / 4));
  let s = seed >>> 0 || 1;
  for (let i = 0; i < u.length; i++) { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; u[i] = s; }
  return new Uint8Array(u.buffer, 0, n);
}

export async function main(args: string[] = process.argv.slice(2)): Promise<void> {
  const W = Number(args[0] ?? 3840), H = Number(args[1] ?? 2160), reps = Number(args[2] ?? 50);
  const wanted = args.slice(3);
  const want = (name: string) => (wanted.length ? wanted.includes(name) : !name.startsWith('fast-'));
  const device = await requestDevice({ extraFeatures: ['texture-compression-bc'] });
  const info = deviceInfo(device);
  console.log(`device: ${info.adapter.description || info.adapter.device} (${info.adapter.vendor}); features: ${[...device.features].filter((f) => /f16|subgroup|timestamp|bc/.test(f)).join(', ')}`);
  const mlp = ShaderMLP.random([IN, 32, 32, OUT], 'relu', 7);
  const samples: number[] = [];
  for (let k = 0; k < 256; k++) samples.push(...inputsOf((k * 997) % W, (k * 613) % H, W, H));
  mlp.calibrate(samples);
  const n = W * H;
  const wgMax = device.limits.maxComputeWorkgroupsPerDimension;
  const grid = (groups: number): [number, number] => { const gx = Math.min(groups, wgMax); return [gx, Math.ceil(groups / gx)]; };

  // Latent textures (quarter resolution, random) and a sampler for the 'latent' inputs.
  const lw = Math.max(1, W >> 2), lh = Math.max(1, H >> 2);
  const lat = [0, 1, 2, 3].map((k) => {
    const t = device.createTexture({ label: `bench latent ${k}`, size: [lw, lh], format: 'rgba8unorm', usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST });
    device.queue.writeTexture({ texture: t }, xorshiftBytes(lw * lh * 4, 11 + k), { bytesPerRow: lw * 4 }, [lw, lh]);
    return t;
  });
  const samp = device.createSampler({ magFilter: 'linear', minFilter: 'linear' });
  const latEntries = (vis: number): GPUBindGroupLayoutEntry[] => [...lat.map((_, k) => ({ binding: 1 + k, visibility: vis, texture: { sampleType: 'float' as const } })), { binding: 5, visibility: vis, sampler: {} }];
  const latBinds: GPUBindGroupEntry[] = [...lat.map((t, k) => ({ binding: 1 + k, resource: t.createView() })), { binding: 5, resource: samp }];

  const variants: Variant[] = [];
  const table: string[] = [];
  // The decoder `wgml compress` trains has leaky-ReLU hidden layers (generic int8 requantization).
  const leaky = ShaderMLP.fromLayers([...mlp.sizes], mlp.layers.map((l) => ({ weight: l.weight, bias: l.bias })), ['leaky_relu', 'leaky_relu', 'none'], [0.01, 0.01, 0]);
  leaky.calibrate(samples);
  const thread = (name: string, label: string, storage: 'buffer' | 'uniform' | 'constants', wg: number, inputs: Inputs, precision: 'f32' | 'int8' = 'f32', m = mlp) => {
    if (!want(name)) return;
    const net = m.wgsl({ name: 'dec', precision, storage, device, group: 1 });
    variants.push({ name, label, inputs, code: threadShader(net, inputs, W, H, wg), g1: { layout: net.layoutEntries(GPUShaderStage.COMPUTE), entries: net.bindGroupEntries(device) }, dispatch: grid(Math.ceil(n / wg)), ref: precision, net: m });
  };
  thread('f32-buffer', 'thread f32, storage-buffer weights (loops)', 'buffer', 64, 'sin');
  thread('f32-uniform', 'thread f32, uniform weights (unrolled)', 'uniform', 64, 'sin');
  thread('f32-lit64', 'thread f32, literal weights (unrolled), wg 64', 'constants', 64, 'sin');
  thread('f32-lit128', 'thread f32, literal weights (unrolled), wg 128', 'constants', 128, 'sin');
  thread('f32-latent', 'thread f32, literal weights, latent textures', 'constants', 64, 'latent');
  thread('i8-dot4-lit64', 'thread int8 dot4I8Packed, literal weights, wg 64', 'constants', 64, 'sin', 'int8');
  thread('i8-dot4-lit128', 'thread int8 dot4I8Packed, literal weights, wg 128', 'constants', 128, 'sin', 'int8');
  thread('i8-dot4-lit256', 'thread int8 dot4I8Packed, literal weights, wg 256', 'constants', 256, 'sin', 'int8');
  thread('i8-dot4-buf64', 'thread int8 dot4I8Packed, storage-buffer weights, wg 64', 'buffer', 64, 'sin', 'int8');
  thread('i8-dot4-lat', 'thread int8 dot4I8Packed, literal weights, latent textures', 'constants', 64, 'latent', 'int8');
  thread('f32-leaky', 'thread f32, literal weights, wg 128, leaky-ReLU decoder', 'constants', 128, 'sin', 'f32', leaky);
  thread('i8-dot4-leaky', 'thread int8 dot4I8Packed, literal weights, wg 128, leaky-ReLU decoder', 'constants', 128, 'sin', 'int8', leaky);
  const why = subgroupSupport(device);
  if (why) console.log(`subgroup int8 variants skipped: ${why}`);
  else {
    const per = mlp.wgsl({ name: 'dec', scope: 'subgroup', device, group: 1 });
    if (want('sg-row')) variants.push({ name: 'sg-row', label: 'subgroup int8, one row per invocation (old)', inputs: 'sin', code: threadShader(per, 'sin', W, H, 32), g1: { layout: per.layoutEntries(GPUShaderStage.COMPUTE), entries: per.bindGroupEntries(device) }, dispatch: grid(Math.ceil(n / 32)), ref: 'int8' });
    const batched = (R: number, AS: number, maxGroups: number, inputs: Inputs) => {
      const name = `batch-r${R}-as${AS}-g${maxGroups / 132}${inputs === 'latent' ? '-lat' : ''}`;
      if (!want(name)) return;
      const k = subgroupBatchKernel(mlp, { kernel: 'loop', name: 'dec', rowsPerThread: R, accStride: AS, inputFn: 'bench_in', storeFn: 'bench_store', rows: n, group: 1 });
      const code = k.code + `\n@group(0) @binding(0) var<storage, read_write> Y: array<vec2<u32>>;\n${inputFnWgsl(inputs, W, H)}\n${STORE}`;
      variants.push({ name, label: `subgroup int8 batched, ${32 * R} rows/block, acc stride ${AS}, ≤${maxGroups} groups${inputs === 'latent' ? ', latent textures' : ''}`, inputs, code, g1: { layout: k.layoutEntries(GPUShaderStage.COMPUTE), entries: k.bindGroupEntries(device) }, dispatch: [k.groups(maxGroups), 1], ref: 'int8' });
    };
    for (const R of [1, 2, 4]) for (const AS of [32, 36]) batched(R, AS, 132 * 16, 'sin');
    batched(2, 36, 132 * 64, 'sin');
    batched(2, 36, 65535, 'sin');
    batched(2, 36, 132 * 16, 'latent');
    batched(1, 36, 132 * 32, 'sin');
    for (const name of wanted.filter((w) => w.startsWith('fast-'))) {
      try {
        const { opts, groupsPerSM, latent } = parseFast(name);
        const inputs: Inputs = latent ? 'latent' : 'sin';
        const k = subgroupFastKernel(mlp, { name: 'dec', inputFn: 'bench_in', storeFn: 'bench_store', rows: n, group: 1, ...opts });
        const code = k.code + `\n@group(0) @binding(0) var<storage, read_write> Y: array<vec2<u32>>;\n${inputFnWgsl(inputs, W, H)}\n${STORE}`;
        variants.push({ name, label: `${name} (wg ${k.workgroupSize}, ${k.rowsPerBlock} rows/iter, ${k.groups(132 * groupsPerSM)} groups)`, inputs, code, g1: { layout: k.layoutEntries(GPUShaderStage.COMPUTE), entries: k.bindGroupEntries(device) }, dispatch: [k.groups(132 * groupsPerSM), 1], ref: 'int8' });
      } catch (e) {
        console.log(`${name}: not generated: ${(e as Error).message}`);
        table.push(`${name.padEnd(92)} not generated: ${(e as Error).message.slice(0, 120)}`);
      }
    }
  }
  // The conventional path: the original textures, sampled once per pixel.
  const texVariant = (name: string, label: string, formats: [GPUTextureFormat, number, number][]) => {
    // [format, bytes per block (or per texel), block size]
    if (!want(name)) return;
    const texs = formats.map(([format, bpb, bs], k) => {
      const t = device.createTexture({ label: `bench ${format}`, size: [W, H], format, usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST });
      const bpr = (W / bs) * bpb;
      device.queue.writeTexture({ texture: t }, xorshiftBytes(bpr * (H / bs), 21 + k), { bytesPerRow: bpr }, [W, H]);
      return t;
    });
    const code = `@group(0) @binding(0) var<storage, read_write> Y: array<vec2<u32>>;
@group(0) @binding(1) var tA: texture_2d<f32>;
@group(0) @binding(2) var tN: texture_2d<f32>;
@group(0) @binding(3) var tR: texture_2d<f32>;
@group(0) @binding(5) var samp: sampler;
${SHADE}
@compute @workgroup_size(8, 8) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  if (g.x >= ${W}u || g.y >= ${H}u) { return; }
  let uv = (vec2<f32>(g.xy) + 0.5) / vec2(${W}.0, ${H}.0);
  let a = textureSampleLevel(tA, samp, uv, 0.0); let nm = textureSampleLevel(tN, samp, uv, 0.0); let r = textureSampleLevel(tR, samp, uv, 0.0);
  Y[g.y * ${W}u + g.x] = vec2(pack4x8unorm(a), pack4x8unorm(vec4(nm.xy, r.x, 1.0)));
  bench_shade(g.y * ${W}u + g.x, a.xyz, nm.xy, r.x);
}`;
    variants.push({
      name, label, inputs: 'textures', code, dispatch: [Math.ceil(W / 8), Math.ceil(H / 8)],
      g1: { layout: [...texs.map((_, k) => ({ binding: 1 + k, visibility: GPUShaderStage.COMPUTE, texture: { sampleType: 'float' as const } })), { binding: 5, visibility: GPUShaderStage.COMPUTE, sampler: {} }], entries: [...texs.map((t, k) => ({ binding: 1 + k, resource: t.createView() })), { binding: 5, resource: samp }] },
    });
  };
  if (device.features.has('texture-compression-bc') && W % 4 === 0 && H % 4 === 0) texVariant('bc', 'original textures, BC7 + BC5 + BC4, textureSampleLevel', [['bc7-rgba-unorm', 16, 4], ['bc5-rg-unorm', 16, 4], ['bc4-r-unorm', 8, 4]]);
  else console.log('BC sampling skipped: no texture-compression-bc (or size not a multiple of 4)');
  texVariant('raw', 'original textures, rgba8 + rg8 + r8 (uncompressed), textureSampleLevel', [['rgba8unorm', 4, 1], ['rg8unorm', 2, 1], ['r8unorm', 1, 1]]);

  const out = device.createBuffer({ label: 'bench out', size: n * 8, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  const lit = device.createBuffer({ label: 'bench lit colour', size: n * 4, usage: GPUBufferUsage.STORAGE });
  const hasTs = device.features.has('timestamp-query');
  const qs = hasTs ? device.createQuerySet({ type: 'timestamp', count: 2 }) : null;
  const qb = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const rb = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const check = device.createBuffer({ size: n * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const poison = new Uint8Array(n * 8).fill(0xab);
  for (const v of variants) {
    try { await runVariant(v); } catch (e) {
      console.log(`${v.label}: failed: ${(e as Error).message}`);
      table.push(`${v.label.padEnd(92)} failed: ${(e as Error).message.slice(0, 160)}`);
    }
  }
  async function runVariant(v: Variant): Promise<void> {
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ label: v.label, code: v.code });
    // Errors first: Dawn also warns once per subgroupMatrixLoad/Store ("deprecated builtin").
    const msgs = (await module.getCompilationInfo()).messages.filter((m) => m.type !== 'info').sort((a, b) => (a.type === 'error' ? 0 : 1) - (b.type === 'error' ? 0 : 1));
    const warn = msgs.map((m) => `${m.type} ${m.lineNum}:${m.linePos} ${m.message.split('\n')[0]}`);
    if (warn.length) console.log(`${v.label}: compiler says:\n  ${[...new Set(warn)].slice(0, 4).join('\n  ')}`);
    const e0: GPUBindGroupLayoutEntry[] = [0, 6].map((binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } }));
    const b0: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: out } }, { binding: 6, resource: { buffer: lit } }];
    if (v.inputs === 'latent') { e0.push(...latEntries(GPUShaderStage.COMPUTE)); b0.push(...latBinds); }
    if (v.inputs === 'textures') { e0.push(...v.g1!.layout); b0.push(...v.g1!.entries); }
    const l0 = device.createBindGroupLayout({ entries: e0 });
    const g1 = v.inputs !== 'textures' && v.g1 && v.g1.layout.length ? v.g1 : null;
    const l1 = g1 ? device.createBindGroupLayout({ entries: g1.layout }) : null;
    let pipe: GPUComputePipeline;
    const t0 = performance.now();
    try {
      pipe = await device.createComputePipelineAsync({ layout: device.createPipelineLayout({ bindGroupLayouts: l1 ? [l0, l1] : [l0] }), compute: { module, entryPoint: 'main' } });
    } catch (e) {
      console.log(`${v.label}: does not compile: ${(e as Error).message}`);
      await device.popErrorScope();
      table.push(`${v.label.padEnd(92)} does not compile`);
      return;
    }
    const compileMs = performance.now() - t0;
    const bg0 = device.createBindGroup({ layout: l0, entries: b0 });
    const bg1 = l1 ? device.createBindGroup({ layout: l1, entries: g1!.entries }) : null;
    device.queue.writeBuffer(out, 0, poison);
    const times: number[] = [];
    for (let r = 0; r < reps + 3; r++) {
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass(qs ? { timestampWrites: { querySet: qs, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {});
      pass.setPipeline(pipe); pass.setBindGroup(0, bg0); if (bg1) pass.setBindGroup(1, bg1); pass.dispatchWorkgroups(...v.dispatch); pass.end();
      if (qs) { enc.resolveQuerySet(qs, 0, 2, qb, 0); enc.copyBufferToBuffer(qb, 0, rb, 0, 16); }
      const w0 = performance.now();
      device.queue.submit([enc.finish()]);
      if (qs) {
        await rb.mapAsync(GPUMapMode.READ);
        const ts = new BigUint64Array(rb.getMappedRange().slice(0));
        rb.unmap();
        if (r >= 3) times.push(Number(ts[1]! - ts[0]!) / 1e6);
      } else {
        await device.queue.onSubmittedWorkDone();
        if (r >= 3) times.push(performance.now() - w0);
      }
    }
    const err = await device.popErrorScope();
    times.sort((a, b) => a - b);
    let verdict = 'timing only';
    if (v.ref && v.inputs === 'sin') {
      const enc = device.createCommandEncoder(); enc.copyBufferToBuffer(out, 0, check, 0, n * 8); device.queue.submit([enc.finish()]);
      await check.mapAsync(GPUMapMode.READ);
      const got = new Uint8Array(check.getMappedRange().slice(0)); check.unmap();
      // 256 pixels over the whole image (first, last and a stride through the middle blocks).
      const idx = Array.from({ length: 256 }, (_, k) => (k === 255 ? n - 1 : Math.floor((k * (n - 1)) / 255 + (k * 7919) % 97) % n));
      const xs = idx.flatMap((i) => inputsOf(i % W, Math.floor(i / W), W, H));
      const net = v.net ?? mlp;
      const ref = v.ref === 'int8' ? forwardInt8(net, xs) : net.forward(xs);
      let worst = 0;
      idx.forEach((p, k) => { for (let c = 0; c < OUT; c++) worst = Math.max(worst, Math.abs(got[p * 8 + c]! / 255 - Math.min(1, Math.max(0, ref[k * OUT + c]! * 0.25 + 0.5)))); });
      verdict = `max err ${(worst * 255).toFixed(1)}/255 vs CPU ${v.ref}`;
    }
    const med = times[times.length >> 1]!;
    const line = `${v.label.padEnd(92)} ${med.toFixed(3).padStart(7)} ms (min ${times[0]!.toFixed(3)})  ${(30.8e9 * (W * H) / (3840 * 2160) / (med * 1e-3) / 1e12).toFixed(1).padStart(5)} T(FL)OP/s  ${verdict}${err ? `; GPU error: ${err.message}` : ''}  [pipeline ${compileMs.toFixed(0)} ms]`;
    console.log(line);
    table.push(line);
  }
  console.log(`\n${W}×${H}, median of ${reps} (${hasTs ? 'timestamp queries' : 'wall clock'}); 3712 FLOP/pixel for the MLP (1856 MACs):\n${table.join('\n')}`);
  device.destroy();
}

// Run only when this file is the entry point (not when imported by a wrapper or another CLI).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
