/**
 * A lit, normal-mapped sphere shaded from a neural material, two ways: forward (the decoder runs in
 * the fragment shader) and compute shading (a G-buffer pass writes uv/normal/tangent, then one
 * compute pass decodes and shades every covered pixel). The same scene can be shaded from the
 * original textures (texel values in a storage buffer) so the neural render can be scored by PSNR.
 * Both paths fetch the material at the nearest texel (no filtering) so the comparison isolates the
 * compression error. Browser-safe: no node imports.
 */
import { withErrorScope } from '../../gpu/scope.js';
import { flattenWgsl } from '../../gpu/wgsl.js';
import { materialWgsl, type LoadedMaterial, type MaterialDecodeOptions } from './wgmat.js';
import { boxDown, levelSize } from './mips.js';
import type { TextureTarget } from './textures.js';

export interface SceneOptions {
  width: number; height: number;
  /** uv repeats around the sphere (default 2×1). */
  tile?: [number, number];
  /**
   * Forward path only. 'nearest' (default) fetches the nearest texel; 'trilinear' samples at the pixel's
   * mip level: the neural material's trained mips (`wgml compress --mips`), or the originals' box-filtered chain.
   */
  filter?: 'nearest' | 'trilinear';
}
export type MaterialSource = { kind: 'neural'; material: LoadedMaterial; decode?: MaterialDecodeOptions } | { kind: 'texels'; width: number; height: number; channels: number; textures: TextureTarget[]; data: Float32Array };

const SEG = 64, RINGS = 32;

/** UV sphere: position, normal, tangent (xyz, handedness) and uv per vertex. */
function sphere(): { verts: Float32Array; index: Uint32Array } {
  const v: number[] = [], idx: number[] = [];
  for (let r = 0; r <= RINGS; r++) {
    const th = (r / RINGS) * Math.PI, st = Math.sin(th), ct = Math.cos(th);
    for (let s = 0; s <= SEG; s++) {
      const ph = (s / SEG) * 2 * Math.PI, sp = Math.sin(ph), cp = Math.cos(ph);
      const n = [st * cp, ct, st * sp];
      v.push(...n, ...n, -sp, 0, cp, 1, s / SEG, r / RINGS);
    }
  }
  for (let r = 0; r < RINGS; r++) for (let s = 0; s < SEG; s++) {
    const a = r * (SEG + 1) + s, b = a + SEG + 1;
    idx.push(a, b, a + 1, a + 1, b, b + 1);
  }
  return { verts: new Float32Array(v), index: new Uint32Array(idx) };
}

function viewProj(aspect: number): Float32Array {
  // Camera at (0, 0.6, 2.8) looking at the origin, 45° vertical field of view; column-major.
  const eye = [0, 0.6, 2.8], f = 1 / Math.tan(Math.PI / 8), near = 0.1, far = 10;
  const z = eye.map((e) => e / Math.hypot(...eye));
  const x = [z[2]!, 0, -z[0]!].map((c, _, a) => c / Math.hypot(...a));
  const y = [z[1]! * x[2]! - z[2]! * x[1]!, z[2]! * x[0]! - z[0]! * x[2]!, z[0]! * x[1]! - z[1]! * x[0]!];
  const dot = (a: number[], b: number[]) => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
  const view = [x[0], y[0], z[0], 0, x[1], y[1], z[1], 0, x[2], y[2], z[2], 0, -dot(x, eye), -dot(y, eye), -dot(z, eye), 1] as number[];
  const proj = [f / aspect, 0, 0, 0, 0, f, 0, 0, 0, 0, far / (near - far), -1, 0, 0, (near * far) / (near - far), 0];
  const out = new Float32Array(16);
  for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) { let s = 0; for (let k = 0; k < 4; k++) s += proj[k * 4 + r]! * view[c * 4 + k]!; out[c * 4 + r] = s; }
  return out;
}

