/**
 * Picking a material's size: a search over the ladder (ladder.ts). `--bits B` takes the largest rung within B; `--psnr P`
 * bisects the ladder for the smallest rung whose every texture reaches P dB, training one rung per trial. Pure
 * functions: the trainer runs the trials, these decide which and what was found.
 */
import { twinOf } from './ladder.js';
import type { Rung } from './rung.js';

export * from './ladder.js';
export { LADDER_HIDDEN, parseRung, rungName, rungOf, type Rung } from './rung.js';

export interface Trial {
  /** Index into the ladder. */
  rung: number;
  /** PSNR of each texture (dB). */
  psnr: number[];
  seconds?: number;
}

export const passes = (t: Trial, target: number) => t.psnr.every((p) => p >= target);

/**
 * The next rung to train, or null when the search is done: the first trial at `start`, then
 * bisection between the largest failing and the smallest passing rung tried (quality is taken to
 * grow with the rung; a rung above a passing one is never tried).
 */
export function nextTrial(ladder: Rung[], trials: Trial[], target: number, start: number): number | null {
  if (!trials.length) return Math.min(Math.max(0, start), ladder.length - 1);
  const tried = new Set(trials.map((t) => t.rung));
  const fail = Math.max(-1, ...trials.filter((t) => !passes(t, target)).map((t) => t.rung));
  const pass = Math.min(ladder.length, ...trials.filter((t) => passes(t, target)).map((t) => t.rung));
  if (pass - fail <= 1) return null;
  const mid = Math.floor((fail + pass) / 2);
  if (mid <= fail || mid >= pass || tried.has(mid)) return null;
  return mid;
}

/**
 * The next rung below a first trial that missed the target by at most {@link NEAR_MISS_DB}, or null: bisection below it
 * as if it had passed, before the search climbs from it. The ladder is not monotone where its layout changes between
 * rungs, and a near miss says a rung below may pass: on nx-cretewall (H100, 2026-12-06) the 6.5-bit rung's trial
 * scored 39.68 dB and the 5-bit one (a full-resolution 2-bit feature beside concatenated taps) 40.53, while bisection
 * climbed from 6.5 bits and shipped them. When a rung below passes, the search ends there (its pick is then below the
 * first trial, which failed); when none does, it climbs as before, a few trials later.
 */
export function nextProbeBelow(ladder: Rung[], trials: Trial[], target: number, nearMiss = NEAR_MISS_DB): number | null {
  const first = trials[0];
  if (!first || passes(first, target) || target - Math.min(...first.psnr) > nearMiss) return null;
  return nextTrial(ladder, [{ rung: first.rung, psnr: [Infinity] }, ...trials.filter((t) => t.rung < first.rung)], target, first.rung);
}

/** The smallest passing trial's rung, or null when none reached the target. */
export function pickSmallest(trials: Trial[], target: number): number | null {
  const ok = trials.filter((t) => passes(t, target)).map((t) => t.rung);
  return ok.length ? Math.min(...ok) : null;
}

/**
 * `--psnr`: how far a trial may miss the target and count as a near miss. A near miss below the pick trains once more
 * with the final steps ({@link searchFinalSteps}) and is chosen if it then passes; a first trial that is one is
 * bisected below ({@link nextProbeBelow}). Eight times a trial's steps moved the weakest texture −0.25…+1.74 dB over 32
 * pairs (median +0.52; H100, 2026-12-06, latents with noise to the end). Near misses trained so at 64000 steps passed
 * from misses of 1.03, 1.10 and 1.18 dB (re-un-grate, nx-cp-glow, re-jojo-concrete: 4.11 bpt for 5.12, 8.10 for 9.10,
 * 4.10 for 4.61) and failed from six others of 0.69–1.22 and three of 1.37–1.43 (one at 128000 steps). A failed one
 * costs time only (one 64000-step training, 12–16 s at 512²; re-pk-wall's search took 56.9 s with the probe below its
 * first trial), so the margin sits above the largest miss seen made up rather than at the median gain (0.5 until then;
 * bench/NOTES-materials.md, "A wider near miss").
 */
export const NEAR_MISS_DB = 1.25;

/** The most steps a `--psnr` search's last training takes: 4× a 2048² trial, so six trials, a near miss and the last
 * training stay within five minutes there (~22 s a trial, ~50 s a 128000-step training on the H100). */
