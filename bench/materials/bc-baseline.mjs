#!/usr/bin/env node
// Block-compression baseline of the material corpus, on the CPU: every texture of every .corpus set
// encoded with real encoders, decoded back, and scored like `wgml compress` scores itself (PSNR over
// the channels wgml stores: colour RGB(A), normal x and y, scalar one, grey with alpha two). Encoders:
// - BC7 (colour): bc7enc_rdo's bc7e (all modes, quality 6 of 6), the `bc7enc` of npm's @gpu-tex-enc/bc 1.0.11 (no BC7
//   encoder is packaged in Debian; until 2026-12-06 colour was scored with its peer ASTC 4×4, still reported);
// - BC5 (normal maps, grey with alpha) and BC4 (scalars): the better of bc7enc's (rgbcx, search radius 5) and Debian's
//   libnvtt-bin 2.0.8 `nvcompress`, per texture;
// - for reference: astcenc `4x4 -thorough` (ASTC 4×4, 8 bits like BC7) and `nvcompress -bc1` for colour.
// Needs `npx tsc -p .` (texture classification from dist/), `apt-get install libnvtt-bin astcenc libomp5-14` and
// `npm install --no-save --prefix /tmp/bc7enc @gpu-tex-enc/bc` (or BC7ENC=path to the binary).
//   node bench/materials/bc-baseline.mjs [.corpus] > bench/materials/bc-baseline.json
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pngjs from 'pngjs';
import { readTga } from './corpus.mjs';
import { loadMaterialFolder, writePng } from '../../dist/shaderml/material/textures.js';

const corpus = process.argv[2] ?? '.corpus';
const psnr = (se, n) => 10 * Math.log10(1 / Math.max(se / n, 1e-12));
const run = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });

/** RGBA8 of texture `i` as wgml read it (from its PNG, so exactly what was trained on). */
function rgbaOf(dir, name) { const p = pngjs.PNG.sync.read(readFileSync(join(dir, `${name}.png`))); return p.data; }

/** Squared error over `chans` channels between two RGBA8 images. */
function se(a, b, chans) {
  let s = 0;
  for (let p = 0; p < a.length / 4; p++) for (const c of chans) s += ((a[p * 4 + c] - b[p * 4 + c]) / 255) ** 2;
  return s;
}

/** One BC4 block (8 bytes at `o`) → 16 values, row-major (the format's two-endpoint palette rule). */
function bc4Block(b, o) {
  const r0 = b[o], r1 = b[o + 1], pal = [r0, r1];
  if (r0 > r1) for (let i = 1; i < 7; i++) pal.push(Math.round(((7 - i) * r0 + i * r1) / 7));
  else { for (let i = 1; i < 5; i++) pal.push(Math.round(((5 - i) * r0 + i * r1) / 5)); pal.push(0, 255); }
  let bits = 0n;
  for (let i = 0; i < 6; i++) bits |= BigInt(b[o + 2 + i]) << BigInt(8 * i);
  return Array.from({ length: 16 }, (_, i) => pal[Number((bits >> BigInt(3 * i)) & 7n)]);
}

/** nvcompress, then decode: BC1/BC3 with nvdecompress; BC4/BC5 here (nvdecompress 2.0.8 returns 255 for BC4). */
function nvtt(src, fmt, tmp, w, h) {
  const dds = join(tmp, `x-${fmt}.dds`);
  if (fmt === 'bc4') {
    // nvcompress 2.0.8 encodes BC4 from the alpha channel: hand it the grey there too.
    const p = pngjs.PNG.sync.read(readFileSync(src));
    for (let i = 0; i < p.width * p.height; i++) p.data[i * 4 + 3] = p.data[i * 4];
    src = join(tmp, 'x-grey-alpha.png');
    writeFileSync(src, pngjs.PNG.sync.write(p));
  }
  run('nvcompress', ['-nomips', `-${fmt}`, src, dds]);
  if (fmt !== 'bc4' && fmt !== 'bc5') { run('nvdecompress', [dds]); return readTga(readFileSync(dds.replace(/\.dds$/, '.tga'))).data; }
  const b = readFileSync(dds), four = b.toString('latin1', 84, 88), out = new Uint8Array(w * h * 4).fill(255);
  if (four !== (fmt === 'bc4' ? 'ATI1' : 'ATI2')) throw new Error(`${dds}: FourCC ${four}`);
  const nb = fmt === 'bc4' ? 8 : 16, bw = Math.ceil(w / 4);
  for (let by = 0; by < Math.ceil(h / 4); by++) for (let bx = 0; bx < bw; bx++) {
    const o = 128 + (by * bw + bx) * nb;
    const chans = fmt === 'bc4' ? [bc4Block(b, o)] : [bc4Block(b, o), bc4Block(b, o + 8)];
    for (let i = 0; i < 16; i++) {
      const x = bx * 4 + (i & 3), y = by * 4 + (i >> 2);
      if (x >= w || y >= h) continue;
      chans.forEach((v, c) => { out[(y * w + x) * 4 + c] = v[i]; });
    }
  }
  return out;
}
const bc7encBin = (() => {
  const candidates = [process.env.BC7ENC, '/tmp/bc7enc/node_modules/@gpu-tex-enc/bc/bin/linux/bc7enc', 'node_modules/@gpu-tex-enc/bc/bin/linux/bc7enc'];
  const bin = candidates.find((c) => c && existsSync(c));
  if (!bin) throw new Error('no bc7enc: `npm install --no-save --prefix /tmp/bc7enc @gpu-tex-enc/bc` (and `apt-get install libomp5-14`), or set BC7ENC');
  return bin;
})();
/** bc7enc (BC7, or BC5 / BC4 from the red and green channels), then its own decode: the unpacked PNG, alpha beside. */
function bc7enc(src, fmt, tmp) {
  // Files of its own: nvtt() writes x-<fmt>.dds in the same folder.
  const png = join(tmp, `bc7enc-${fmt}.png`);
  run(bc7encBin, ['-q', ...(fmt === 'bc5' ? ['-5'] : fmt === 'bc4' ? ['-4'] : []), src, join(tmp, `bc7enc-${fmt}.dds`), png]);
  const out = pngjs.PNG.sync.read(readFileSync(png)).data, alpha = png.replace(/\.png$/, '_alpha.png');
  if (fmt === 'bc7' && existsSync(alpha)) { const a = pngjs.PNG.sync.read(readFileSync(alpha)).data; for (let p = 0; p < out.length / 4; p++) out[p * 4 + 3] = a[p * 4]; }
  return out;
}
function astc(src, tmp) {
  const a = join(tmp, 'x.astc'), png = join(tmp, 'x-astc.png');
  run('astcenc', ['-cl', src, a, '4x4', '-thorough', '-silent']);
  run('astcenc', ['-dl', a, png, '-silent']);
  return pngjs.PNG.sync.read(readFileSync(png)).data;
}

