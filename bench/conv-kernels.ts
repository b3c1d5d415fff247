/**
 * Micro-benchmark of the conv-family kernels with GPU timestamp queries, at ResNet-18, MobileNetV2
 * and U-Net layer shapes (batch 1, f32, bias + ReLU epilogue). Build and run:
 *   npx esbuild bench/conv-kernels.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/bench/conv-kernels.js
 *   node dist/bench/conv-kernels.js [--reps 20] [--filter resnet] [--small]
 * `--small` shrinks every shape 8× per side (for software GPUs).
 */
import { requestDevice } from '../src/gpu/device.js';
import { Attrs } from '../src/ir/attrs.js';
import type { AttrValue, Node } from '../src/ir/types.js';
import { Conv } from '../src/ops/conv/conv.js';
import type { GpuPlan, KernelContext } from '../src/ops/types.js';
import { bindGroupLayout, bindingSignature, pipelineFor } from '../src/runtime/kernels.js';
import { deviceCaps, inferContext } from '../src/runtime/single.js';

interface Layer { name: string; cin: number; cout: number; h: number; w: number; k: number; s: number; p: number; g?: number }

const LAYERS: Layer[] = [
  { name: 'resnet18 conv1 7x7/2', cin: 3, cout: 64, h: 224, w: 224, k: 7, s: 2, p: 3 },
  { name: 'resnet18 layer1 3x3', cin: 64, cout: 64, h: 56, w: 56, k: 3, s: 1, p: 1 },
  { name: 'resnet18 layer2 3x3/2', cin: 64, cout: 128, h: 56, w: 56, k: 3, s: 2, p: 1 },
  { name: 'resnet18 layer2 1x1/2', cin: 64, cout: 128, h: 56, w: 56, k: 1, s: 2, p: 0 },
  { name: 'resnet18 layer2 3x3', cin: 128, cout: 128, h: 28, w: 28, k: 3, s: 1, p: 1 },
  { name: 'resnet18 layer3 3x3', cin: 256, cout: 256, h: 14, w: 14, k: 3, s: 1, p: 1 },
  { name: 'resnet18 layer4 3x3', cin: 512, cout: 512, h: 7, w: 7, k: 3, s: 1, p: 1 },
  { name: 'mobilenetv2 dw 3x3 112', cin: 96, cout: 96, h: 112, w: 112, k: 3, s: 2, p: 1, g: 96 },
  { name: 'mobilenetv2 pw 1x1 28', cin: 32, cout: 192, h: 28, w: 28, k: 1, s: 1, p: 0 },
  { name: 'mobilenetv2 pw 1x1 7', cin: 960, cout: 320, h: 7, w: 7, k: 1, s: 1, p: 0 },
  { name: 'unet 4->16 3x3 1080p', cin: 4, cout: 16, h: 1080, w: 1920, k: 3, s: 1, p: 1 },
  { name: 'unet 16->16 3x3 1080p', cin: 16, cout: 16, h: 1080, w: 1920, k: 3, s: 1, p: 1 },
  { name: 'unet 32->32 3x3 540p', cin: 32, cout: 32, h: 540, w: 960, k: 3, s: 1, p: 1 },
  { name: 'unet 64->64 3x3 270p', cin: 64, cout: 64, h: 270, w: 480, k: 3, s: 1, p: 1 },
  { name: 'unet 16->1 3x3 1080p', cin: 16, cout: 1, h: 1080, w: 1920, k: 3, s: 1, p: 1 },
];

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] ?? def : def;
}

