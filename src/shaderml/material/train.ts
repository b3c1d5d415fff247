/**
 * Neural material compression on the GPU: latent grid + decoder trained with the kernels of
 * kernels.ts, then latents quantized to 8 bits and the decoder fine-tuned against them.
 */
import { withErrorScope } from '../../gpu/scope.js';
import { ShaderMLP } from '../mlp.js';
import { roundHalf } from '../half.js';
import { adamWgsl, fwdBwdWgsl, layerSizes, paramLayout, TICK_WGSL, weightGradWgsl, type TrainShape } from './kernels.js';
import type { MaterialTargets } from './textures.js';

export interface CompressOptions {
  /** Latent grid = texture size / scale (default 2: measured better than 16 features at /4 for the same 8 bits a texel). */
  scale?: number;
  /** Latent features (default 4: one RGBA8 latent texture). */
  features?: number;
  hidden?: number;
  /** Steps before and after quantizing latents (defaults 4000 and 800). */
  steps?: number;
  fineTuneSteps?: number;
  /** Texels per step (default min(all, 65536)). */
  batch?: number;
  lrMlp?: number;
  lrLatent?: number;
  seed?: number;
  /** Called every few steps with the phase, step and the batch's PSNR. */
  onProgress?: (phase: 'train' | 'finetune', step: number, total: number, loss: number, psnr: number) => void;
}

/** A trained, quantized material: 8-bit latents and a decoder that takes their unorm values. */
export interface CompressedMaterial {
  width: number; height: number; lw: number; lh: number; features: number;
  /** lh×lw×features, texel-major. */
  latents: Uint8Array;
  /** Decoder over [latents as unorm in 0..1, u, v]; f16-rounded weights (as stored). */
  decoder: ShaderMLP;
}

export const ALPHA = 0.01;

export const psnrOf = (mse: number) => 10 * Math.log10(1 / Math.max(mse, 1e-12));

function buf(device: GPUDevice, label: string, data: Float32Array | number, usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST): GPUBuffer {
  const size = typeof data === 'number' ? data : data.byteLength;
  const b = device.createBuffer({ label: `wgmat ${label}`, size: Math.max(16, Math.ceil(size / 4) * 4), usage, mappedAtCreation: typeof data !== 'number' });
  if (typeof data !== 'number') { new Float32Array(b.getMappedRange(), 0, data.length).set(data); b.unmap(); }
  return b;
}

