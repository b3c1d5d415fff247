/**
 * What a configuration costs to decode, before training it: an estimate of the 4K decode + shade time on the H200
 * (issue 13's limits: 0.6 ms with the f32 decoder, 0.4 ms with int8) from the work one texel's decode does on this
 * material, bounded by measurements where they exist ({@link decodeWithinLimits}). The ladder (ladder.ts `ladderFor`)
 * trains a rung, its concatenated taps and its twin only where the decode is within the limits.
 *
 * Why a model and not an input count: the cost is the decoder's multiply-adds, I·h + h·h + h·C, plus the texture
 * reads and bilinear blends of the latents. A lone normal map (C = 2) spends 192 fewer multiply-adds a texel in the
 * last layer than an 8-output decoder, the cost of six decoder inputs, so it can afford
 * concatenated taps that an albedo + normal + specular set (C = 6 or 7) cannot.
 *
 * The coefficients are a least-squares fit to {@link DECODE_MEASURED} (decode-bench.ts on the H200 and, for the rows of
 * 2026-12-05 with other output counts, an H100 that timed the common anchor the same; u, v or p2 position), refitted at
 * load, so a new measured row refines the model (rows marked {@link ONE_TAP} bound their rung but are not fitted). Over
 * those rows the fit is within 0.013 ms of every figure up to 8 outputs and 0.018 ms past them; {@link DECODE_MARGIN_MS} is kept below the limits where the fit decides.
 */
import type { GridOption } from './train.js';
import { featuresOf } from './kernels.js';
import { positionCount, positionFor, type PositionChoice } from './position.js';
import { parseRung, rungName } from './rung.js';

/** The limits of issue 13: a 3840×2160 decode + shade on the H200, in ms. */
export const DECODE_LIMIT_MS = { f32: 0.6, int8: 0.4 } as const;
/** Kept below the limits (the fit's misses are mostly under 0.01 ms; a rung measured over is estimated over too). */
export const DECODE_MARGIN_MS = 0.005;

/**
 * Marks a row of {@link DECODE_MEASURED} timed since its full-resolution grid is read at the texel alone (decode.ts,
 * 2026-12-07). Such a row bounds its rung as any measurement does, but is left out of the fit: the fit's other rows read
 * that grid as four taps, so it overestimates the rungs with one by 0.005–0.019 ms (bench/materials-2026-12-07-owntexel-h100),
 * on the safe side, and a few faster rows among them would only pull it off the rest (the 8.5-bit layout at 6 outputs
 * by 0.0135 ms) and move the ladder's borderline rungs by a hair.
 */
export const ONE_TAP = 'one tap';

/**
 * 4K decode + shade on the H200, median of 50 after a warm-up, latents expanded (what ships), texel addressing:
 * [rung, f32 ms, int8 ms or null where not measured, where, decoder outputs computed]. Rows with u, v and with p2 are
 * pooled (two inputs either way; measured 0.528 against 0.526).
 *
 * Outputs computed, not the material's: until 2026-12-06 decode-bench's shade read albedo, the normal and roughness
 * and left the other outputs unread, and the compiler dropped their last-layer work (8, 12 and 16 outputs timed alike,
 * bench/materials-2026-12-06-heada-h100; the bench now reads every output). So its 8-output material (albedo, normal,
 * colour specular, read up to specular's red) timed 6 outputs, and its two normal maps 2: those rows say 6 and 2.
 *
 * Rows of rungs with a grid at material resolution (s1…) were timed while the decode read it as four bilinear taps;
 * since 2026-12-07 it is read at the texel alone (decode.ts), 0.005–0.019 ms faster at 4K on the H100
 * (bench/materials-2026-12-07-owntexel-h100). Those rows, and the fit through them, now overestimate such rungs a
 * little: the ladder they admit stays within the limits, with that to spare; they are kept as measured.
 */
