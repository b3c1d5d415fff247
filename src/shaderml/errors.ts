/** Typed errors of the shader-ML layer: shapes of inline networks and their weight files. */
import { ShapeError, WgmlError } from '../errors.js';

/** Layer sizes and weight/bias/input lengths that do not agree. */
export class MlpDimensionError extends ShapeError {
  constructor(message: string, hint: string, details: Record<string, unknown> = {}) {
    super(message, hint, details);
  }
}

export { WeightFileError } from '../errors.js';

/** A precision or scope the device cannot run (e.g. f16 without shader-f16). */
export class ShaderMLFeatureError extends WgmlError {
  constructor(message: string, hint: string, details: Record<string, unknown> = {}) {
    super('E_FEATURE', message, hint, details);
  }
}

/** An option of loading or decoding a neural material that is not one of its values. */
export class MaterialOptionError extends WgmlError {
  constructor(message: string, hint: string, details: Record<string, unknown> = {}) {
    super('E_MATERIAL_OPTION', message, hint, details);
  }
}
