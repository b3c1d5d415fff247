/**
 * Tensor viewer: any captured value to .npy, image-like values (N×C×H×W, C×H×W, H×W) to PNG per
 * channel (grey, or false colour), and histograms. `wgml tensor dump` and the graph view use it.
 */
import { PNG } from 'pngjs';
import type { HostTensor } from '../ir/types.js';
import { fmtShape } from '../ir/types.js';
import { writeNpy } from '../ir/npy.js';
import { ShapeError } from '../errors.js';
import { histogram, type Histogram } from './stats.js';

export { histogram, fmtHistogram, type Histogram } from './stats.js';

/** .npy bytes of a tensor. */
export function toNpy(t: HostTensor): Uint8Array {
  return writeNpy(t);
}

/** [N, C, H, W] of an image-like tensor, or null. Rank 2 is one H×W channel; rank 3 is C×H×W. */
export function imageDims(shape: readonly number[]): [number, number, number, number] | null {
  if (shape.length === 2) return [1, 1, shape[0]!, shape[1]!];
  if (shape.length === 3) return [1, shape[0]!, shape[1]!, shape[2]!];
  if (shape.length === 4) return [shape[0]!, shape[1]!, shape[2]!, shape[3]!];
  return null;
}

// Turbo-like colour ramp (5 stops), linearly interpolated: dark blue → cyan → green → yellow → red.
const RAMP: [number, number, number][] = [[48, 18, 59], [40, 188, 235], [164, 252, 60], [251, 185, 56], [122, 4, 3]];
function ramp(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x)), f = x - i;
  const a = RAMP[i]!, b = RAMP[i + 1]!;
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

export interface PngOptions {
  batch?: number;
  /** Map values through a colour ramp instead of grey. */
  falseColour?: boolean;
  /** Value range mapped to black…white; default the channel's finite min…max. */
  range?: [number, number];
  /** Integer upscale of small images (nearest), default 1. */
  scale?: number;
}

/** One channel of an image-like tensor as PNG bytes. NaN shows magenta, ±Inf white/black. */
export function channelPng(t: HostTensor, channel: number, opts: PngOptions = {}): Uint8Array {
  const d = imageDims(t.shape);
  if (!d) throw new ShapeError(`a tensor of shape ${fmtShape(t.shape)} is not image-like`, 'PNG export takes H×W, C×H×W or N×C×H×W values; write .npy instead', { shape: t.shape });
  const [N, C, H, W] = d;
  const b = opts.batch ?? 0, s = Math.max(1, Math.floor(opts.scale ?? 1));
  if (b < 0 || b >= N || channel < 0 || channel >= C) throw new ShapeError(`batch ${b}, channel ${channel} is outside ${fmtShape(t.shape)}`, `pick a batch < ${N} and a channel < ${C}`, { shape: t.shape });
  const base = (b * C + channel) * H * W;
  let lo = Infinity, hi = -Infinity;
  if (opts.range) [lo, hi] = opts.range;
  else for (let i = 0; i < H * W; i++) { const v = t.data[base + i]!; if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }
  const span = hi > lo ? hi - lo : 1;
  const png = new PNG({ width: W * s, height: H * s });
  for (let y = 0; y < H * s; y++) for (let x = 0; x < W * s; x++) {
    const v = t.data[base + Math.floor(y / s) * W + Math.floor(x / s)]!;
    let rgb: [number, number, number];
    if (Number.isNaN(v)) rgb = [255, 0, 255];
    else if (v === Infinity) rgb = [255, 255, 255];
    else if (v === -Infinity) rgb = [0, 0, 0];
    else { const u = (v - lo) / span; rgb = opts.falseColour ? ramp(u) : [u * 255, u * 255, u * 255]; }
    const o = (y * W * s + x) * 4;
    png.data[o] = rgb[0]; png.data[o + 1] = rgb[1]; png.data[o + 2] = rgb[2]; png.data[o + 3] = 255;
  }
  return new Uint8Array(PNG.sync.write(png));
}

/** Every channel of batch item `batch` as PNG bytes. */
export function channelPngs(t: HostTensor, opts: PngOptions = {}): Uint8Array[] {
  const d = imageDims(t.shape);
  if (!d) return [];
  return Array.from({ length: d[1] }, (_, c) => channelPng(t, c, opts));
}

/** A `data:image/png;base64,…` URL of the first channel, upscaled to about `size` pixels (graph view previews). */
export function previewDataUrl(t: HostTensor, size = 64): string | null {
  const d = imageDims(t.shape);
  if (!d || d[2] * d[3] === 0 || d[2] * d[3] > 512 * 512) return null;
  const scale = Math.max(1, Math.floor(size / Math.max(d[2], d[3])));
  return `data:image/png;base64,${Buffer.from(channelPng(t, 0, { scale, falseColour: true })).toString('base64')}`;
}

/** Histogram data of a tensor (finite values; NaN/Inf counted). */
export function tensorHistogram(t: HostTensor, bins = 20): Histogram {
  return histogram(t.data, bins);
}
