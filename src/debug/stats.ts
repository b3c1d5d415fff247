/**
 * Per-tensor statistics for the debugger: what a value looks like (range, moments, NaN/Inf counts)
 * and whether a node made its values explode relative to what it read.
 */

export interface TensorStats {
  count: number;
  /** Over finite elements only; null when there are none. */
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  /** Largest finite |x| (0 when none): the scale explosions are measured on. */
  absMax: number;
  nan: number;
  inf: number;
}

/** Statistics of an array (NaN and ±Inf counted apart, moments over finite elements). */
export function tensorStats(data: ArrayLike<number>): TensorStats {
  let n = 0, nan = 0, inf = 0, min = Infinity, max = -Infinity, sum = 0, absMax = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (Number.isNaN(v)) { nan++; continue; }
    if (!Number.isFinite(v)) { inf++; continue; }
    n++; sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
    const a = Math.abs(v);
    if (a > absMax) absMax = a;
  }
  const mean = n ? sum / n : null;
  let sq = 0;
  // Two passes: a one-pass variance loses everything on values near 1e6 with float sums.
  if (mean !== null) for (let i = 0; i < data.length; i++) { const v = data[i]!; if (Number.isFinite(v)) sq += (v - mean) ** 2; }
  return { count: data.length, min: n ? min : null, max: n ? max : null, mean, std: n ? Math.sqrt(sq / n) : null, absMax, nan, inf };
}

export interface ExplodeOptions {
  /** Output |x| over input |x| that counts as an explosion (default 1e3: three orders of magnitude). */
  factor?: number;
  /** Input scales below this are raised to it, so tiny values growing to ordinary ones are not flagged (default 1). */
  floor?: number;
}

/**
 * Whether a node's output scale grew by `factor` over the largest scale among its inputs.
 * Returns the ratio when it did, else null.
 */
export function explosion(inputs: TensorStats[], output: TensorStats, opts: ExplodeOptions = {}): number | null {
  const factor = opts.factor ?? 1e3, floor = opts.floor ?? 1;
  if (!inputs.length) return null;
  const inScale = Math.max(floor, ...inputs.map((s) => s.absMax));
  const ratio = output.absMax / inScale;
  return ratio >= factor ? ratio : null;
}

/** One-line summary, e.g. `[-1.2, 3.4] mean 0.1 std 1 (2 NaN)`. */
export function fmtStats(s: TensorStats): string {
  const g = (v: number | null) => (v === null ? '—' : Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : String(+v.toPrecision(4)));
  const bad = [s.nan ? `${s.nan} NaN` : '', s.inf ? `${s.inf} Inf` : ''].filter(Boolean).join(', ');
  return `[${g(s.min)}, ${g(s.max)}] mean ${g(s.mean)} std ${g(s.std)} n=${s.count}${bad ? ` (${bad})` : ''}`;
}

export interface Histogram {
  /** Bin edges: bins + 1 numbers from min to max of the finite values. */
  edges: number[];
  counts: number[];
  nan: number;
  inf: number;
}

/** Histogram of the finite values in `bins` equal bins. */
export function histogram(data: ArrayLike<number>, bins = 20): Histogram {
  const s = tensorStats(data);
  const lo = s.min ?? 0, hi = s.max ?? 0;
  const width = hi > lo ? (hi - lo) / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) / width))]!++;
  }
  return { edges: Array.from({ length: bins + 1 }, (_, i) => lo + i * width), counts, nan: s.nan, inf: s.inf };
}

/** Text bars for a terminal. */
export function fmtHistogram(h: Histogram, width = 40): string {
  const peak = Math.max(1, ...h.counts);
  const lines = h.counts.map((c, i) => `${h.edges[i]!.toPrecision(4).padStart(11)} … ${h.edges[i + 1]!.toPrecision(4).padEnd(11)} ${'#'.repeat(Math.round((c / peak) * width)).padEnd(width)} ${c}`);
  if (h.nan || h.inf) lines.push(`NaN ${h.nan}, Inf ${h.inf}`);
  return lines.join('\n');
}
