/**
 * Window geometry shared by Conv, ConvTranspose and the pools: kernel/stride/dilation/pad attributes,
 * auto_pad resolution and output sizes. 1D ops are handled as 2D with a height of 1 so every kernel is 2D.
 */
import type { Attrs } from '../../ir/attrs.js';
import type { InferContext } from '../types.js';

export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';

export interface WindowAttrs {
  autoPad: AutoPad;
  /** Empty when the attribute is absent (taken from the weight shape for Conv). */
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** ONNX order: all begins, then all ends. Empty when absent. */
  pads: number[];
}

export function parseAutoPad(a: Attrs): AutoPad {
  const p = a.string('auto_pad', 'NOTSET');
  if (p !== 'NOTSET' && p !== 'SAME_UPPER' && p !== 'SAME_LOWER' && p !== 'VALID') {
    throw a.error(`auto_pad '${p}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`, 're-export the model with a valid auto_pad');
  }
  return p;
}

export function parseWindow(a: Attrs): WindowAttrs {
  return {
    autoPad: parseAutoPad(a),
    kernel: a.ints('kernel_shape', []),
    strides: a.ints('strides', []),
    dilations: a.ints('dilations', []),
    pads: a.ints('pads', []),
  };
}

/** Resolved 2D geometry (1D ops have h = 1 and kernel height 1). */
export interface Geom2d {
  kh: number; kw: number;
  sh: number; sw: number;
  dh: number; dw: number;
  /** begin/end pads per axis. */
  pt: number; pl: number; pb: number; pr: number;
  ih: number; iw: number;
  oh: number; ow: number;
}

/** Number of spatial dims of a [N, C, ...] input, or an error when it is not 1, 2 or 3. */
export function spatialRank(ctx: InferContext, rank: number, what = 'input'): number {
  const s = rank - 2;
  if (s < 1 || s > 3) {
    throw ctx.error(`${what} has rank ${rank}; wgml's ${ctx.node.opType} supports 1D, 2D and 3D windows only (rank 3 to 5)`, 'reshape the input into 3D volumes or 2D slices');
  }
  return s;
}

function fill(v: number[], n: number, def: number, ctx: InferContext, name: string): number[] {
  if (v.length === 0) return new Array<number>(n).fill(def);
  if (v.length !== n) throw ctx.error(`${name} has ${v.length} values for ${n} spatial dims`, `give ${name} one value per spatial axis`);
  return v;
}

/**
 * Resolve pads and output size for a forward window (Conv, pools). `kernel` has one entry per spatial
 * dim; ceil_mode follows ONNX/ORT/PyTorch: a last window that would start past the input and its
 * begin padding is dropped.
 */
export function forwardGeometry(ctx: InferContext, w: WindowAttrs, inSpatial: number[], kernel: number[], ceilMode = false): Geom2d {
  const f = forwardAxes(ctx, w, inSpatial, kernel, ceilMode);
  return to2d(inSpatial.length, kernel, f.strides, f.dil, f.pads, inSpatial, f.out);
}

/** Per spatial axis: strides, dilations, pads (begins, then ends) and output sizes (any number of axes: Conv3D uses it directly). */
export function forwardAxes(ctx: InferContext, w: WindowAttrs, inSpatial: number[], kernel: number[], ceilMode = false): { strides: number[]; dil: number[]; pads: number[]; out: number[] } {
  const s = inSpatial.length;
  const strides = fill(w.strides, s, 1, ctx, 'strides');
  const dil = fill(w.dilations, s, 1, ctx, 'dilations');
  if (kernel.length !== s) throw ctx.error(`kernel has ${kernel.length} dims for ${s} spatial dims`, 'kernel_shape must have one value per spatial axis');
  if ([...strides, ...dil, ...kernel].some((v) => v < 1)) throw ctx.error('strides, dilations and kernel sizes must be >= 1', 're-export the model');
  let pads = w.pads.length ? w.pads : new Array<number>(2 * s).fill(0);
  if (pads.length !== 2 * s) throw ctx.error(`pads has ${pads.length} values, expected ${2 * s}`, 'pads lists all begins then all ends');
  if (pads.some((p) => p < 0)) throw ctx.error('negative pads are not supported', 'slice the input instead');
  const out: number[] = [];
  if (w.autoPad === 'VALID') {
    pads = new Array<number>(2 * s).fill(0);
  }
  if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') {
    pads = new Array<number>(2 * s).fill(0);
    for (let i = 0; i < s; i++) {
      const o = Math.ceil(inSpatial[i]! / strides[i]!);
      const ek = (kernel[i]! - 1) * dil[i]! + 1;
      const total = Math.max(0, (o - 1) * strides[i]! + ek - inSpatial[i]!);
      const small = Math.floor(total / 2);
      pads[i] = w.autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + s] = total - pads[i]!;
      out.push(o);
    }
  } else {
    for (let i = 0; i < s; i++) {
      const ek = (kernel[i]! - 1) * dil[i]! + 1;
      const span = inSpatial[i]! + pads[i]! + pads[i + s]! - ek;
      if (span < 0) throw ctx.error(`window ${ek} is larger than the padded input ${inSpatial[i]! + pads[i]! + pads[i + s]!} on spatial axis ${i}`, 'check kernel_shape, dilations and pads against the input shape', { input: inSpatial });
      let o = (ceilMode ? Math.ceil(span / strides[i]!) : Math.floor(span / strides[i]!)) + 1;
      if (ceilMode && (o - 1) * strides[i]! >= inSpatial[i]! + pads[i]!) o--;
      out.push(o);
    }
  }
  return { strides, dil, pads, out };
}

export function to2d(s: number, kernel: number[], strides: number[], dil: number[], pads: number[], inSp: number[], outSp: number[]): Geom2d {
  if (s === 1) {
    return { kh: 1, kw: kernel[0]!, sh: 1, sw: strides[0]!, dh: 1, dw: dil[0]!, pt: 0, pl: pads[0]!, pb: 0, pr: pads[1]!, ih: 1, iw: inSp[0]!, oh: 1, ow: outSp[0]! };
  }
  return {
    kh: kernel[0]!, kw: kernel[1]!, sh: strides[0]!, sw: strides[1]!, dh: dil[0]!, dw: dil[1]!,
    pt: pads[0]!, pl: pads[1]!, pb: pads[2]!, pr: pads[3]!, ih: inSp[0]!, iw: inSp[1]!, oh: outSp[0]!, ow: outSp[1]!,
  };
}

/** The output spatial shape in the op's own rank. */
export function outSpatial(g: Geom2d, s: number): number[] {
  return s === 1 ? [g.ow] : [g.oh, g.ow];
}