export const SEARCH_FINAL_MAX_STEPS = 128000;

/**
 * The steps of a `--psnr` search's last training, and of a near miss, as a multiple of a trial's: the chosen rung is
 * trained again as one configuration is ({@link ONE_CONFIG_STEPS}×), so `--psnr` gives what the default gives at the
 * same size, but at most {@link SEARCH_FINAL_MAX_STEPS} steps; 1 (no retraining) when a trial already takes that many.
 */
export const searchFinalSteps = (trialSteps: number) => Math.max(1, Math.min(ONE_CONFIG_STEPS, Math.floor(SEARCH_FINAL_MAX_STEPS / trialSteps)));

/**
 * One configuration trained on its own (the default, --bits, a rung by hand) trains this many times the steps of a
 * --psnr trial. On the H100 (2026-12-06, the 6.5-bit rung) the weakest texture went from 16000 to 32000 to 48000 steps:
 * re-mp-bricks 34.45, 34.63, 34.89 dB; re-pk-wall 39.41, 39.64, 39.70; nx-cretewall 40.58, 41.25, 41.29
 * (bench/materials-2026-12-06-steps-h100). With the fused weight gradient and the chunks read while the next one runs
 * (trainer.ts), 64000 steps (8×) train the rung and its twin in 28 s at 512² and 256000 in 201 s at 2048²; against 4×:
 * bricks 34.53 → 34.81, re-pk-wall 39.69 → 39.81, nx-cretewall 41.45 → 41.53, re-wickedrock19-2k 37.56 → 38.09
 * (bench/materials-2026-12-06-steps8-h100). 16× gave bricks' rung 34.92 (27 s alone): the gain halves each doubling, and
 * 2048² would pass its five minutes. Searches keep 8000 a trial (four to six trials), then train their pick as one
 * configuration is ({@link searchFinalSteps}).
 */
export const ONE_CONFIG_STEPS = 8;

/**
 * Training steps of a `--psnr` trial (`oneConfig` false) or of one configuration trained on its own: 8000 up to 512²,
 * ×√(texels / 512²) above so each texel is seen as often (a step is a fixed batch), at most ×4; ×{@link ONE_CONFIG_STEPS}
 * for one configuration.
 */
export function trainingSteps(width: number, height: number, oneConfig: boolean): number {
  const trial = Math.round(8000 * Math.min(4, Math.max(1, Math.sqrt((width * height) / 262144))));
  return oneConfig ? ONE_CONFIG_STEPS * trial : trial;
}

/** Options of one training: `steps` scales the material's steps (and fine-tuning steps). */
export interface TrainOptions { steps?: number }

/** One trained configuration, as the search sees it: `stepSeconds` is the part of `seconds` that grows with the steps. */
export interface Trained<T> { psnr: number[]; seconds: number; stepSeconds?: number; result: T }

export interface SearchOutcome<T> {
  chosen: Rung;
  result: T;
  /** --psnr only: whether the chosen rung reaches the target on every texture. */
  reached?: boolean;
  trials: { rung: Rung; psnr: number[]; seconds: number; stepSeconds?: number; result: T; pass?: boolean; steps?: number }[];
  /** With a time limit: the steps left out to stay within it, each with the estimate that ruled it out. */
  skipped?: string[];
}

const minOf = (p: number[]) => Math.min(...p);

/**
 * What a `--psnr` search has spent and what its next steps will take, from the trainings it ran (`done`, as they grow):
 * a trial as long as its longest so far; a rung's training with ×`long` steps as its trial, plus `long` − 1 times the part
 * of it that grows with the steps (`stepSeconds`: H100, re-pk-wall's 7.5-bit rung, trial 3.3 s of which 1.79 s the
 * training and fine-tuning steps: 15.8 s estimated, 15.0 measured; re-wickedrock19-2k at 2048², ×4: 61.5 and 59.5), else
 * 0.7 × `long` times its trial (64000 steps took 4.5–5× an 8000-step trial at 512²).
 */
