/**
 * Packs the G-buffer's network input (nx, ny, nz, depth/DEPTH_SCALE) and the AO slot into one dense
 * f32 buffer laid out [5, H, W] (channel-major, as NCHW wants). The dataset writer and the tests read
 * it back; the frame itself feeds the network through wgml's texture bridge instead.
 */
import { computePipeline, encodeImagePass } from './common.js';

/** Channels: 0..3 the network input, 4 the AO. */
export const PACK_CHANNELS = 5;

const WGSL = /* wgsl */ `
@group(0) @binding(0) var normalTex: texture_2d<f32>;
@group(0) @binding(1) var aoTex: texture_2d<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(8, 8) fn main(@builtin(global_invocation_id) g: vec3u) {
  let dims = textureDimensions(normalTex);
  if (g.x >= dims.x || g.y >= dims.y) { return; }
  let pix = vec2i(g.xy);
  let plane = dims.x * dims.y;
  let i = g.y * dims.x + g.x;
  let v = textureLoad(normalTex, pix, 0);
  out[i] = v.x; out[plane + i] = v.y; out[2u * plane + i] = v.z; out[3u * plane + i] = v.w;
  out[4u * plane + i] = textureLoad(aoTex, pix, 0).r;
}`;

export const packPipeline = (device: GPUDevice) => computePipeline(device, 'wgml demo pack', WGSL);

/** Record the pack and a copy into a mappable buffer; returns the staging buffer (caller maps and destroys it). */
export async function encodePack(device: GPUDevice, encoder: GPUCommandEncoder, normal: GPUTexture, ao: GPUTexture): Promise<{ staging: GPUBuffer; out: GPUBuffer }> {
  const pipeline = await packPipeline(device);
  const bytes = PACK_CHANNELS * normal.width * normal.height * 4;
  const out = device.createBuffer({ label: 'wgml demo packed g-buffer', size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const staging = device.createBuffer({ label: 'wgml demo packed readback', size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const bindGroup = device.createBindGroup({ label: 'wgml demo pack', layout: pipeline.getBindGroupLayout(0), entries: [
    { binding: 0, resource: normal.createView({ label: 'wgml demo pack normal' }) },
    { binding: 1, resource: ao.createView({ label: 'wgml demo pack ao' }) },
    { binding: 2, resource: { buffer: out } },
  ] });
  encodeImagePass(encoder, 'wgml demo pack', pipeline, bindGroup, normal.width, normal.height);
  encoder.copyBufferToBuffer(out, 0, staging, 0, bytes);
  return { staging, out };
}

/** Read back the G-buffer input channels and AO of a frame already rendered ([5, H, W] f32). */
export async function readPacked(device: GPUDevice, normal: GPUTexture, ao: GPUTexture): Promise<Float32Array> {
  const encoder = device.createCommandEncoder({ label: 'wgml demo pack' });
  const { staging, out } = await encodePack(device, encoder, normal, ao);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const data = new Float32Array(staging.getMappedRange().slice(0));
  staging.unmap(); staging.destroy(); out.destroy();
  return data;
}