export const DECODE_MEASURED: readonly (readonly [string, number, number | null, string, number, typeof ONE_TAP?])[] = [
  ['s1f1b2+s2f8b2', 0.521, 0.374, 'materials-2026-12-03b', 6],
  ['s2f12b2', 0.551, 0.389, 'materials-2026-12-03b', 6],
  ['s1f1b2+s2f6b2', 0.498, null, 'materials-2026-12-03b', 6],
  ['s2f10b2', 0.531, null, 'materials-2026-12-03b', 6],
  ['s1f1b2+s2f12b2', 0.558, null, 'materials-2026-12-03b', 6],
  ['s1f1b2+s2f15b2', 0.61, 0.422, 'materials-2026-12-03d', 6],
  ['s1f1b2+s2f12b4', 0.557, null, 'materials-2026-12-03d', 6],
  ['s1f1b2+s2f10b4', 0.539, null, 'materials-2026-12-03d', 6],
  ['s1f1b2+s2f4b4', 0.477, 0.34, 'materials-2026-12-03h', 6],
  ['s2f5b4', 0.475, 0.331, 'materials-2026-12-05/ablation', 6],
  ['s1f1b2+s2f7b4', 0.51, null, 'materials-2026-12-03e', 6],
  ['s1f2b2+s2f4b2', 0.487, 0.341, 'materials-2026-12-03g', 6],
  ['s1f1b2+s2f4b4+s4f4b2', 0.527, 0.381, 'materials-2026-12-05/ablation', 6],
  ['s1f2b2+s2f4b2+s4f4b2', 0.536, 0.386, 'materials-2026-12-03h', 6],
  ['s1f1b2+s2f7b4+s4f4b2', 0.558, null, 'materials-2026-12-03h', 6],
  ['s1f1b4+s2f2b4+s4f4b2', 0.505, 0.374, 'materials-2026-12-03k, -05/final', 6],
  ['s1f1b4+s2f5b4+s4f4b2', 0.542, 0.39, 'materials-2026-12-03k', 6],
  ['s1f1b2+s2f4b4c+s4f4b2', 0.635, 0.431, 'materials-2026-12-05/ablation', 6],
  ['s2f5b4c', 0.595, 0.408, 'materials-2026-12-05/ablation', 6],
  ['s2f2b4c', 0.481, 0.338, 'materials-2026-12-05/ablation', 6],
  ['s1f1b4+s2f2b4c+s4f4b2', 0.546, 0.388, 'materials-2026-12-05/final', 6],
  ['s2f2b4c+s4f4b2', 0.527, 0.375, 'materials-2026-12-05/final', 6],
  // H100 (s2f5b4c at 8 outputs 0.597 / 0.408 there against 0.595 / 0.408 on the H200).
  ['s2f5b4c', 0.544, 0.386, 'materials-2026-12-05-lowrates-h100', 2],
  ['s2f5b4c', 0.584, 0.403, 'materials-2026-12-05-lowrates-h100', 5],
  ['s2f3b4c', 0.516, 0.36, 'materials-2026-12-05-lowrates-h100', 6],
  ['s2f4b4c', 0.548, 0.38, 'materials-2026-12-05-lowrates-h100', 6],
  ['s2f3b4c+s4f4b2', 0.564, 0.398, 'materials-2026-12-05-lowrates-h100', 6],
  ['s2f3b4c+s4f4b2', 0.564, 0.399, 'materials-2026-12-05-lowrates-h100', 6],
  ['s2f4b4c+s4f4b2', 0.559, 0.399, 'materials-2026-12-05-lowrates-h100', 2],
  ['s2f4b4c+s4f4b2', 0.557, 0.399, 'materials-2026-12-05-lowrates-h100', 2],
  ['s2f4b4c', 0.514, 0.362, 'materials-2026-12-05-lowrates-h100', 2],
  ['s1f1b2+s2f8b2+s4f4b2', 0.568, 0.407, 'materials-2026-12-05-lowrates-h100', 6],
  ['s1f1b4+s2f2b4c+s4f4b2', 0.546, 0.391, 'materials-2026-12-05-lowrates-h100', 6],
  // H100, the ladder's new top (the anchor s1f1b4+s2f2b4c+s4f4b2 at 8 outputs 0.546 / 0.389 there, as on the H200).
  // Not a row: s1f4b4+s2f8b8, 0.554 / 0.401, 6 µs over s1f4b4+s2f8b4 in the same texture formats. The model has no
  // term for 8-bit codes, and the ladder has none, so that rung is out of the ladder instead (ladder.ts LADDER).
  ['s1f2b4+s2f6b4', 0.512, 0.37, 'materials-2026-12-06-checktop-h100', 6],
  ['s1f2b4+s2f8b4', 0.535, 0.379, 'materials-2026-12-06-checktop-h100', 6],
  ['s1f3b4+s2f8b4', 0.545, 0.392, 'materials-2026-12-06-checktop-h100', 6],
  ['s1f4b4+s2f8b4', 0.553, 0.395, 'materials-2026-12-06-checktop-h100', 6],
  ['s2f16b4', 0.601, 0.416, 'materials-2026-12-06-checktop-h100', 6],
  // H100, every output read (the anchor s1f1b4+s2f2b4c+s4f4b2 at 6 outputs 0.547 / 0.391, as in the rows above).
  ['s2f5b4c', 0.568, 0.398, 'materials-2026-12-06-outputs-h100', 4],
  ['s2f4b4c+s4f4b2', 0.585, 0.408, 'materials-2026-12-06-outputs-h100', 4],
  ['s2f5b4c', 0.583, 0.402, 'materials-2026-12-06-outputs-h100', 5],
  ['s1f1b4+s2f2b4c+s4f4b2', 0.547, 0.391, 'materials-2026-12-06-outputs-h100', 6],
  ['s1f1b2+s2f8b2+s4f4b2', 0.568, 0.408, 'materials-2026-12-06-outputs-h100', 6],
  ['s1f1b2+s2f6b4+s4f4b2', 0.551, 0.401, 'materials-2026-12-06-outputs-h100', 6],
  ['s1f1b2+s2f7b4+s4f4b2', 0.56, 0.404, 'materials-2026-12-06-outputs-h100', 6],
  ['s1f1b2+s2f10b4', 0.542, 0.395, 'materials-2026-12-06-outputs-h100', 6],
  ['s1f1b4+s2f2b4c+s4f4b2', 0.565, 0.399, 'materials-2026-12-06-outputs-h100', 8],
  ['s1f1b4+s2f2b4+s4f4b2', 0.522, 0.38, 'materials-2026-12-06-outputs-h100', 8],
  ['s1f1b4+s2f5b4+s4f4b2', 0.554, 0.395, 'materials-2026-12-06-outputs-h100', 8],
  ['s1f4b4+s2f8b4', 0.571, 0.404, 'materials-2026-12-06-outputs-h100', 8],
  ['s2f5b4', 0.494, 0.34, 'materials-2026-12-06-outputs-h100', 8],
  ['s1f1b4+s2f2b4+s4f4b2', 0.556, 0.392, 'materials-2026-12-06-outputs-h100', 12],
  ['s1f4b4+s2f8b4', 0.621, 0.417, 'materials-2026-12-06-outputs-h100', 12],
  ['s1f1b4+s2f2b4+s4f4b2', 0.606, 0.406, 'materials-2026-12-06-outputs-h100', 16],
  // f32: the minimum (0.669); that variant's median, 1.295, came from a slow half of its 50 passes.
  ['s1f4b4+s2f8b4', 0.669, 0.437, 'materials-2026-12-06-outputs-h100', 16],
  ['s2f5b4', 0.558, 0.37, 'materials-2026-12-06-outputs-h100', 16],
  // H100, the full-resolution forms of the 4–5-bit rungs for materials of more than 4 outputs (ladder.ts fullResForm;
  // the anchor s1f1b4+s2f2b4c+s4f4b2 at 8 outputs 0.565 / 0.399 in the same run, as in the rows above).
  ['s1f1b2+s2f2b4c+s4f4b2', 0.548, 0.391, 'materials-2026-12-06-lowfull2-h100', 6],
  ['s1f1b2+s2f2b4c+s4f4b2', 0.564, 0.398, 'materials-2026-12-06-lowfull2-h100', 8],
  ['s1f1b2+s2f3b4c', 0.531, 0.37, 'materials-2026-12-06-lowfull2-h100', 6],
  ['s1f1b2+s2f3b4c', 0.549, 0.379, 'materials-2026-12-06-lowfull2-h100', 8],
  ['s1f1b2+s2f1b4c+s4f4b2', 0.53, 0.381, 'materials-2026-12-06-lowfull2-h100', 8],
  // H100, the 6-bit layout of materials of more than 4 outputs (ladder.ts tapsTwinForm) and the candidates beside it
  // (the anchor s1f1b4+s2f2b4c+s4f4b2 at 8 outputs 0.565 / 0.397 in -probe-h100; s1f1b2+s2f3b4c at 8 0.548 / 0.378 in -six-h100).
  ['s1f1b4+s2f2b4c', 0.498, 0.355, 'materials-2026-12-06-six-h100', 6],
  ['s1f1b4+s2f2b4c', 0.517, 0.363, 'materials-2026-12-06-six-h100', 8],
  ['s1f2b2+s2f2b4c', 0.511, 0.36, 'materials-2026-12-06-six-h100', 6],
  ['s1f2b2+s2f2b4c', 0.529, 0.368, 'materials-2026-12-06-six-h100', 8],
  ['s1f1b4+s2f1b4c+s4f4b2', 0.514, 0.377, 'materials-2026-12-06-probe-h100', 6],
  ['s1f1b4+s2f1b4c+s4f4b2', 0.53, 0.38, 'materials-2026-12-06-probe-h100', 8],
  // H100, the 7-bit layout of materials of more than 4 outputs (ladder.ts tapsTwinForm) beside the rung it replaced, and the
  // 6-bit one at 4 outputs (the anchor s1f1b4+s2f2b4c+s4f4b2 at 8 outputs 0.566 / 0.399 on that build, -h200table-h100).
  ['s1f1b4+s2f3b4c', 0.532, 0.374, 'materials-2026-12-06-seven-h100', 6],
  ['s1f1b4+s2f3b4c', 0.55, 0.381, 'materials-2026-12-06-seven-h100', 8],
  ['s1f1b2+s2f5b4', 0.509, 0.355, 'materials-2026-12-06-seven-h100', 8],
  ['s1f1b4+s2f2b4c', 0.481, 0.345, 'materials-2026-12-06-seven-h100', 4],
  // H200 (the first since 2026-12-05), the layouts of materials of more than 4 outputs from 8 to 10 bits: half-resolution taps
  // side by side beside full-resolution features (the 7-bit layout s1f1b4+s2f3b4c at 8 outputs 0.547 / 0.378 in the same run,
  // 0.550 / 0.381 on the H100 above).
  ['s1f3b2+s2f2b4c', 0.528, 0.371, 'materials-2026-12-06-concathigh-h200', 6],
  ['s1f3b2+s2f2b4c', 0.545, 0.383, 'materials-2026-12-06-concathigh-h200', 8],
  ['s1f3b2+s2f3b4c', 0.555, 0.394, 'materials-2026-12-06-concathigh-h200', 6],
  ['s1f3b2+s2f3b4c', 0.576, 0.403, 'materials-2026-12-06-concathigh-h200', 8],
  ['s1f2b4+s2f2b4c', 0.511, 0.36, 'materials-2026-12-06-concathigh-h200', 6],
  ['s1f2b4+s2f2b4c', 0.527, 0.367, 'materials-2026-12-06-concathigh-h200', 8],
  // H100, the 8.5-bit layout of materials of 5 or 6 outputs (ladder.ts highTapsForm), timed with a full-resolution grid
  // read at its texel alone (the anchor s1f1b4+s2f2b4c+s4f4b2 at 8 outputs 0.555 / 0.385 in the same run, 0.565 / 0.399
  // above with four taps): measurements of that rung, not rows of the fit (ONE_TAP).
  ['s1f3b2+s2f2b4c+s4f4b2', 0.552, 0.395, 'materials-2026-12-07-refineown-h100', 6, ONE_TAP],
  ['s1f3b2+s2f2b4c+s4f4b2', 0.576, 0.399, 'materials-2026-12-07-refineown-h100', 8, ONE_TAP],
];

