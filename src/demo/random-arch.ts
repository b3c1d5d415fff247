/**
 * Random courtyards for training the AO network: walls with alcoves, colonnades with or without
 * arches (some with a roofed walk behind), stairs up to terraces, and clutter (crates, stacks, barrels,
 * stones, fallen columns, benches, lintels, pedestals with balls, basins), each block at a random place and orientation, with random colours; and random
 * cameras into them (orbit around a point of interest, field of view FOV_RANGE_DEG, the eye never inside an
 * object). Deterministic per seed. The showcase scene is built from the same blocks but never drawn
 * from here, so it stays held out.
 */
import { arch, barrel, bench, column, crate, fallenColumn, stairs, wallWithAlcoves, type Finish } from './blocks.js';
import { cameraEye, type Camera, type Vec3 } from './math.js';
import { rng, type Primitive, type Scene } from './scene.js';

/** Rotate primitives about the vertical axis through `pivot` (centres move, yaws add: Ry(a)·Ry(yaw) = Ry(a + yaw)). */
export function rotateY(prims: Primitive[], angle: number, pivot: [number, number] = [0, 0]): Primitive[] {
  const c = Math.cos(angle), s = Math.sin(angle);
  return prims.map((p) => {
    if (p.kind === 'plane') return p;
    const x = p.center[0] - pivot[0], z = p.center[2] - pivot[1];
    const center: Vec3 = [pivot[0] + c * x + s * z, p.center[1], pivot[1] - s * x + c * z];
    if (p.kind === 'sphere') return { ...p, center };
    return { ...p, center, yaw: (p.yaw ?? 0) + angle };
  });
}

/** Whether a point lies inside (or within `margin` of) a primitive: cameras must not start in a wall. */
export function insideAny(prims: Primitive[], q: Vec3, margin = 0.15): boolean {
  for (const p of prims) {
    if (p.kind === 'plane') { if (q[1] < p.height + margin) return true; continue; }
    const d: Vec3 = [q[0] - p.center[0], q[1] - p.center[1], q[2] - p.center[2]];
    if (p.kind === 'sphere') { if (Math.hypot(...d) < p.radius + margin) return true; continue; }
    // Into the object frame: undo yaw, then roll (scene.ts rotation()).
    const c = Math.cos(p.yaw ?? 0), s = Math.sin(p.yaw ?? 0), cr = Math.cos(p.roll ?? 0), sr = Math.sin(p.roll ?? 0);
    const u = [c * d[0] - s * d[2], d[1], s * d[0] + c * d[2]];
    const l = [cr * u[0]! + sr * u[1]!, -sr * u[0]! + cr * u[1]!, u[2]!];
    if (p.kind === 'box') { if (l.every((v, k) => Math.abs(v) < p.half[k]! + margin)) return true; continue; }
    if (Math.abs(l[1]!) < p.halfHeight + margin && Math.hypot(l[0]!, l[2]!) < p.radius + margin) return true;
  }
  return false;
}

export interface RandomArch {
  scene: Scene;
  /** Points worth looking at (block centres at eye-catching heights). */
  interest: Vec3[];
}

