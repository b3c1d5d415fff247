/**
 * The demo's scenes: spheres, boxes and cylinders (yawed, and rolled about their own z axis) and a floor, kept both as analytic primitives (for the
 * ray-cast ground-truth AO) and as triangle meshes (for the G-buffer). Object ids start at 1; 0 is sky.
 */
import type { Camera, Vec3 } from './math.js';

/**
 * `material`: 1-based index into the frame's neural materials (0 or absent: plain albedo). With a
 * material, `albedo` tints the decoded colour; `uvScale` is texture repeats per world unit.
 */
interface Surface { albedo: Vec3; material?: number; uvScale?: number }
export type Primitive =
  | ({ kind: 'plane'; height: number } & Surface)
  | ({ kind: 'sphere'; center: Vec3; radius: number } & Surface)
  | ({ kind: 'box'; center: Vec3; half: Vec3; yaw: number; roll?: number } & Surface)
  /** Axis along local y (a column when roll is 0), `radius` around it, `halfHeight` along it. */
  | ({ kind: 'cylinder'; center: Vec3; radius: number; halfHeight: number; yaw?: number; roll?: number } & Surface);

export interface Scene {
  primitives: Primitive[];
}

/** Half extent of the floor mesh; the analytic floor is infinite, which only the sky beyond would show. */
export const FLOOR_HALF = 30;
/** Bytes per primitive in the storage buffer the ray-casting passes read (struct Prim in prims.ts). */
export const PRIM_BYTES = 64;
/**
 * Vertex layout: position, normal, albedo (float32x3 each), object id | material << 16 (uint32),
 * uv (float32x2), tangent (float32x4: xyz along +u, w the handedness of the bitangent along −v).
 */
export const VERTEX_BYTES = 64;

/** A deterministic scene for tests and the default demo: floor, two brick boxes (neural material 1), a sphere. */
export function demoScene(): Scene {
  return {
    primitives: [
      { kind: 'plane', height: 0, albedo: [0.8, 0.8, 0.78] },
      { kind: 'box', center: [0, 0.5, 0], half: [0.5, 0.5, 0.5], yaw: 0, albedo: [1, 1, 1], material: 1, uvScale: 1 },
      { kind: 'sphere', center: [1.4, 0.6, 0.3], radius: 0.6, albedo: [0.3, 0.5, 0.85] },
      { kind: 'box', center: [-1.3, 0.35, 0.8], half: [0.35, 0.35, 0.7], yaw: 0.6, albedo: [0.75, 0.9, 1.0], material: 1, uvScale: 1.5 },
    ],
  };
}

export const demoCamera = (): Camera => ({ target: [0, 0.4, 0], yaw: 0.5, pitch: 0.45, distance: 5, fovY: Math.PI / 3, near: 0.1, far: 60 });

