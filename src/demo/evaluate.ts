/**
 * The neural AO's held-out evaluation, end to end through the demo's own passes: views never trained
 * on (the showcase courtyard along its camera path, which training never sees, and random courtyards
 * from seeds past the dataset's held-out range) rendered at full size with every AO slot; the
 * network (grid at its scale, encodeNetwork, guided upsample) and GTAO each scored against a
 * noise-free ray-cast AO (`passes` × `rays` rays) over surface pixels (and over all pixels); the frame
 * timed per pass first.
 *
 *   node dist/demo/evaluate.js --model models/ao/ao.onnx --size 1920x1080 --views 8 --random 8 --rays 256 --passes 4 --frames 50 --out eval
 *
 * --ceilings 2,4 also scores the grid approach's ceiling at those steps (the ray-cast AO itself sampled and
 * upsampled: what a perfect network would reach). Writes <out>/eval.json (per-view scores, means, timings) and <out>/summary.txt; with --png, compare
 * images of the first showcase and random view (lit none | network | GTAO | ray-cast over the AO maps,
 * at half size).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deviceInfo, requestDevice } from '../gpu/device.js';
import { compareView, type AOScore } from './compare.js';
import { resolveGuard, type GuardOption } from './guard.js';
import { TEST_SEED_BASE } from './dataset.js';
import type { AOMode, FrameOptions } from './frame.js';
import { loadMaterialSet } from './materials-node.js';
import type { Camera } from './math.js';
import { greyToRgba, sideBySide, writePng } from './png.js';
import { randomArchCameras, randomArchScene } from './random-arch.js';
import { renderDemo } from './render.js';
import { num, runScript, scriptArgs } from './script-args.js';
import { SHOWCASE_LIGHTING, SHOWCASE_MATERIALS, showcaseCamera, showcaseScene } from './showcase.js';

/** Seeds of the evaluation's random courtyards: past the dataset's held-out range (TEST_SEED_BASE + its count). */
export const EVAL_SEED_BASE = TEST_SEED_BASE + 500_000;

export interface EvalView { name: string; scores: Partial<Record<AOMode, AOScore>>; scoresAll: Partial<Record<AOMode, AOScore>>; ceilings: Record<number, AOScore> }

export interface EvalOptions {
  model: string;
  width: number;
  height: number;
  /** Showcase views along the camera path (t = (i + 0.5) / views). */
  views: number;
  /** Random held-out courtyards, one camera each. */
  random: number;
  rays: number;
  passes: number;
  /** Frames for the per-pass timing (0: no timing). */
  frames: number;
  out: string;
  png?: boolean;
  /** Grid steps whose ceiling to score (compare.ts gridCeiling): what a perfect network scores at each. */
  ceilings?: number[];
  /** Guard band in pixels on every side, or 'auto' (guard.ts): every slot renders it, the visible frame is scored, the timing includes it. */
  guard?: GuardOption;
  log?: (line: string) => void;
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(v.length, 1);

/** Half-size RGBA (2×2 box), to keep compare images of large frames small. */
function half(rgba: Uint8Array, w: number, h: number): Uint8Array {
  const W = w >> 1, H = h >> 1, out = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 4; c++) {
    const at = (dx: number, dy: number) => rgba[((2 * y + dy) * w + 2 * x + dx) * 4 + c]!;
    out[(y * W + x) * 4 + c] = (at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1) + 2) >> 2;
  }
  return out;
}

