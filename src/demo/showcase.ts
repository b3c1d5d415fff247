/**
 * The showcase scene `wgml demo` renders by default: a small cloister courtyard where ambient
 * occlusion carries the picture: an arcade (columns, arches of voussoirs, a roof over the walk), a
 * back wall with three alcoves holding stone balls on pedestals, stairs up to a terrace with crates,
 * a fountain, a fallen column, benches, barrels and scattered stones; four neural materials (bricks,
 * floor tiles, pale stone, wood). Never used for training (held out as a whole: the network trains on
 * randomArchScene's courtyards), and a camera path that orbits and dollies through it.
 */
import { arch, barrel, bench, column, crate, fallenColumn, stairs, wallWithAlcoves, type Finish } from './blocks.js';
import type { Camera, Vec3 } from './math.js';
import type { Primitive, Scene } from './scene.js';

/** Material indices of the showcase (1-based, the order of SHOWCASE_MATERIALS). */
export const MAT = { bricks: 1, tiles: 2, stone: 3, wood: 4 } as const;
/** The neural materials the showcase uses, by index − 1: examples/materials/<name>.wgmat (originals in examples/materials/<name>/). */
export const SHOWCASE_MATERIALS = ['bricks', 'tiles', 'stone', 'wood'] as const;

const brick: Finish = { albedo: [1, 0.95, 0.9], material: MAT.bricks, uvScale: 0.35 };
const stone: Finish = { albedo: [0.95, 0.93, 0.88], material: MAT.stone, uvScale: 0.6 };
const wood: Finish = { albedo: [0.95, 0.85, 0.75], material: MAT.wood, uvScale: 1.2 };
const dark: Finish = { albedo: [0.55, 0.6, 0.65] };

export function showcaseScene(): Scene {
  const p: Primitive[] = [{ kind: 'plane', height: 0, albedo: [0.9, 0.88, 0.85], material: MAT.tiles, uvScale: 0.3 }];
  // Back wall with three alcoves, a pedestal and a stone ball in each.
  p.push(...wallWithAlcoves(-6.9, 6.4, -4.2, 4, 0.7, [-3.4, 0, 3.4], 1.3, 2.4, 0.4, brick));
  for (const x of [-3.4, 0, 3.4]) {
    p.push({ kind: 'box', center: [x, 0.35, -4.35], half: [0.3, 0.35, 0.22], yaw: 0, ...stone });
    p.push({ kind: 'sphere', center: [x, 0.98, -4.35], radius: 0.28, albedo: [0.7, 0.72, 0.78] });
  }
  // The arcade on the left: five columns, arches between them, an entablature, a roof, the outer wall.
  const zs = [-3.2, -1.6, 0, 1.6, 3.2], ax = -5, top = 2.4;
  for (const z of zs) p.push(...column(ax, z, top, 0.2, stone));
  for (let i = 0; i + 1 < zs.length; i++) p.push(...arch([ax, zs[i]! + 0.3], [ax, zs[i + 1]! - 0.3], top, 0.28, 0.4, 5, stone));
  const archTop = top + (1.6 - 0.6) / 2 + 0.28;
  p.push({ kind: 'box', center: [ax, archTop + 0.15, 0], half: [0.3, 0.15, 3.6], yaw: 0, ...stone });
  p.push({ kind: 'box', center: [-5.9, archTop + 0.36, 0], half: [1.05, 0.07, 3.7], yaw: 0, ...dark });
  p.push({ kind: 'box', center: [-6.75, 2, 0.25], half: [0.15, 2, 3.95], yaw: 0, ...brick });
  // Terrace on the right with stairs up to it, crates and a barrel on top.
  p.push({ kind: 'box', center: [5.1, 0.6, -1.3], half: [1.3, 0.6, 2.5], yaw: 0, ...brick });
  p.push(...stairs(2.4, -0.6, 4, 0.24, 0.35, 1.8, stone));
  p.push(crate(5.2, 1.2, -2.9, 0.32, 0.25, wood), crate(5.25, 1.84, -2.95, 0.24, 0.7, wood), crate(4.5, 1.2, -3.2, 0.25, -0.2, wood));
  p.push({ kind: 'cylinder', center: [5.6, 1.2 + 0.38, 0.3], radius: 0.26, halfHeight: 0.38, ...wood });
  // Fountain: a basin, a pillar, a ball.
  p.push({ kind: 'cylinder', center: [0.6, 0.22, 0.2], radius: 1.25, halfHeight: 0.22, ...stone });
  p.push({ kind: 'cylinder', center: [0.6, 0.95, 0.2], radius: 0.22, halfHeight: 0.55, ...stone });
  p.push({ kind: 'sphere', center: [0.6, 1.82, 0.2], radius: 0.34, albedo: [0.85, 0.75, 0.55] });
  // A fallen column beside its broken stump, benches, barrels, crates and stones.
  p.push(fallenColumn(-2.2, 2.4, 0.2, 2.1, 0.5, stone));
  p.push(...column(-3.3, 1.3, 0.9, 0.2, stone));
  p.push(...bench(1.2, 2.9, 0.15, 1.8, wood), ...bench(-1.4, -2.6, -0.1, 1.6, wood));
  p.push(barrel(-3.7, -3.5, 0.28, 0.42, wood), barrel(-3.05, -3.65, 0.28, 0.42, wood), barrel(-3.4, -2.95, 0.24, 0.36, dark));
  p.push(crate(2.3, 0, -3.4, 0.32, 0.3, wood), crate(2.32, 0.64, -3.42, 0.24, 0.8, wood), crate(1.6, 0, -3.6, 0.22, -0.4, wood));
  p.push({ kind: 'sphere', center: [3.2, 0.3, 2.6], radius: 0.3, albedo: [0.75, 0.72, 0.68] });
  p.push({ kind: 'sphere', center: [2.65, 0.17, 2.95], radius: 0.17, albedo: [0.62, 0.6, 0.58] });
  p.push({ kind: 'sphere', center: [-0.9, 0.22, 1.2], radius: 0.22, albedo: [0.7, 0.45, 0.35] });
  return { primitives: p };
}

