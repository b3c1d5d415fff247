/**
 * A material's decode on the GPU for tests: `mat(p)` at every texel (rows of the material's channels, texel-major),
 * or `mat_uv(uv, lod)` at probes given as flat (u, v, lod) triples, through materialWgsl in one compute pass.
 */
import { materialWgsl, type LoadedMaterial } from '../../src/shaderml/material/wgmat.js';
import { flattenWgsl } from '../../src/gpu/wgsl.js';
import { computeOnce } from './gpu.js';

export async function decodeMaterialAt(device: GPUDevice, m: LoadedMaterial, probes: number[] | null, precision: 'f32' | 'int8' = 'f32'): Promise<Float32Array> {
  const { width: W, height: H, channels: C } = m.manifest;
  const dec = materialWgsl(m, 'mat', 1, 0, device, { precision }), n = probes ? probes.length / 3 : W * H;
  const lib = flattenWgsl(dec.module);
  const code = `${lib.enables.map((e) => `enable ${e};`).join('\n')}
${lib.code}
@group(0) @binding(0) var<storage, read> probe: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  if (g.x >= ${n}u) { return; }
  ${probes ? 'let q = probe[g.x]; let y = mat_uv(q.xy, q.z);' : `let y = mat(vec2<u32>(g.x % ${W}u, g.x / ${W}u));`}
  for (var c = 0u; c < ${C}u; c++) { out[g.x * ${C}u + c] = y[c]; }
}`;
  const input = probes ? Float32Array.from({ length: n * 4 }, (_, k) => (k % 4 < 3 ? probes[(k >> 2) * 3 + (k % 4)]! : 0)) : new Float32Array(4);
  return computeOnce(device, code, input, n * C, Math.ceil(n / 64), dec);
}
