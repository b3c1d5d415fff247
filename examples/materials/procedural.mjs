#!/usr/bin/env node
// Procedural material sets for the showcase (albedo, normal, roughness PNGs, 128×128, tileable):
// floor tiles, pale veined stone, wooden planks. The showcase's neural materials are these folders
// compressed by `wgml compress` (see examples/materials/README.md):
//   node examples/materials/procedural.mjs [dest=examples/materials]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pngjs from 'pngjs';

const N = 128;

/** Tileable value noise: a period-`p` lattice of seeded values, smoothly interpolated. */
function noise(seed, p) {
  let s = seed >>> 0 || 1;
  const r = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
  const g = Array.from({ length: p * p }, r);
  const at = (i, j) => g[(((j % p) + p) % p) * p + (((i % p) + p) % p)];
  const sm = (t) => t * t * (3 - 2 * t);
  return (x, y) => {
    const fx = (x / N) * p, fy = (y / N) * p, i = Math.floor(fx), j = Math.floor(fy), a = sm(fx - i), b = sm(fy - j);
    return (at(i, j) * (1 - a) + at(i + 1, j) * a) * (1 - b) + (at(i, j + 1) * (1 - a) + at(i + 1, j + 1) * a) * b;
  };
}
const fbm = (seed) => { const o = [noise(seed, 4), noise(seed + 1, 8), noise(seed + 2, 16), noise(seed + 3, 32)]; return (x, y) => (o[0](x, y) * 0.5 + o[1](x, y) * 0.25 + o[2](x, y) * 0.15 + o[3](x, y) * 0.1); };

/** Tangent-space normal map from a tileable height field (x, y in [0, 1] around 0.5). */
function normalsFrom(h, strength) {
  const out = new Float32Array(N * N * 2);
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) {
    const dx = (h[y * N + ((x + 1) % N)] - h[y * N + ((x + N - 1) % N)]) * strength;
    const dy = (h[((y + 1) % N) * N + x] - h[((y + N - 1) % N) * N + x]) * strength;
    const l = Math.hypot(dx, dy, 1);
    out[(y * N + x) * 2] = 0.5 - (0.5 * dx) / l;
    // v runs down the image; the material's bitangent points along −v, so a height rising with y tilts the normal towards +v.
    out[(y * N + x) * 2 + 1] = 0.5 + (0.5 * dy) / l;
  }
  return out;
}

function write(dir, name, fn) {
  const png = new pngjs.PNG({ width: N, height: N });
  for (let i = 0; i < N * N; i++) { const v = fn(i); for (let c = 0; c < 4; c++) png.data[i * 4 + c] = c < 3 ? Math.round(255 * Math.min(1, Math.max(0, v[c] ?? v[0]))) : 255; }
  writeFileSync(join(dir, `${name}.png`), pngjs.PNG.sync.write(png));
}

function emit(dest, set, albedo, height, strength, rough) {
  const dir = join(dest, set);
  mkdirSync(dir, { recursive: true });
  const n = normalsFrom(height, strength);
  write(dir, 'albedo', (i) => albedo[i]);
  // Two channels matter (x, y); z is rebuilt by the decoder, b kept at 1 for viewers.
  write(dir, 'normal', (i) => [n[i * 2], n[i * 2 + 1], 1]);
  write(dir, 'roughness', (i) => [rough[i], rough[i], rough[i]]);
  console.log(`${dir}: albedo, normal, roughness (${N}×${N})`);
}

function tiles(dest) {
  const f = fbm(11), t = 4, size = N / t, albedo = [], height = new Float32Array(N * N), rough = [];
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) {
    const tx = Math.floor(x / size), ty = Math.floor(y / size), dx = Math.min(x % size, size - (x % size)), dy = Math.min(y % size, size - (y % size));
    const e = Math.min(dx, dy), grout = e < 1.5, k = ((tx * 7 + ty * 13) % 5) / 5, v = f(x, y);
    const base = [0.72 + 0.12 * k, 0.66 + 0.1 * k, 0.58 + 0.06 * k];
    albedo.push(grout ? [0.35, 0.33, 0.31] : base.map((c) => c * (0.82 + 0.3 * v)));
    height[y * N + x] = grout ? 0 : Math.min(1, e / 3) * (0.9 + 0.1 * v);
    rough.push(grout ? 0.95 : 0.55 + 0.25 * v);
  }
  emit(dest, 'tiles', albedo, height, 2.5, rough);
}

function stone(dest) {
  const f = fbm(23), g = fbm(41), albedo = [], height = new Float32Array(N * N), rough = [];
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) {
    const v = f(x, y), w = g(x, y);
    // Veins: where a tileable turbulence crosses a band.
    const vein = Math.exp(-(((Math.sin((2 * Math.PI * (x + y)) / N * 2 + 6 * v) + 1) / 2 - 0.5) ** 2) / 0.004);
    const c = 0.86 + 0.08 * w - 0.35 * vein;
    albedo.push([c, c * 0.98, c * 0.94]);
    height[y * N + x] = 0.5 * v + 0.3 * w - 0.2 * vein;
    rough.push(0.3 + 0.2 * w + 0.2 * vein);
  }
  emit(dest, 'stone', albedo, height, 1.2, rough);
}

function wood(dest) {
  const f = fbm(57), planks = 4, pw = N / planks, albedo = [], height = new Float32Array(N * N), rough = [];
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) {
    const p = Math.floor(x / pw), dx = Math.min(x % pw, pw - (x % pw)), gap = dx < 1.2;
    const v = f(x, y), grain = 0.5 + 0.5 * Math.sin(((x % pw) * 0.9 + 6 * v + p * 3) + Math.sin((2 * Math.PI * y) / N * 2 + p) * 1.5);
    const tone = 0.85 + 0.15 * ((p * 37) % 7) / 7;
    albedo.push(gap ? [0.12, 0.08, 0.05] : [0.62 * tone * (0.8 + 0.25 * grain), 0.42 * tone * (0.8 + 0.25 * grain), 0.24 * tone * (0.8 + 0.2 * grain)]);
    height[y * N + x] = gap ? 0 : Math.min(1, dx / 2.5) * (0.92 + 0.08 * grain);
    rough.push(gap ? 0.95 : 0.55 + 0.3 * (1 - grain));
  }
  emit(dest, 'wood', albedo, height, 2, rough);
}

const dest = process.argv[2] ?? new URL('.', import.meta.url).pathname;
tiles(dest); stone(dest); wood(dest);