const sets = readdirSync(corpus, { withFileTypes: true }).filter((d) => d.isDirectory() && readdirSync(join(corpus, d.name)).some((f) => f.endsWith('.png'))).map((d) => d.name).sort();
const out = { date: new Date().toISOString().slice(0, 10), encoders: { bc7: 'bc7enc_rdo bc7e, quality 6 (npm @gpu-tex-enc/bc 1.0.11)', bc4_bc5: 'the better of bc7enc_rdo rgbcx and nvcompress (libnvtt-bin 2.0.8) -nomips, per texture', reference: 'astcenc 4x4 -thorough (ASTC 4×4, 8 bpt); nvcompress -bc1' }, sets: [] };
for (const s of sets) {
  const dir = join(corpus, s), m = loadMaterialFolder(dir), tmp = mkdtempSync(join(tmpdir(), 'bc-'));
  const T = m.width * m.height;
  const textures = m.textures.map((t) => {
    const src = join(dir, `${t.name}.png`), orig = rgbaOf(dir, t.name);
    const chans = t.kind === 'normal' ? [0, 1] : t.kind === 'scalar' ? (t.alpha ? [0, 3] : [0]) : t.alpha ? [0, 1, 2, 3] : [0, 1, 2];
    const n = T * chans.length;
    const r = { name: t.name, kind: t.kind, channels: chans.length };
    // BC5/BC4: both encoders, the better kept (each its own decode).
    const best = (srcPng, fmt, orig2, ch) => {
      const nv = se(orig2, nvtt(srcPng, fmt, tmp, m.width, m.height), ch), rg = se(orig2, bc7enc(srcPng, fmt, tmp), ch);
      return { psnr: psnr(Math.min(nv, rg), n), se: Math.min(nv, rg), encoder: rg <= nv ? 'bc7enc' : 'nvcompress', nvcompressPsnr: psnr(nv, n), bc7encPsnr: psnr(rg, n) };
    };
    if (t.kind === 'color') {
      const b7 = se(orig, bc7enc(src, 'bc7', tmp), chans), bc1 = se(orig, nvtt(src, t.alpha ? 'bc3' : 'bc1', tmp, m.width, m.height), chans), a = se(orig, astc(src, tmp), chans);
      Object.assign(r, { psnr: psnr(b7, n), se: b7, format: 'BC7', astcPsnr: psnr(a, n), bc1Psnr: psnr(bc1, n), bits: 8 });
    } else if (t.kind === 'scalar' && t.alpha) {
      // Grey with alpha: BC5 with grey in its first channel and alpha in its second.
      const ga = Uint8Array.from(orig);
      for (let p = 0; p < T; p++) ga[p * 4 + 1] = orig[p * 4 + 3];
      const gaSrc = join(tmp, 'x-ga.png');
      writeFileSync(gaSrc, pngjs.PNG.sync.write(Object.assign(new pngjs.PNG({ width: m.width, height: m.height }), { data: Buffer.from(ga) })));
      Object.assign(r, best(gaSrc, 'bc5', ga, [0, 1]), { format: 'BC5', bits: 8 });
    } else {
      Object.assign(r, best(src, t.kind === 'normal' ? 'bc5' : 'bc4', orig, chans), { format: t.kind === 'normal' ? 'BC5' : 'BC4', bits: t.kind === 'normal' ? 8 : 4 });
    }
    return r;
  });
  rmSync(tmp, { recursive: true });
  // The material at the BC footprint wgml compares against (BC7 + BC5 + BC4): per texture and overall.
  const seBc = textures.reduce((a, t) => a + t.se, 0), nAll = T * textures.reduce((a, t) => a + t.channels, 0);
  const bytes = textures.reduce((a, t) => a + (T * t.bits) / 8, 0);
  out.sets.push({ set: s, width: m.width, height: m.height, bcBytes: bytes, bcBitsPerTexel: (bytes * 8) / T, psnr: +psnr(seBc, nAll).toFixed(2),
    minTexturePsnr: +Math.min(...textures.map((t) => t.psnr)).toFixed(2),
    textures: textures.map(({ se: _e, ...t }) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? +v.toFixed(2) : v]))) });
  console.error(`${s}: ${out.sets.at(-1).psnr} dB (min texture ${out.sets.at(-1).minTexturePsnr} dB) at ${out.sets.at(-1).bcBitsPerTexel} bpt`);
}
console.log(JSON.stringify(out, null, 1));
