// Replays the --psnr 40 searches of the 512² sets at other near-miss margins (search.ts runSearch, `nearMiss`), from
// trainings measured on the H100: the 8000-step trials of bench/materials-2026-12-06-noise-h100 and every 64000-step
// training of the same rungs (-noise-h100's finals, -noiselast-h100, -reststeps-h100, -near-h100), then the searches run
// whole at the 1.25-dB margin (-h200table-h100), the 7-bit layouts' trainings (-seven-h100), the 8–10-bit layouts'
// (-concathigh-h200), re-pk-wall's search run whole with them (2026-12-07-concathigh2-h100) and two searches run whole
// with the bisection below a failing rung whose twin passed (2026-12-07-belowtwin-h100) and the searches that meet the
// 8.5-bit layout of 5–6-output materials, run whole on the build that admitted it (2026-12-07-halfbitadmit-h100), and those
// that a second twin changes, run whole with it (2026-12-07-secondtwin-h100). Trials are
// deterministic (same seed and steps: the same PSNR to the hundredth on a second H100), so a replayed search is the
// search that would run, as long as it asks only for trainings measured; it says which it lacks ("?").
//   node bench/materials/near-replay.mjs [margin ...]      a line per set and margin (needs `npx tsc -p .`)
//   node bench/materials/near-replay.mjs --rows 1.25       table rows (compress.jsonl form) of the searches it can replay
// test/material-search-replay.test.ts runs the same replay against src/.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bench = fileURLToPath(new URL('..', import.meta.url));
/** Channels of the 512² sets as the corpus loads them (colour 3, normal 2, scalar 1). */
export const CHANNELS = { 'npm-pm-normal-pair': 4, 'npm-pm-normal-rock': 2, 'nx-bigplate': 6, 'nx-cp-glow': 9, 'nx-cretewall': 6, 'nx-metalplate': 6, 'nx-simplines': 6, 're-jojo-concrete': 6, 're-mp-bricks': 6, 're-pk-floor': 6, 're-pk-panels': 6, 're-pk-wall': 6, 're-torley-marble': 4, 're-un-darktile-height': 9, 're-un-grate': 4, 're-un-metal': 6 };

/**
 * The recorded trainings: `known` by "set|rung|1" (a trial) or "set|rung|8" (64000 steps) → { min, seconds, row } (row:
 * the compress.jsonl line whose pick it was, for its textures), the first recorded kept; `search` the recorded --psnr 40
 * run of each set (at the 0.5-dB margin); `current` those run whole on the build of the 8–10-bit layouts (ladder.ts
 * highTapsForm, at NEAR_MISS_DB, before `belowTwin`); `whole` those run whole with `belowTwin` too; `admitted` those run
 * whole with the 8.5-bit layout too (highTapsForm's s1f3b2+s2f2b4c+s4f4b2), and without a second twin where the second twin
 * changes the search; `twin2` those run whole with it (every rule of runSearch now); `bc` the BC baseline's bits per texel by set.
 */
