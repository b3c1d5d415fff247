/**
 * What the decoder is told about where a texel lies: its last inputs, after the latent features.
 * - `uv`: the texel's centre in [0, 1] over the whole material (the first format). A 32-wide decoder makes
 *   little of a global position: latents carry what varies across the material.
 * - `p2`: per axis a triangle wave of period 2 texels, 0 on even texels and 1 on odd ones, linear in
 *   between. The two texels either side of a half-resolution latent's centre read the same bilinear
 *   blend of latents up to their weights; told which side they are on, the decoder can make them
 *   differ, so a half-resolution grid can hold texel-scale detail (NTC's positional encoding does
 *   this for its low-resolution grids). Same input count as `uv`: no decode cost.
 * - `p4`: per axis two triangle waves of period 4 texels a quarter period apart: the four texels under
 *   a quarter-resolution latent read distinct pairs (0, ½), (½, 1), (1, ½), (½, 0), and parity is a
 *   function of them. Two inputs more than `uv`.
 * Waves are continuous in the texel coordinate, so sampling between texel centres (magnification, a
 * fragment shader's uv) gives inputs between those of the neighbours, as bilinear latents do.
 * Coordinates are in texels of the level read (centres at i + ½), so mip level m's latents train and
 * decode with level m's phase.
 *
 * `auto` (the default of `wgml compress` and compressMaterial) takes `p2`, or `p4` where the finest grid is at a
 * quarter of the resolution or coarser. On the H200 (bench/materials-2026-12-03i, weakest texture against `uv`):
 * `p2` +0.24 dB mean on the 6.5-bit rung over ten sets (−0.24…+1.19, seven better), +0.41 on the 5-bit s2f5b4 over
 * four, +0.72 on the 9.5-bit rung over three (re-jojo-concrete +1.83), at the same decode time; `p4` was no better
 * on the mixed rungs (+0.10 mean, −0.83 on one) and costs 3–5% more decode, but on the quarter-resolution s4f16b2
 * of a lone normal map it gave +0.87 where `p2` gave nothing.
 */

export const POSITION_INPUTS = ['uv', 'p2', 'p4'] as const;
export type PositionInput = (typeof POSITION_INPUTS)[number];
/** A position input, or `auto`: by the finest grid (positionFor). */
export type PositionChoice = PositionInput | 'auto';

/** The position input of a configuration whose finest grid (grids[0]) has this scale. */
export function positionFor(grids: readonly { scale: number }[], choice: PositionChoice = 'auto'): PositionInput {
  if (choice !== 'auto') return choice;
  return (grids[0]?.scale ?? 1) >= 4 ? 'p4' : 'p2';
}

/** Waves per axis: period in texels and shift in periods (`uv` has none). */
const WAVES: Record<PositionInput, { period: number; shift: number }[]> = {
  uv: [],
  p2: [{ period: 2, shift: 0 }],
  p4: [{ period: 4, shift: 0 }, { period: 4, shift: 0.25 }],
};

/** Decoder inputs the position takes. */
export const positionCount = (p: PositionInput = 'uv') => (p === 'uv' ? 2 : 2 * WAVES[p].length);

/** A name from a file (or, with `auto`, the command line), or a RangeError that lists the known ones. */
export function parsePosition(s: string): PositionInput;
export function parsePosition(s: string, auto: true): PositionChoice;
export function parsePosition(s: string, auto = false): PositionChoice {
  const known: readonly string[] = auto ? [...POSITION_INPUTS, 'auto'] : POSITION_INPUTS;
  if (!known.includes(s)) throw new RangeError(`position input "${s}": use ${known.join(', ')}`);
  return s as PositionChoice;
}

const tri = (s: number) => 1 - Math.abs(2 * (s - Math.floor(s)) - 1);

/**
 * Writes the position inputs of the point at texel coordinates (tx, ty) (centres at i + ½) of a
 * width×height level into `out` from `at`: x then y for each wave (u then v for `uv`).
 */
export function positionCpu(p: PositionInput, tx: number, ty: number, width: number, height: number, out: Float32Array | number[], at: number): void {
  if (p === 'uv') { out[at] = tx / width; out[at + 1] = ty / height; return; }
  WAVES[p].forEach((w, k) => {
    out[at + 2 * k] = tri((tx - 0.5) / w.period + w.shift);
    out[at + 2 * k + 1] = tri((ty - 0.5) / w.period + w.shift);
  });
}

/**
 * WGSL statements that set `x[at …]` from `t: vec2<f32>` (texel coordinates of the point) and `size: vec2<f32>`
 * (the level's texels); `x` may be a pointer's target (`(*x)`) by passing its spelling.
 */
export function positionWgsl(p: PositionInput, at: number | string, t: string, size: string, x = 'x'): string {
  const i = (k: number) => (typeof at === 'number' ? `${at + k}` : `${at} + ${k}u`);
  if (p === 'uv') return `${x}[${i(0)}] = (${t}).x / (${size}).x; ${x}[${i(1)}] = (${t}).y / (${size}).y;`;
  return WAVES[p].map((w, k) => {
    const s = `(${t} - 0.5) / ${w.period.toFixed(1)}${w.shift ? ` + ${w.shift}` : ''}`;
    return `{ let w = vec2(1.0) - abs(2.0 * fract(${s}) - 1.0); ${x}[${i(2 * k)}] = w.x; ${x}[${i(2 * k + 1)}] = w.y; }`;
  }).join(' ');
}
