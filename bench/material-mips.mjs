// Mip levels of a neural material against the ideal mip, on the CPU:
//   node bench/material-mips.mjs material.wgmat originals-folder
// For each stored mip level m, PSNR against the originals box-filtered to level m of:
//   trained   the level's own latents (`wgml compress --mips`), what `<name>_uv(uv, m)` decodes;
//   naive     level-0 latents box-filtered to level m through the same decoder (what mip-mapping the
//             latent textures would give);
//   ideal     the level-0 decode box-filtered to level m (supersampling: the best a decode can do).
import { readFileSync } from 'node:fs';
import { decodeWgmat } from '../dist/shaderml/material/wgmat.js';
import { loadMaterialFolder } from '../dist/shaderml/material/textures.js';
import { decodeMaterialCpu } from '../dist/shaderml/material/train.js';
import { boxDown, mipPsnr } from '../dist/shaderml/material/mips.js';

const [file, folder] = process.argv.slice(2);
if (!file || !folder) { console.error('usage: node bench/material-mips.mjs material.wgmat originals-folder'); process.exit(2); }
const { material: c } = decodeWgmat(new Uint8Array(readFileSync(file)));
if (!c.mips?.length) { console.error(`${file} has no mip levels: compress with --mips`); process.exit(2); }
const m = loadMaterialFolder(folder);
const trained = mipPsnr(c, m, (lv) => decodeMaterialCpu(c, lv));
const naiveC = { ...c, mips: c.mips.map((l) => ({ ...l, latents: Uint8Array.from(boxDown({ width: c.lw, height: c.lh, channels: c.features, data: Float32Array.from(c.latents) }, l.lw, l.lh).data, Math.round) })) };
const naive = mipPsnr(naiveC, m, (lv) => decodeMaterialCpu(naiveC, lv));
const d0 = { width: c.width, height: c.height, channels: m.channels, data: decodeMaterialCpu(c) };
const ideal = mipPsnr(c, m, (lv) => boxDown(d0, Math.max(1, c.width >> lv), Math.max(1, c.height >> lv)).data);
console.log(`${file}: ${c.width}×${c.height}, latents ${c.lw}×${c.lh}×${c.features}, ${c.mips.length} mip levels`);
trained.forEach((t, i) => console.log(`level ${i + 1} (${c.width >> (i + 1)}×${c.height >> (i + 1)}): trained ${t.toFixed(2)} dB, naive ${naive[i].toFixed(2)} dB, ideal ${ideal[i].toFixed(2)} dB`));
