/** The shared test device: one per test file (worker), with uncaptured GPU errors collected. */
import { requestDevice } from '../../src/gpu/device.js';

let devicePromise: Promise<GPUDevice> | null = null;
const uncaptured: string[] = [];

export function testDevice(): Promise<GPUDevice> {
  devicePromise ??= requestDevice({ quiet: true }).then((d) => {
    d.onuncapturederror = (ev: GPUUncapturedErrorEvent) => { uncaptured.push(ev.error.message); };
    return d;
  });
  return devicePromise;
}

export function drainUncapturedErrors(): string[] {
  return uncaptured.splice(0);
}

/** Run fn inside validation/OOM scopes and fail on any GPU error. */
export async function scoped<T>(device: GPUDevice, fn: () => Promise<T> | T): Promise<T> {
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
  const r = await fn();
  const oom = await device.popErrorScope();
  const val = await device.popErrorScope();
  if (oom || val) throw new Error(`GPU error: ${(val ?? oom)!.message}`);
  return r;
}
