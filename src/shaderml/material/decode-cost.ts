/**
 * What a configuration costs to decode, before training it: an estimate of the 4K decode + shade time on the H200
 * (issue 13's limits: 0.6 ms with the f32 decoder, 0.4 ms with int8) from the work one texel's decode does on this
 * material. The search (search.ts `ladderFor`) takes a rung's concatenated taps only where this estimate fits.
 *
 * Why a model and not an input count: the cost is the decoder's multiply-adds, I·h + h·h + h·C, plus the texture
 * reads and bilinear blends of the latents. A lone normal map (C = 2) spends 192 fewer multiply-adds a texel in the
 * last layer than the 8-output decoder the bench measures, the cost of six decoder inputs, so it can afford
 * concatenated taps that an albedo + normal + specular set (C = 6 or 7) cannot.
 *
 * The coefficients are a least-squares fit to {@link DECODE_MEASURED} (decode-bench.ts on the H200 and, for the rows of
 * 2026-12-05 with other output counts, an H100 that timed the common anchor the same; u, v or p2 position), refitted at
 * load, so a new measured row refines the model. Over those rows the fit is within 0.018 ms of every f32 figure and
 * 0.013 ms of every int8 one; {@link DECODE_MARGIN_MS} is kept below the limits.
 */
import type { GridOption } from './train.js';
import { featuresOf } from './kernels.js';
import { positionCount, positionFor, type PositionChoice } from './position.js';
import { parseRung } from './rung.js';

/** The limits of issue 13: a 3840×2160 decode + shade on the H200, in ms. */
export const DECODE_LIMIT_MS = { f32: 0.6, int8: 0.4 } as const;
/** Kept below the limits (the fit's misses are mostly under 0.01 ms; a rung measured over is estimated over too). */
export const DECODE_MARGIN_MS = 0.005;

/**
 * 4K decode + shade on the H200, median of 50 after a warm-up, 8 decoder outputs, latents expanded (what ships),
 * texel addressing: [rung, f32 ms, int8 ms or null where not measured, where]. Rows with u, v and with p2 are
 * pooled (two inputs either way; measured 0.528 against 0.526).
 */