/**
 * The work of one texel's decode: the decoder's multiply-adds, and the latent textures read (rgba8 holds four
 * features; a grid of 5 is two textures) by how they are read: a full-resolution grid once per texture at a texel,
 * a blended grid four taps and a bilinear blend per texture, a concatenated grid four taps and no blend.
 */
export function decodeWork(r: { grids: GridOption[]; hidden: number }, channels: number, position: PositionChoice = 'auto') {
  const inputs = featuresOf(r) + positionCount(positionFor(r.grids, position));
  const h = r.hidden, tex = (g: GridOption) => Math.ceil(g.features / 4);
  const sum = (f: (g: GridOption) => boolean) => r.grids.filter(f).reduce((a, g) => a + tex(g), 0);
  return {
    macs: inputs * h + h * h + h * channels,
    blended: sum((g) => g.scale > 1 && !g.concat),
    concatenated: sum((g) => g.scale > 1 && !!g.concat),
    fullResolution: sum((g) => g.scale === 1),
  };
}

const row = (w: ReturnType<typeof decodeWork>) => [1, w.macs, w.blended, w.concatenated, w.fullResolution];

/** Least squares by the normal equations (5 unknowns, a few dozen rows: no conditioning trouble at this size). */
function fit(xs: number[][], ys: number[]): number[] {
  const n = xs[0]!.length, a = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  xs.forEach((x, k) => { for (let i = 0; i < n; i++) { for (let j = 0; j < n; j++) a[i]![j]! += x[i]! * x[j]!; a[i]![n]! += x[i]! * ys[k]!; } });
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(a[i]![c]!) > Math.abs(a[p]![c]!)) p = i;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let i = 0; i < n; i++) {
      if (i === c) continue;
      const f = a[i]![c]! / a[c]![c]!;
      for (let j = c; j <= n; j++) a[i]![j]! -= f * a[c]![j]!;
    }
  }
  return a.map((r, i) => r[n]! / r[i]!);
}