export async function evaluate(device: GPUDevice, o: EvalOptions): Promise<Record<string, unknown>> {
  const log = o.log ?? ((l: string) => console.error(l));
  mkdirSync(o.out, { recursive: true });
  const materials = loadMaterialSet(SHOWCASE_MATERIALS);
  const slots: AOMode[] = o.png ? ['none', 'network', 'gtao', 'raycast'] : ['network', 'gtao', 'raycast'];
  const jobs: { name: string; base: Omit<FrameOptions, 'ao'> }[] = [];
  const common = { width: o.width, height: o.height, gbuffer: 'compute' as const, model: o.model };
  for (let i = 0; i < o.views; i++) {
    const t = (i + 0.5) / o.views;
    jobs.push({ name: `showcase t=${t.toFixed(3)}`, base: { ...common, scene: showcaseScene(), camera: showcaseCamera(t), materials, lighting: { ...SHOWCASE_LIGHTING, aoRays: o.rays } } });
  }
  for (let i = 0; i < o.random; i++) {
    const seed = EVAL_SEED_BASE + i, a = randomArchScene(seed), camera: Camera | undefined = randomArchCameras(a, seed, 1)[0];
    if (camera) jobs.push({ name: `random seed ${seed}`, base: { ...common, scene: a.scene, camera, lighting: { aoRays: o.rays } } });
  }
  const views: EvalView[] = [];
  let pngs = 0;
  // Results are written as they come (timing first, then every view), so a run stopped by a time limit still leaves them.
  const guard = resolveGuard(o.guard, o.height);
  const partial: Record<string, unknown> = { device: deviceInfo(device).adapter.description || deviceInfo(device).adapter.device, model: o.model, size: [o.width, o.height], guard, raysPerPixel: o.rays * o.passes, views };
  const save = () => writeFileSync(join(o.out, 'eval.json'), JSON.stringify(partial, null, 1));
  if (o.frames > 0) {
    const timing: Record<string, unknown> = {};
    for (const ao of ['network', 'gtao', 'none'] as const) {
      // With a guard band every pass covers the wider frame: the timing includes it.
      const r = await renderDemo({ device, ao, gbuffer: 'compute', size: [o.width, o.height], guard, frames: o.frames, model: o.model, materials });
      const total = Object.values(r.medianMs).reduce((a, b) => a + b, 0);
      timing[ao] = { medianMs: r.medianMs, totalMs: total, ...(r.networkFactor ? { networkFactor: r.networkFactor } : {}) };
      log(`timing ${ao} ${o.width}x${o.height} (${o.frames} frames): ${Object.entries(r.medianMs).map(([p, ms]) => `${p} ${ms.toFixed(3)}`).join(', ')}; total ${total.toFixed(3)} ms`);
    }
    partial.timing = timing;
    save();
  }
  for (const [k, job] of jobs.entries()) {
    const t0 = performance.now();
    const v = await compareView(device, job.base, slots, o.passes, o.ceilings ?? [], guard);
    views.push({ name: job.name, scores: v.scores, scoresAll: v.scoresAll, ceilings: v.ceilings });
    save();
    const ceil = Object.entries(v.ceilings).map(([step, sc]) => `, ceiling k=${step} ${sc.psnrDb.toFixed(2)} dB`).join('');
    log(`eval ${k + 1}/${jobs.length} ${job.name}: ${Object.entries(v.scores).map(([s, sc]) => `${s} ${sc.psnrDb.toFixed(2)} dB (MAE ${sc.mae.toFixed(4)})`).join(', ')}${ceil} [${((performance.now() - t0) / 1000).toFixed(1)} s]`);
    const first = k === 0 || k === o.views;
    if (o.png && first) {
      const w = o.width >> 1, h = o.height >> 1;
      const top = sideBySide(w, h, v.slots.map((s) => half(s.color, o.width, o.height)));
      const bottom = sideBySide(w, h, v.slots.map((s) => half(greyToRgba(s.map), o.width, o.height)));
      const both = new Uint8Array(top.length * 2); both.set(top); both.set(bottom, top.length);
      writePng(join(o.out, k === 0 ? 'compare-showcase.png' : 'compare-random.png'), w * slots.length, h * 2, both);
      pngs++;
    }
  }
  const put = (out: Record<string, unknown>, name: string, scores: (AOScore | undefined)[]) => {
    const ps = scores.filter((x): x is AOScore => !!x);
    if (ps.length) out[name] = summarizeScores(ps);
  };
  const summary = (filter: (v: EvalView) => boolean, all = false) => {
    const sel = views.filter(filter);
    const out: Record<string, unknown> = { views: sel.length };
    for (const s of ['network', 'gtao', 'none'] as const) put(out, s, sel.map((v) => (all ? v.scoresAll : v.scores)[s]));
    if (!all) for (const k of o.ceilings ?? []) put(out, `ceiling k=${k}`, sel.map((v) => v.ceilings[k]));
    return out;
  };
  const result: Record<string, unknown> = {
    ...partial,
    showcase: summary((v) => v.name.startsWith('showcase')), random: summary((v) => v.name.startsWith('random')), all: summary(() => true),
    allPixels: { showcase: summary((v) => v.name.startsWith('showcase'), true), random: summary((v) => v.name.startsWith('random'), true), all: summary(() => true, true) },
  };
  Object.assign(partial, result);
  save();
  const line = (name: string, s: Record<string, unknown>) => {
    const f = (k: string) => {
      const x = s[k] as ScoreSummary | undefined;
      return x ? `${x.meanPsnrDb.toFixed(2)} dB (min ${x.minPsnrDb.toFixed(2)}, median ${x.medianPsnrDb.toFixed(2)}, pooled ${x.pooledPsnrDb.toFixed(2)}, MAE ${x.meanMae.toFixed(4)})` : '-';
    };
    const ceil = Object.keys(s).filter((k) => k.startsWith('ceiling')).map((k) => `  ${k} ${f(k)}`).join('');
    return `${name.padEnd(9)} ${String(s.views).padStart(3)} views  network ${f('network')}  GTAO ${f('gtao')}${s.none ? `  AO=1 ${f('none')}` : ''}${ceil}`;
  };
  const text = [`held-out AO vs ray-cast (${o.rays * o.passes} rays/pixel), ${o.width}x${o.height}${guard ? ` rendered with a ${guard}-pixel guard band` : ''}, surface pixels, mean of per-view PSNR (pooled: PSNR of the mean squared error over the views):`,
    line('showcase', result.showcase as Record<string, unknown>), line('random', result.random as Record<string, unknown>), line('all', result.all as Record<string, unknown>),
    'the same over all pixels (sky included, as the first model\'s 20.1 dB was measured):',
    ...(['showcase', 'random', 'all'] as const).map((k) => line(k, (result.allPixels as Record<string, Record<string, unknown>>)[k]!)),
    ...(result.timing ? Object.entries(result.timing as Record<string, { medianMs: Record<string, number>; totalMs: number }>).map(([ao, t]) => `timing ${ao}: ${Object.entries(t.medianMs).map(([p, ms]) => `${p} ${ms.toFixed(3)}`).join(', ')}; total ${t.totalMs.toFixed(3)} ms`) : []),
    `${pngs} compare image(s)`].join('\n');
  writeFileSync(join(o.out, 'summary.txt'), text + '\n');
  log(text);
  return result;
}