async function read(device: GPUDevice, src: GPUBuffer, bytes: number): Promise<Float32Array> {
  const rb = device.createBuffer({ label: 'wgmat readback', size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(src, 0, rb, 0, bytes);
  device.queue.submit([enc.finish()]);
  await rb.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(rb.getMappedRange().slice(0));
  rb.unmap(); rb.destroy();
  return out;
}

/** Train, quantize and fine-tune. */
export async function compressMaterial(device: GPUDevice, m: MaterialTargets, o: CompressOptions = {}): Promise<CompressedMaterial> {
  const scale = o.scale ?? 2, T = m.width * m.height;
  const s: TrainShape = {
    width: m.width, height: m.height, channels: m.channels,
    lw: Math.max(1, Math.ceil(m.width / scale)), lh: Math.max(1, Math.ceil(m.height / scale)),
    features: o.features ?? 4, hidden: o.hidden ?? 32, batch: Math.min(T, o.batch ?? 65536), alpha: ALPHA,
  };
  const L = paramLayout(s), sizes = layerSizes(s);
  const init = ShaderMLP.random(sizes, ['leaky_relu', 'leaky_relu', 'none'], o.seed ?? 1, 0.5);
  const P0 = new Float32Array(L.mlp + L.latents);
  P0.set(init.packed().data);
  let rs = (o.seed ?? 1) * 7 + 3;
  for (let i = 0; i < L.latents; i++) { rs = (rs * 1103515245 + 12345) >>> 0; P0[L.mlp + i] = (rs / 4294967296 - 0.5) * 0.2; }

  const N = L.mlp + L.latents, ACT = sizes[0]! + 2 * s.hidden, DEL = 2 * s.hidden + s.channels;
  const bufs = {
    P: buf(device, 'params', P0), TGT: buf(device, 'targets', m.data), S: buf(device, 'state', 16),
    A: buf(device, 'activations', s.batch * ACT * 4), D: buf(device, 'deltas', s.batch * DEL * 4), LOSS: buf(device, 'loss', s.batch * 4),
    GL: buf(device, 'latent grads', L.latents * 4), G: buf(device, 'mlp grads', L.mlp * 4), M: buf(device, 'adam m', N * 4), V: buf(device, 'adam v', N * 4),
    HP: buf(device, 'hyper', 32, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST),
  };
  const pipe = (code: string, label: string) => device.createComputePipeline({ label: `wgmat ${label}`, layout: 'auto', compute: { module: device.createShaderModule({ label, code }), entryPoint: 'main' } });
  const group = (p: GPUComputePipeline, bs: GPUBuffer[]) => device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: bs.map((b, i) => ({ binding: i, resource: { buffer: b } })) });
  const { fb, wg, ad, tk } = await withErrorScope(device, 'building material training pipelines', () => {
    const fb = pipe(fwdBwdWgsl(s), 'fwd_bwd'), wg = pipe(weightGradWgsl(s), 'weight_grad'), ad = pipe(adamWgsl(s), 'adam'), tk = pipe(TICK_WGSL, 'tick');
    return {
      fb: { p: fb, g: group(fb, [bufs.P, bufs.TGT, bufs.S, bufs.A, bufs.D, bufs.LOSS, bufs.GL]) },
      wg: { p: wg, g: group(wg, [bufs.A, bufs.D, bufs.G, bufs.S]) },
      ad: { p: ad, g: group(ad, [bufs.HP, bufs.P, bufs.G, bufs.GL, bufs.M, bufs.V, bufs.S]) },
      tk: { p: tk, g: group(tk, [bufs.S]) },
    };
  });
  const adGroups = Math.ceil(N / 64), adX = Math.min(adGroups, 65535), adY = Math.ceil(adGroups / adX);
  const setHyper = (lrMlp: number, lrLat: number) => device.queue.writeBuffer(bufs.HP, 0, new Float32Array([lrMlp, lrLat, 0.9, 0.99, 1e-8]));

  const runPhase = async (phase: 'train' | 'finetune', steps: number, lrMlp: number, lrLat: number) => {
    const chunk = Math.max(1, Math.min(50, Math.ceil(steps / 20)));
    for (let done = 0; done < steps;) {
      const k = Math.min(chunk, steps - done);
      // Cosine decay within the phase; written per chunk since uniforms change only between submits.
      const f = 0.5 * (1 + Math.cos(Math.PI * done / steps)) * 0.9 + 0.1;
      setHyper(lrMlp * f, lrLat * f);
      await withErrorScope(device, `material training (${phase})`, () => {
        const enc = device.createCommandEncoder({ label: 'wgmat train' });
        const pass = enc.beginComputePass({ label: 'wgmat train' });
        for (let i = 0; i < k; i++) {
          pass.setPipeline(fb.p); pass.setBindGroup(0, fb.g); pass.dispatchWorkgroups(Math.ceil(s.batch / 64));
          pass.setPipeline(wg.p); pass.setBindGroup(0, wg.g); pass.dispatchWorkgroups(Math.ceil(L.mlp / 64));
          pass.setPipeline(ad.p); pass.setBindGroup(0, ad.g); pass.dispatchWorkgroups(adX, adY);
          pass.setPipeline(tk.p); pass.setBindGroup(0, tk.g); pass.dispatchWorkgroups(1);
        }
        pass.end();
        device.queue.submit([enc.finish()]);
      });
      done += k;
      if (o.onProgress) {
        const loss = (await read(device, bufs.LOSS, s.batch * 4)).reduce((a, v) => a + v, 0) / (s.batch * s.channels);
        o.onProgress(phase, done, steps, loss, psnrOf(loss));
      }
    }
  };
  const lrMlp = o.lrMlp ?? 1e-2, lrLat = o.lrLatent ?? 5e-2;
  await runPhase('train', o.steps ?? 4000, lrMlp, lrLat);

  // Quantize latents per feature to 8 bits over their own range, then fold the dequantization
  // (x = lo + (hi - lo)·q/255) into the first layer so the decoder takes unorm texels directly.
  const P1 = await read(device, bufs.P, N * 4);
  const F = s.features, lat = P1.subarray(L.mlp, N);
  const lo = new Float32Array(F).fill(Infinity), hi = new Float32Array(F).fill(-Infinity);
  for (let i = 0; i < L.latents; i++) { const f = i % F; lo[f] = Math.min(lo[f]!, lat[i]!); hi[f] = Math.max(hi[f]!, lat[i]!); }
  const q = new Uint8Array(L.latents), deq = new Float32Array(L.latents);
  for (let i = 0; i < L.latents; i++) {
    const f = i % F, span = Math.max(hi[f]! - lo[f]!, 1e-8);
    q[i] = Math.round(((lat[i]! - lo[f]!) / span) * 255);
    deq[i] = lo[f]! + (span * q[i]!) / 255;
  }
  device.queue.writeBuffer(bufs.P, L.mlp * 4, deq);
  await runPhase('finetune', o.fineTuneSteps ?? 800, lrMlp * 0.3, 0);

  const P2 = await read(device, bufs.P, N * 4);
  Object.values(bufs).forEach((b) => b.destroy());
  const I = sizes[0]!;
  const w0 = P2.slice(L.w[0], L.b[0]), b0 = P2.slice(L.b[0], L.w[1]);
  for (let o2 = 0; o2 < s.hidden; o2++) {
    for (let f = 0; f < F; f++) {
      const span = Math.max(hi[f]! - lo[f]!, 1e-8);
      b0[o2]! += w0[o2 * I + f]! * lo[f]!;
      w0[o2 * I + f]! *= span;
    }
  }
  const ws = [{ weight: w0, bias: b0 }, { weight: P2.slice(L.w[1], L.b[1]), bias: P2.slice(L.b[1], L.w[2]) }, { weight: P2.slice(L.w[2], L.b[2]), bias: P2.slice(L.b[2], L.mlp) }]
    .map((l) => ({ weight: roundHalf(l.weight), bias: roundHalf(l.bias) }));
  const decoder = ShaderMLP.fromLayers(sizes, ws, ['leaky_relu', 'leaky_relu', 'none'], [ALPHA, ALPHA, 0]);
  return { width: m.width, height: m.height, lw: s.lw, lh: s.lh, features: F, latents: q, decoder };
}

