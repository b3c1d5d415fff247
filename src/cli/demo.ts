/**
 * `wgml demo [--out frame.png] [--out-dir DIR] [--size WxH] [--frames N] [--compare] [--ao network|gtao|raycast|none]
 * [--gbuffer raster|compute] [--materials neural|original] [--guard PX]`: the showcase (G-buffer → neural material
 * decode → AO slot → lighting, one encoder, one submit per frame) along its camera path on the default
 * device, PNGs, the GPU time of each pass from timestamp queries, and with --compare every AO slot
 * scored against the ray-cast AO.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { deviceInfo, requestDevice } from '../gpu/device.js';
import { renderDemo, type RenderDemoResult } from '../demo/render.js';
import { AO_MODES, type AOMode, type GBufferMode } from '../demo/frame.js';
import type { MaterialMode } from '../demo/material.js';
import { action, assertWritable, makeDir, numberOption, readBytes } from './common.js';
import { Progress } from './progress.js';

const MODES = AO_MODES;
/** Earlier name of 'raycast', still accepted. */
const ALIASES: Record<string, AOMode> = { groundtruth: 'raycast' };
const MATERIAL_MODES: MaterialMode[] = ['neural', 'original'];
const GBUFFERS: GBufferMode[] = ['raster', 'compute'];

function parseSize(s: string): [number, number] {
  const m = /^(\d+)(?:x(\d+))?$/i.exec(s);
  const w = Number(m?.[1]), h = Number(m?.[2] ?? m?.[1]);
  if (!m || w < 16 || h < 16 || w > 8192 || h > 8192)
    throw new UsageError(`--size ${s} is not WxH with both between 16 and 8192`, 'e.g. --size 256x256 or --size 1920x1080');
  return [w, h];
}

function table(r: RenderDemoResult, frames: number): string {
  const rows = Object.entries(r.medianMs);
  const total = rows.reduce((a, [, v]) => a + v, 0);
  const lines = rows.map(([k, v]) => `  ${k.padEnd(16)} ${v.toFixed(3).padStart(10)} ms`);
  const k = r.networkFactor;
  const net = !k ? '' : k === 1 ? ' (network at full resolution)' : ` (network on every ${k}th pixel: ${Math.ceil(r.width / k)}×${Math.ceil(r.height / k)}, guided upsample)`;
  return [`GPU time per pass (median of ${frames} frame${frames > 1 ? 's' : ''}, timestamp queries), ${r.width}×${r.height}, ${r.gbuffer} G-buffer${net}:`, ...lines, `  ${'total'.padEnd(16)} ${total.toFixed(3).padStart(10)} ms`].join('\n');
}