/** One slot's per-view scores summed up. */
export interface ScoreSummary { meanPsnrDb: number; meanMae: number; minPsnrDb: number; medianPsnrDb: number; pooledPsnrDb: number }

/**
 * Mean, median and worst of per-view scores, and the PSNR of the views' mean squared error ("pooled"), which an easy
 * view with a high PSNR cannot lift the way it lifts the mean (one 38 dB view is +0.5 dB on the mean of 16).
 */
export function summarizeScores(scores: readonly AOScore[]): ScoreSummary {
  const db = scores.map((x) => x.psnrDb).sort((a, b) => a - b), mid = db.length >> 1;
  return {
    meanPsnrDb: mean(db), meanMae: mean(scores.map((x) => x.mae)), minPsnrDb: db[0]!,
    medianPsnrDb: db.length % 2 ? db[mid]! : (db[mid - 1]! + db[mid]!) / 2,
    pooledPsnrDb: -10 * Math.log10(mean(db.map((p) => 10 ** (-p / 10)))),
  };
}

const USAGE = 'node dist/demo/evaluate.js [--model FILE] [--size WxH] [--views N] [--random N] [--rays R] [--passes P] [--frames N] [--out DIR] [--ceilings 2,4] [--guard PX|auto] [--png]';

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const a = scriptArgs(argv, USAGE, { model: new URL('../../models/ao/ao.onnx', import.meta.url).pathname, size: '1920x1080', views: '8', random: '8', rays: '256', passes: '4', frames: '50', out: 'eval', ceilings: '', guard: 'auto' }, ['png']);
  if (!a) return;
  const [w, h] = a.size.split('x').map((v) => num('size', v));
  const device = await requestDevice({ quiet: true });
  await evaluate(device, {
    model: a.model, width: w!, height: h!, views: num('views', a.views), random: num('random', a.random), rays: num('rays', a.rays), passes: num('passes', a.passes),
    frames: num('frames', a.frames), out: a.out, png: a.png, guard: a.guard === 'auto' ? 'auto' : num('guard', a.guard), ceilings: a.ceilings.split(',').filter(Boolean).map((v) => num('ceilings', v)),
  });
  device.destroy();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runScript(main);
}
