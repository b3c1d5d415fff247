/**
 * The AO slot's grid sampling and guided upsample on the CPU, the same arithmetic as network.ts's
 * passes: the test's reference for those passes, and the evaluation's ceiling of the grid approach
 * (the ray-cast AO itself sampled on the grid and upsampled: what a perfect network would score).
 */
import { UPSAMPLE_DEPTH } from './network.js';

/** A G-buffer as planes: normal x, y, z and linear depth, each `width × height`, row-major. */
export interface GBufferPlanes { data: Float32Array; width: number; height: number }

/** Full-resolution pixel of grid sample (i, j) at step k (clamped to the frame). */
export const gridPixel = (i: number, j: number, k: number, w: number, h: number): [number, number] =>
  [Math.min(i * k + (k >> 1), w - 1), Math.min(j * k + (k >> 1), h - 1)];

/** Point-sample `planes` planes of a full frame onto a `gw × gh` grid at step k. */
export function sampleGrid(full: Float32Array, planes: number, w: number, h: number, k: number, gw: number, gh: number): Float32Array {
  const out = new Float32Array(planes * gw * gh), fp = w * h, gp = gw * gh;
  for (let j = 0; j < gh; j++) for (let i = 0; i < gw; i++) {
    const [x, y] = gridPixel(i, j, k, w, h);
    for (let c = 0; c < planes; c++) out[c * gp + j * gw + i] = full[c * fp + y * w + x]!;
  }
  return out;
}

/**
 * Guided upsample of grid AO `y` (gw × gh) to the frame: each surface pixel blends the 2×2 grid samples
 * around it by bilinear × depth similarity × normal agreement weights, the nearest in depth where none
 * lies on its surface; sky pixels get 1. `grid` is the G-buffer sampled on the grid (sampleGrid).
 */
export function guidedUpsample(g: GBufferPlanes, grid: Float32Array, y: Float32Array, k: number, gw: number, gh: number): Float32Array {
  const { data, width: W, height: H } = g, plane = W * H, gp = gw * gh, half = k >> 1;
  const out = new Float32Array(plane);
  for (let py = 0; py < H; py++) for (let px = 0; px < W; px++) {
    const p = py * W + px, nx = data[p]!, ny = data[plane + p]!, nz = data[2 * plane + p]!, z = data[3 * plane + p]!;
    if (nx * nx + ny * ny + nz * nz < 0.25) { out[p] = 1; continue; }
    const u = (px - half) / k, v = (py - half) / k, bx = Math.floor(u), by = Math.floor(v), fx = u - bx, fy = v - by;
    let sum = 0, wsum = 0, best = 0, bestDz = Infinity;
    for (let t = 0; t < 4; t++) {
      const ox = t & 1, oy = t >> 1;
      const qx = Math.min(gw - 1, Math.max(0, bx + ox)), qy = Math.min(gh - 1, Math.max(0, by + oy)), q = qy * gw + qx;
      const wb = (ox ? fx : 1 - fx) * (oy ? fy : 1 - fy);
      if (wb <= 0) continue;
      const dz = Math.abs(grid[3 * gp + q]! - z), rel = dz / (UPSAMPLE_DEPTH * z);
      const dn = Math.max(0, grid[q]! * nx + grid[gp + q]! * ny + grid[2 * gp + q]! * nz);
      const w = wb * Math.exp(-rel * rel) * dn ** 8;
      sum += w * y[q]!; wsum += w;
      if (dz < bestDz) { bestDz = dz; best = y[q]!; }
    }
    out[p] = wsum > 1e-4 ? sum / wsum : best;
  }
  return out;
}

/** The grid approach's ceiling at step k: the reference AO point-sampled on the grid, then upsampled. */
export function gridCeiling(g: GBufferPlanes, ref: Float32Array, k: number): Float32Array {
  const gw = Math.ceil(g.width / k), gh = Math.ceil(g.height / k);
  const grid = sampleGrid(g.data, 4, g.width, g.height, k, gw, gh);
  return guidedUpsample(g, grid, sampleGrid(ref, 1, g.width, g.height, k, gw, gh), k, gw, gh);
}
