#!/usr/bin/env node
// Real game materials for `wgml compress`: three 512×512 sets (diffuse, normal, gloss) from Debian's
// nexuiz-textures package (GPL-2+), converted from uncompressed TGA to PNG folders. They are ~3.5 MB
// as PNG, so they are extracted rather than committed:
//   apt-get download nexuiz-textures && dpkg -x nexuiz-textures_*.deb /tmp/nexuiz
//   node examples/materials/nexuiz/extract.mjs /tmp/nexuiz/usr/share/games/nexuiz/data/textures.pk3 .mats
// writes .mats/<set>/{albedo,normal,gloss}.png. Needs the `unzip` command.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pngjs from 'pngjs';

export const SETS = ['eX_cretewall_01', 'eX_clangfloor_01', 'eX_cretebase_01'];
const ROLES = [['', 'albedo'], ['_norm', 'normal'], ['_gloss', 'gloss']];

/** Uncompressed TGA (type 2, 24/32 bpp; type 3, 8-bit grey) → RGBA, top row first. */
function readTga(b) {
  const idLen = b[0], type = b[2], w = b.readUInt16LE(12), h = b.readUInt16LE(14), bpp = b[16], desc = b[17];
  const grey = type === 3 && bpp === 8;
  if (!grey && (type !== 2 || (bpp !== 24 && bpp !== 32))) throw new Error(`TGA type ${type}/${bpp} bpp is not supported`);
  const px = bpp / 8, topDown = (desc & 0x20) !== 0, out = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) {
    const sy = topDown ? y : h - 1 - y;
    for (let x = 0; x < w; x++) {
      const s = 18 + idLen + (sy * w + x) * px, d = (y * w + x) * 4;
      if (grey) { out.fill(b[s], d, d + 3); out[d + 3] = 255; continue; }
      out[d] = b[s + 2]; out[d + 1] = b[s + 1]; out[d + 2] = b[s]; out[d + 3] = px === 4 ? b[s + 3] : 255;
    }
  }
  return { w, h, data: out };
}

const [pk3, dest = '.mats'] = process.argv.slice(2);
if (!pk3) { console.error('usage: extract.mjs <textures.pk3> [dest]'); process.exit(2); }
for (const set of SETS) {
  mkdirSync(join(dest, set), { recursive: true });
  for (const [suffix, role] of ROLES) {
    const t = readTga(execFileSync('unzip', ['-p', pk3, `textures/eX/${set}${suffix}.tga`], { maxBuffer: 1 << 26 }));
    // Gloss maps are stored as RGB greys; make them exactly grey so they load as one channel (BC4).
    if (role === 'gloss') for (let i = 0; i < t.w * t.h; i++) { const g = Math.round((t.data[i * 4] + t.data[i * 4 + 1] + t.data[i * 4 + 2]) / 3); t.data.fill(g, i * 4, i * 4 + 3); }
    const png = new pngjs.PNG({ width: t.w, height: t.h });
    png.data = t.data;
    writeFileSync(join(dest, set, `${role}.png`), pngjs.PNG.sync.write(png));
  }
  console.log(`${dest}/${set}: albedo, normal, gloss`);
}
