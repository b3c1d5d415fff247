/**
 * The ladder of latent configurations a material can be trained as, ordered by stored bits per texel, and what a
 * material of so many outputs makes of it: concatenated taps, full-resolution forms and twins where its decode stays
 * within issue 13's limits (decode-cost.ts), footprints, and the rung for a bit budget. The search over it is search.ts.
 *
 * A rung's decode stays within issue 13's limits on the material it is trained for (ladderFor, decode-cost.ts): at
 * most 16 blended features + two position inputs (position.ts; four with p4), more inputs only as concatenated taps
 * where the material's decoder affords them.
 */
import { gridBytes, type GridOption } from './train.js';
import { featuresOf } from './kernels.js';
import { positionCount, positionFor, type PositionChoice } from './position.js';
import { DECODE_BUDGET_OUTPUTS, decodeWithinLimits } from './decode-cost.js';
import { LADDER_HIDDEN, parseRung, rungName, rungOf, type Rung } from './rung.js';

/** Latent bits per texel of a rung (the decoder adds a fixed few kilobytes). */
export const rungBits = (r: { grids: GridOption[] }) => r.grids.reduce((a, g) => a + (g.features * g.bits) / (g.scale * g.scale), 0);

const R = (grids: ([number, number, number] | [number, number, number, 'c'])[], hidden = LADDER_HIDDEN): Rung => {
  const gs = grids.map(([scale, features, bits, c]) => ({ scale, features, bits, ...(c ? { concat: true } : {}) }));
  return rungOf(gs, hidden);
};

/**
 * Rungs of one half-resolution grid (latent bits per texel: 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 24, 32). From 3 bits up
 * the grid stays at half resolution: at 4 bits, 8 features × 2 bits at 1/2 beat 16 × 4 at 1/4 by 1.3 dB
 * (prototype). 2-bit features come one by one pair (any count packs exactly, format.ts). The ladder for
 * `--mips`, whose per-level latents are trained for single-grid materials only.
 */
export const SINGLE_GRID_LADDER: Rung[] = [
  R([[4, 8, 2]]), R([[4, 16, 2]]), R([[2, 6, 2]]), R([[2, 8, 2]]), R([[2, 10, 2]]), R([[2, 12, 2]]),
  R([[2, 14, 2]]), R([[2, 16, 2]]), R([[2, 12, 4]]), R([[2, 16, 4]]), R([[2, 12, 8]]), R([[2, 16, 8]]),
];

/**
 * Half a bit per texel: four 2-bit features on a quarter-resolution grid, added to a mixed rung. A third, coarser
 * level, as in NTC's latent pyramid, gives the decoder four more inputs for the cost of a fraction of one at half
 * resolution.
 */
const QUARTER: [number, number, number] = [4, 4, 2];