let coefficients: { f32: number[]; int8: number[] } | undefined;
function model() {
  if (coefficients) return coefficients;
  const rows = DECODE_MEASURED.filter((m) => m[5] !== ONE_TAP);
  const w = rows.map(([name, , , , outputs]) => row(decodeWork(parseRung(name), outputs, 'uv')));
  const int8 = rows.map((m, i) => [m, w[i]!] as const).filter(([m]) => m[2] !== null);
  coefficients = {
    f32: fit(w, rows.map((m) => m[1])),
    int8: fit(int8.map(([, x]) => x), int8.map(([m]) => m[2]!)),
  };
  return coefficients;
}

export interface DecodeEstimate {
  f32: number; int8: number;
  /** Both figures are measured (DECODE_MEASURED: the slowest row of this rung at these outputs), not the fit's. */
  measured?: boolean;
}

/** The fit's estimate of a rung's 4K decode + shade on the H200 (ms) on a material of `channels` outputs. */
export function fittedEstimate(r: { grids: GridOption[]; hidden: number }, channels: number, position: PositionChoice = 'auto'): DecodeEstimate {
  const c = model(), x = row(decodeWork(r, channels, position));
  const dot = (k: number[]) => k.reduce((a, v, i) => a + v * x[i]!, 0);
  return { f32: dot(c.f32), int8: dot(c.int8) };
}