export function searchClock(done: readonly { rung: Rung; seconds: number; stepSeconds?: number; steps?: number }[], long: number) {
  const trials = () => done.filter((x) => !x.steps);
  const trial = () => Math.max(0, ...trials().map((x) => x.seconds));
  return {
    spent: () => done.reduce((a, x) => a + x.seconds, 0),
    trial,
    /** The training of `r` with the final steps; 0 where there is none (`long` 1). */
    final: (r: Rung) => {
      if (long <= 1) return 0;
      const t = trials().find((x) => x.rung.name === r.name);
      if (!t) return 0.7 * long * trial();
      return t.stepSeconds === undefined ? 0.7 * long * t.seconds : t.seconds + (long - 1) * t.stepSeconds;
    },
  };
}

/**
 * The seconds the trainings of a width×height material may take by default (`wgml compress --time-limit`): 60 up to 512²,
 * 300 at 2048² (issue 13's limits, a `--psnr` search included), between and above as texels^0.58 (the power that joins
 * the two).
 */
export function searchSeconds(width: number, height: number): number {
  return 60 * Math.max(1, (width * height) / 262144) ** (Math.log(5) / Math.log(16));
}

/**
 * The search as a flow over an injected trainer (the CLI trains on the GPU; tests pass a function of the rung).
 * - `target` (--psnr): bisect the ladder from `start` (below it first when it missed by at most `nearMiss`,
 *   {@link nextProbeBelow}). Then the twin of the largest failing rung below the pick (or of the largest rung tried when
 *   none passed) gets one more trial when it is smaller than the pick. When it passes, the untried rungs between that
 *   failing rung and the failing one below it are bisected as if the failing rung had passed (re-pk-wall, H100 2026-12-07:
 *   the 8-bit layout failed at 39.08 where its twin passed, and the 7.5-bit rung below it, which passes, went untried),
 *   and the smallest pass among them, else the twin, is chosen. When that twin fails, the twin of the closest other
 *   failing rung below the pick gets a trial too, if it is new and smaller than the pick, and is taken as the first would
 *   be (re-wickedrock19-2k, H100 2026-12-07: the 8.5-bit layout scored 38.15, the 9-bit one 37.26 and its twin 38.55; the
 *   8.5-bit layout's twin, the rung it replaced, 39.52, a near miss that passed at the final steps; without it the search
 *   shipped 9.51 bits a texel for 8.51). Then one near miss:
 *   of the failing trials smaller than the pick (the twins tried among them) that missed by at most `nearMiss`
 *   ({@link NEAR_MISS_DB}), the closest (the smaller on a tie) trains once more with `finalSteps` times the steps and is chosen when it passes
 *   (nx-cretewall: its 6.5-bit trial missed 40 dB by 0.32, the 8-bit one by as much, and an 8-bit twin shipped where
 *   the 6.5-bit rung reaches 41.11 dB). Otherwise the pick (or, when nothing passed, the closest rung tried) trains once
 *   more with `finalSteps` times the steps, and the better of its two trainings by the weakest texture is the result:
 *   trials are short, and what ships is trained as the default is.
 * - `timeLimit` (--psnr): the trainings together stay within it where the search can do without a step: once a rung
 *   passed, a trial, a twin, a near miss or the last training that would take them past it (by {@link searchClock}'s
 *   estimate) is left out and named in `skipped`, and the search goes on to its outcome with what it has (the last
 *   training left out, the passing trial ships). Until a rung passed, bisection goes on whatever the time.
 * - otherwise (`start` is the rung --bits or the default fits, or a rung by hand): train it, and its twin when
 *   `twins` and it has one within the budget (and, with `timeLimit`, the time for it); keep the one whose weakest texture
 *   is better (the rung on a tie).
 */