/**
 * The ladder, smallest first: 1 bit per texel, every half bit from 2 to 10 but 5.5, then 12, 14, 16, 20 and 24. What a material trains is {@link ladderFor}'s version of it: concatenated taps where its decode fits.
 * - From 2 to 5 bits a rung is one half-resolution grid of 4-bit codes whose four taps the decoder reads side by side
 *   (s2f{2,3,4,5}b4c), the half bits adding four 2-bit features at quarter resolution. Concatenated taps beat the
 *   blended grid at equal bits wherever measured on the H200 (2 bits: +1.74 dB on the lone rock normal map; 5 bits:
 *   +0.90…+2.02 on three 16-bit sets; RESULTS.md, "Concatenated latent taps"), and on lavapipe at 3 and 4 bits on
 *   materials of up to 4 outputs (s2f4b4c 39.36 dB against s2f8b2 37.70 on the rock map's 128² crop: bench/NOTES-materials.md,
 *   "Concatenated taps from 2 to 5 bits"), but not alone with more outputs ({@link LOW_CONCAT_MAX_CHANNELS}): from 4 to
 *   5 bits those materials train the rung with a 2-bit full-resolution feature beside them ({@link fullResForm}), at 3
 *   and 3.5 bits its 2-bit twin. ladderFor decides. Twins: twinOf.
 * - From 6 bits up a rung is one full-resolution feature (grid 0) beside a half-resolution grid: at 6 bits it beat
 *   the half-resolution grid alone on the weakest texture on 8 of 10 sets, by +1.2 dB on average (H200,
 *   bench/NOTES-materials.md, "a finer grid beside"), most on grainy specular and normal maps, whose texel-scale
 *   detail a half-resolution grid blurs. With fewer bits that feature took too large a share beside blended 2-bit
 *   features (5 bits: lost on 2 of 3 sets), so the ladder's rungs up to 5 bits are one grid; beside concatenated taps it
 *   pays from 4 bits on materials of more than 4 outputs (fullResForm, 2026-12-06), which at 6 and 7 bits read the half-resolution
 *   grid's taps side by side too (tapsTwinForm), and from 8 to 10 bits put most bits at full resolution beside two or
 *   three such taps (highTapsForm).
 * - The full-resolution feature's codes grow with the rate: 2 bits up to 7.5 bits per texel, 4 bits from 8 up (two
 *   half-resolution features fewer, the same bits). Measured at equal bits on the weakest texture (H200, 14 sets,
 *   bench/materials-2026-12-03k/ablation.txt): the 4-bit feature gained +0.09 dB on average at 6.5 bits (9 of 13
 *   better, but −1.85 on one), +0.42 at 7.5 (6 of 11), +0.89 at 8.5 (9 of 11) and +1.28 at 9.5 (4 of 4). Each rung's
 *   twin is the other split (twinOf), which the default and --bits also train, so below 8 bits it is tried too.
 * - From 5 bits up the half-resolution features are 4-bit codes, half as many as 2-bit ones at equal bits. Measured
 *   with wgml's trainer on the H200 on 14 sets ("4-bit codes", same notes): at 5 bits +0.03…+3.3 dB on the weakest
 *   texture (4 of 4 16/20-bit sets), at 6 bits better on 9 of 10 (mean +0.61 dB), at 8 and 9 bits on every set tried
 *   (+0.6…+3.9 dB, and 4-bit at 9 bits beat 2-bit at 9.5). (A CPU prototype on crops had favoured 2-bit codes;
 *   it trained differently.) Fewer features also shorten the decoder's first layer.
 * - `--psnr` picks the smallest passing rung, so a gap in the ladder is footprint a set pays for nothing; half of
 *   a three-texture BC set (BC7 + BC5 + BC4, 20 bits) is 10 bits a texel, and the 9.5-bit rung fits under it with
 *   the decoder's weights. The half-bit rungs from 6.5 to 9.5 bits close gaps that cost whole bits: with whole
 *   bits only, `--psnr 40` passed three sets at 8 or 10 bits whose rung below missed by 0.04–0.67 dB, and 8 and 10
 *   bits with the decoder are just over half of BC's 16 and 20 (0.505 of BC, bench/materials-2026-12-03g).
 * - From 14 bits up the bits go to full resolution: 2, 3 and 4 features of 4-bit codes beside six or eight at half
 *   resolution (14, 16, 20, 24 bits). The half-resolution grids this top replaced (s2f16b4, s2f12b8, s2f16b8) blur
 *   texel-scale detail whatever their bits: on re-mp-bricks the 24-bit one scored less than the 14-bit mixed rung
 *   below it, so `--psnr 40` paid 32 bits (1.6× BC) for what 16 now reach (0.8×). At 64000 steps, weakest texture,
 *   H100 (bench/materials-2026-12-06-top-h100), on four 20-bit sets: 16 bits +0.40…+0.91 dB, 24 bits +4.55…+7.19;
 *   on two 16-bit sets of 4 outputs (-top16-h100): 16 bits +1.01 and +1.05, 24 bits +1.91 and +6.86.
 *   At 14 bits two full-resolution features tied one (against s1f1b4+s2f10b4: −0.33…+0.30 dB, mean −0.02) and decode
 *   within the limits at 8 outputs where s1f1b4+s2f10b4 does not (0.397 ms int8 estimated); at 12 bits two lost on
 *   three of four sets (−0.88…−1.32 dB, +0.31 on the fourth; -mid-h100), so s1f1b4+s2f8b4 stays.
 * - The new top's 4K decode + shade measured 0.512–0.553 ms f32 and 0.370–0.395 ms int8 at 8 outputs, within the
 *   limits, where s2f16b4 took 0.601 / 0.416 (-checktop-h100). The ladder stops at 24 bits, 1.2× a three-texture BC
 *   set: the 32 bits after it, s1f4b4+s2f8b8 (bricks 48.70 dB against s2f16b8's 42.91), decoded at 0.401 ms int8, over
 *   the limit; and past BC's footprint BC is the better choice (24 bits reach 46.7–53.4 dB on those sets, BC 38.4–45.4).
 */