export function register(program: Command): void {
  program.command('demo')
    .description('render the showcase: neural materials and neural ambient occlusion in one frame, timed per pass')
    .option('-o, --out <png>', 'PNG of the last frame', 'frame.png')
    .option('--out-dir <dir>', 'also write every frame along the camera path into DIR (frame-0000.png, …)')
    .option('--size <WxH>', 'frame size (default 256x256 on a software GPU, 1920x1080 on a real one)')
    .option('--frames <n>', 'frames to render (the camera orbits); timings are medians over them', '1')
    .option('--compare', 'also render the last view with every AO slot (none | network | GTAO | ray-cast) into <out>-compare.png and score each against the ray-cast AO')
    .option('--ao <mode>', `AO slot: ${MODES.join(' | ')} (gtao: screen-space GTAO; raycast: the ray-cast reference)`, 'network')
    .option('--materials <mode>', `${MATERIAL_MODES.join(' | ')}: decode the neural materials, or read the textures they were compressed from`, 'neural')
    .option('--gbuffer <path>', `G-buffer: ${GBUFFERS.join(' | ')} (compute: one primary ray per pixel in a compute pass)`, 'raster')
    .option('--model <onnx>', 'AO network (default models/ao/ao.onnx of the package)')
    .option('--material <wgmat>', 'one neural material for every textured surface (default: the showcase\'s four in examples/materials/)')
    .option('--guard <px>', 'guard band: render every pass this many pixels wider on each side (same focal length) and keep the visible frame, so screen-space AO sees occluders just off screen; auto: 64 at 1080p, in proportion to the height elsewhere (+0.6 dB for the network, +0.4 for GTAO, ~13% more frame time on the H200); 0: none', 'auto')
    .option('--json', 'print the result as JSON')
    .action(action(async (o: { out: string; outDir?: string; size?: string; frames: string; compare?: boolean; ao: string; gbuffer: string; materials: string; model?: string; material?: string; guard: string; json?: boolean }) => {
      const ao = ALIASES[o.ao] ?? o.ao as AOMode;
      if (!MODES.includes(ao)) throw new UsageError(`--ao ${o.ao} is not one of ${MODES.join(', ')}`, 'e.g. --ao network');
      if (!MATERIAL_MODES.includes(o.materials as MaterialMode)) throw new UsageError(`--materials ${o.materials} is not one of ${MATERIAL_MODES.join(', ')}`, 'e.g. --materials original');
      if (!GBUFFERS.includes(o.gbuffer as GBufferMode)) throw new UsageError(`--gbuffer ${o.gbuffer} is not one of ${GBUFFERS.join(', ')}`, 'e.g. --gbuffer compute');
      const frames = numberOption('--frames', o.frames, { min: 1, max: 100000, example: '50' });
      const guard = o.guard === 'auto' ? 'auto' as const : numberOption('--guard', o.guard, { min: 0, max: 1024, example: '64 (or auto)' });
      const size = o.size ? parseSize(o.size) : undefined;
      const model = o.model ? await readBytes(o.model, 'AO model (--model)') : undefined;
      const material = o.material ? await readBytes(o.material, 'material (--material)') : undefined;
      await assertWritable(o.out, 'frame (-o)');
      if (o.outDir) await makeDir(o.outDir, 'frame folder (--out-dir)');
      const device = await requestDevice({ quiet: !!o.json });
      const t0 = performance.now();
      const progress = new Progress('demo');
      const r = await renderDemo({ device, size, frames, onProgress: progress.callback, out: o.out, ...(o.outDir ? { outDir: o.outDir } : {}), compare: !!o.compare, ao,
        gbuffer: o.gbuffer as GBufferMode, materialMode: o.materials as MaterialMode, guard, ...(model ? { model } : {}), ...(material ? { material } : {}) }).finally(() => progress.stop());
      const seconds = (performance.now() - t0) / 1000;
      const info = deviceInfo(device);
      if (o.json) {
        console.log(JSON.stringify({ device: info.adapter.description || info.adapter.device, software: info.software ?? null, ...r, frames, seconds }, null, 2));
      } else {
        console.log(`wgml demo on ${info.adapter.description || info.adapter.device}: ${r.width}×${r.height}${r.guard ? ` (rendered ${r.width + 2 * r.guard}×${r.height + 2 * r.guard}: a ${r.guard}-pixel guard band)` : ''}, AO ${r.ao}, ${r.gbuffer} G-buffer, ${frames} frame(s) in ${seconds.toFixed(1)} s`);
        if (r.timestamps) console.log(table(r, frames));
        else console.log('(this device has no timestamp-query: no per-pass GPU times)');
        if (r.compare) {
          console.log('AO against the ray-cast AO on the last view (surface pixels):');
          for (const [slot, sc] of Object.entries(r.compare.slots)) console.log(`  ${slot.padEnd(8)} MAE ${sc.mae.toFixed(4)}  PSNR ${sc.psnrDb.toFixed(2)} dB`);
        }
        const shown = r.files.length > 6 ? [...r.files.slice(0, 2), `… (${r.files.length - 4} more)`, ...r.files.slice(-2)] : r.files;
        console.log(`wrote ${shown.join(', ')}`);
      }
      device.destroy();
    }));
}