/** The rows of DECODE_MEASURED that time this rung with two position inputs, as theirs have (u, v or p2). */
function measuredRows(r: { grids: GridOption[]; hidden: number }, position: PositionChoice) {
  if (positionCount(positionFor(r.grids, position)) !== 2) return [];
  const name = rungName(r);
  return DECODE_MEASURED.filter((m) => m[0] === name).map(([, f32, int8, , outputs]) => ({ f32, int8, outputs }));
}

/**
 * A rung's 4K decode + shade on the H200 (ms) on a material of `channels` outputs, as the compress report gives it:
 * measured where DECODE_MEASURED times this rung at these outputs (the slowest row where several), else the fit's
 * ({@link fittedEstimate}).
 */
export function decodeEstimate(r: { grids: GridOption[]; hidden: number }, channels: number, position: PositionChoice = 'auto'): DecodeEstimate {
  const all = measuredRows(r, position), rows = all.filter((m) => m.outputs === channels), int8 = rows.flatMap((m) => (m.int8 === null ? [] : [m.int8]));
  if (!int8.length) return between(all, channels) ?? fittedEstimate(r, channels, position);
  return { f32: Math.max(...rows.map((m) => m.f32)), int8: Math.max(...int8), measured: true };
}

/**
 * Where this rung is measured at fewer and at more outputs than `channels`, the straight line between the nearest two
 * (a decode's cost grows with its last layer's outputs, evenly): the fit can be off by more than the margin for one rung
 * (s1f3b2+s2f3b4c: 0.397 ms int8 fitted at 8 outputs, 0.403 measured), and two measurements of it bound it better.
 */