/** xorshift32: reproducible scenes from a seed. */
export function rng(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

/** A random scene (3–9 objects resting on the floor, some stacked or touching) and a camera looking at it. */
export function randomScene(seed: number): { scene: Scene; camera: Camera } {
  const r = rng(seed);
  const u = (a: number, b: number) => a + (b - a) * r();
  const color = (): Vec3 => [u(0.2, 0.95), u(0.2, 0.95), u(0.2, 0.95)];
  const prims: Primitive[] = [{ kind: 'plane', height: 0, albedo: color() }];
  const n = 3 + Math.floor(r() * 7);
  for (let i = 0; i < n; i++) {
    const x = u(-2.5, 2.5), z = u(-2.5, 2.5);
    if (r() < 0.5) {
      const rad = u(0.2, 0.9);
      prims.push({ kind: 'sphere', center: [x, r() < 0.8 ? rad : u(rad, 2), z], radius: rad, albedo: color() });
    } else {
      const half: Vec3 = [u(0.15, 0.9), u(0.15, 1.0), u(0.15, 0.9)];
      prims.push({ kind: 'box', center: [x, r() < 0.85 ? half[1] : u(half[1], 2), z], half, yaw: u(0, Math.PI), albedo: color() });
    }
  }
  const camera: Camera = { target: [u(-1, 1), u(0, 0.8), u(-1, 1)], yaw: u(0, 2 * Math.PI), pitch: u(0.15, 1.1), distance: u(4, 9), fovY: Math.PI / 3, near: 0.1, far: 60 };
  return { scene: { primitives: prims }, camera };
}

/**
 * The analytic primitives as the ray-casting passes read them: center.xyz, kind, half.xyz (radius in
 * x; cylinder radius, half height; the floor mesh's half extent for the plane), yaw, albedo.xyz,
 * uvScale, material, roll, bounding radius (the passes skip primitives whose bound a ray cannot reach).
 */
export function packPrimitives(scene: Scene): ArrayBuffer {
  const buf = new ArrayBuffer(Math.max(1, scene.primitives.length) * PRIM_BYTES);
  const f = new Float32Array(buf), u = new Uint32Array(buf);
  scene.primitives.forEach((p, i) => {
    const o = i * (PRIM_BYTES / 4);
    f.set(p.albedo, o + 8); f[o + 11] = p.uvScale ?? 1; u[o + 12] = p.material ?? 0;
    if (p.kind === 'plane') { f[o + 1] = p.height; u[o + 3] = 0; f[o + 4] = FLOOR_HALF; }
    if (p.kind === 'sphere') { f.set(p.center, o); u[o + 3] = 1; f[o + 4] = p.radius; f[o + 14] = p.radius * 1.0001; }
    if (p.kind === 'box') { f.set(p.center, o); u[o + 3] = 2; f.set(p.half, o + 4); f[o + 7] = p.yaw; f[o + 13] = p.roll ?? 0; f[o + 14] = Math.hypot(...p.half) * 1.0001; }
    if (p.kind === 'cylinder') {
      f.set(p.center, o); u[o + 3] = 3; f.set([p.radius, p.halfHeight, p.radius], o + 4); f[o + 7] = p.yaw ?? 0; f[o + 13] = p.roll ?? 0;
      f[o + 14] = Math.hypot(p.radius, p.halfHeight) * 1.0001;
    }
  });
  return buf;
}

export interface Mesh {
  vertices: ArrayBuffer;
  indices: Uint32Array;
}

/** Highest material index the scene uses (0: none). */
export const sceneMaterials = (scene: Scene): number => Math.max(0, ...scene.primitives.map((p) => p.material ?? 0));

/** Triangulate the scene in world space (static scenes: no per-object transforms at draw time). */
export function buildMesh(scene: Scene): Mesh {
  const v: number[] = [], ids: number[] = [], idx: number[] = [];
  const vert = (p: Vec3, n: Vec3, c: Vec3, id: number, uv: [number, number], t: [number, number, number, number]) => { v.push(...p, ...n, ...c, ...uv, ...t); ids.push(id); return ids.length - 1; };
  const quad = (a: number, b: number, c: number, d: number) => idx.push(a, b, c, a, c, d);
  scene.primitives.forEach((p, i) => {
    const id = (i + 1) | ((p.material ?? 0) << 16), k = p.uvScale ?? 1;
    if (p.kind === 'plane') {
      const h = FLOOR_HALF, y = p.height, n: Vec3 = [0, 1, 0];
      // u along +x, v along +z: the bitangent (−v) is −z = cross(n, t).
      const at = (x: number, z: number) => vert([x, y, z], n, p.albedo, id, [x * k, z * k], [1, 0, 0, 1]);
      quad(at(-h, -h), at(-h, h), at(h, h), at(h, -h));
    } else if (p.kind === 'sphere') {
      const rings = 24, segs = 48, base = ids.length;
      const around = Math.max(1, Math.round(2 * Math.PI * p.radius * k)), down = Math.max(1, Math.round(Math.PI * p.radius * k));
      for (let a = 0; a <= rings; a++) {
        const th = (Math.PI * a) / rings;
        for (let b = 0; b <= segs; b++) {
          const ph = (2 * Math.PI * b) / segs;
          const n: Vec3 = [Math.sin(th) * Math.cos(ph), Math.cos(th), Math.sin(th) * Math.sin(ph)];
          vert([p.center[0] + p.radius * n[0], p.center[1] + p.radius * n[1], p.center[2] + p.radius * n[2]], n, p.albedo, id,
            [(b / segs) * around, (a / rings) * down], [-Math.sin(ph), 0, Math.cos(ph), -1]);
        }
      }
      for (let a = 0; a < rings; a++) for (let b = 0; b < segs; b++) {
        const q = base + a * (segs + 1) + b;
        quad(q, q + 1, q + segs + 2, q + segs + 1);
      }
    } else if (p.kind === 'cylinder') {
      cylinderMesh(p, id, k, vert, quad, () => ids.length);
    } else {
      const rot = rotation(p.yaw, p.roll ?? 0);
      const w = (l: Vec3): Vec3 => { const q = rot(l[0], l[1], l[2]); return [p.center[0] + q[0], p.center[1] + q[1], p.center[2] + q[2]]; };
      for (let axis = 0; axis < 3; axis++) for (const sign of [-1, 1]) {
        const nl: Vec3 = [0, 0, 0]; nl[axis] = sign;
        // Side faces: u runs horizontally, v downwards (bricks stay level); top/bottom: u along x, v along z.
        const ua = axis === 0 ? 2 : 0, va = axis === 1 ? 2 : 1, vSign = axis === 1 ? 1 : -1;
        const uSign = axis === 1 ? 1 : axis === 0 ? -sign : sign;
        const a1 = (axis + 1) % 3, a2 = (axis + 2) % 3;
        const tl: Vec3 = [0, 0, 0]; tl[ua] = uSign;
        const t = rot(tl[0], tl[1], tl[2]);
        const n = rot(nl[0], nl[1], nl[2]);
        // Handedness: cross(n, t) · w must point along −v.
        const bl: Vec3 = [0, 0, 0]; bl[va] = -vSign;
        const cr: Vec3 = [nl[1] * tl[2] - nl[2] * tl[1], nl[2] * tl[0] - nl[0] * tl[2], nl[0] * tl[1] - nl[1] * tl[0]];
        const hand = cr[0] * bl[0] + cr[1] * bl[1] + cr[2] * bl[2] >= 0 ? 1 : -1;
        const corner = (s1: number, s2: number) => {
          const l: Vec3 = [0, 0, 0]; l[axis] = sign * p.half[axis]; l[a1] = s1 * p.half[a1]; l[a2] = s2 * p.half[a2];
          const uv: [number, number] = [(uSign * l[ua] + p.half[ua]) * k, (vSign * l[va] + p.half[va]) * k];
          return vert(w(l), n, p.albedo, id, uv, [t[0], t[1], t[2], hand]);
        };
        quad(corner(-1, -1), corner(1, -1), corner(1, 1), corner(-1, 1));
      }
    }
  });
  const vertices = new ArrayBuffer(ids.length * VERTEX_BYTES);
  const f = new Float32Array(vertices), u = new Uint32Array(vertices);
  for (let q = 0; q < ids.length; q++) {
    const o = q * 16, src = v.slice(q * 15, q * 15 + 15);
    f.set(src.slice(0, 9), o); u[o + 9] = ids[q]!; f.set(src.slice(9), o + 10);
  }
  return { vertices, indices: new Uint32Array(idx) };
}

/**
 * Object → world: roll about the local z axis, then yaw about +Y (the ray-casting passes apply the
 * inverse, box_local in prims.ts, to bring rays into the object frame).
 */
export function rotation(yaw: number, roll: number): (x: number, y: number, z: number) => Vec3 {
  const c = Math.cos(yaw), s = Math.sin(yaw), cr = Math.cos(roll), sr = Math.sin(roll);
  return (x, y, z) => { const rx = cr * x - sr * y, ry = sr * x + cr * y; return [c * rx + s * z, ry, -s * rx + c * z]; };
}

type Vert = (p: Vec3, n: Vec3, c: Vec3, id: number, uv: [number, number], t: [number, number, number, number]) => number;

/** Side (u around like a sphere, v down the side) and two capped fans (u along x, v along z), as surface_at in prims.ts. */
function cylinderMesh(p: Extract<Primitive, { kind: 'cylinder' }>, id: number, k: number, vert: Vert, quad: (a: number, b: number, c: number, d: number) => void, count: () => number): void {
  // Enough segments that a facet's chord stays within 1 mm of the true circle (48 for the columns; a
  // 1.5-unit platform needs 86): the ray-cast G-buffer and the AO see the true cylinder.
  const r = p.radius, h = p.halfHeight, rot = rotation(p.yaw ?? 0, p.roll ?? 0);
  const segs = Math.min(256, Math.max(48, Math.ceil(Math.PI / Math.acos(1 - Math.min(1, 1e-3 / r)))));
  const w = (x: number, y: number, z: number): Vec3 => { const q = rot(x, y, z); return [p.center[0] + q[0], p.center[1] + q[1], p.center[2] + q[2]]; };
  const around = Math.max(1, Math.round(2 * Math.PI * r * k));
  const base = count();
  for (let b = 0; b <= segs; b++) {
    const ph = (2 * Math.PI * b) / segs, cx = Math.cos(ph), sz = Math.sin(ph);
    const n = rot(cx, 0, sz), t = rot(-sz, 0, cx);
    for (const y of [h, -h]) vert(w(r * cx, y, r * sz), n, p.albedo, id, [(b / segs) * around, (h - y) * k], [t[0], t[1], t[2], -1]);
  }
  for (let b = 0; b < segs; b++) { const q = base + 2 * b; quad(q, q + 2, q + 3, q + 1); }
  for (const sg of [1, -1]) {
    const n = rot(0, sg, 0), t = rot(1, 0, 0);
    const tan: [number, number, number, number] = [t[0], t[1], t[2], sg];
    const centre = vert(w(0, sg * h, 0), n, p.albedo, id, [r * k, r * k], tan);
    const ring = count();
    for (let b = 0; b <= segs; b++) {
      const ph = (2 * Math.PI * b) / segs, x = r * Math.cos(ph), z = r * Math.sin(ph);
      vert(w(x, sg * h, z), n, p.albedo, id, [(x + r) * k, (z + r) * k], tan);
    }
    for (let b = 0; b < segs; b++) quad(centre, ring + b, ring + b + 1, centre);
  }
}
