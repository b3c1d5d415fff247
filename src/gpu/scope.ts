/** Error scopes around wgml's own GPU work, so a validation error becomes a typed exception. */
import { GpuValidationError } from '../errors.js';

/**
 * Run `fn` inside validation and out-of-memory error scopes and throw {@link GpuValidationError}
 * if the GPU reported anything.
 */
export async function withErrorScope<T>(device: GPUDevice, what: string, fn: () => T | Promise<T>): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let result: T;
  try {
    result = await fn();
  } finally {
    const validation = await device.popErrorScope();
    const oom = await device.popErrorScope();
    const err = validation ?? oom;
    if (err) throw new GpuValidationError(what, err.message);
  }
  return result;
}
