/** onnxruntime-node (CPU) as the independent reference for whole models. */
import type { HostTensor } from '../../src/ir/types.js';

export async function ortRun(modelPath: string, inputs: Record<string, HostTensor>): Promise<Record<string, { dims: number[]; data: Float32Array }>> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const [k, v] of Object.entries(inputs)) feeds[k] = new ort.Tensor('float32', Float32Array.from(v.data), v.shape);
  const out = await session.run(feeds);
  const res: Record<string, { dims: number[]; data: Float32Array }> = {};
  for (const [k, v] of Object.entries(out)) res[k] = { dims: [...v.dims], data: Float32Array.from(v.data as Float32Array) };
  await session.release();
  return res;
}

/** max|a-b| / max|b| */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) { num = Math.max(num, Math.abs(a[i]! - b[i]!)); den = Math.max(den, Math.abs(b[i]!)); }
  return num / (den || 1);
}