export const LADDER: Rung[] = [
  SINGLE_GRID_LADDER[0]!,
  ...[2, 3, 4].flatMap((f) => [R([[2, f, 4, 'c']]), R([[2, f, 4, 'c'], QUARTER])]),
  R([[2, 5, 4, 'c']]),
  R([[1, 1, 2], [2, 4, 4]]), R([[1, 1, 4], [2, 2, 4, 'c'], QUARTER]),
  R([[1, 1, 2], [2, 5, 4]]), R([[1, 1, 2], [2, 5, 4], QUARTER]),
  ...[4, 5].flatMap((f) => [R([[1, 1, 4], [2, f, 4]]), R([[1, 1, 4], [2, f, 4], QUARTER])]),
  ...[6, 8].map((f) => R([[1, 1, 4], [2, f, 4]])),
  R([[1, 2, 4], [2, 6, 4]]),
  ...[2, 3, 4].map((f) => R([[1, f, 4], [2, 8, 4]])),
];

/**
 * Whether a material of `channels` outputs decodes this rung within the limits (decode-cost.ts), as the ladder's
 * choices of layout (taps, twins, what is left out) judge it. Past the {@link DECODE_BUDGET_OUTPUTS} outputs the limits
 * are set for, the rung is judged at that many: the extra outputs' last layer is the material's own cost (the report
 * says it), and a ninth output does not change the layout that suits eight. And with the ladder's 32-wide decoder: a
 * wider one by hand (--hidden) is over the limits at most sizes, a cost its user chose, which the report states.
 */
const decodesInTime = (r: Rung, channels: number, position: PositionChoice) => decodeWithinLimits({ ...r, hidden: LADDER_HIDDEN }, Math.min(channels, DECODE_BUDGET_OUTPUTS), position);

/** A rung of one half-resolution grid of 3 or 4 features of 4-bit codes read as concatenated taps (3 to 4.5 bits). */
const isLowConcat = (r: Rung) => [3, 4].includes(halfTapsGrid(r)?.features ?? 0);

/** The grid of a rung that is one half-resolution grid of 4-bit codes read as concatenated taps, beside at most one blended quarter-resolution grid; else undefined. */
function halfTapsGrid(r: Rung): GridOption | undefined {
  const [g, ...rest] = r.grids;
  return g?.concat && g.scale === 2 && g.bits === 4 && rest.length <= 1 && rest.every((x) => x.scale === 4 && !x.concat) ? g : undefined;
}

/**
 * Materials of more decoder outputs read the 3–3.5-bit rungs as 2-bit codes, blended (the twin of s2f3b4c, s2f6b2), and
 * the 4–5-bit ones with a full-resolution feature ({@link fullResForm}), since half-resolution taps side by side alone
 * do not pay for themselves there. Measured with wgml's trainer on lavapipe, 128² crops with refinement (bench/NOTES-materials.md, "Concatenated taps from
 * 2 to 5 bits"), s2f4b4c against s2f8b2: the lone rock normal map (2 outputs) +1.66 dB, three 4-output sets +2.68,
 * +0.33, −0.75; five held-out Red Eclipse sets of 6 outputs (albedo + normal + specular) −0.15 … −0.94, all five. With
 * more textures to carry, feature count matters more than the taps' texel-scale detail; and code refinement, which
 * came after the 4-bit codes were chosen, gains more on 2-bit codes, whose steps are larger.
 */
export const LOW_CONCAT_MAX_CHANNELS = 4;

