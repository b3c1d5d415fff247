/**
 * G-buffer pass: rasterizes the scene mesh into depth (depth32float), view-space normal + normalized
 * linear depth (rgba16float: the network input as-is, channels nx, ny, nz, depth), albedo + object id
 * (rgba8unorm, id/255 in alpha), surface (rgba16float: u, v, material index, 0) and the view-space
 * tangent frame (rgba16float: tangent xyz, bitangent handedness). The fragment shader only writes
 * interpolants: per-pixel work (material decode, AO, lighting) runs in compute passes, because
 * fragment work is far slower than compute on some GPUs. 32 bytes per sample: the default limit.
 */
import { cachedPipeline, FRAME_WGSL } from './common.js';
import { DemoError } from './network.js';
import { VERTEX_BYTES } from './scene.js';

export const NORMAL_FORMAT: GPUTextureFormat = 'rgba16float';
export const ALBEDO_FORMAT: GPUTextureFormat = 'rgba8unorm';
export const DEPTH_FORMAT: GPUTextureFormat = 'depth32float';
export const SURFACE_FORMAT: GPUTextureFormat = 'rgba16float';

const WGSL = FRAME_WGSL + /* wgsl */ `
@group(0) @binding(0) var<uniform> F: Frame;
struct VIn { @location(0) pos: vec3f, @location(1) nrm: vec3f, @location(2) col: vec3f, @location(3) id: u32, @location(4) uv: vec2f, @location(5) tan: vec4f }
struct VOut {
  @builtin(position) clip: vec4f,
  @location(0) vn: vec3f, @location(1) vz: f32, @location(2) col: vec3f, @location(3) @interpolate(flat) id: u32,
  @location(4) uv: vec2f, @location(5) vt: vec4f,
}
@vertex fn vs(v: VIn) -> VOut {
  let vp = F.view * vec4f(v.pos, 1.0);
  var o: VOut;
  o.clip = F.proj * vp;
  o.vn = (F.view * vec4f(v.nrm, 0.0)).xyz;
  o.vz = -vp.z;
  o.col = v.col;
  o.id = v.id;
  o.uv = v.uv;
  o.vt = vec4f((F.view * vec4f(v.tan.xyz, 0.0)).xyz, v.tan.w);
  return o;
}
struct FOut { @location(0) normal: vec4f, @location(1) albedo: vec4f, @location(2) surface: vec4f, @location(3) tangent: vec4f }
@fragment fn fs(i: VOut) -> FOut {
  var o: FOut;
  o.normal = vec4f(normalize(i.vn), i.vz / F.ao.w);
  o.albedo = vec4f(i.col, f32(i.id & 0xffffu) / 255.0);
  o.surface = vec4f(i.uv, f32(i.id >> 16u), 0.0);
  o.tangent = i.vt;
  return o;
}`;

export function gbufferPipeline(device: GPUDevice): Promise<GPURenderPipeline> {
  return cachedPipeline(device, 'wgml demo gbuffer', () => {
    const module = device.createShaderModule({ label: 'wgml demo gbuffer', code: WGSL });
    return device.createRenderPipelineAsync({
      label: 'wgml demo gbuffer', layout: 'auto',
      vertex: {
        module, entryPoint: 'vs',
        buffers: [{ arrayStride: VERTEX_BYTES, attributes: [
          { shaderLocation: 0, offset: 0, format: 'float32x3' }, { shaderLocation: 1, offset: 12, format: 'float32x3' },
          { shaderLocation: 2, offset: 24, format: 'float32x3' }, { shaderLocation: 3, offset: 36, format: 'uint32' },
          { shaderLocation: 4, offset: 40, format: 'float32x2' }, { shaderLocation: 5, offset: 48, format: 'float32x4' },
        ] }],
      },
      fragment: { module, entryPoint: 'fs', targets: [{ format: NORMAL_FORMAT }, { format: ALBEDO_FORMAT }, { format: SURFACE_FORMAT }, { format: SURFACE_FORMAT }] },
      // No culling: the mesh winding need not be consistent, the depth test resolves visibility.
      primitive: { topology: 'triangle-list', cullMode: 'none' },
      depthStencil: { format: DEPTH_FORMAT, depthWriteEnabled: true, depthCompare: 'less' },
    });
  });
}

export interface GBufferTargets {
  /** depth32float from the raster pass; null after the compute G-buffer (gbuffer-compute.ts). */
  depth: GPUTexture | null;
  normal: GPUTexture;
  albedo: GPUTexture;
  /** u, v, material index (0: none). */
  surface: GPUTexture;
  /** View-space tangent xyz, bitangent handedness. */
  tangent: GPUTexture;
}

export function createGBufferTargets(device: GPUDevice, width: number, height: number): GBufferTargets {
  const usage = GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_SRC;
  const size = { width, height };
  return {
    depth: device.createTexture({ label: 'wgml demo depth', size, format: DEPTH_FORMAT, usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.TEXTURE_BINDING }),
    normal: device.createTexture({ label: 'wgml demo view normal + depth', size, format: NORMAL_FORMAT, usage }),
    albedo: device.createTexture({ label: 'wgml demo albedo + id', size, format: ALBEDO_FORMAT, usage }),
    surface: device.createTexture({ label: 'wgml demo uv + material', size, format: SURFACE_FORMAT, usage }),
    tangent: device.createTexture({ label: 'wgml demo tangent', size, format: SURFACE_FORMAT, usage }),
  };
}

export interface GBufferDraw {
  pipeline: GPURenderPipeline;
  bindGroup: GPUBindGroup;
  vertices: GPUBuffer;
  indices: GPUBuffer;
  indexCount: number;
}

export function encodeGBuffer(encoder: GPUCommandEncoder, t: GBufferTargets, d: GBufferDraw, timestampWrites?: GPURenderPassTimestampWrites): void {
  if (!t.depth) throw new DemoError('the raster G-buffer pass got targets without a depth texture (made for the compute G-buffer)', 'create them with createGBufferTargets, or encode the compute G-buffer (gbuffer-compute.ts)');
  const pass = encoder.beginRenderPass({
    label: 'wgml demo gbuffer',
    colorAttachments: [
      // Sky: no normal, depth channel 1 (as far as the network input goes).
      { view: t.normal.createView({ label: 'wgml demo normal view' }), loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 1 } },
      { view: t.albedo.createView({ label: 'wgml demo albedo view' }), loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 0 } },
      { view: t.surface.createView({ label: 'wgml demo surface view' }), loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 0 } },
      { view: t.tangent.createView({ label: 'wgml demo tangent view' }), loadOp: 'clear', storeOp: 'store', clearValue: { r: 1, g: 0, b: 0, a: 1 } },
    ],
    depthStencilAttachment: { view: t.depth.createView({ label: 'wgml demo depth view' }), depthLoadOp: 'clear', depthStoreOp: 'store', depthClearValue: 1 },
    ...(timestampWrites ? { timestampWrites } : {}),
  });
  pass.setPipeline(d.pipeline);
  pass.setBindGroup(0, d.bindGroup);
  pass.setVertexBuffer(0, d.vertices);
  pass.setIndexBuffer(d.indices, 'uint32');
  pass.drawIndexed(d.indexCount);
  pass.end();
}