/** A random courtyard (typically 30–130 primitives). */
export function randomArchScene(seed: number): RandomArch {
  const r = rng(seed);
  const u = (a: number, b: number) => a + (b - a) * r();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const color = (lo = 0.25, hi = 0.95): Vec3 => [u(lo, hi), u(lo, hi), u(lo, hi)];
  const finish = (): Finish => ({ albedo: r() < 0.5 ? color(0.55, 0.95) : color() });
  const prims: Primitive[] = [{ kind: 'plane', height: 0, albedo: color(0.35, 0.95) }];
  const interest: Vec3[] = [];
  const place = (ps: Primitive[], x: number, z: number, yaw: number) => {
    prims.push(...rotateY(ps, yaw).map((p) => (p.kind === 'plane' ? p : { ...p, center: [p.center[0] + x, p.center[1], p.center[2] + z] as Vec3 })));
  };
  const spot = (): [number, number] => [u(-5, 5), u(-5, 5)];
  for (let i = 0, n = Math.floor(u(0.5, 3.5)); i < n; i++) {
    // A wall with alcoves, its front towards the courtyard centre.
    const len = u(4, 12), h = u(2.2, 4.5), nn = Math.floor(u(0, 4)), w = u(0.7, 1.5);
    const niches = Array.from({ length: nn }, (_, k) => -len / 2 + (len * (k + 1)) / (nn + 1));
    const ang = u(0, 2 * Math.PI), dist = u(4, 8);
    // Drawn in the order the call once drew them, so other seeds keep their scenes; a niche deeper than
    // the wall left it a back of negative thickness (an inverted box that the raster and the ray cast shade differently).
    const thick = u(0.4, 0.9), nicheH = Math.min(h - 0.3, u(1.2, 2.8)), depth = Math.min(u(0.2, 0.45), thick - 0.15);
    place(wallWithAlcoves(-len / 2, len / 2, 0, h, thick, niches, w, nicheH, depth, finish()),
      Math.sin(ang) * dist, Math.cos(ang) * dist, ang + Math.PI);
    interest.push([Math.sin(ang) * dist * 0.8, h * 0.4, Math.cos(ang) * dist * 0.8]);
  }
  for (let i = 0, n = Math.floor(u(0.3, 3)); i < n; i++) {
    // A colonnade of 3–6 columns, with arches and an entablature more often than not.
    const cols = Math.floor(u(3, 7)), gap = u(1.1, 2.2), top = u(1.8, 3.2), rad = u(0.12, 0.3), f = finish();
    const zs = Array.from({ length: cols }, (_, k) => (k - (cols - 1) / 2) * gap);
    const ps: Primitive[] = zs.flatMap((z) => column(0, z, top, rad, f));
    const cap = rad * 1.5;
    if (r() < 0.65) for (let k = 0; k + 1 < cols; k++) ps.push(...arch([0, zs[k]! + cap], [0, zs[k + 1]! - cap], top, u(0.15, 0.35), cap * 2, Math.floor(u(3, 8)), f));
    const len = (zs[cols - 1]! - zs[0]!) / 2 + cap, y = top + (gap - 2 * cap) / 2 + 0.35;
    if (r() < 0.6) ps.push({ kind: 'box', center: [0, y + 0.12, 0], half: [cap, 0.12, len], yaw: 0, ...f });
    if (r() < 0.4) {
      // A covered walk: a roof from the colonnade to a wall behind it (shade from above, a long corner).
      const depth = u(1, 2.5), fw = finish();
      ps.push({ kind: 'box', center: [-depth / 2, y + 0.32, 0], half: [depth / 2 + cap, 0.07, len + 0.1], yaw: 0, ...fw });
      // The wall stops under the roof: were its top level with the roof's, the two faces would z-fight.
      ps.push({ kind: 'box', center: [-depth - 0.15, (y + 0.25) / 2, 0], half: [0.15, (y + 0.25) / 2, len + 0.1], yaw: 0, ...fw });
    }
    const [x, z] = spot();
    place(ps, x, z, u(0, Math.PI));
    interest.push([x, top * 0.5, z]);
  }
  if (r() < 0.5) {
    // Stairs up to a terrace.
    const steps = Math.floor(u(2, 7)), rise = u(0.15, 0.3), run = u(0.25, 0.45), w = u(1, 3), f = finish();
    const hgt = rise * (steps + 1), depth = u(1.5, 4);
    const ps = [...stairs(0, 0, steps, rise, run, w, f),
      { kind: 'box', center: [steps * run + depth / 2, hgt / 2, 0], half: [depth / 2, hgt / 2, u(w / 2, 3)], yaw: 0, ...f } as Primitive];
    const [x, z] = spot();
    place(ps, x, z, u(0, 2 * Math.PI));
    interest.push([x, hgt, z]);
  }
  // Clutter as dense as the showcase's (tens of objects in a 10 × 10 yard).
  for (let i = 0, n = Math.floor(u(8, 32)); i < n; i++) {
    const [x, z] = spot(), f = finish(), kind = pick(['crate', 'stack', 'barrel', 'stone', 'fallen', 'bench', 'lintel', 'pillar', 'pedestal', 'basin'] as const);
    const y0 = r() < 0.15 ? u(0.3, 1.5) : 0;
    if (kind === 'crate') prims.push(crate(x, y0, z, u(0.15, 0.6), u(0, Math.PI), f));
    if (kind === 'stack') { const s = u(0.2, 0.5); prims.push(crate(x, 0, z, s, u(0, 1), f), crate(x + u(-0.1, 0.1), 2 * s, z + u(-0.1, 0.1), s * u(0.5, 0.9), u(0, 1), f)); }
    if (kind === 'barrel') prims.push(barrel(x, z, u(0.15, 0.4), u(0.2, 0.6), f));
    if (kind === 'stone') { const rad = u(0.1, 0.7); prims.push({ kind: 'sphere', center: [x, y0 > 0 ? y0 + rad : rad, z], radius: rad, albedo: f.albedo }); }
    if (kind === 'fallen') prims.push(fallenColumn(x, z, u(0.12, 0.35), u(1, 3), u(0, Math.PI), f));
    if (kind === 'bench') prims.push(...bench(x, z, u(0, Math.PI), u(0.8, 2), f));
    if (kind === 'lintel') {
      // A beam on two posts: a doorway-like gap with a soffit above.
      const span = u(0.8, 2), hh = u(1, 2.4), yaw = u(0, Math.PI);
      place([{ kind: 'box', center: [-span / 2 - 0.15, hh / 2, 0], half: [0.15, hh / 2, 0.2], yaw: 0, ...f }, { kind: 'box', center: [span / 2 + 0.15, hh / 2, 0], half: [0.15, hh / 2, 0.2], yaw: 0, ...f },
        { kind: 'box', center: [0, hh + 0.12, 0], half: [span / 2 + 0.35, 0.12, 0.25], yaw: 0, ...f }], x, z, yaw);
    }
    if (kind === 'pillar') prims.push(...column(x, z, u(0.6, 3), u(0.12, 0.35), f));
    if (kind === 'pedestal') {
      // A block with a ball on it (the showcase's alcoves hold such; never the same places or sizes).
      const h = u(0.3, 1), w = u(0.2, 0.45), rad = u(0.15, 0.4);
      prims.push({ kind: 'box', center: [x, h / 2, z], half: [w, h / 2, w * u(0.7, 1.3)], yaw: u(0, Math.PI), ...f });
      prims.push({ kind: 'sphere', center: [x, h + rad, z], radius: rad, albedo: color() });
    }
    if (kind === 'basin') {
      // A low wide drum with a post (a fountain-like ensemble).
      const rad = u(0.6, 1.6), hh = u(0.1, 0.35);
      prims.push({ kind: 'cylinder', center: [x, hh, z], radius: rad, halfHeight: hh, ...f });
      if (r() < 0.7) prims.push({ kind: 'cylinder', center: [x, 2 * hh + 0.5, z], radius: u(0.1, 0.3), halfHeight: 0.5, ...finish() });
    }
    interest.push([x, 0.3, z]);
  }
  if (!interest.length) interest.push([0, 0.5, 0]);
  return { scene: { primitives: prims }, interest };
}

