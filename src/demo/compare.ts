/**
 * AO slots side by side on one view: the same scene and camera rendered with each slot (no AO, the
 * network, GTAO, the ray-cast reference), every slot's AO scored against the ray-cast AO over the
 * pixels that show a surface (sky pixels are AO 1 in every slot and would only inflate PSNR).
 */
import { createFrameState, destroyFrameState, encodeFrame, type AOMode, type FrameOptions } from './frame.js';
import { readPacked } from './pack.js';
import { readTexture } from './png.js';
import { gridCeiling } from './upsample-cpu.js';
import { cropGuard, guardedFrame } from './guard.js';

export interface AOScore {
  /** Mean absolute AO error over surface pixels. */
  mae: number;
  /** 10·log10(1 / mean squared error) over surface pixels. */
  psnrDb: number;
}

/** Score `ao` against `ref` where `mask` is set (all pixels without a mask). */
export function scoreAO(ao: Float32Array, ref: Float32Array, mask?: Uint8Array): AOScore {
  let abs = 0, sq = 0, n = 0;
  for (let i = 0; i < ref.length; i++) {
    if (mask && !mask[i]) continue;
    const d = ao[i]! - ref[i]!;
    abs += Math.abs(d); sq += d * d; n++;
  }
  n = Math.max(n, 1);
  return { mae: abs / n, psnrDb: 10 * Math.log10(1 / Math.max(sq / n, 1e-12)) };
}

export interface SlotFrame {
  ao: AOMode;
  /** AO map (row-major, [0, 1]). */
  map: Float32Array;
  /** Lit frame, RGBA8. */
  color: Uint8Array;
}

export interface ComparedView {
  slots: SlotFrame[];
  /** 1 where the pixel shows a surface (the G-buffer normal is set). */
  mask: Uint8Array;
  /** Each slot but 'raycast' against 'raycast' over surface pixels ('none': AO = 1 everywhere, the floor every slot must beat). */
  scores: Partial<Record<AOMode, AOScore>>;
  /** The same over every pixel, sky included (how the first model's 20.1 dB at 1080p was measured). */
  scoresAll: Partial<Record<AOMode, AOScore>>;
  /** Per grid step k asked for: the ray-cast AO point-sampled every k pixels and guided-upsampled (gridCeiling), scored as above: the best the network slot can do at that step. */
  ceilings: Record<number, AOScore>;
}

/**
 * Render `slots` (must include 'raycast', the reference) for one view. `raycastPasses` > 1 averages
 * that many ray-cast renders with different seeds (a noise-free reference from short dispatches).
 * `guard` > 0 renders every slot with a guard band of that many pixels (guard.ts) and scores the visible frame.
 */
export async function compareView(device: GPUDevice, base: Omit<FrameOptions, 'ao'>, slots: readonly AOMode[], raycastPasses = 1, ceilingSteps: readonly number[] = [], guard = 0): Promise<ComparedView> {
  const plane = base.width * base.height;
  const render = guardedFrame(base, guard);
  const frames: SlotFrame[] = [];
  let mask: Uint8Array | null = null;
  let gbuffer: Float32Array | null = null;
  for (const ao of slots) {
    const passes = ao === 'raycast' ? Math.max(1, raycastPasses) : 1;
    const map = new Float32Array(plane);
    let color: Uint8Array | null = null;
    for (let k = 0; k < passes; k++) {
      const lighting = { ...base.lighting, ...(ao === 'raycast' ? { seed: (base.lighting?.seed ?? 1) + 7919 * k } : {}) };
      const state = await createFrameState(device, { ...render, ao, lighting });
      try {
        const enc = device.createCommandEncoder({ label: `wgml demo compare ${ao}` });
        encodeFrame(enc, state);
        device.queue.submit([enc.finish()]);
        const packed = cropGuard(await readPacked(device, state.gbuffer.normal, state.aoTexture), base.width, base.height, guard, 5);
        for (let i = 0; i < plane; i++) map[i]! += packed[4 * plane + i]! / passes;
        if (!mask) {
          gbuffer = packed.slice(0, 4 * plane);
          mask = new Uint8Array(plane);
          for (let i = 0; i < plane; i++) mask[i] = packed[i]! ** 2 + packed[plane + i]! ** 2 + packed[2 * plane + i]! ** 2 > 0.25 ? 1 : 0;
        }
        // The lit frame of the last pass (lighting with the averaged map would need another pass; the maps are what is scored).
        if (k === passes - 1) color = cropGuard(await readTexture(device, state.color), base.width, base.height, guard, 1, 4);
      } finally {
        destroyFrameState(state);
      }
    }
    frames.push({ ao, map, color: color! });
  }
  const ref = frames.find((f) => f.ao === 'raycast')?.map;
  const scores: ComparedView['scores'] = {}, scoresAll: ComparedView['scoresAll'] = {};
  if (ref) for (const f of frames) if (f.ao !== 'raycast') { scores[f.ao] = scoreAO(f.map, ref, mask!); scoresAll[f.ao] = scoreAO(f.map, ref); }
  const ceilings: Record<number, AOScore> = {};
  if (ref) for (const k of ceilingSteps) ceilings[k] = scoreAO(gridCeiling({ data: gbuffer!, width: base.width, height: base.height }, ref, k), ref, mask!);
  return { slots: frames, mask: mask!, scores, scoresAll, ceilings };
}