/**
 * A 4- or 5-bit rung of one half-resolution grid read as concatenated taps (s2f4b4c, s2f4b4c+s4f4b2, s2f5b4c) with the
 * bits of two of its features moved to one 2-bit feature at full resolution: the same bits (s1f1b2+s2f2b4c,
 * s1f1b2+s2f2b4c+s4f4b2, s1f1b2+s2f3b4c). What a material of more than {@link LOW_CONCAT_MAX_CHANNELS} outputs trains
 * at those rates (ladderFor), where it took their 2-bit twins (s2f8b2, s2f8b2+s4f4b2, s2f10b2), which are now its
 * twins. Measured on eight 20-bit sets of 6 outputs at a `--psnr` trial's 8000 steps, weakest texture (H100,
 * bench/materials-2026-12-06-lowfull2-h100): at 4 bits +0.64 dB on average (7 of 8 better), at 4.5 bits +1.20 (8 of 8),
 * at 5 bits +1.54 (8 of 8; re-jojo-concrete +4.80); at 4.5 bits and 64000 steps +0.88 on ten sets (9 of 10,
 * -lowfull-h100). Grainy albedo and normal maps gain most: a half-resolution grid blurs texel-scale detail, which
 * concatenated taps had given only to materials of few outputs. Not at 3 or 3.5 bits (+0.37 on average at 3.5, but
 * worse on three of eight, by 0.33–0.47 dB), and not for materials of up to 4 outputs, whose 3.5-bit
 * concatenated rung beat s1f1b2+s2f1b4c+s4f4b2 by 1.25–4.81 dB on three 16-bit sets (-lowfull-h100).
 */
export function fullResForm(r: Rung): Rung | undefined {
  const g = halfTapsGrid(r);
  if (!g || (g.features !== 4 && g.features !== 5)) return undefined;
  const grids: GridOption[] = [{ scale: 1, features: 1, bits: 2 }, { scale: 2, features: g.features - 2, bits: 4, concat: true }, ...r.grids.slice(1).map((x) => ({ ...x }))];
  return rungOf(grids, r.hidden);
}

/**
 * The 6- and 7-bit mixed rungs s1f1b2+s2f4b4 and s1f1b2+s2f5b4 as their twins' layouts with the half-resolution taps
 * read side by side: s1f1b4+s2f2b4c (the 6.5-bit rung without its quarter-resolution grid) and s1f1b4+s2f3b4c. What a
 * material of more than {@link LOW_CONCAT_MAX_CHANNELS} outputs trains at 6 and 7 bits (ladderFor), with the rung it
 * replaces as its twin. Weakest texture at 64000 steps on 20-bit sets of 6 outputs (H100):
 * - 6 bits (bench/materials-2026-12-06-six-h100 and -probe-h100): s1f1b2+s2f4b4 and its old twin s1f1b4+s2f2b4 had
 *   scored under the 5-bit rung s1f1b2+s2f3b4c on four of eight sets (re-jojo-concrete 39.03 against 42.77, nx-cretewall
 *   38.26 against 41.09), so `--bits 6` gave less than `--bits 5`; the new pair's better is at least the old pair's on
 *   all eight (mean +0.69 dB, re-jojo-concrete +2.33, nx-cretewall +1.21, re-mp-bricks +1.19) and under the 5-bit rung on
 *   two. Decode + shade at 4K: 0.517 / 0.363 ms f32 / int8 at 8 outputs.
 * - 7 bits (-seven-h100): s1f1b4+s2f3b4c against s1f1b2+s2f5b4 (and its old twin s1f1b4+s2f3b4) on six sets: re-jojo-concrete
 *   47.20 / 42.35 (40.88), nx-cretewall 42.92 / 39.91, re-un-metal 44.90 / 43.00, re-mp-bricks 35.48 / 33.87, nx-bigplate
 *   45.56 / 45.25, re-pk-wall 39.99 / 39.71: better on all six, by +0.28…+4.85 dB (mean +1.99). Decode + shade 0.550 /
 *   0.381 ms at 8 outputs (s1f1b2+s2f5b4 0.509 / 0.355).
 * Not for materials of up to 4 outputs: at 6 bits s1f1b4+s2f2b4c lost to s1f1b2+s2f4b4 on all three 16-bit sets (40.45 /
 * 41.29, 40.17 / 42.11, 41.89 / 45.35, -seven-h100). Undefined for other rungs: a twin of 4-bit full-resolution codes
 * beside 2 or 3 half-resolution features, with no other grid, is the case measured.
 */
