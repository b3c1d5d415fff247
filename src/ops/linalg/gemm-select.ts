/**
 * Which GEMM kernel runs a problem: tile configurations and the selection rule, as data plus one pure
 * function so bench/gemm-kernels.ts can print what it picks and the table can be retuned from its
 * measurements without touching the kernels.
 *
 * A tile configuration is TX×TY threads, each computing TM rows × TN columns (TN in vec4s of columns),
 * over BM = TY·TM by BN = TX·TN output tiles, stepping K by BK. Small-M problems (batch-1 transformers:
 * 128–256 rows) give few tiles, so a machine of 132 SMs (H200) sits idle unless tiles shrink or K is
 * split across workgroups (partial sums in scratch, one reduce dispatch adds them and runs the epilogue).
 */

export interface TileConfig {
  name: string;
  tx: number; ty: number;
  tm: number; tn: number;
  bk: number;
  /** Register prefetch: the next K step's global loads are in flight while this step's FMAs run. */
  pf: boolean;
}

export const TILE_CONFIGS: readonly TileConfig[] = [
  { name: 't128x128', tx: 16, ty: 16, tm: 8, tn: 8, bk: 8, pf: true },
  { name: 't64x128', tx: 16, ty: 8, tm: 8, tn: 8, bk: 8, pf: true },
  { name: 't64x64', tx: 16, ty: 16, tm: 4, tn: 4, bk: 16, pf: true },
  { name: 't32x128', tx: 16, ty: 8, tm: 4, tn: 8, bk: 16, pf: true },
  { name: 't32x64', tx: 16, ty: 8, tm: 4, tn: 4, bk: 16, pf: true },
  { name: 't64x32', tx: 8, ty: 16, tm: 4, tn: 4, bk: 16, pf: true },
  { name: 't32x32', tx: 8, ty: 8, tm: 4, tn: 4, bk: 16, pf: true },
];

export function tileConfig(name: string): TileConfig | undefined {
  return TILE_CONFIGS.find((c) => c.name === name);
}

export const tileBM = (c: TileConfig) => c.ty * c.tm;
export const tileBN = (c: TileConfig) => c.tx * c.tn;

/** GEMV configurations (M = 1): `gemv_n` for n-contiguous B (lanes along n), `gemv_k` otherwise (lanes along k). */
export const GEMV_N = { lanes: 32, kGroups: 8 } as const;
export const GEMV_K = { rows: 8, lanes: 32 } as const;

export type GemmChoice =
  | { kernel: 'tile'; config: string; splits: number }
  | { kernel: 'gemv_n' | 'gemv_k'; splits: number };

/**
 * The selection rule's constants. Derived from the H200 sweep of 2026-12-02 (bench/results-2026-12-02-a,
 * test/gemm-select.test.ts holds the rule to it): at batch-1 transformer sizes every winner split K
 * until the grid had ~400–1000 workgroups with K slices of 96–256, and t64x64 was within a few percent
 * of the best tile wherever its padding was no worse than the others'. Nothing here names a shape, so
 * other models get the same reasoning: fill the device with enough workgroups to hide latency (a
 * workgroup's K loop is a chain of dependent loads; more of them in flight per SM is what speeds it
 * up), split K only as far as that needs and never into slices too short to pay for the partials.
 */
export interface SelectionTable {
  /**
   * Workgroups a grid should reach: ~3 per SM of a large GPU (132 on an H200). A smaller GPU pays
   * a little for splits it did not need (partials traffic, one reduce dispatch); a large one left
   * with too few workgroups pays far more, so this is sized for the large one.
   */
  targetWorkgroups: number;
  /** Fewest K elements per split: below this a split's reduction is too short to pay for the partials. */
  minKPerSplit: number;
  /** The same for the GEMVs, which are bound by memory and want every SM reading. */
  gemvMinKPerSplit: number;
  /** K below which a product is never split (attention-sized inner products: the reduce costs more than it saves). */
  minSplitK: number;
  /** Split counts, smallest first: K slices of transformer widths (multiples of 3·2^k) come out even. */
  splitLadder: readonly number[];
  /** Tile configurations, most efficient per FMA first (t128x128 and t64x128 lost everywhere in the sweep). */
  tiles: readonly string[];
  /** A tile is a candidate only when its padded output (M, N rounded up to its tile) is within this factor of the least padded one's. */
  paddingTolerance: number;
}

