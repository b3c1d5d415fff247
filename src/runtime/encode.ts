/**
 * encodeNetwork: record a bound network into the caller's command encoder as one compute pass.
 * Never submits, maps, reads back or creates GPU objects.
 */
import { dispatchWorkgroups } from '../gpu/dispatch.js';
import type { BoundNetwork } from './bind.js';

export interface EncodeOptions {
  /** Timestamp writes for the network's pass (profiling). */
  timestampWrites?: GPUComputePassTimestampWrites;
}

/**
 * @example
 * const encoder = device.createCommandEncoder();
 * wgml.encodeNetwork(encoder, args);
 * device.queue.submit([encoder.finish()]);
 */
export function encodeNetwork(encoder: GPUCommandEncoder, bound: BoundNetwork, opts?: EncodeOptions): void {
  bound.assertUsable();
  for (const b of bound.pre) b.encode(encoder);
  const p = bound.pipeline;
  // The plain descriptor is made once per pipeline: recording a frame allocates nothing.
  const pass = encoder.beginComputePass(opts?.timestampWrites ? { label: p.label, timestampWrites: opts.timestampWrites } : p.passDescriptor);
  const ds = p.program.dispatches;
  const pipes = p.gpuPipelines;
  const groups = bound.bindGroups;
  // Each call crosses into the WebGPU implementation (1–2 µs in Dawn-node): skip repeated pipelines and
  // bind groups (with shared recording, one bind group serves every declared kernel).
  let last: GPUComputePipeline | null = null;
  let lastGroup: GPUBindGroup | null = null;
  for (let i = 0; i < ds.length; i++) {
    const wg = ds[i]!.kernel.workgroups;
    if (wg[0] === 0 || wg[1] === 0 || wg[2] === 0) continue;
    const pipe = pipes[i]!, group = groups[i]!;
    if (pipe !== last) { pass.setPipeline(pipe); last = pipe; }
    if (group !== lastGroup) { pass.setBindGroup(0, group); lastGroup = group; }
    dispatchWorkgroups(pass, wg);
  }
  pass.end();
  for (const b of bound.post) b.encode(encoder);
}