export function tapsTwinForm(r: Rung): Rung | undefined {
  const t = r.grids.some((g) => g.concat) ? undefined : twinOf(r);
  if (!t || t.grids.length !== 2 || t.grids[0]!.bits !== 4 || ![2, 3].includes(t.grids[1]!.features)) return undefined;
  const grids: GridOption[] = [{ ...t.grids[0]! }, { ...t.grids[1]!, concat: true }];
  return rungOf(grids, r.hidden);
}

/**
 * The 8-, 8.5-, 9- and 10-bit rungs s1f1b4+s2f{4,5,6}b4 (8.5: s1f1b4+s2f4b4+s4f4b2) with most of their bits at full
 * resolution and two or three half-resolution features read side by side: s1f3b2+s2f2b4c, s1f3b2+s2f2b4c+s4f4b2,
 * s1f3b2+s2f3b4c and s1f2b4+s2f2b4c (6 + 2, 6 + 2 + ½, 6 + 3 and 8 + 2 bits). What a material of 5 or 6 outputs
 * ({@link HIGH_TAPS_MAX_CHANNELS}) trains at those rates where it decodes them in time (ladderFor; the 9-bit one took
 * 0.394 and 0.403 ms int8 at 6 and 8 outputs), with the rung it replaces as its twin
 * (twinFor), so the default and --bits keep the better. The pattern of {@link tapsTwinForm} (texel-scale detail at full
 * resolution, a few concatenated taps at half) with the bits where they paid on lavapipe crops (2000 steps; the layouts
 * the 7-bit rule gives at these rates, s1f1b4+s2f4b4c and up, decode over the limits: 0.407 ms int8 estimated at 8 outputs).
 * Weakest texture at 64000 steps on four 20-bit sets of 6 outputs, form / replaced rung (H200,
 * bench/materials-2026-12-06-concathigh-h200): re-jojo-concrete 48.88 / 41.89, 52.70 / 44.94, 48.52 / 45.50; nx-cretewall
 * 43.17 / 40.52, 45.19 / 42.02, 44.10 / 43.20; re-un-metal 45.64 / 43.44, 46.88 / 44.52, 46.91 / 46.05; re-pk-wall 39.49 /
 * 40.57, 40.76 / 41.48, 40.36 / 42.37 (its twin keeps those). Mean +2.69, +3.14 and +0.69 dB. Decode + shade at 4K, 8
 * outputs: 0.545 / 0.383, 0.576 / 0.403 and 0.527 / 0.367 ms f32 / int8 (decode-cost.ts).
 * At 8.5 bits the 8-bit form with the half-bit rungs' quarter-resolution grid, s1f3b2+s2f2b4c+s4f4b2, in place of
 * s1f1b4+s2f4b4+s4f4b2: with a full-resolution grid read at its texel alone it decodes in 0.552 / 0.395 and 0.576 / 0.399 ms
 * at 6 and 8 outputs (H100, bench/materials-2026-12-07-refineown-h100), and scored, weakest texture at 64000 steps, form /
 * replaced rung: re-jojo-concrete 50.75 / 43.62, nx-cretewall 44.87 / 41.82, re-un-metal 46.57 / 44.72, re-mp-bricks 37.70 /
 * 35.85, re-pk-wall 40.99 / 41.93 (mean +2.59 dB; -halfbitq-h100). It trains in ~21 s against ~14.5. The 9- and 10-bit
 * forms with that grid stay out: 0.415 / 0.418 ms int8 for 9.5 bits at 6 / 8 outputs, and 10.5 bits is no rung.
 * Their 2-bit codes are a byte each on the GPU as loaded by default: the 8-, 8.5- and 9-bit forms hold 36, 38 and 40 bits
 * a texel there (16, 18 and 18 for the rungs they replace), stored 8, 8.5 and 9; `latents: 'balanced'` or 'packed' hold
 * about or exactly what is stored.
 */
export function highTapsForm(r: Rung): Rung | undefined {
  const f = HIGH_TAPS[rungName({ ...r, hidden: LADDER_HIDDEN })];
  return f ? parseRung(f, r.hidden) : undefined;
}
const HIGH_TAPS: Readonly<Record<string, string>> = {
  's1f1b4+s2f4b4': 's1f3b2+s2f2b4c', 's1f1b4+s2f4b4+s4f4b2': 's1f3b2+s2f2b4c+s4f4b2', 's1f1b4+s2f5b4': 's1f3b2+s2f3b4c', 's1f1b4+s2f6b4': 's1f2b4+s2f2b4c',
};

