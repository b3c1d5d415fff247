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

export interface SelectionTable {
  /** Workgroups that fill the device once (the SM count of the card the table was measured on). */
  targetWorkgroups: number;
  /** Fewest K elements per split: below this a split's reduction is too short to pay for the partials. */
  minKPerSplit: number;
  /** The same for the GEMVs, which are bound by memory and want every SM reading. */
  gemvMinKPerSplit: number;
  maxSplits: number;
  /** Candidate tiles by M (after batch folding), most efficient first: the first whose grid fills the device wins. */
  tiles: { maxM: number; configs: string[] }[];
}

export const GEMM_TABLE: SelectionTable = {
  targetWorkgroups: 132,
  minKPerSplit: 128,
  gemvMinKPerSplit: 64,
  maxSplits: 16,
  tiles: [
    { maxM: 64, configs: ['t32x128', 't32x64', 't32x32'] },
    { maxM: 256, configs: ['t64x64', 't32x128', 't32x64', 't64x32', 't32x32'] },
    { maxM: 1024, configs: ['t128x128', 't64x128', 't64x64', 't32x64'] },
    { maxM: Infinity, configs: ['t128x128', 't64x128', 't64x64'] },
  ],
};

export interface ShapeClass {
  M: number; N: number; K: number;
  /** Number of independent GEMMs (product of the batch dims left after folding). */
  batch: number;
  /** B is contiguous along n (selects the GEMV flavour when M = 1). */
  bRowMajor: boolean;
}

/** Splits of K so that `groups` workgroups become about `target`, each split at least `minK` long. */
export function splitsFor(groups: number, K: number, t: SelectionTable, minK = t.minKPerSplit): number {
  if (groups >= t.targetWorkgroups) return 1;
  const want = Math.ceil(t.targetWorkgroups / Math.max(1, groups));
  return Math.max(1, Math.min(want, t.maxSplits, Math.floor(K / minK)));
}

/** The kernel and split count for a (normalized) problem. */
export function selectGemm(s: ShapeClass, t: SelectionTable = GEMM_TABLE): GemmChoice {
  if (s.M === 1) {
    const kernel = s.bRowMajor && s.N > 1 ? 'gemv_n' : 'gemv_k';
    const perGroup = kernel === 'gemv_n' ? 4 * GEMV_N.lanes : GEMV_K.rows;
    return { kernel, splits: splitsFor(Math.ceil(s.N / perGroup) * s.batch, s.K, t, t.gemvMinKPerSplit) };
  }
  const cls = t.tiles.find((c) => s.M <= c.maxM) ?? t.tiles[t.tiles.length - 1]!;
  const grid = (name: string) => {
    const c = tileConfig(name)!;
    return Math.ceil(s.M / tileBM(c)) * Math.ceil(s.N / tileBN(c)) * s.batch;
  };
  const full = cls.configs.find((n) => grid(n) >= t.targetWorkgroups);
  if (full) return { kernel: 'tile', config: full, splits: 1 };
  // Nothing fills the device: take the largest grid (ties: the earlier, more efficient tile) and split K.
  const best = cls.configs.reduce((a, b) => (grid(b) > grid(a) ? b : a));
  return { kernel: 'tile', config: best, splits: splitsFor(grid(best), s.K, t) };
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
