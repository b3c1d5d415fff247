#!/usr/bin/env node
// Held-out material sets for checking a ladder change on content no one here tuned on: Red Eclipse's wicked/
// folder (85 sets of colour, normal, specular and height at 512² in Debian's redeclipse-data), every 17th in name
// order, colour + normal + specular as PNG folders read with wgml's own JPEG reader. Not part of the corpus (.corpus):
// nothing is tuned on them; bench/NOTES-materials.md ("Held out") has what they measured.
//   node bench/materials/heldout.mjs [--out /tmp/heldout] [--work /tmp/wgml-corpus] [--every 17]
// Needs redeclipse-data unpacked under --work (node bench/materials/corpus.mjs does that) and dist/ (`npx tsc -p .`).
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readImage, writePng } from '../../dist/shaderml/material/images.js';

const arg = (k, d) => { const i = process.argv.indexOf(k); return i > 0 ? process.argv[i + 1] : d; };
const out = arg('--out', '/tmp/heldout'), work = arg('--work', '/tmp/wgml-corpus'), every = Number(arg('--every', '17'));
const root = join(work, 'redeclipse-data/usr/share/games/redeclipse/data/wicked');
if (!existsSync(root)) throw new Error(`${root} not found: run node bench/materials/corpus.mjs first (it unpacks redeclipse-data there)`);
const files = new Set(readdirSync(root));
const sets = [...files].filter((f) => /^wicked.*n\.jpg$/.test(f)).map((f) => f.slice(0, -5)).sort()
  .filter((b) => files.has(`${b}.jpg`) && files.has(`${b}s.jpg`) && readImage(join(root, `${b}n.jpg`)).width === 512);
for (const b of sets.filter((_, i) => i % every === 0)) {
  mkdirSync(join(out, b), { recursive: true });
  for (const [role, suffix] of [['albedo', ''], ['normal', 'n'], ['spec', 's']]) {
    const im = readImage(join(root, `${b}${suffix}.jpg`));
    writePng(join(out, b, `${role}.png`), im.width, im.height, im.rgba);
  }
  console.log(`${join(out, b)}: albedo, normal, spec`);
}