/**
 * The most outputs a material may have for {@link highTapsForm}: measured with gains at 6 (H200). At 9, on lavapipe crops
 * (bench/materials-2026-12-06-concat9-lavapipe: nx-cp-glow, re-un-darktile-height; 128², 2000 steps), the 8-bit layout beat
 * s1f1b4+s2f4b4 by about 1 dB but lost to its other split s1f1b2+s2f6b4 (36.11 / 36.48, 36.47 / 36.67), and the 10-bit one
 * lost to s1f1b4+s2f6b4 (37.51 / 37.82, 37.40 / 38.29): with more textures to carry, feature count counts for more than
 * texel-scale taps, as at 3 and 3.5 bits ({@link LOW_CONCAT_MAX_CHANNELS}). At 7 and 8 outputs, at 64000 steps on three
 * sets made from those two by leaving one texture out (H100, bench/materials-2026-12-07-seveneight-h100; weakest texture,
 * layout / rung / the rung's other split): 8 bits 39.69 / 38.87 / 40.20, 39.05 / 39.03 / 41.30, 45.20 / 47.43 / 47.59; 10 bits
 * 40.60 / 42.20 / 42.97, 40.20 / 43.12 / 43.45, 46.42 / 49.60 / 49.20: the layouts lose at both, as at 9. At 8.5 bits
 * the layout against the rung: 42.17 / 40.17 and 42.13 / 41.36 at 8 outputs, 47.71 / 48.99 at 7; two of three, too few
 * and too mixed to take for a `--psnr` trial, so 7 and 8 outputs keep the rungs.
 */
export const HIGH_TAPS_MAX_CHANNELS = 6;

/** The layout the ladder puts in a rung's place for a material of `channels` outputs (more than 4), where it has one: fullResForm, tapsTwinForm or, up to {@link HIGH_TAPS_MAX_CHANNELS}, highTapsForm. */
const formOf = (r: Rung, channels: number) => fullResForm(r) ?? tapsTwinForm(r) ?? (channels <= HIGH_TAPS_MAX_CHANNELS ? highTapsForm(r) : undefined);

/** The layout a material of `channels` outputs trains in a rung's place where the ladder has one for it ({@link formOf}) and it decodes within the limits. */
function manyOutputsForm(r: Rung, channels: number, position: PositionChoice): Rung | undefined {
  if (channels <= LOW_CONCAT_MAX_CHANNELS) return undefined;
  const f = formOf(r, channels);
  return f && decodesInTime(f, channels, position) ? f : undefined;
}

/** A rung as the ladder had it for a material of `channels` outputs before any {@link manyOutputsForm}: itself, or where its concatenated taps do not suit the material, its twin or blended form. */
function withoutForm(r: Rung, channels: number, position: PositionChoice): Rung {
  return r.grids.some((g) => g.concat) && (!decodesInTime(r, channels, position) || (isLowConcat(r) && channels > LOW_CONCAT_MAX_CHANNELS)) ? twinFor(r, channels, position) ?? blendedOf(r) : r;
}

/**
 * The ladder as a material of `channels` decoder outputs trains it: a rung whose concatenated taps would decode over
 * the limits (decode-cost.ts: 4K decode + shade within 0.6 ms f32 and 0.4 ms int8 on the H200, estimated from the
 * decoder's multiply-adds on this material) gives way to its twin ({@link twinOf}: its bits as 2-bit codes, blended)
 * where that decodes within the limits, else to its blended form.
 * So s2f5b4c stays for a lone normal map or two normal maps (C ≤ 4), and at 3 and 3.5 bits a material of more than
 * {@link LOW_CONCAT_MAX_CHANNELS} outputs trains the 2-bit rungs (s2f6b2, s2f6b2+s4f4b2), which it decodes in less time
 * too. From 4 to 5 bits such a material trains the rung's {@link fullResForm} (s1f1b2+s2f2b4c, …; 0.398 ms int8 at 8
 * outputs, measured), at 6 and 7 bits its {@link tapsTwinForm} (s1f1b4+s2f2b4c, s1f1b4+s2f3b4c), from 8 to 10 its
 * {@link highTapsForm} (s1f3b2+s2f2b4c, s1f3b2+s2f2b4c+s4f4b2, s1f3b2+s2f3b4c, s1f2b4+s2f2b4c; up to 6 outputs), each
 * with the rung it replaced as its twin where that decodes in time (twinFor). A rung over the limits with no form that is within them is left out: the top rungs at 7 and 8 outputs.
 */
