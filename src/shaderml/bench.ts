/**
 * Decode benchmark: a 3840×2160 per-pixel MLP (16+2 → 32 → 32 → 8) in one compute pass, timed with
 * timestamp queries, for thread-scope f32 (and f16 where available) and subgroup-scope int8.
 * Inputs are made in the shader from the pixel (no 0.5 GB input buffer); outputs are packed to 8
 * unorm8 values per pixel as a decoded material would be. Also checks a few pixels against the CPU.
 * Run: `node dist/shaderml/bench.js [width height reps]`.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requestDevice, deviceInfo } from '../gpu/device.js';
import { resolveWgsl } from '../gpu/wgsl.js';
import { ShaderMLP, type MlpWgsl } from './mlp.js';
import { forwardInt8 } from './subgroup.js';

const IN = 18, OUT = 8;

function inputsOf(px: number, py: number): number[] {
  // Same formula as the WGSL below: smooth pseudo-latents in [-1, 1] plus uv.
  const x: number[] = [];
  for (let f = 0; f < IN - 2; f++) x.push(Math.fround(Math.sin(Math.fround(px * 0.013 * (f + 1) + py * 0.007 * (f + 2)))));
  return x;
}

function shader(net: MlpWgsl, W: number, H: number, wg: number): string {
  const lane = net.signature.includes('lane');
  return resolveWgsl({
    bindings: [{ name: 'Y', kind: 'read_write', type: 'array<vec2<u32>>' }], requires: [net.module],
    body: `@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = min(gid.x + gid.y * nwg.x * ${wg}u, ${W * H - 1}u);
  let px = f32(i % ${W}u); let py = f32(i / ${W}u);
  var x: array<f32, ${IN}>;
  for (var f = 0u; f < ${IN - 2}u; f++) { x[f] = sin(px * 0.013 * f32(f + 1u) + py * 0.007 * f32(f + 2u)); }
  x[${IN - 2}] = (px + 0.5) / ${W}.0; x[${IN - 1}] = (py + 0.5) / ${H}.0;
  let y = ${net.name}(x${lane ? ', lid' : ''});
  Y[i] = vec2(pack4x8unorm(vec4(y[0], y[1], y[2], y[3]) * 0.25 + 0.5), pack4x8unorm(vec4(y[4], y[5], y[6], y[7]) * 0.25 + 0.5));
}`,
  });
}

export async function main(args: string[] = process.argv.slice(2)): Promise<void> {
  const W = Number(args[0] ?? 3840), H = Number(args[1] ?? 2160), reps = Number(args[2] ?? 50);
  const device = await requestDevice();
  const info = deviceInfo(device);
  console.log(`device: ${info.adapter.description || info.adapter.device} (${info.adapter.vendor}); features: ${[...device.features].filter((f) => /f16|subgroup|timestamp/.test(f)).join(', ')}`);
  const mlp = ShaderMLP.random([IN, 32, 32, OUT], 'relu', 7);
  const samples: number[] = [];
  for (let k = 0; k < 256; k++) { const px = (k * 997) % W, py = (k * 613) % H; samples.push(...inputsOf(px, py), (px + 0.5) / W, (py + 0.5) / H); }
  mlp.calibrate(samples);
  const variants: { label: string; opts: Parameters<ShaderMLP['wgsl']>[0] }[] = [
    { label: 'thread f32', opts: { name: 'dec', precision: 'f32', device, group: 1 } },
    ...(device.features.has('shader-f16') ? [{ label: 'thread f16', opts: { name: 'dec', precision: 'f16' as const, device, group: 1 } }] : []),
    { label: 'subgroup int8', opts: { name: 'dec', scope: 'subgroup' as const, device, group: 1 } },
  ];
  const n = W * H;
  const out = device.createBuffer({ label: 'bench out', size: n * 8, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const hasTs = device.features.has('timestamp-query');
  const qs = hasTs ? device.createQuerySet({ type: 'timestamp', count: 2 }) : null;
  const qb = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const rb = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  for (const v of variants) {
    const net = mlp.wgsl(v.opts);
    const label = net.fallbackReason ? `${v.label} → fell back to thread f32 (${net.fallbackReason})` : v.label;
    const wg = net.workgroupSize ?? 64;
    const code = shader(net, W, H, wg);
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code });
    const l0 = device.createBindGroupLayout({ entries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } }] });
    const l1 = device.createBindGroupLayout({ entries: net.layoutEntries(GPUShaderStage.COMPUTE) });
    let pipe: GPUComputePipeline;
    try {
      pipe = await device.createComputePipelineAsync({ layout: device.createPipelineLayout({ bindGroupLayouts: [l0, l1] }), compute: { module, entryPoint: 'main' } });
    } catch (e) {
      const msgs = (await module.getCompilationInfo()).messages.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('\n');
      console.log(`${label}: does not compile: ${(e as Error).message}\n${msgs}`);
      await device.popErrorScope();
      continue;
    }
    const g0 = device.createBindGroup({ layout: l0, entries: [{ binding: 0, resource: { buffer: out } }] });
    const g1 = device.createBindGroup({ layout: l1, entries: net.bindGroupEntries(device) });
    const groups = Math.ceil(n / wg), gx = Math.min(groups, 65535), gy = Math.ceil(groups / gx);
    const times: number[] = [];
    for (let r = 0; r < reps + 3; r++) {
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass(qs ? { timestampWrites: { querySet: qs, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {});
      pass.setPipeline(pipe); pass.setBindGroup(0, g0); pass.setBindGroup(1, g1); pass.dispatchWorkgroups(gx, gy); pass.end();
      if (qs) { enc.resolveQuerySet(qs, 0, 2, qb, 0); enc.copyBufferToBuffer(qb, 0, rb, 0, 16); }
      const t0 = performance.now();
      device.queue.submit([enc.finish()]);
      if (qs) {
        await rb.mapAsync(GPUMapMode.READ);
        const ts = new BigUint64Array(rb.getMappedRange().slice(0));
        rb.unmap();
        if (r >= 3) times.push(Number(ts[1]! - ts[0]!) / 1e6);
      } else {
        await device.queue.onSubmittedWorkDone();
        if (r >= 3) times.push(performance.now() - t0);
      }
    }
    const err = await device.popErrorScope();
    times.sort((a, b) => a - b);
    // Check a few pixels (unpacked from unorm8) against the CPU reference of this variant.
    const check = device.createBuffer({ size: 8 * 64, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = device.createCommandEncoder(); enc.copyBufferToBuffer(out, 0, check, 0, 8 * 64); device.queue.submit([enc.finish()]);
    await check.mapAsync(GPUMapMode.READ);
    const got = new Uint8Array(check.getMappedRange().slice(0)); check.unmap();
    const xs: number[] = [];
    for (let i = 0; i < 64; i++) { const px = i % W, py = Math.floor(i / W); xs.push(...inputsOf(px, py), (px + 0.5) / W, (py + 0.5) / H); }
    const ref = net.scope === 'subgroup' ? forwardInt8(mlp, xs) : mlp.forward(xs);
    let worst = 0;
    for (let i = 0; i < 64 * OUT; i++) worst = Math.max(worst, Math.abs(got[i]! / 255 - Math.min(1, Math.max(0, ref[i]! * 0.25 + 0.5))));
    console.log(`${label}: ${W}×${H} median ${times[times.length >> 1]!.toFixed(3)} ms (min ${times[0]!.toFixed(3)}, ${hasTs ? 'timestamp queries' : 'wall clock'}, ${reps} reps); max unorm8 error vs CPU ${(worst * 255).toFixed(2)}/255${err ? `; GPU error: ${err.message}` : ''}`);
  }
  device.destroy();
}

// Run only when this file is the entry point (not when imported by a wrapper or another CLI).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
