/**
 * `wgml demo [--out frame.png] [--size WxH] [--frames N] [--compare] [--ao network|groundtruth|none] [--gbuffer raster|compute]`:
 * the showcase frame (G-buffer → neural material decode → neural AO → lighting, one encoder, one
 * submit) on the default device, a PNG, and the GPU time of each pass from timestamp queries.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { deviceInfo, requestDevice } from '../gpu/device.js';
import { renderDemo, type RenderDemoResult } from '../demo/render.js';
import type { AOMode, GBufferMode } from '../demo/frame.js';
import { action, assertWritable, numberOption, readBytes } from './common.js';
import { Progress } from './progress.js';

const MODES: AOMode[] = ['network', 'groundtruth', 'none'];
const GBUFFERS: GBufferMode[] = ['raster', 'compute'];

function parseSize(s: string): [number, number] {
  const m = /^(\d+)(?:x(\d+))?$/i.exec(s);
  const w = Number(m?.[1]), h = Number(m?.[2] ?? m?.[1]);
  if (!m || w < 4 || h < 4 || w > 8192 || h > 8192 || w % 4 || h % 4)
    throw new UsageError(`--size ${s} is not WxH with both multiples of 4 (the AO network downsamples twice)`, 'e.g. --size 256x256 or --size 1920x1080');
  return [w, h];
}

function table(r: RenderDemoResult, frames: number): string {
  const rows = Object.entries(r.medianMs);
  const total = rows.reduce((a, [, v]) => a + v, 0);
  const lines = rows.map(([k, v]) => `  ${k.padEnd(16)} ${v.toFixed(3).padStart(10)} ms`);
  return [`GPU time per pass (median of ${frames} frame${frames > 1 ? 's' : ''}, timestamp queries), ${r.width}×${r.height}, ${r.gbuffer} G-buffer:`, ...lines, `  ${'total'.padEnd(16)} ${total.toFixed(3).padStart(10)} ms`].join('\n');
}

export function register(program: Command): void {
  program.command('demo')
    .description('render the showcase: neural materials and neural ambient occlusion in one frame, timed per pass')
    .option('-o, --out <png>', 'PNG of the last frame', 'frame.png')
    .option('--size <WxH>', 'frame size (default 256x256 on a software GPU, 1920x1080 on a real one)')
    .option('--frames <n>', 'frames to render (the camera orbits); timings are medians over them', '1')
    .option('--compare', 'also write the frame without AO and with ray-cast AO, and report the AO error against the ray-cast AO')
    .option('--ao <mode>', `AO slot: ${MODES.join(' | ')}`, 'network')
    .option('--gbuffer <path>', `G-buffer: ${GBUFFERS.join(' | ')} (compute: one primary ray per pixel in a compute pass)`, 'raster')
    .option('--model <onnx>', 'AO network (default models/ao/ao.onnx of the package)')
    .option('--material <wgmat>', 'neural material (default examples/materials/bricks.wgmat of the package)')
    .option('--json', 'print the result as JSON')
    .action(action(async (o: { out: string; size?: string; frames: string; compare?: boolean; ao: string; gbuffer: string; model?: string; material?: string; json?: boolean }) => {
      if (!MODES.includes(o.ao as AOMode)) throw new UsageError(`--ao ${o.ao} is not one of ${MODES.join(', ')}`, 'e.g. --ao network');
      if (!GBUFFERS.includes(o.gbuffer as GBufferMode)) throw new UsageError(`--gbuffer ${o.gbuffer} is not one of ${GBUFFERS.join(', ')}`, 'e.g. --gbuffer compute');
      const frames = numberOption('--frames', o.frames, { min: 1, max: 100000, example: '50' });
      const size = o.size ? parseSize(o.size) : undefined;
      const model = o.model ? await readBytes(o.model, 'AO model (--model)') : undefined;
      const material = o.material ? await readBytes(o.material, 'material (--material)') : undefined;
      await assertWritable(o.out, 'frame (-o)');
      const device = await requestDevice({ quiet: !!o.json });
      const t0 = performance.now();
      const progress = new Progress('demo');
      const r = await renderDemo({ device, size, frames, onProgress: progress.callback, out: o.out, compare: !!o.compare, ao: o.ao as AOMode, gbuffer: o.gbuffer as GBufferMode, ...(model ? { model } : {}), ...(material ? { material } : {}) }).finally(() => progress.stop());
      const seconds = (performance.now() - t0) / 1000;
      const info = deviceInfo(device);
      if (o.json) {
        console.log(JSON.stringify({ device: info.adapter.description || info.adapter.device, software: info.software ?? null, ...r, frames, seconds }, null, 2));
      } else {
        console.log(`wgml demo on ${info.adapter.description || info.adapter.device}: ${r.width}×${r.height}, AO ${r.ao}, ${r.gbuffer} G-buffer, ${frames} frame(s) in ${seconds.toFixed(1)} s`);
        if (r.timestamps) console.log(table(r, frames));
        else console.log('(this device has no timestamp-query: no per-pass GPU times)');
        if (r.compare) console.log(`AO slot vs ray-cast AO on the last frame: MAE ${r.compare.mae.toFixed(4)}, PSNR ${r.compare.psnrDb.toFixed(2)} dB`);
        console.log(`wrote ${r.files.join(', ')}`);
      }
      device.destroy();
    }));
}