function between(rows: { f32: number; int8: number | null; outputs: number }[], channels: number): DecodeEstimate | undefined {
  const timed = rows.filter((m) => m.int8 !== null);
  const lo = timed.filter((m) => m.outputs < channels).sort((a, b) => b.outputs - a.outputs || b.int8! - a.int8!)[0];
  const hi = timed.filter((m) => m.outputs > channels).sort((a, b) => a.outputs - b.outputs || b.int8! - a.int8!)[0];
  if (!lo || !hi) return undefined;
  const t = (channels - lo.outputs) / (hi.outputs - lo.outputs), at = (a: number, b: number) => a + t * (b - a);
  return { f32: at(lo.f32, hi.f32), int8: at(lo.int8!, hi.int8!) };
}

/** Whether both estimates keep {@link DECODE_MARGIN_MS} below {@link DECODE_LIMIT_MS}. */
export const decodeFits = (e: DecodeEstimate) => e.f32 <= DECODE_LIMIT_MS.f32 - DECODE_MARGIN_MS && e.int8 <= DECODE_LIMIT_MS.int8 - DECODE_MARGIN_MS;

/**
 * Whether a rung decodes within the limits on a material of `channels` outputs, for the ladder (ladder.ts). A decode
 * costs more with every output, so measurements bound it: one within the limits at as many outputs or more says
 * within (s2f5b4c took 0.398 ms int8 at 4 outputs, where the fit, 0.003 ms off, would keep it under the margin); one
 * over at as many or fewer says over (the top, s1f4b4+s2f8b4, 0.404 ms at 8); else measurements at fewer and more
 * outputs, interpolated, or where there are none the fit, with its margin, decide.
 */
export function decodeWithinLimits(r: { grids: GridOption[]; hidden: number }, channels: number, position: PositionChoice = 'auto'): boolean {
  const rows = measuredRows(r, position), L = DECODE_LIMIT_MS;
  if (rows.some((m) => m.outputs >= channels && m.int8 !== null && m.f32 <= L.f32 && m.int8 <= L.int8)) return true;
  if (rows.some((m) => m.outputs <= channels && (m.f32 > L.f32 || (m.int8 ?? 0) > L.int8))) return false;
  return decodeFits(between(rows, channels) ?? fittedEstimate(r, channels, position));
}

/**
 * The most decoder outputs for which every rung of the ladder is held to {@link DECODE_LIMIT_MS} (ladder.ts
 * `ladderFor`; test/material-decode-cost.test.ts): the bench's material (albedo, normal, colour specular). A material of
 * more outputs pays their last layer on top, about 10 µs f32 and 5 µs int8 an output at 4K by the fit (8–12 and 3–4
 * measured, -outputs-h100), as block compression pays for every texture it samples.
 */
export const DECODE_BUDGET_OUTPUTS = 8;

/** What `wgml compress` reports of a material's decode cost (its JSON report's `decodeEstimateMs`). */
export interface DecodeCostReport {
  /** Estimated 4K decode + shade on the H200 (ms), f32 and int8 decoders. */
  f32: number; int8: number;
  /** The budget the ladder is held to (ms). */
  limitF32: number; limitInt8: number;
  /** Both estimates within the budget. */
  withinLimits: boolean;
  /** The decoder's outputs and hidden width the estimate is for (the fit's rows are 32 wide). */
  outputs: number; hidden: number;
}

/**
 * A trained rung's decode cost as the compress report gives it: {@link decodeEstimate} against the limits without
 * {@link DECODE_MARGIN_MS} (the margin guards the ladder's choices, not what a user reads).
 *
 * @example
 * decodeCostReport(parseRung('s1f1b4+s2f2b4c+s4f4b2'), 6) // { f32: 0.547, int8: 0.391, …, withinLimits: true } (measured)
 */
export function decodeCostReport(r: { grids: GridOption[]; hidden: number }, channels: number, position: PositionChoice = 'auto'): DecodeCostReport {
  const e = decodeEstimate(r, channels, position), round = (v: number) => +v.toFixed(3);
  return {
    f32: round(e.f32), int8: round(e.int8), limitF32: DECODE_LIMIT_MS.f32, limitInt8: DECODE_LIMIT_MS.int8,
    withinLimits: e.f32 <= DECODE_LIMIT_MS.f32 && e.int8 <= DECODE_LIMIT_MS.int8, outputs: channels, hidden: r.hidden,
  };
}