/** CPU decode of every texel (rows of C channels, unclamped): the reference for PSNR. */
export function decodeMaterialCpu(c: CompressedMaterial): Float32Array {
  const { width: W, height: H, lw: LW, lh: LH, features: F } = c;
  const I = F + 2, x = new Float32Array(W * H * I);
  for (let py = 0; py < H; py++) {
    for (let px = 0; px < W; px++) {
      const p = py * W + px;
      const lx = ((px + 0.5) * LW) / W - 0.5, ly = ((py + 0.5) * LH) / H - 0.5;
      const fx = Math.floor(lx), fy = Math.floor(ly), ax = lx - fx, ay = ly - fy;
      const cl = (v: number, n: number) => Math.min(n - 1, Math.max(0, v));
      const x0 = cl(fx, LW), x1 = cl(fx + 1, LW), y0 = cl(fy, LH), y1 = cl(fy + 1, LH);
      const tap = [[y0 * LW + x0, (1 - ax) * (1 - ay)], [y0 * LW + x1, ax * (1 - ay)], [y1 * LW + x0, (1 - ax) * ay], [y1 * LW + x1, ax * ay]] as const;
      for (let f = 0; f < F; f++) {
        let v = 0;
        for (const [i, w] of tap) v += w * (c.latents[i * F + f]! / 255);
        x[p * I + f] = v;
      }
      x[p * I + F] = (px + 0.5) / W; x[p * I + F + 1] = (py + 0.5) / H;
    }
  }
  return c.decoder.forward(x);
}
