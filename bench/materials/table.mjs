#!/usr/bin/env node
// Markdown table of a materials-h200.sh run: per set, the BC baseline (CPU, bc-baseline.json) beside
// `wgml compress` with defaults and with --psnr 40.
//   node bench/materials/table.mjs compress.jsonl bench/materials/bc-baseline.json
import { readFileSync } from 'node:fs';
const [runs, bcFile] = process.argv.slice(2);
const rows = readFileSync(runs, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const bc = Object.fromEntries(JSON.parse(readFileSync(bcFile, 'utf8')).sets.map((s) => [s.set, s]));
const sets = [...new Set(rows.map((r) => r.set))];
const f = (v, d = 2) => (typeof v === 'number' ? v.toFixed(d) : '–');
const cell = (r) => (!r ? '–' : 'error' in r ? 'no result (failed or timed out)' : `${f(r.minPsnr)} / ${f(r.psnr)} dB, ${f(r.bpt)} bpt (${f(r.fracOfBc)} of BC; ${f(r.gpuBpt, 1)} on the GPU${r.gpuBptPacked === undefined ? '' : `, ${f(r.gpuBptPacked, 1)} packed`}), ${f(r.trainSeconds, 1)} s`);
console.log('| set | BC7 + BC5 + BC4: min / overall PSNR at bpt | wgml default: min / overall PSNR, stored bpt (fraction of BC; on the GPU as loaded by default, and with latents packed), train s | wgml --psnr 40: chosen, reached, min PSNR, bpt, s, trials |');
console.log('| --- | --- | --- | --- |');
for (const s of sets) {
  const d = rows.find((r) => r.set === s && r.mode === 'default'), p = rows.find((r) => r.set === s && r.mode === 'psnr40'), b = bc[s];
  const pc = !p ? '–' : 'error' in p ? 'no result (failed or timed out)' : `${p.chosen}, ${p.reached ? 'yes' : '**no**'}, ${f(p.minPsnr)} dB, ${f(p.bpt)} bpt (${f(p.fracOfBc)} of BC), ${f(p.trainSeconds, 1)} s, ${p.trials.length} trials`;
  console.log(`| ${s} | ${b ? `${f(b.minTexturePsnr)} / ${f(b.psnr)} dB at ${b.bcBitsPerTexel}` : '–'} | ${cell(d)} | ${pc} |`);
}
const extra = ['single', 'old', 'nobal', 'noqat'].filter((m) => rows.some((r) => r.mode === m));
if (extra.length) {
  console.log(`\nAblations (min / overall PSNR, stored bpt): single = one half-resolution grid of 12 × 2-bit features (s2f12b2, the 6-bit default before the mixed rungs), old = 4 features × 8 bits at 1/2 (the default before issue 13), nobal = the default without per-texture loss weights, noqat = the default trained in float and quantized afterwards.\n`);
  console.log(`| set | default | ${extra.join(' | ')} |`);
  console.log(`| --- | --- | ${extra.map(() => '---').join(' | ')} |`);
  const c2 = (r) => (!r ? '–' : 'error' in r ? 'no result (failed or timed out)' : `${f(r.minPsnr)} / ${f(r.psnr)} dB, ${f(r.bpt)} bpt`);
  for (const s of sets) console.log(`| ${s} | ${c2(rows.find((r) => r.set === s && r.mode === 'default'))} | ${extra.map((m) => c2(rows.find((r) => r.set === s && r.mode === m))).join(' | ')} |`);
}
const ok = (r, dB, frac) => r && !('error' in r) && r.minPsnr >= dB && r.fracOfBc <= frac;
const d = rows.filter((r) => r.mode === 'default'), p = rows.filter((r) => r.mode === 'psnr40');
console.log(`\nTargets: every set ≥ 35 dB at ≤ 1/3 of BC with defaults: ${d.filter((r) => ok(r, 35, 1 / 3)).length}/${d.length}; --psnr 40 reached at ≤ 1/2 of BC: ${p.filter((r) => ok(r, 40, 1 / 2)).length}/${p.length}; moonshot ≥ 40 dB at ≤ 1/4: ${p.filter((r) => ok(r, 40, 1 / 4)).length}/${p.length}.`);