export const GEMM_TABLE: SelectionTable = {
  targetWorkgroups: 384,
  minKPerSplit: 96,
  gemvMinKPerSplit: 64,
  minSplitK: 256,
  splitLadder: [1, 2, 3, 4, 6, 8, 12, 16, 24, 32],
  tiles: ['t64x64', 't32x128', 't64x32', 't32x64', 't32x32'],
  paddingTolerance: 1.1,
};

export interface ShapeClass {
  M: number; N: number; K: number;
  /** Number of independent GEMMs (product of the batch dims left after folding). */
  batch: number;
  /** B is contiguous along n (selects the GEMV flavour when M = 1). */
  bRowMajor: boolean;
}

/** Split counts of the ladder that K allows (1 always). */
export function allowedSplits(K: number, t: SelectionTable, minK = t.minKPerSplit): number[] {
  return t.splitLadder.filter((s) => s === 1 || (K >= t.minSplitK && K / s >= minK));
}

/** The fewest splits that bring `groups` workgroups to the target, else as many as K allows. */
export function splitsFor(groups: number, K: number, t: SelectionTable, minK = t.minKPerSplit): number {
  const ok = allowedSplits(K, t, minK);
  return ok.find((s) => groups * s >= t.targetWorkgroups) ?? ok[ok.length - 1]!;
}

/** Workgroups of a tile configuration over the output (before splitting K). */
export function tileGrid(s: ShapeClass, name: string): number {
  const c = tileConfig(name)!;
  return Math.ceil(s.M / tileBM(c)) * Math.ceil(s.N / tileBN(c)) * s.batch;
}

/**
 * The kernel and split count for a (normalized) problem: the first tile (in the table's order, among
 * the least padded) whose grid reaches the target with the fewest splits K allows; when none can, the
 * largest grid any reaches (ties: the earlier tile).
 */
export function selectGemm(s: ShapeClass, t: SelectionTable = GEMM_TABLE): GemmChoice {
  if (s.M === 1) {
    const kernel = s.bRowMajor && s.N > 1 ? 'gemv_n' : 'gemv_k';
    const perGroup = kernel === 'gemv_n' ? 4 * GEMV_N.lanes : GEMV_K.rows;
    return { kernel, splits: splitsFor(Math.ceil(s.N / perGroup) * s.batch, s.K, t, t.gemvMinKPerSplit) };
  }
  const padded = (name: string) => {
    const c = tileConfig(name)!;
    return Math.ceil(s.M / tileBM(c)) * tileBM(c) * Math.ceil(s.N / tileBN(c)) * tileBN(c);
  };
  const least = Math.min(...t.tiles.map(padded));
  const tiles = t.tiles.filter((n) => padded(n) <= least * t.paddingTolerance);
  const ok = allowedSplits(s.K, t);
  let best: { config: string; splits: number; groups: number } | null = null;
  for (const config of tiles) {
    const g = tileGrid(s, config);
    const splits = ok.find((k) => g * k >= t.targetWorkgroups);
    if (splits) return { kernel: 'tile', config, splits };
    const most = ok[ok.length - 1]!;
    if (!best || g * most > best.groups) best = { config, splits: most, groups: g * most };
  }
  return { kernel: 'tile', config: best!.config, splits: best!.splits };
}

/** Parse a forced choice (`wgml_gemm` attribute, tests and the bench): 't32x64', 't64x64/s4', 'gemv_n/s2'. */
export function parseChoice(text: string): GemmChoice | null {
  const m = /^(t\d+x\d+[a-z]?|gemv_n|gemv_k)(?:\/s(\d+))?$/.exec(text);
  if (!m) return null;
  const splits = m[2] ? Number(m[2]) : 1;
  if (splits < 1) return null;
  if (m[1] === 'gemv_n' || m[1] === 'gemv_k') return { kernel: m[1], splits };
  return tileConfig(m[1]!) ? { kernel: 'tile', config: m[1]!, splits } : null;
}

export function choiceName(c: GemmChoice): string {
  return `${c.kernel === 'tile' ? c.config : c.kernel}${c.splits > 1 ? `/s${c.splits}` : ''}`;
}