async function main(): Promise<void> {
  const reps = Number(arg('--reps', '20'));
  const filter = arg('--filter', '');
  const small = process.argv.includes('--small');
  const device = await requestDevice({ quiet: true });
  if (!device.features.has('timestamp-query')) throw new Error('this device has no timestamp-query');
  const caps = deviceCaps(device);
  console.log('layer'.padEnd(28), 'kernels'.padEnd(36), 'us'.padStart(9), 'GFLOP/s'.padStart(9));
  for (const L of LAYERS.filter((l) => l.name.includes(filter))) {
    const h = small ? Math.max(L.k, Math.ceil(L.h / 8)) : L.h, w = small ? Math.max(L.k, Math.ceil(L.w / 8)) : L.w;
    const g = L.g ?? 1;
    const xs = [1, L.cin, h, w], ws = [L.cout, L.cin / g, L.k, L.k];
    const attrs: Record<string, AttrValue> = {
      group: { kind: 'int', value: g }, strides: { kind: 'ints', value: [L.s, L.s] },
      pads: { kind: 'ints', value: [L.p, L.p, L.p, L.p] }, wgml_act: { kind: 'string', value: 'relu' },
    };
    const node: Node = { name: L.name, opType: 'Conv', domain: '', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs };
    const a = Conv.attrs(new Attrs(node), 17);
    const ictx = inferContext(node, [{ dtype: 'float32', shape: xs }, { dtype: 'float32', shape: ws }, { dtype: 'float32', shape: [L.cout] }], () => undefined, 17);
    const [out] = Conv.infer(ictx, a);
    const kctx: KernelContext = { ...ictx, outputs: [out!], caps };
    const plan = Conv.gpu!(kctx, a) as GpuPlan;
    const size = (s: number[]) => s.reduce((p, q) => p * q, 1) * 4;
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    const bufs = [xs, ws, [L.cout]].map((s) => device.createBuffer({ label: 'in', size: size(s), usage }));
    const y = device.createBuffer({ label: 'y', size: size(out!.shape), usage });
    const scratch = (plan.scratch ?? []).map((n) => device.createBuffer({ label: 'scratch', size: n, usage }));
    const steps = await Promise.all(plan.kernels.map(async (k) => {
      const entries: GPUBindGroupEntry[] = [];
      if (k.uniforms) {
        const ub = device.createBuffer({ label: 'u', size: k.uniforms.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
        device.queue.writeBuffer(ub, 0, k.uniforms);
        entries.push({ binding: 0, resource: { buffer: ub } });
      }
      for (const ka of k.args) entries.push({ binding: entries.length, resource: { buffer: 'input' in ka ? bufs[ka.input]! : 'output' in ka ? y : scratch[ka.scratch]! } });
      return { k, pipeline: await pipelineFor(device, k), bg: device.createBindGroup({ label: k.name, layout: bindGroupLayout(device, bindingSignature(k)), entries }) };
    }));
    const qs = device.createQuerySet({ type: 'timestamp', count: 2 });
    const resolve = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const read = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const run = async (n: number, timed: boolean) => {
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass(timed ? { timestampWrites: { querySet: qs, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {});
      for (let r = 0; r < n; r++) for (const s of steps) { pass.setPipeline(s.pipeline); pass.setBindGroup(0, s.bg); pass.dispatchWorkgroups(...s.k.workgroups); }
      pass.end();
      if (timed) { enc.resolveQuerySet(qs, 0, 2, resolve, 0); enc.copyBufferToBuffer(resolve, 0, read, 0, 16); }
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
    };
    await run(2, false);
    await run(reps, true);
    await read.mapAsync(GPUMapMode.READ);
    const t = new BigUint64Array(read.getMappedRange().slice(0));
    read.unmap();
    const us = Number(t[1]! - t[0]!) / 1000 / reps;
    const flop = 2 * out!.shape.reduce((p, q) => p * q, 1) * (L.cin / g) * L.k * L.k;
    const desc = plan.kernels.map((k) => `${k.name}[${k.workgroups.join('x')}]`).join('+');
    console.log(L.name.padEnd(28), desc.padEnd(36), us.toFixed(1).padStart(9), (flop / us / 1e3).toFixed(0).padStart(9));
    for (const b of [...bufs, y, ...scratch, resolve, read]) b.destroy();
    qs.destroy();
  }
  device.destroy();
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