export function ladderFor(ladder: Rung[], channels: number, position: PositionChoice = 'auto'): Rung[] {
  const own = ladder.map((r) => manyOutputsForm(r, channels, position) ?? withoutForm(r, channels, position));
  // What is over the limits even blended is left out (the smallest rung stays): at 7 and 8 outputs the top,
  // s1f4b4+s2f8b4, measured 0.404 ms int8 at 8 (bench/materials-2026-12-06-outputs-h100).
  return own.filter((r, i) => i === 0 || decodesInTime(r, channels, position));
}

/**
 * Stored bits per texel of a rung on a width×height material with `channels` outputs (latents + f16 decoder).
 * `position` defaults to compressMaterial's own default, so a caller who leaves it out on both sides gets the
 * footprint of what is trained (p4 adds two decoder inputs on quarter-resolution rungs).
 */
export function footprintBits(r: Rung, width: number, height: number, channels: number, position: PositionChoice = 'auto'): number {
  const T = width * height, F = featuresOf(r);
  const lat = r.grids.reduce((a, g) => a + 8 * gridBytes({ lw: Math.ceil(width / g.scale), lh: Math.ceil(height / g.scale), features: g.features, bits: g.bits }), 0);
  const dec = 16 * ((F + positionCount(positionFor(r.grids, position))) * r.hidden + r.hidden + r.hidden * r.hidden + r.hidden + r.hidden * channels + channels);
  return (lat + dec) / T;
}

/** The largest rung whose footprint fits `bits` per texel; the smallest when none does. */
export function rungForBits(ladder: Rung[], bits: number, width: number, height: number, channels: number, position: PositionChoice = 'auto'): number {
  let best = 0;
  ladder.forEach((r, i) => { if (footprintBits(r, width, height, channels, position) <= bits + 1e-9) best = i; });
  return best;
}

/** A rung's grids without concatenated taps: the same latents, blended. */
const blendedOf = (r: Rung): Rung => {
  const grids = r.grids.map(({ concat: _, ...g }) => g);
  return rungOf(grids, r.hidden);
};

/**
 * A concatenated rung's bits as 2-bit codes, blended: a half-resolution grid of F 4-bit features becomes 2F 2-bit ones,
 * a full-resolution 4-bit feature a 2-bit one whose other 2 bits a texel become four more half-resolution features, a
 * full-resolution 2-bit feature four half-resolution ones, a quarter-resolution grid stays (s2f4b4c → s2f8b2,
 * s1f1b4+s2f2b4c+s4f4b2 → s1f1b2+s2f8b2+s4f4b2, s1f1b2+s2f2b4c+s4f4b2 → s2f8b2+s4f4b2). Undefined for other layouts or
 * past 16 features.
 */
export function twoBitForm(r: Rung): Rung | undefined {
  let more = 0;
  const grids: GridOption[] = [];
  for (const g of r.grids) {
    if (g.scale === 1 && g.features === 1 && g.bits === 4 && !g.concat) { grids.push({ scale: 1, features: 1, bits: 2 }); more += 4; }
    else if (g.scale === 1 && g.features === 1 && g.bits === 2 && !g.concat) more += 4;
    else if (g.scale === 2 && g.bits === 4) grids.push({ scale: 2, features: 2 * g.features, bits: 2 });
    else if (g.scale === 4 && !g.concat) grids.push({ ...g });
    else return undefined;
  }
  const half = grids.filter((g) => g.scale === 2);
  if (half.length !== 1) return undefined;
  half[0]!.features += more;
  if (grids.reduce((a, g) => a + g.features, 0) > 16) return undefined;
  return rungOf(grids, r.hidden);
}

