/** A procedural material (bricks: albedo, normal, roughness) for tests and examples. */
import type { MaterialTargets } from './textures.js';

export function syntheticMaterial(width: number, height: number, seed = 1): MaterialTargets {
  let s = seed >>> 0 || 1;
  const r = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
  const tint = Array.from({ length: 64 }, () => [0.55 + 0.25 * r(), 0.25 + 0.15 * r(), 0.15 + 0.1 * r()]);
  const C = 3 + 2 + 1, data = new Float32Array(width * height * C);
  const bw = width / 4, bh = height / 8;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const row = Math.floor(y / bh), sx = x + (row % 2) * bw * 0.5;
      const col = Math.floor(sx / bw) % 4, id = (row * 4 + col) % 64;
      const dx = Math.min(sx % bw, bw - (sx % bw)), dy = Math.min(y % bh, bh - (y % bh));
      const mortar = Math.min(dx, dy) < 1.2 ? 1 : 0;
      const grain = 0.5 + 0.5 * Math.sin(x * 0.9 + Math.sin(y * 0.7) * 2);
      const t = tint[id]!, p = (y * width + x) * C;
      for (let c = 0; c < 3; c++) data[p + c] = mortar ? 0.7 : t[c]! * (0.85 + 0.15 * grain);
      // Normals bevel towards the brick edges.
      const ex = mortar ? 0 : Math.max(0, 1 - dx / 2) * Math.sign((sx % bw) - bw / 2);
      const ey = mortar ? 0 : Math.max(0, 1 - dy / 2) * Math.sign((y % bh) - bh / 2);
      data[p + 3] = 0.5 + 0.35 * ex; data[p + 4] = 0.5 + 0.35 * ey;
      data[p + 5] = mortar ? 0.9 : 0.35 + 0.2 * grain;
    }
  }
  return {
    width, height, channels: C, data,
    textures: [{ name: 'albedo', kind: 'color', channels: 3, alpha: false }, { name: 'normal', kind: 'normal', channels: 2, alpha: false }, { name: 'roughness', kind: 'scalar', channels: 1, alpha: false }],
  };
}
