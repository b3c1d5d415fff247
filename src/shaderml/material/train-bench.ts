/**
 * Where a training step's GPU time goes: each kernel of a step (trainer.ts: forward + backward, per texel and tiled, the weight
 * gradient's slices, their sum, Adam over every parameter, the step tick) timed on its own with timestamp queries, at a
 * material size, rung and batch, with random parameters and targets (the work does not depend on the values, but for
 * the latent gradients' atomics, whose addresses follow the texels a step visits, as in training). Also a whole step
 * as the trainer records it, and one with the tiled kernel's fused weight gradient (fwd_bwd_tiled_fused, then grad_sum
 * over its workgroups; TrainerOptions.fusedGrad) where its tile fits. Until fcdb235 it also timed the per-parameter
 * weight gradient the tiled one replaced, and the kernels with constant loop starts (bench/materials-2026-12-06-speed-h100/).
 * Decides what to make faster: a step bound by the per-texel kernel gains from a faster forward/backward; one bound by Adam over the latents (2048² grids) from updating fewer of them; one bound by
 * neither, by fewer or larger steps.
 * Run: `node dist/shaderml/material/train-bench.js [width height channels reps [rung:batch …]]`, e.g.
 * `node dist/shaderml/material/train-bench.js 512 512 6 50 s1f1b4+s2f2b4c+s4f4b2:65536 s1f1b4+s2f2b4c+s4f4b2:262144`.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requestDevice, deviceInfo, deviceLimits } from '../../gpu/device.js';
import { fwdBwdTile, fwdBwdTileFor, fwdBwdTiledGroups, fwdBwdTiledWgsl } from './fwd-bwd-tiled.js';
import { adamWgsl, fwdBwdWgsl, gradSlices, gradSumWgsl, layerSizes, latentCount, paramLayout, TICK_WGSL, weightGradGrid, weightGradWgsl, type TrainShape } from './kernels.js';
import { parseRung } from './rung.js';
import { positionFor } from './position.js';
import { ALPHA, gridShape } from './train.js';
import { buf as trainerBuffer } from './trainer.js';

export async function main(args: string[] = process.argv.slice(2)): Promise<void> {
  const W = Number(args[0] ?? 512), H = Number(args[1] ?? 512), C = Number(args[2] ?? 6), reps = Number(args[3] ?? 50);
  const variants = args.length > 4 ? args.slice(4) : ['s1f1b4+s2f2b4c+s4f4b2:16384', 's1f1b4+s2f2b4c+s4f4b2:65536', 's1f1b4+s2f2b4c+s4f4b2:262144'];
  const device = await requestDevice({ quiet: true });
  if (!device.features.has('timestamp-query')) throw new Error('train-bench needs the timestamp-query feature');
  console.log(`device: ${deviceInfo(device).adapter.description || deviceInfo(device).adapter.device}; ${W}×${H}, ${C} channels; ms a dispatch, median of ${reps} passes of 10`);
  let seed = 7;
  const rnd = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => { seed = (seed * 1103515245 + 12345) >>> 0; return lo + (hi - lo) * (seed / 4294967296); });
  for (const v of variants) {
    const [spec, b] = v.split(':');
    const rung = parseRung(spec!);
    // As compressMaterial shapes a level: each grid's latents follow the last (kernels.ts gridConsts).
    const s: TrainShape = { width: W, height: H, channels: C, grids: rung.grids.map((g) => gridShape({ width: W, height: H }, g)), hidden: rung.hidden, position: positionFor(rung.grids), batch: Math.min(W * H, Number(b ?? 65536)), alpha: ALPHA };
    const L = paramLayout(s), sizes = layerSizes(s), lat = latentCount(s), N = L.mlp + lat;
    const ACT = sizes[0]! + 2 * s.hidden, DEL = 2 * s.hidden + C;
    const buf = (label: string, data: Float32Array | number, usage?: number) => trainerBuffer(device, `train-bench ${label}`, data, usage);
    const P0 = new Float32Array(N);
    P0.set(rnd(L.mlp, -0.3, 0.3)); P0.set(rnd(lat, 0.4, 0.6), L.mlp);
    const B = {
      P: buf('params', P0), T: buf('targets', rnd(W * H * C, 0, 1)), S: buf('state', new Float32Array(4)), A: buf('activations', s.batch * ACT * 4),
      D: buf('deltas', s.batch * DEL * 4), LOSS: buf('loss', s.batch * C * 4), GL: buf('latent grads', lat * 4), CW: buf('channel weights', new Float32Array(C).fill(1)),
      PART: buf('slices', gradSlices(s) * L.mlp * 4), G: buf('grads', L.mlp * 4), M: buf('m', N * 4), V: buf('v', N * 4),
      HP: buf('hyper', new Float32Array([1e-3, 1e-3, 0.9, 0.99, 1e-8, 0, 0, 0]), GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST),
    };
    const adGroups = Math.ceil(N / 64), adX = Math.min(adGroups, 65535);
    // Binding i gets bs[i]; a hole (null) is a binding the kernel does not have.
    const kernel = (name: string, code: string, bs: (GPUBuffer | null)[], grid: [number, number?]) => {
      const p = device.createComputePipeline({ label: `train-bench ${name}`, layout: 'auto', compute: { module: device.createShaderModule({ label: name, code }), entryPoint: 'main' } });
      const g = device.createBindGroup({ label: `train-bench ${name}`, layout: p.getBindGroupLayout(0), entries: bs.flatMap((x, i) => (x ? [{ binding: i, resource: { buffer: x } }] : [])) });
      return { name, p, g, grid };
    };
    device.pushErrorScope('validation');
    // Both forward + backward kernels, the tiled one at the largest tile that fits; a step runs the one the trainer would.
    const fbs = [B.P, B.T, B.S, B.A, B.D, B.LOSS, B.GL, B.CW], tb = fwdBwdTile(s, deviceLimits(device)), use = fwdBwdTileFor(device, s);
    // The fused weight gradient at the largest tile it fits, its workgroups' parts in a buffer of their own.
    const tbf = fwdBwdTile(s, deviceLimits(device), { fusedGrad: true }), groups = tbf ? fwdBwdTiledGroups(s, tbf) : 0, PARTF = buf('fused parts', groups * L.mlp * 4);
    const ks = [
      kernel('fwd_bwd', fwdBwdWgsl(s), fbs, [Math.ceil(s.batch / 64)]),
      ...(tb ? [kernel(`fwd_bwd_tiled(${tb})`, fwdBwdTiledWgsl(s, tb), fbs, [fwdBwdTiledGroups(s, tb)])] : []),
      kernel('weight_grad', weightGradWgsl(s), [B.A, B.D, B.PART, B.S], weightGradGrid(s)),
      kernel('grad_sum', gradSumWgsl(s), [B.PART, B.G, B.S], [Math.ceil(L.mlp / 64)]),
      ...(tbf ? [kernel(`fwd_bwd_tiled_fused(${tbf})`, fwdBwdTiledWgsl(s, tbf, { fusedGrad: true }), [B.P, B.T, B.S, PARTF, null, B.LOSS, B.GL, B.CW], [groups]),
        kernel(`grad_sum_fused(${groups})`, gradSumWgsl(s, groups), [PARTF, B.G, B.S], [Math.ceil(L.mlp / 64)])] : []),
      kernel('adam', adamWgsl(s), [B.HP, B.P, B.G, B.GL, B.M, B.V, B.S], [adX, Math.ceil(adGroups / adX)]),
      kernel('tick', TICK_WGSL, [B.S], [1]),
    ];
    const isFused = (k: { name: string }) => k.name.includes('_fused');
    const step = ks.filter((k) => !isFused(k) && (k.name === 'fwd_bwd' ? !use : k.name.startsWith('fwd_bwd_tiled') ? !!use : true));
    const fusedStep = tbf ? ks.filter((k) => isFused(k) || k.name === 'adam' || k.name === 'tick') : [];
    // Timestamps: each kernel, a step, a fused step.
    const n = ks.length + 2;
    const qs = device.createQuerySet({ type: 'timestamp', count: 2 * n });
    const qb = buf('queries', 16 * n, GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC);
    const rb = device.createBuffer({ label: 'train-bench readback', size: 16 * n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const times: number[][] = Array.from({ length: n }, () => []);
    for (let r = 0; r < reps + 3; r++) {
      const enc = device.createCommandEncoder();
      // Each kernel in a pass of its own, ten dispatches; then ten whole steps in one pass, as the trainer records them.
      ks.forEach((k, i) => {
        const pass = enc.beginComputePass({ timestampWrites: { querySet: qs, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
        pass.setPipeline(k.p); pass.setBindGroup(0, k.g);
        for (let n = 0; n < 10; n++) pass.dispatchWorkgroups(k.grid[0], k.grid[1] ?? 1);
        pass.end();
      });
      [step, fusedStep].forEach((ksOfStep, j) => {
        const pass = enc.beginComputePass({ timestampWrites: { querySet: qs, beginningOfPassWriteIndex: 2 * (ks.length + j), endOfPassWriteIndex: 2 * (ks.length + j) + 1 } });
        for (let n = 0; n < 10; n++) for (const k of ksOfStep) { pass.setPipeline(k.p); pass.setBindGroup(0, k.g); pass.dispatchWorkgroups(k.grid[0], k.grid[1] ?? 1); }
        pass.end();
      });
      enc.resolveQuerySet(qs, 0, 2 * n, qb, 0);
      enc.copyBufferToBuffer(qb, 0, rb, 0, 16 * n);
      device.queue.submit([enc.finish()]);
      await rb.mapAsync(GPUMapMode.READ);
      const ts = new BigUint64Array(rb.getMappedRange().slice(0));
      rb.unmap();
      if (r >= 3) times.forEach((t, i) => t.push(Number(ts[2 * i + 1]! - ts[2 * i]!) / 1e7));
    }
    const err = await device.popErrorScope();
    const med = (t: number[]) => [...t].sort((a, b) => a - b)[t.length >> 1]!;
    console.log(`${v} (${lat} latents, ${L.mlp} decoder parameters, ${gradSlices(s)} slices): ${ks.map((k, i) => `${k.name} ${med(times[i]!).toFixed(4)}`).join(', ')}; a step (${step[0]!.name}) ${med(times[n - 2]!).toFixed(4)} ms${tbf ? `; a fused step ${med(times[n - 1]!).toFixed(4)} ms` : ''}${err ? `; GPU error: ${err.message}` : ''}`);
    [...Object.values(B), PARTF, qb, rb].forEach((x) => x.destroy()); qs.destroy();
  }
  device.destroy();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