/**
 * The twin a material of `channels` outputs trains: for the layout the ladder put in a rung's place from 6 to 10 bits
 * ({@link tapsTwinForm}, {@link highTapsForm}), that rung; else {@link twinOf} where it decodes within the limits (decodesInTime),
 * else, for a concatenated rung, its blended form where that does, else none. Twins have two more half-resolution
 * features than their rung where the full-resolution feature has 2-bit codes, so from 6 outputs up some pass the int8
 * limit (s1f1b2+s2f7b4+s4f4b2 and s1f1b2+s2f6b4+s4f4b2 took 0.404 and 0.401 ms at 6, -outputs-h100).
 */
export function twinFor(r: Rung, channels: number, position: PositionChoice = 'auto'): Rung | undefined {
  // The 6- to 10-bit layouts the ladder trains in a rung's place (tapsTwinForm, highTapsForm) pair with the rung it replaced. (A fullResForm's
  // twin, its 2-bit form, is the rung it replaced where that decodes in time.)
  const replaced = channels > LOW_CONCAT_MAX_CHANNELS ? LADDER.find((x) => (tapsTwinForm(x) ?? highTapsForm(x))?.name === r.name && manyOutputsForm(x, channels, position)) : undefined;
  if (replaced) return replaced;
  const t = twinOf(r);
  if (!t || decodesInTime(t, channels, position)) return t;
  const b = r.grids.some((g) => g.concat) ? blendedOf(r) : undefined;
  return b && decodesInTime(b, channels, position) ? b : undefined;
}

/**
 * A mixed rung's twin: the same latent bits split the other way between the two finer grids. A rung whose
 * full-resolution feature has 2-bit codes (s1f1b2+s2f6b4) pairs with one of 4-bit codes and two half-resolution
 * features fewer (s1f1b4+s2f4b4), and back; a quarter-resolution grid is carried over. Which is better depends on
 * the content and the rate (LADDER: the 4-bit feature gained −1.85…+1.15 dB at 6.5 bits, −0.55…+1.94 at 8.5), so
 * the default and --bits train both and keep the better, and --psnr tries the twin of the rung just below its pick.
 * (The first twins, two full-resolution 2-bit features beside 2-bit codes at half resolution, lost to the 4-bit
 * feature in 5 of 6 pairs measured at 6.5 and 9.5 bits, bench/materials-2026-12-03k.) A rung with concatenated taps has
 * its bits as 2-bit codes, blended, as twin ({@link twoBitForm}): with code refinement, 2-bit codes won back much of what
 * 4-bit codes and concatenated taps had won without it (lavapipe, 128² crops; bench/NOTES-materials.md, "Held out"): at
 * 5 bits s2f10b2 against s2f5b4c +1.53 and +2.33 dB on two of three 16-bit sets (−1.77 on the third), at 6.5 bits
 * s1f1b2+s2f8b2+s4f4b2 against s1f1b4+s2f2b4c+s4f4b2 +0.50 … +2.13 on four of five 20-bit sets (−0.37 on the fifth).
 * {@link twinFor} falls back to the blended form where a material cannot decode the 2-bit form in time. None for other
 * single-grid rungs, for a 2-bit rung with under three half-resolution features, or where the twin would pass 16 decoder inputs.
 */
export function twinOf(r: Rung): Rung | undefined {
  if (r.grids.some((g) => g.concat)) return twoBitForm(r) ?? blendedOf(r);
  const [g0, g1, ...rest] = r.grids;
  if (!g0 || !g1 || g0.scale !== 1 || g0.features !== 1 || (g0.bits !== 2 && g0.bits !== 4) || g1.scale !== 2 || g1.bits !== 4) return undefined;
  if (rest.length > 1 || (rest[0] && rest[0].scale !== 4)) return undefined;
  const half = g0.bits === 2 ? g1.features - 2 : g1.features + 2;
  if (half < 1 || 1 + half + (rest[0]?.features ?? 0) > 16) return undefined;
  const grids = [{ scale: 1, features: 1, bits: g0.bits === 2 ? 4 : 2 }, { scale: 2, features: half, bits: 4 }, ...rest.map((g) => ({ ...g }))];
  return rungOf(grids, r.hidden);
}