export async function runSearch<T>(o: {
  ladder: Rung[]; start: number | Rung; target?: number; twins: boolean; train: (r: Rung, label: string, opts?: TrainOptions) => Promise<Trained<T>>;
  /** A rung's twin on this material (default twinOf; the CLI gives twinFor, which knows its decode cost). */
  twin?: (r: Rung) => Rung | undefined;
  /** Stored bits per texel of a rung on this material; a twin's decoder may have more inputs, so it is checked against the budget. */
  footprint: (r: Rung) => number;
  /** --bits or the default's budget (bits per texel): a twin over it is not trained. */
  budget?: number;
  /** --psnr: the last training's steps as a multiple of a trial's ({@link searchFinalSteps}; default ONE_CONFIG_STEPS); 1: none. */
  finalSteps?: number;
  /** --psnr: how far below the target (dB) a trial may miss and still count as a near miss (default {@link NEAR_MISS_DB}). */
  nearMiss?: number;
  /** --psnr: bisect below a failing rung whose twin passed (default true; false: the search before 2026-12-07, for replays). */
  belowTwin?: boolean;
  /** --psnr: a second twin when the first failed (default true; false: the search before the 8.5-bit layout, for replays). */
  secondTwin?: boolean;
  /**
   * Seconds the trainings may take together (default: no limit; the CLI gives {@link searchSeconds}). A step the search
   * could do without (with `target`: a trial once a rung passed, a twin, a near miss, the last training; without: the
   * twin) is left out when the trainings so far and its estimate would pass the limit; the outcome's `skipped` names it.
   */
  timeLimit?: number;
}): Promise<SearchOutcome<T>> {
  const out: SearchOutcome<T>['trials'] = [], twin = o.twin ?? twinOf;
  const run = async (r: Rung, label: string, opts?: TrainOptions) => {
    const t = await o.train(r, label, opts);
    out.push({ rung: r, psnr: t.psnr, seconds: t.seconds, ...(t.stepSeconds !== undefined ? { stepSeconds: t.stepSeconds } : {}), result: t.result, ...(o.target !== undefined ? { pass: minOf(t.psnr) >= o.target } : {}), ...(opts?.steps ? { steps: opts.steps } : {}) });
    return t;
  };
  const long = o.target === undefined ? 1 : Math.max(1, o.finalSteps ?? ONE_CONFIG_STEPS);
  // The time limit: a step that can be done without, which would take the trainings past it, is left out and said. Steps
  // come in the search's order, so a smaller size found comes before the pick's last training, which only adds quality
  // above the target (its trial passed and ships when it is left out).
  const limit = o.timeLimit ?? Infinity, clock = searchClock(out, long), skipped: string[] = [];
  const afford = (what: string, seconds: number) => {
    if (clock.spent() + seconds <= limit) return true;
    const f = (v: number) => v.toFixed(1);
    skipped.push(`${what}: ${f(clock.spent())} s trained + ~${f(seconds)} s would pass the ${f(limit)}-s time limit`);
    return false;
  };
  const outcome = (x: SearchOutcome<T>): SearchOutcome<T> => (skipped.length ? { ...x, skipped } : x);
  if (o.target === undefined) {
    const r = typeof o.start === 'number' ? o.ladder[o.start]! : o.start;
    const a = await run(r, '');
    const tw = o.twins ? twin(r) : undefined;
    // The twin is trained as long as the rung: about its seconds again.
    if (!tw || o.footprint(tw) > Math.max(o.budget ?? Infinity, o.footprint(r)) || !afford(`twin ${tw.name}`, a.seconds)) return outcome({ chosen: r, result: a.result, trials: out });
    const b = await run(tw, `twin ${tw.name}: `);
    return minOf(b.psnr) > minOf(a.psnr) ? { chosen: tw, result: b.result, trials: out } : { chosen: r, result: a.result, trials: out };
  }
  const target = o.target, start = typeof o.start === 'number' ? o.start : 0;
  const nearMiss = o.nearMiss ?? NEAR_MISS_DB;
  const trials: Trial[] = [], trained = new Map<number, Trained<T>>();
  const next = () => nextProbeBelow(o.ladder, trials, target, nearMiss) ?? nextTrial(o.ladder, trials, target, start);
  for (let r = next(); r !== null; r = next()) {
    // Once a rung passed, a trial only looks for a smaller one.
    const p = pickSmallest(trials, target);
    if (p !== null && !afford(`trial ${o.ladder[r]!.name} (bisection)`, clock.trial())) break;
    const t = await run(o.ladder[r]!, `trial ${out.length + 1} ${o.ladder[r]!.name}: `);
    trials.push({ rung: r, psnr: t.psnr });
    trained.set(r, t);
  }
  // The last training: the rung again with the final steps, keeping the better of its two by the weakest texture.
  const finish = async (rung: Rung, first: Trained<T>): Promise<SearchOutcome<T>> => {
    let best = first;
    if (long > 1 && afford(`last training of ${rung.name} (×${long} steps; its trial ships)`, clock.final(rung))) {
      const t = await run(rung, `final ${rung.name} (×${long} steps): `, { steps: long });
      if (minOf(t.psnr) >= minOf(first.psnr)) best = t;
    }
    return outcome({ chosen: rung, result: best.result, reached: minOf(best.psnr) >= target, trials: out });
  };
  const pick = pickSmallest(trials, target);
  const below = trials.filter((t) => !passes(t, target) && (pick === null || t.rung < pick)).map((t) => t.rung);
  const smallerThanPick = (r: Rung) => pick === null || o.footprint(r) < o.footprint(o.ladder[pick]!);
  // Twins: of the largest failing rung below the pick, then, when that twin failed, of the closest other failing rung
  // below the pick whose twin is new and smaller than the pick (secondTwin).
  const twinsTried: { rung: Rung; t: Trained<T> }[] = [];
  const f = below.length ? Math.max(...below) : -1;
  const closeness = (r: number) => minOf(trained.get(r)!.psnr);
  const order = f < 0 || !o.twins ? [] : [f, ...(o.secondTwin === false ? [] : below.filter((r) => r !== f).sort((a, b) => closeness(b) - closeness(a) || b - a))];
  for (const g of order) {
    if (twinsTried.length === 2 || (g !== f && !twinsTried.length)) break;
    const tw = twin(o.ladder[g]!);
    if (!tw || !smallerThanPick(tw) || (g !== f && out.some((x) => x.rung.name === tw.name))) continue;
    if (!afford(`trial ${tw.name} (twin of ${o.ladder[g]!.name})`, clock.trial())) break;
    const t = await run(tw, `trial ${out.length + 1} ${tw.name} (twin${g === f ? '' : ` of ${o.ladder[g]!.name}`}): `);
    twinsTried.push({ rung: tw, t });
    if (minOf(t.psnr) < target) continue;
    if (o.belowTwin === false) return finish(tw, t);
    // The ladder is not monotone there (g failed, its twin of about its bits passed): rungs between the largest failing
    // one below g and g were never tried, as if g had been a pass. Bisect them; a pass there is smaller than the twin.
    const asPassed: Trial[] = [...trials.filter((x) => x.rung < g), { rung: g, psnr: [Infinity] }];
    for (let r = nextTrial(o.ladder, asPassed, target, start); r !== null; r = nextTrial(o.ladder, asPassed, target, start)) {
      if (!afford(`trial ${o.ladder[r]!.name} (below ${o.ladder[g]!.name})`, clock.trial())) break;
      const x = await run(o.ladder[r]!, `trial ${out.length + 1} ${o.ladder[r]!.name} (below ${o.ladder[g]!.name}, whose twin passed): `);
      asPassed.push({ rung: r, psnr: x.psnr });
      trained.set(r, x);
    }
    const below2 = pickSmallest(asPassed.filter((x) => x.rung < g), target);
    return below2 !== null && o.footprint(o.ladder[below2]!) < o.footprint(tw) ? finish(o.ladder[below2]!, trained.get(below2)!) : finish(tw, t);
  }
  // One near miss at most: of the failing trials smaller than the pick (the twins tried among them), the closest to the
  // target (the smaller on a tie) trains once more with the final steps, and is taken if it passes. Bisection can leave
  // one below f as close as f (a rung above it was tried after), and the closest is the likeliest to pass.
  if (pick !== null && long > 1) {
    const near = [...below.map((r) => ({ rung: o.ladder[r]!, min: closeness(r) })), ...twinsTried.map((x) => ({ rung: x.rung, min: minOf(x.t.psnr) }))]
      .filter((c) => target - c.min <= nearMiss && smallerThanPick(c.rung))
      .sort((x, y) => y.min - x.min || o.footprint(x.rung) - o.footprint(y.rung))[0];
    if (near && afford(`near miss ${near.rung.name} (×${long} steps)`, clock.final(near.rung))) {
      const t = await run(near.rung, `trial ${out.length + 1} ${near.rung.name} (near miss, ×${long} steps): `, { steps: long });
      if (minOf(t.psnr) >= target) return outcome({ chosen: near.rung, result: t.result, reached: true, trials: out });
    }
  }
  if (pick !== null) return finish(o.ladder[pick]!, trained.get(pick)!);
  // Nothing reached the target: the closest of the largest rung tried and the twins tried, trained once more.
  const r = Math.max(...trials.map((t) => t.rung));
  const best = twinsTried.reduce((a, x) => (minOf(x.t.psnr) > minOf(a.t.psnr) ? x : a), { rung: o.ladder[r]!, t: trained.get(r)! });
  return finish(best.rung, best.t);
}
