/**
 * A guard band: the frame rendered `guard` pixels wider on every side, with the field of view widened so
 * the pixels of the original frame see exactly what they saw (same focal length in pixels, so the AO
 * network's grid step is unchanged), and cropped back afterwards. Screen-space AO, neural or GTAO, then
 * sees the occluders just past the screen's edge: the outer 8 pixels of a 256² view held 22% of the
 * network's squared error (bench/ao-2026-12-03/border-error.txt). It costs every pass the added area.
 */
import type { FrameOptions } from './frame.js';
import { DemoError } from './network.js';

/**
 * The band `guard: 'auto'` picks: 64 pixels at 1080p, in proportion to the height elsewhere (15 at 256²). At 1080p
 * on the H200 64 px lifted the network by 0.6 dB and GTAO by 0.4 for 0.08 ms more network time
 * (bench/ao-2026-12-03e); 32 px gave two thirds of that.
 */
export const autoGuard = (height: number): number => Math.round((64 * height) / 1080);

/** A guard band in pixels, or 'auto' (autoGuard of the visible frame's height). */
export type GuardOption = number | 'auto';

/** The band in pixels a `GuardOption` means for a frame `height` pixels tall (none given: 0). */
export const resolveGuard = (guard: GuardOption | undefined, height: number): number => (guard === 'auto' ? autoGuard(height) : guard ?? 0);

/** The frame options of the guarded render of `base` (whose width, height and camera describe the visible frame). */
export function guardedFrame<T extends Pick<FrameOptions, 'width' | 'height' | 'camera'>>(base: T, guard: number): T {
  if (!Number.isInteger(guard) || guard < 0) throw new DemoError(`guard band ${guard}: a whole number of pixels ≥ 0`, 'e.g. --guard 32 (a multiple of the AO network\'s grid step keeps its samples where they were)', { guard });
  if (guard === 0) return base;
  const H = base.height + 2 * guard;
  // Same focal length in pixels: tan(fov'/2) / tan(fov/2) = H' / H (horizontally the aspect follows, W'/H').
  const fovY = 2 * Math.atan(Math.tan(base.camera.fovY / 2) * (H / base.height));
  return { ...base, width: base.width + 2 * guard, height: H, camera: { ...base.camera, fovY } };
}

/** The visible `width`×`height` window of `planes` row-major planes of a frame rendered with `guard` (elements per pixel: `per`). */
export function cropGuard<A extends Float32Array | Uint8Array>(data: A, width: number, height: number, guard: number, planes = 1, per = 1): A {
  if (guard === 0) return data;
  const W = width + 2 * guard, H = height + 2 * guard;
  const out = new (data.constructor as { new (n: number): A })(width * height * planes * per);
  for (let p = 0; p < planes; p++) for (let y = 0; y < height; y++) {
    const src = (p * W * H + (y + guard) * W + guard) * per;
    out.set(data.subarray(src, src + width * per) as never, (p * width * height + y * width) * per);
  }
  return out;
}
