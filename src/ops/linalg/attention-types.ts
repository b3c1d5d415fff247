/**
 * Types shared by the fused attention kernel (attention-kernel.ts: problem, configuration, dispatch)
 * and its WGSL (attention-wgsl.ts). They live here, below both, so the WGSL generator does not import
 * the kernel module that imports it (issue 14: no import cycles). attention-kernel.ts re-exports them.
 */

/** How the mask input changes a score s: 'add' s + m; 'keep' m ≠ 0 ? s : fill; 'drop' m ≠ 0 ? fill : s. */
export type MaskMode = 'none' | 'add' | 'keep' | 'drop';

/**
 * Block sizes of one pipeline: BQ queries per workgroup, BK keys per step, T threads per row group, R
 * query rows per thread (register tiling), DMAX the widest head rounded up to a power of two ≥ 32.
 */
export interface AttentionConfig { bq: number; bk: number; t: number; r: number; dmax: number }
