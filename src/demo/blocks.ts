/**
 * Architectural building blocks made of the analytic primitives (scene.ts): columns, arches of
 * voussoirs, walls with alcoves, stairs, crates, barrels, benches. The showcase scene (showcase.ts)
 * and the AO network's random training scenes (randomArchScene) are both built from them, so the
 * network trains on the kind of geometry the demo shows, never on the demo scene itself.
 */
import type { Vec3 } from './math.js';
import type { Primitive } from './scene.js';

/** Surface of a block: albedo tint, neural material index (0: plain), texture repeats per unit. */
export interface Finish { albedo: Vec3; material?: number; uvScale?: number }

const fin = (f: Finish) => ({ albedo: f.albedo, ...(f.material ? { material: f.material } : {}), ...(f.uvScale ? { uvScale: f.uvScale } : {}) });

/** A column standing on the floor at (x, z): square base, round shaft, square capital; its top is at `height`. */
export function column(x: number, z: number, height: number, radius: number, f: Finish): Primitive[] {
  const b = radius * 1.5, bh = 0.1 * height / 2.4 + 0.02;
  const shaft = height - 2 * bh;
  return [
    { kind: 'box', center: [x, bh / 2, z], half: [b, bh / 2, b], yaw: 0, ...fin(f) },
    { kind: 'cylinder', center: [x, bh + shaft / 2, z], radius, halfHeight: shaft / 2, ...fin(f) },
    { kind: 'box', center: [x, height - bh / 2, z], half: [b, bh / 2, b], yaw: 0, ...fin(f) },
  ];
}

/**
 * A semicircular arch of `pieces` voussoirs (boxes) springing at height y between two points a and
 * b on the floor plan (its span), `depth` thick across the span and `ring` deep radially.
 */
export function arch(a: [number, number], b: [number, number], y: number, ring: number, depth: number, pieces: number, f: Finish): Primitive[] {
  const cx = (a[0] + b[0]) / 2, cz = (a[1] + b[1]) / 2;
  const dx = b[0] - a[0], dz = b[1] - a[1], span = Math.hypot(dx, dz);
  const ri = span / 2, rm = ri + ring / 2;
  // yaw turns local x (the tangent at the springing on a's side... the arch plane) onto the span direction.
  const yaw = Math.atan2(-dz, dx);
  const ux = dx / span, uz = dz / span;
  const out: Primitive[] = [];
  for (let i = 0; i < pieces; i++) {
    const th = (Math.PI * (i + 0.5)) / pieces;
    // θ = 0 at b's side, π at a's side; radial direction (cos θ along the span, sin θ up).
    const along = rm * Math.cos(th);
    out.push({
      kind: 'box', center: [cx + ux * along, y + rm * Math.sin(th), cz + uz * along],
      // Neighbours overlap 4% along the arc so no gap shows at the extrados; every other stone is 4% shallower
      // so the overlapping front faces are never coplanar (coplanar faces z-fight in the raster and tie in the ray cast).
      half: [((rm * Math.PI) / pieces / 2) * 1.04, ring / 2, (depth / 2) * (i % 2 ? 0.96 : 1)], yaw, roll: th - Math.PI / 2, ...fin(f),
    });
  }
  return out;
}

/**
 * A wall on the floor from x0 to x1 at z (front face towards +z, `thick` deep), `height` tall, with
 * alcoves (niches `depth` deep into its front layer) of width w and height h at the given x centres.
 */
export function wallWithAlcoves(x0: number, x1: number, z: number, height: number, thick: number, niches: number[], w: number, h: number, depth: number, f: Finish): Primitive[] {
  const back = thick - depth;
  if (!(depth > 0 && back > 0)) throw new RangeError(`wallWithAlcoves: niche depth ${depth} must be in (0, ${thick}), the wall's thickness`);
  const out: Primitive[] = [{ kind: 'box', center: [(x0 + x1) / 2, height / 2, z - thick + back / 2], half: [(x1 - x0) / 2, height / 2, back / 2], yaw: 0, ...fin(f) }];
  const fz = z - depth / 2;
  let from = x0;
  for (const c of [...niches].sort((p, q) => p - q)) {
    if (c - w / 2 > from) out.push({ kind: 'box', center: [(from + c - w / 2) / 2, height / 2, fz], half: [(c - w / 2 - from) / 2, height / 2, depth / 2], yaw: 0, ...fin(f) });
    out.push({ kind: 'box', center: [c, (h + height) / 2, fz], half: [w / 2, (height - h) / 2, depth / 2], yaw: 0, ...fin(f) });
    from = c + w / 2;
  }
  if (x1 > from) out.push({ kind: 'box', center: [(from + x1) / 2, height / 2, fz], half: [(x1 - from) / 2, height / 2, depth / 2], yaw: 0, ...fin(f) });
  return out;
}

/** `n` steps rising towards +x from x0 (each `rise` up and `run` deep), `width` wide around z. */
export function stairs(x0: number, z: number, n: number, rise: number, run: number, width: number, f: Finish): Primitive[] {
  return Array.from({ length: n }, (_, i) => {
    const top = rise * (i + 1);
    return { kind: 'box', center: [x0 + run * (i + 0.5), top / 2, z], half: [run / 2, top / 2, width / 2], yaw: 0, ...fin(f) } as Primitive;
  });
}

/** A crate resting at height y (its bottom). */
export const crate = (x: number, y: number, z: number, s: number, yaw: number, f: Finish): Primitive =>
  ({ kind: 'box', center: [x, y + s, z], half: [s, s, s], yaw, ...fin(f) });

/** A barrel (upright cylinder) resting on the floor. */
export const barrel = (x: number, z: number, r: number, hh: number, f: Finish): Primitive =>
  ({ kind: 'cylinder', center: [x, hh, z], radius: r, halfHeight: hh, ...fin(f) });

/** A column lying on the floor, its axis turned by yaw. */
export const fallenColumn = (x: number, z: number, r: number, length: number, yaw: number, f: Finish): Primitive =>
  ({ kind: 'cylinder', center: [x, r, z], radius: r, halfHeight: length / 2, yaw, roll: Math.PI / 2, ...fin(f) });

/** A bench: a seat slab on two legs (contact shadows under and around it). */
export function bench(x: number, z: number, yaw: number, len: number, f: Finish): Primitive[] {
  const c = Math.cos(yaw), s = Math.sin(yaw), leg = (d: number): Vec3 => [x + c * d, 0.2, z - s * d];
  return [
    { kind: 'box', center: [x, 0.46, z], half: [len / 2, 0.05, 0.22], yaw, ...fin(f) },
    { kind: 'box', center: leg(-len / 2 + 0.15), half: [0.07, 0.2, 0.18], yaw, ...fin(f) },
    { kind: 'box', center: leg(len / 2 - 0.15), half: [0.07, 0.2, 0.18], yaw, ...fin(f) },
  ];
}