/** WGSL turning the material's channels into albedo, tangent-space normal and roughness. */
function surfaceWgsl(textures: TextureTarget[], C: number): string {
  let c0 = 0, albedo = 'vec3(0.7)', nxy = 'vec2(0.5)', rough = '0.5';
  for (const t of textures) {
    if (t.kind === 'color' && albedo === 'vec3(0.7)') albedo = `vec3(m[${c0}], m[${c0 + 1}], m[${c0 + 2}])`;
    else if (t.kind === 'normal' && nxy === 'vec2(0.5)') nxy = `vec2(m[${c0}], m[${c0 + 1}])`;
    else if (t.kind === 'scalar' && rough === '0.5') rough = /gloss|smooth/i.test(t.name) ? `1.0 - m[${c0}]` : `m[${c0}]`;
    c0 += t.channels;
  }
  return `struct Surface { albedo: vec3<f32>, nxy: vec2<f32>, rough: f32 }
fn surface_of(mv: array<f32, ${C}>) -> Surface {
  var m = mv;
  return Surface(clamp(${albedo}, vec3(0.0), vec3(1.0)), clamp(${nxy}, vec2(0.0), vec2(1.0)), clamp(${rough}, 0.02, 1.0));
}
struct Cam { vp: mat4x4<f32>, eye: vec4<f32>, light: vec4<f32> }
@group(0) @binding(0) var<uniform> cam: Cam;
fn texel_of(uv: vec2<f32>) -> vec2<u32> {
  let t = fract(uv * vec2(TILE)) * vec2(f32(MAT_W), f32(MAT_H));
  return min(vec2<u32>(t), vec2(MAT_W - 1u, MAT_H - 1u));
}
// Blinn-Phong with a normal map: tangent-space normal from x, y (z rebuilt), roughness → exponent.
fn shade(s: Surface, n0: vec3<f32>, t0: vec4<f32>, pos: vec3<f32>) -> vec4<f32> {
  let n = normalize(n0); let t = normalize(t0.xyz - n * dot(n, t0.xyz)); let b = cross(n, t) * t0.w;
  let ts = vec3(s.nxy * 2.0 - 1.0, 0.0);
  let nt = normalize(t * ts.x + b * ts.y + n * sqrt(max(0.0, 1.0 - dot(ts.xy, ts.xy))));
  let l = normalize(cam.light.xyz); let v = normalize(cam.eye.xyz - pos); let h = normalize(l + v);
  let spec = pow(max(dot(nt, h), 0.0), mix(256.0, 4.0, s.rough)) * (1.0 - s.rough) * 0.6;
  let c = s.albedo * (0.08 + 0.92 * max(dot(nt, l), 0.0)) + vec3(spec);
  return vec4(clamp(c, vec3(0.0), vec3(1.0)), 1.0);
}`;
}