/** Lighting of the showcase: a low warm sun and a strong sky term, so ambient occlusion carries the depth of the picture. */
export const SHOWCASE_LIGHTING = { lightDir: [0.55, 0.55, 0.62] as Vec3, ambient: 0.72 };

/**
 * Points of interest the camera path passes, each with the bearing it is seen from: the fountain (the
 * first view, from the front), the terrace stairs (from the courtyard, where the steps face), the
 * alcoves (from the front), the arcade (from the courtyard side, never from behind its outer wall).
 */
const STOPS: { target: Vec3; yaw: number }[] = [
  { target: [0.2, 0.9, -0.6], yaw: 0.1 }, { target: [3.0, 0.8, -1.0], yaw: -0.8 },
  { target: [-1.5, 1.0, -3.2], yaw: 0.2 }, { target: [-4.2, 1.2, 0.5], yaw: 1.1 },
];

/**
 * The camera at time t ∈ [0, 1) of the path (it loops): it glides from stop to stop (smoothstep
 * between them), close enough (6–9 units) that contact shadows and the alcoves' darkening fill the frame.
 */
export function showcaseCamera(t: number): Camera {
  const a = 2 * Math.PI * t, s = ((t % 1) + 1) % 1 * STOPS.length, i = Math.floor(s), f = s - i;
  const p = STOPS[i]!, q = STOPS[(i + 1) % STOPS.length]!, e = f * f * (3 - 2 * f);
  const lerp = (x: number, y: number) => x + (y - x) * e;
  return {
    target: [lerp(p.target[0], q.target[0]), lerp(p.target[1], q.target[1]), lerp(p.target[2], q.target[2])],
    yaw: lerp(p.yaw, q.yaw), pitch: 0.46 + 0.07 * Math.cos(2 * a), distance: 7.4 + 1.2 * Math.cos(a),
    fovY: Math.PI / 3, near: 0.1, far: 60,
  };
}