export const DECODE_MEASURED: readonly (readonly [string, number, number | null, string, number?])[] = [
  ['s1f1b2+s2f8b2', 0.521, 0.374, 'materials-2026-12-03b'],
  ['s2f12b2', 0.551, 0.389, 'materials-2026-12-03b'],
  ['s1f1b2+s2f6b2', 0.498, null, 'materials-2026-12-03b'],
  ['s2f10b2', 0.531, null, 'materials-2026-12-03b'],
  ['s1f1b2+s2f12b2', 0.558, null, 'materials-2026-12-03b'],
  ['s1f1b2+s2f15b2', 0.61, 0.422, 'materials-2026-12-03d'],
  ['s1f1b2+s2f12b4', 0.557, null, 'materials-2026-12-03d'],
  ['s1f1b2+s2f10b4', 0.539, null, 'materials-2026-12-03d'],
  ['s1f1b2+s2f4b4', 0.477, 0.34, 'materials-2026-12-03h'],
  ['s2f5b4', 0.475, 0.331, 'materials-2026-12-05/ablation'],
  ['s1f1b2+s2f7b4', 0.51, null, 'materials-2026-12-03e'],
  ['s1f2b2+s2f4b2', 0.487, 0.341, 'materials-2026-12-03g'],
  ['s1f1b2+s2f4b4+s4f4b2', 0.527, 0.381, 'materials-2026-12-05/ablation'],
  ['s1f2b2+s2f4b2+s4f4b2', 0.536, 0.386, 'materials-2026-12-03h'],
  ['s1f1b2+s2f7b4+s4f4b2', 0.558, null, 'materials-2026-12-03h'],
  ['s1f1b4+s2f2b4+s4f4b2', 0.505, 0.374, 'materials-2026-12-03k, -05/final'],
  ['s1f1b4+s2f5b4+s4f4b2', 0.542, 0.39, 'materials-2026-12-03k'],
  ['s1f1b2+s2f4b4c+s4f4b2', 0.635, 0.431, 'materials-2026-12-05/ablation'],
  ['s2f5b4c', 0.595, 0.408, 'materials-2026-12-05/ablation'],
  ['s2f2b4c', 0.481, 0.338, 'materials-2026-12-05/ablation'],
  ['s1f1b4+s2f2b4c+s4f4b2', 0.546, 0.388, 'materials-2026-12-05/final'],
  ['s2f2b4c+s4f4b2', 0.527, 0.375, 'materials-2026-12-05/final'],
  // H100 (s2f5b4c at 8 outputs 0.597 / 0.408 there against 0.595 / 0.408 on the H200); a fifth field: decoder outputs.
  ['s2f5b4c', 0.544, 0.386, 'materials-2026-12-05-lowrates-h100', 4],
  ['s2f5b4c', 0.584, 0.403, 'materials-2026-12-05-lowrates-h100', 5],
  ['s2f3b4c', 0.516, 0.36, 'materials-2026-12-05-lowrates-h100'],
  ['s2f4b4c', 0.548, 0.38, 'materials-2026-12-05-lowrates-h100'],
  ['s2f3b4c+s4f4b2', 0.564, 0.398, 'materials-2026-12-05-lowrates-h100'],
  ['s2f3b4c+s4f4b2', 0.564, 0.399, 'materials-2026-12-05-lowrates-h100', 6],
  ['s2f4b4c+s4f4b2', 0.559, 0.399, 'materials-2026-12-05-lowrates-h100', 2],
  ['s2f4b4c+s4f4b2', 0.557, 0.399, 'materials-2026-12-05-lowrates-h100', 4],
  ['s2f4b4c', 0.514, 0.362, 'materials-2026-12-05-lowrates-h100', 2],
  ['s1f1b2+s2f8b2+s4f4b2', 0.568, 0.407, 'materials-2026-12-05-lowrates-h100', 6],
  ['s1f1b4+s2f2b4c+s4f4b2', 0.546, 0.391, 'materials-2026-12-05-lowrates-h100', 6],
  // H100, the ladder's new top (the anchor s1f1b4+s2f2b4c+s4f4b2 at 8 outputs 0.546 / 0.389 there, as on the H200).
  // Not a row: s1f4b4+s2f8b8, 0.554 / 0.401, 6 µs over s1f4b4+s2f8b4 in the same texture formats. The model has no
  // term for 8-bit codes, and the ladder has none, so that rung is out of the ladder instead (search.ts LADDER).
  ['s1f2b4+s2f6b4', 0.512, 0.37, 'materials-2026-12-06-checktop-h100'],
  ['s1f2b4+s2f8b4', 0.535, 0.379, 'materials-2026-12-06-checktop-h100'],
  ['s1f3b4+s2f8b4', 0.545, 0.392, 'materials-2026-12-06-checktop-h100'],
  ['s1f4b4+s2f8b4', 0.553, 0.395, 'materials-2026-12-06-checktop-h100'],
  ['s2f16b4', 0.601, 0.416, 'materials-2026-12-06-checktop-h100'],
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
  const w = DECODE_MEASURED.map(([name, , , , outputs]) => row(decodeWork(parseRung(name), outputs ?? 8, 'uv')));
  const int8 = DECODE_MEASURED.map((m, i) => [m, w[i]!] as const).filter(([m]) => m[2] !== null);
  coefficients = {
    f32: fit(w, DECODE_MEASURED.map((m) => m[1])),
    int8: fit(int8.map(([, x]) => x), int8.map(([m]) => m[2]!)),
  };
  return coefficients;
}

export interface DecodeEstimate { f32: number; int8: number }

/** Estimated 4K decode + shade on the H200 (ms) of a rung on a material of `channels` outputs. */
export function decodeEstimate(r: { grids: GridOption[]; hidden: number }, channels: number, position: PositionChoice = 'auto'): DecodeEstimate {
  const c = model(), x = row(decodeWork(r, channels, position));
  const dot = (k: number[]) => k.reduce((a, v, i) => a + v * x[i]!, 0);
  return { f32: dot(c.f32), int8: dot(c.int8) };
}

/** Whether both estimates keep {@link DECODE_MARGIN_MS} below {@link DECODE_LIMIT_MS}. */
export const decodeFits = (e: DecodeEstimate) => e.f32 <= DECODE_LIMIT_MS.f32 - DECODE_MARGIN_MS && e.int8 <= DECODE_LIMIT_MS.int8 - DECODE_MARGIN_MS;

/**
 * The most decoder outputs for which every rung of the ladder is held to {@link DECODE_LIMIT_MS} (search.ts
 * `ladderFor`; test/material-decode-cost.test.ts): the bench's material (albedo, normal, colour specular). A material of
 * more outputs pays their last layer on top, about 9 µs f32 and 5 µs int8 an output at 4K by the fit, as block
 * compression pays for every texture it samples.
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
 * decodeCostReport(parseRung('s1f1b4+s2f2b4c+s4f4b2'), 6) // { f32: 0.53, int8: 0.38, …, withinLimits: true }
 */
export function decodeCostReport(r: { grids: GridOption[]; hidden: number }, channels: number, position: PositionChoice = 'auto'): DecodeCostReport {
  const e = decodeEstimate(r, channels, position), round = (v: number) => +v.toFixed(3);
  return {
    f32: round(e.f32), int8: round(e.int8), limitF32: DECODE_LIMIT_MS.f32, limitInt8: DECODE_LIMIT_MS.int8,
    withinLimits: e.f32 <= DECODE_LIMIT_MS.f32 && e.int8 <= DECODE_LIMIT_MS.int8, outputs: channels, hidden: r.hidden,
  };
}