/** The material fetch for either source: `fn mat_at(p: vec2<u32>) -> array<f32, C>`, bound at group 1. */
function sourceWgsl(device: GPUDevice, src: MaterialSource, vis: number, trilinear: boolean) {
  if (src.kind === 'neural') {
    const m = materialWgsl(src.material, 'mat_at', 1, 0, device, src.decode);
    const W = src.material.manifest.width, H = src.material.manifest.height, C = src.material.manifest.channels;
    const code = flattenWgsl(m.module);
    return {
      code: `const MAT_W = ${W}u; const MAT_H = ${H}u;\n${code.code}${trilinear ? `\nfn mat_filtered(uv: vec2<f32>, lod: f32) -> array<f32, ${C}> { return mat_at_uv(uv, lod); }` : ''}`,
      enables: code.enables, C, textures: src.material.manifest.textures, layout: m.layoutEntries(vis), entries: () => m.bindGroupEntries(device), destroy: () => {},
    };
  }
  const C = src.channels, K = Math.ceil(C / 4);
  const buf = device.createBuffer({ label: 'original texels', size: src.data.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buf, 0, src.data);
  // The mip chain only for trilinear renders: building it box-filters every level on the CPU.
  const mips = trilinear ? originalMips(device, src) : [];
  return {
    code: `const MAT_W = ${src.width}u; const MAT_H = ${src.height}u;
@group(1) @binding(0) var<storage, read> texels: array<f32>;
fn mat_at(p: vec2<u32>) -> array<f32, ${C}> {
  var m: array<f32, ${C}>;
  let o = (p.y * MAT_W + p.x) * ${C}u;
  for (var c = 0u; c < ${C}u; c++) { m[c] = texels[o + c]; }
  return m;
}${trilinear ? `
${Array.from({ length: K }, (_, k) => `@group(1) @binding(${1 + k}) var orig${k}: texture_2d<f32>;`).join('\n')}
@group(1) @binding(${1 + K}) var orig_samp: sampler;
// The originals as a conventional engine holds them: RGBA8 with a box-filtered mip chain, trilinear.
fn mat_filtered(uv: vec2<f32>, lod: f32) -> array<f32, ${C}> {
  var m: array<f32, ${C}>;
${Array.from({ length: K }, (_, k) => `  { let s = textureSampleLevel(orig${k}, orig_samp, uv, lod);
${[0, 1, 2, 3].filter((c) => k * 4 + c < C).map((c) => `    m[${k * 4 + c}] = s[${c}];`).join('\n')} }`).join('\n')}
  return m;
}` : ''}`, enables: [] as string[], C, textures: src.textures,
    layout: [{ binding: 0, visibility: vis, buffer: { type: 'read-only-storage' as const } },
      ...mips.map((_, k) => ({ binding: 1 + k, visibility: vis, texture: { sampleType: 'float' as const } })),
      ...(trilinear ? [{ binding: 1 + K, visibility: vis, sampler: { type: 'filtering' as const } }] : [])] as GPUBindGroupLayoutEntry[],
    entries: () => [{ binding: 0, resource: { buffer: buf } }, ...mips.map((t, k) => ({ binding: 1 + k, resource: t.createView() })),
      ...(trilinear ? [{ binding: 1 + K, resource: device.createSampler({ label: 'originals (trilinear)', magFilter: 'linear', minFilter: 'linear', mipmapFilter: 'linear', addressModeU: 'clamp-to-edge', addressModeV: 'clamp-to-edge' }) }] : [])],
    destroy: () => { buf.destroy(); mips.forEach((t) => t.destroy()); },
  };
}

/** The original channels as RGBA8 textures (4 channels each) with full box-filtered mip chains. */
function originalMips(device: GPUDevice, src: { width: number; height: number; channels: number; data: Float32Array }): GPUTexture[] {
  const { width: W, height: H, channels: C } = src, K = Math.ceil(C / 4);
  const levels = Math.floor(Math.log2(Math.max(W, H))) + 1;
  const tex = Array.from({ length: K }, (_, k) => device.createTexture({ label: `original channels ${4 * k}…`, size: [W, H], mipLevelCount: levels, format: 'rgba8unorm', usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST }));
  for (let m = 0; m < levels; m++) {
    const w = levelSize(W, m), h = levelSize(H, m), g = m ? boxDown(src, w, h) : src;
    tex.forEach((t, k) => {
      const px = new Uint8Array(w * h * 4);
      for (let p = 0; p < w * h; p++) for (let c = 0; c < 4; c++) px[p * 4 + c] = k * 4 + c < C ? Math.round(Math.min(1, Math.max(0, g.data[p * C + k * 4 + c]!)) * 255) : 255;
      device.queue.writeTexture({ texture: t, mipLevel: m }, px, { bytesPerRow: w * 4 }, [w, h]);
    });
  }
  return tex;
}

const VS = `struct VOut { @builtin(position) pos: vec4<f32>, @location(0) uv: vec2<f32>, @location(1) n: vec3<f32>, @location(2) t: vec4<f32>, @location(3) wp: vec3<f32> }
@vertex fn vs(@location(0) p: vec3<f32>, @location(1) n: vec3<f32>, @location(2) t: vec4<f32>, @location(3) uv: vec2<f32>) -> VOut {
  return VOut(cam.vp * vec4(p, 1.0), uv, n, t, p);
}`;

/**
 * Render the scene from `src` with `path`; returns RGBA8 rows (width×height×4). The forward path
 * decodes per fragment; the compute path writes a G-buffer, then decodes and shades in one pass.
 */
export async function renderMaterialScene(device: GPUDevice, src: MaterialSource, path: 'forward' | 'compute', o: SceneOptions): Promise<Uint8Array> {
  const { width: W, height: H } = o, tile = o.tile ?? [2, 1];
  const frag = path === 'forward' ? GPUShaderStage.FRAGMENT : GPUShaderStage.COMPUTE;
  const s = sourceWgsl(device, src, frag, path === 'forward' && o.filter === 'trilinear');
  const common = (s.enables.length ? s.enables.map((e) => `enable ${e};`).join('\n') + '\n' : '') + surfaceWgsl(s.textures, s.C).replace('TILE', `${tile[0]}.0, ${tile[1]}.0`) + '\n' + s.code + '\n' + VS;
  return withErrorScope(device, `render-material (${path}, ${src.kind})`, async () => {
    const { verts, index } = sphere();
    const vb = device.createBuffer({ label: 'sphere vertices', size: verts.byteLength, usage: GPUBufferUsage.VERTEX | GPUBufferUsage.COPY_DST });
    const ib = device.createBuffer({ label: 'sphere indices', size: index.byteLength, usage: GPUBufferUsage.INDEX | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(vb, 0, verts); device.queue.writeBuffer(ib, 0, index);
    const cam = new Float32Array(24);
    cam.set(viewProj(W / H)); cam.set([0, 0.6, 2.8, 1], 16); cam.set([0.6, 0.7, 0.8, 0], 20);
    const ub = device.createBuffer({ label: 'camera', size: cam.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(ub, 0, cam);
    const l0 = device.createBindGroupLayout({ label: 'camera', entries: [{ binding: 0, visibility: GPUShaderStage.VERTEX | frag, buffer: { type: 'uniform' } }] });
    const l1 = device.createBindGroupLayout({ label: 'material', entries: s.layout });
    const g0 = device.createBindGroup({ layout: l0, entries: [{ binding: 0, resource: { buffer: ub } }] });
    const g1 = device.createBindGroup({ layout: l1, entries: s.entries() });
    const depth = device.createTexture({ label: 'depth', size: [W, H], format: 'depth24plus', usage: GPUTextureUsage.RENDER_ATTACHMENT });
    const vertex: GPUVertexState = { module: undefined as unknown as GPUShaderModule, entryPoint: 'vs', buffers: [{ arrayStride: 48, attributes: [{ shaderLocation: 0, offset: 0, format: 'float32x3' }, { shaderLocation: 1, offset: 12, format: 'float32x3' }, { shaderLocation: 2, offset: 24, format: 'float32x4' }, { shaderLocation: 3, offset: 40, format: 'float32x2' }] }] };
    const bg = [0.1, 0.1, 0.12, 1];
    const rowBytes = Math.ceil((W * 4) / 256) * 256;
    const rb = device.createBuffer({ label: 'render readback', size: rowBytes * H, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = device.createCommandEncoder({ label: `render-material ${path}` });
    const draw = (pass: GPURenderPassEncoder, pipe: GPURenderPipeline) => {
      pass.setPipeline(pipe); pass.setBindGroup(0, g0); if (path === 'forward') pass.setBindGroup(1, g1);
      pass.setVertexBuffer(0, vb); pass.setIndexBuffer(ib, 'uint32'); pass.drawIndexed(index.length); pass.end();
    };
    const ds: GPUDepthStencilState = { format: 'depth24plus', depthWriteEnabled: true, depthCompare: 'less' };
    const dsa = { view: depth.createView(), depthClearValue: 1, depthLoadOp: 'clear' as const, depthStoreOp: 'discard' as const };
    if (path === 'forward') {
      const module = device.createShaderModule({ label: 'material forward', code: `${common}
${o.filter === 'trilinear' ? `@fragment fn fs(v: VOut) -> @location(0) vec4<f32> {
  let st = v.uv * vec2(${tile[0]}.0, ${tile[1]}.0);
  let sz = vec2(f32(MAT_W), f32(MAT_H));
  let lod = max(0.0, log2(max(length(dpdx(st) * sz), length(dpdy(st) * sz))));
  return shade(surface_of(mat_filtered(fract(st), lod)), v.n, v.t, v.wp);
}` : `@fragment fn fs(v: VOut) -> @location(0) vec4<f32> { return shade(surface_of(mat_at(texel_of(v.uv))), v.n, v.t, v.wp); }`}` });
      const pipe = await device.createRenderPipelineAsync({ label: 'material forward', layout: device.createPipelineLayout({ bindGroupLayouts: [l0, l1] }), vertex: { ...vertex, module }, fragment: { module, entryPoint: 'fs', targets: [{ format: 'rgba8unorm' }] }, depthStencil: ds, primitive: { cullMode: 'none' } });
      const color = device.createTexture({ label: 'forward color', size: [W, H], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
      draw(enc.beginRenderPass({ colorAttachments: [{ view: color.createView(), loadOp: 'clear', storeOp: 'store', clearValue: bg }], depthStencilAttachment: dsa }), pipe);
      enc.copyTextureToBuffer({ texture: color }, { buffer: rb, bytesPerRow: rowBytes }, [W, H]);
    } else {
      const gmod = device.createShaderModule({ label: 'material g-buffer', code: `struct Cam { vp: mat4x4<f32>, eye: vec4<f32>, light: vec4<f32> }
@group(0) @binding(0) var<uniform> cam: Cam;
${VS}
struct G { @location(0) uv: vec2<f32>, @location(1) n: vec4<f32>, @location(2) t: vec4<f32> }
@fragment fn fs(v: VOut) -> G { return G(v.uv, vec4(v.n, 0.0), v.t); }` });
      // uv in full f32 (texel addressing), normal and tangent in f16: 24 bytes a sample (limit 32).
      const gfmts: GPUTextureFormat[] = ['rg32float', 'rgba16float', 'rgba16float'];
      const gb = gfmts.map((format, k) => device.createTexture({ label: `g-buffer ${k}`, size: [W, H], format, usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.TEXTURE_BINDING }));
      const gl0 = device.createBindGroupLayout({ label: 'camera (vertex)', entries: [{ binding: 0, visibility: GPUShaderStage.VERTEX, buffer: { type: 'uniform' } }] });
      const gpipe = await device.createRenderPipelineAsync({ label: 'g-buffer', layout: device.createPipelineLayout({ bindGroupLayouts: [gl0] }), vertex: { ...vertex, module: gmod }, fragment: { module: gmod, entryPoint: 'fs', targets: gfmts.map((format) => ({ format })) }, depthStencil: ds, primitive: { cullMode: 'none' } });
      const rp = enc.beginRenderPass({ colorAttachments: gb.map((t) => ({ view: t.createView(), loadOp: 'clear' as const, storeOp: 'store' as const, clearValue: [-1, -1, 0, 0] })), depthStencilAttachment: dsa });
      rp.setPipeline(gpipe); rp.setBindGroup(0, device.createBindGroup({ layout: gl0, entries: [{ binding: 0, resource: { buffer: ub } }] }));
      rp.setVertexBuffer(0, vb); rp.setIndexBuffer(ib, 'uint32'); rp.drawIndexed(index.length); rp.end();
      const cmod = device.createShaderModule({ label: 'material compute shading', code: `${common}
@group(2) @binding(0) var gb0: texture_2d<f32>;
@group(2) @binding(1) var gb1: texture_2d<f32>;
@group(2) @binding(2) var gb2: texture_2d<f32>;
@group(2) @binding(3) var<storage, read_write> img: array<u32>;
@compute @workgroup_size(8, 8) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  if (g.x >= ${W}u || g.y >= ${H}u) { return; }
  let p = vec2<i32>(g.xy);
  let a = textureLoad(gb0, p, 0);
  var c = vec4(${bg.join(', ')});
  if (a.x >= 0.0) {
    let n = textureLoad(gb1, p, 0).xyz; let t = textureLoad(gb2, p, 0);
    // Reconstruct the world position on the unit sphere from the interpolated normal.
    c = shade(surface_of(mat_at(texel_of(a.xy))), n, t, normalize(n));
  }
  img[g.y * ${W}u + g.x] = pack4x8unorm(c);
}` });
      const l2 = device.createBindGroupLayout({ label: 'g-buffer', entries: [0, 1, 2].map((b) => ({ binding: b, visibility: GPUShaderStage.COMPUTE, texture: { sampleType: 'unfilterable-float' as const } } as GPUBindGroupLayoutEntry)).concat([{ binding: 3, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } }]) });
      const cpipe = await device.createComputePipelineAsync({ label: 'material compute shading', layout: device.createPipelineLayout({ bindGroupLayouts: [l0, l1, l2] }), compute: { module: cmod, entryPoint: 'main' } });
      const img = device.createBuffer({ label: 'compute-shaded image', size: W * H * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
      const cp = enc.beginComputePass({ label: 'material compute shading' });
      cp.setPipeline(cpipe); cp.setBindGroup(0, g0); cp.setBindGroup(1, g1);
      cp.setBindGroup(2, device.createBindGroup({ layout: l2, entries: [...gb.map((t, b) => ({ binding: b, resource: t.createView() })), { binding: 3, resource: { buffer: img } }] }));
      cp.dispatchWorkgroups(Math.ceil(W / 8), Math.ceil(H / 8)); cp.end();
      for (let y = 0; y < H; y++) enc.copyBufferToBuffer(img, y * W * 4, rb, y * rowBytes, W * 4);
    }
    device.queue.submit([enc.finish()]);
    await rb.mapAsync(GPUMapMode.READ);
    const raw = new Uint8Array(rb.getMappedRange().slice(0));
    rb.unmap();
    const out = new Uint8Array(W * H * 4);
    for (let y = 0; y < H; y++) out.set(raw.subarray(y * rowBytes, y * rowBytes + W * 4), y * W * 4);
    [vb, ib, ub, rb].forEach((b) => b.destroy());
    s.destroy();
    return out;
  });
}

/** PSNR (dB) of two RGBA8 images over RGB. */
export function imagePsnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0, n = 0;
  for (let i = 0; i < a.length; i += 4) for (let c = 0; c < 3; c++) { se += ((a[i + c]! - b[i + c]!) / 255) ** 2; n++; }
  return 10 * Math.log10(1 / Math.max(se / n, 1e-12));
}