/**
 * Vertical field of view range of the random cameras. Centred so that 256×256 training frames have
 * the focal length of a 1080p 60° frame sampled every 4th pixel (235.6 vs 233.8 px): the network
 * is sharpest at the scale it will run at; the spread teaches it the ±27% the whole-number grid step
 * leaves at other sizes (±15% from k = 4 up; network.ts aoFactor).
 */
export const FOV_RANGE_DEG: [number, number] = [48, 66];

/** `n` random cameras into a random courtyard, never starting inside an object. */
export function randomArchCameras(a: RandomArch, seed: number, n: number): Camera[] {
  const r = rng(seed ^ 0x5bd1e995);
  const u = (lo: number, hi: number) => lo + (hi - lo) * r();
  const out: Camera[] = [];
  for (let tries = 0; out.length < n && tries < 200 * n; tries++) {
    const t = a.interest[Math.floor(r() * a.interest.length)]!;
    const cam: Camera = {
      target: [t[0] + u(-1, 1), Math.max(0.1, t[1] + u(-0.3, 0.6)), t[2] + u(-1, 1)],
      yaw: u(0, 2 * Math.PI), pitch: u(0.08, 1.0), distance: u(2.5, 13), fovY: (u(...FOV_RANGE_DEG) * Math.PI) / 180, near: 0.1, far: 60,
    };
    if (!insideAny(a.scene.primitives, cameraEye(cam))) out.push(cam);
  }
  return out;
}