export function traces() {
  const rows = (f) => readFileSync(`${bench}materials-${f.includes('2026-') ? f : `2026-12-06-${f}`}/compress.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const bc = Object.fromEntries(JSON.parse(readFileSync(`${bench}materials/bc-baseline.json`, 'utf8')).sets.map((b) => [b.set, b.bcBitsPerTexel]));
  const known = new Map(), search = new Map(), current = new Map(), whole = new Map(), admitted = new Map(), twin2 = new Map();
  for (const src of ['noise-h100', 'noiselast-h100', 'reststeps-h100', 'near-h100', 'h200table-h100', 'seven-h100', 'concathigh-h200', '2026-12-07-concathigh2-h100', '2026-12-07-belowtwin-h100', '2026-12-07-halfbitadmit-h100', '2026-12-07-secondtwin-h100']) for (const d of rows(src)) {
    if (d.mode === 'psnr40' && src === 'noise-h100') search.set(d.set, d);
    if (d.mode === 'psnr40' && src === '2026-12-07-concathigh2-h100') current.set(d.set, d);
    if (d.mode === 'psnr40' && src === '2026-12-07-belowtwin-h100') whole.set(d.set, d);
    if (d.mode === 'psnr40' && src === '2026-12-07-halfbitadmit-h100') admitted.set(d.set, d);
    if (d.mode === 'psnr40' && src === '2026-12-07-secondtwin-h100') twin2.set(d.set, d);
    if (/128$/.test(d.mode)) continue; // 128000 steps: not a training the search runs
    for (const t of d.trials) {
      const m = t.match(/^(.+?)(x8)?:([\d.]+)([+-]?)@([\d.]+)s$/);
      const long = !!m[2] || d.mode !== 'psnr40' && d.mode !== 'near125';
      // Printed to the hundredth: a trial that failed at 39.998 reads 40.00-.
      const min = m[4] === '-' && +m[3] >= 40 ? 39.999 : +m[3];
      const key = `${d.set}|${m[1]}|${long ? 8 : 1}`;
      // The part of its seconds that grows with the steps: training and fine-tuning (phases setup/train/refine/finetune/score).
      const ph = d.phases?.[d.trials.indexOf(t)]?.split('/').map(Number);
      if (!known.has(key)) known.set(key, { min, seconds: +m[5], ...(ph ? { stepSeconds: ph[1] + ph[3] } : {}), row: d.chosen === m[1] && (long || d.mode === 'psnr40') ? d : undefined });
    }
  }
  return { known, search, current, whole, admitted, twin2, bc };
}

/**
 * One set's --psnr 40 search replayed through `S` (the search module: dist's or src's) at margin `nearMiss` (and, with
 * `belowTwin` false, without the bisection below a failing rung whose twin passed, as the searches ran until 2026-12-07;
 * with `secondTwin` false, without a second twin, as they ran until the 8.5-bit layout; by default as `belowTwin`; with
 * `timeLimit`, held to it as the CLI holds a search, from the recorded seconds): the outcome, the trainings it used (`k`
 * undefined where none was recorded) and those it lacked.
 */
export async function replay(S, t, set, nearMiss, belowTwin = true, secondTwin = belowTwin, timeLimit = Infinity) {
  const C = CHANNELS[set], ladder = S.ladderFor(S.LADDER.map((r) => ({ ...r, hidden: S.LADDER_HIDDEN })), C, 'auto');
  const bcb = t.bc[set], fp = (r) => S.footprintBits(r, 512, 512, C, 'auto');
  const missing = [], used = [];
  const o = await S.runSearch({
    ladder, start: S.rungForBits(ladder, bcb / 3, 512, 512, C, 'auto'), target: 40, twins: true, footprint: fp, budget: bcb / 3, twin: (r) => S.twinFor(r, C, 'auto'), finalSteps: 8, nearMiss, belowTwin, secondTwin, timeLimit,
    train: async (r, _label, opts) => {
      const k = t.known.get(`${set}|${r.name}|${opts?.steps ?? 1}`);
      if (!k) missing.push(`${opts?.steps ? 'x8 ' : ''}${r.name}`);
      used.push({ rung: r.name, steps: opts?.steps, k });
      return { psnr: [k?.min ?? -Infinity], seconds: k?.seconds ?? 0, ...(k?.stepSeconds !== undefined ? { stepSeconds: k.stepSeconds } : {}), result: k };
    },
  });
  return { o, missing, used, bits: fp(o.chosen), bcb };
}

async function main() {
  const S = await import('../../dist/shaderml/material/search.js'), t = traces(), args = process.argv.slice(2);
  if (args[0] === '--rows') {
    const nm = +args[1];
    for (const set of Object.keys(CHANNELS)) {
      const { o, missing, used, bits, bcb } = await replay(S, t, set, nm);
      if (missing.length) { console.error(`${set}: not replayable at ${nm} (no ${missing.join(', ')})`); continue; }
      const rec = t.search.get(set), row = o.result.row ?? (o.chosen.name === rec.chosen ? rec : undefined);
      if (!row) { console.error(`${set}: the pick's textures were not recorded`); continue; }
      const trials = used.map((u) => `${u.rung}${u.steps ? 'x8' : ''}:${(Math.floor(u.k.min * 100) / 100).toFixed(2)}${u.k.min >= 40 ? '+' : '-'}@${u.k.seconds.toFixed(1)}s`);
      // The search's own time beyond its trainings (loading, scoring set-up), as the recorded search spent it.
      const overhead = rec.trainSeconds - rec.trials.reduce((a, x) => a + +x.match(/@([\d.]+)s$/)[1], 0);
      const trainSeconds = +(overhead + used.reduce((a, u) => a + u.k.seconds, 0)).toFixed(1);
      console.log(JSON.stringify({ set, mode: 'psnr40', chosen: o.chosen.name, reached: o.reached, psnr: row.psnr, tex: row.tex, minPsnr: o.result.min, bpt: +bits.toFixed(3), gpuBpt: row.gpuBpt, gpuBptPacked: +bits.toFixed(3), bcBpt: bcb, fracOfBc: +(bits / bcb).toFixed(3), trainSeconds, trials, source: `replay ${nm}` }));
    }
    return;
  }
  for (const set of Object.keys(CHANNELS)) {
    const line = [];
    for (const nm of (args.length ? args : ['0.5', '1', '1.25', '1.5']).map(Number)) {
      const { o, missing, used, bits } = await replay(S, t, set, nm);
      line.push(`${nm}: ${o.chosen.name} ${bits.toFixed(2)} bpt, ${used.reduce((a, u) => a + (u.k?.seconds ?? 0), 0).toFixed(1)} s${missing.length ? ` ?${missing.join(',')}` : ''}`);
    }
    console.log(set.padEnd(22), line.join(' | '));
  }
}
if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
