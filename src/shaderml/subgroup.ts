/**
 * Subgroup scope for inline networks: a workgroup of one subgroup evaluates one row per invocation,
 * layers as int8×int8→i32 subgroup-matrix products (chromium-experimental-subgroup-matrix), per-layer
 * scales for weights and activations. Spelling follows what runs on Dawn/NVIDIA: operands declared
 * `array<i32>` with four 8-bit values a word, offsets and strides in 8-bit elements,
 * `subgroup_matrix_left<i8, K, M>`, `subgroup_matrix_right<i8, N, K>`, `subgroup_matrix_result<i32, N, M>`.
 */
import { flattenWgsl } from '../gpu/wgsl.js';
import { int8MatrixSupport, subgroupSizeOf } from '../gpu/device.js';
import { activationModule } from './activations.js';
import { int8Quant, q8 } from './quant.js';
import type { MlpWgsl, MlpModel } from './mlp-types.js';
import { floatLit } from '../gpu/wgsl-literal.js';

const M = 16, N = 16, K = 32;

/** null when subgroup scope can run on `device`, else why not (the fallback reason). */
export function subgroupSupport(device: GPUDevice | undefined): string | null {
  return int8MatrixSupport(device, M, N, K);
}

export { subgroupSizeOf };

const pad = (v: number, m: number) => Math.ceil(v / m) * m;

/** Pack int8 Wᵀ per layer as [Kpad][Npad] bytes (the right operand), layers one after another. */
export function packedInt8Weights(mlp: MlpModel, sw: number[]): { bytes: Uint8Array; offsets: number[] } {
  const offsets: number[] = [];
  let n = 0;
  mlp.layers.forEach((_, li) => { offsets.push(n); n += pad(mlp.sizes[li]!, K) * pad(mlp.sizes[li + 1]!, N); });
  const bytes = new Int8Array(n);
  mlp.layers.forEach((l, li) => {
    const inp = mlp.sizes[li]!, out = mlp.sizes[li + 1]!, op = pad(out, N);
    for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) bytes[offsets[li]! + i * op + o] = q8(l.weight[o * inp + i]!, sw[li]!);
  });
  return { bytes: new Uint8Array(bytes.buffer), offsets };
}

/** Generate the subgroup-scope function; only called when {@link subgroupSupport} said yes. */
export function subgroupMlpWgsl(mlp: MlpModel, name: string, group: number, binding: number, sgSize = 32): MlpWgsl {
  const S = sgSize;
  const { sx, zx, sw, bEff } = int8Quant(mlp);
  const { bytes, offsets } = packedInt8Weights(mlp, sw);
  const biases = new Float32Array(mlp.layers.reduce((a, l) => a + l.bias.length, 0));
  const bOff: number[] = [];
  let bo = 0;
  bEff.forEach((b) => { bOff.push(bo); biases.set(b, bo); bo += b.length; });
  const kp = mlp.sizes.slice(0, -1).map((v) => pad(v, K)), np = mlp.sizes.slice(1).map((v) => pad(v, N));
  const maxK = Math.max(...kp), maxN = Math.max(...np);
  const f = (v: number) => floatLit(Math.fround(v));
  const IN = mlp.inputs, OUT = mlp.outputs;
  const R = Math.max(maxN, IN);
  const code: string[] = [
    `@group(${group}) @binding(${binding}) var<storage, read> ${name}_qw: array<i32>;`,
    `@group(${group}) @binding(${binding + 1}) var<storage, read> ${name}_bias: array<f32>;`,
    `var<workgroup> ${name}_act: array<i32, ${(S * maxK) / 4}>;`,
    `var<workgroup> ${name}_acc: array<i32, ${S * maxN}>;`,
    // Each invocation packs its own row: four int8 values per word, row stride Kpad bytes.
    `fn ${name}_store_row(lane: u32, v: ptr<function, array<f32, ${R}>>, n: u32, kpad: u32, inv_s: f32, z: f32) {
  for (var w = 0u; w < kpad / 4u; w++) {
    var word = 0u;
    for (var j = 0u; j < 4u; j++) {
      let k = w * 4u + j;
      var q = 0i;
      if (k < n) { q = i32(clamp(round((*v)[k] * inv_s - z), -127.0, 127.0)); }
      word |= (bitcast<u32>(q) & 0xffu) << (8u * j);
    }
    ${name}_act[lane * (kpad / 4u) + w] = bitcast<i32>(word);
  }
}`,
  ];
  const body: string[] = [`fn ${name}(x: array<f32, ${IN}>, lane: u32) -> array<f32, ${OUT}> {
  var row: array<f32, ${R}>;
  for (var i = 0u; i < ${IN}u; i++) { row[i] = x[i]; }
  ${name}_store_row(lane, &row, ${IN}u, ${kp[0]}u, ${f(1 / sx[0]!)}, ${f(zx[0]!)});`];
  mlp.layers.forEach((l, li) => {
    const Kp = kp[li]!, Np = np[li]!, out = mlp.sizes[li + 1]!;
    body.push(`  workgroupBarrier();
  for (var mt = 0u; mt < ${S / M}u; mt++) {
    for (var nt = 0u; nt < ${Np / N}u; nt++) {
      var acc = subgroup_matrix_result<i32, ${N}, ${M}>();
      for (var kt = 0u; kt < ${Kp / K}u; kt++) {
        let a = subgroupMatrixLoad<subgroup_matrix_left<i8, ${K}, ${M}>>(&${name}_act, mt * ${M * Kp}u + kt * ${K}u, false, ${Kp}u);
        let b = subgroupMatrixLoad<subgroup_matrix_right<i8, ${N}, ${K}>>(&${name}_qw, ${offsets[li]}u + kt * ${K * Np}u + nt * ${N}u, false, ${Np}u);
        acc = subgroupMatrixMultiplyAccumulate(a, b, acc);
      }
      subgroupMatrixStore(&${name}_acc, mt * ${M * Np}u + nt * ${N}u, acc, false, ${Np}u);
    }
  }
  workgroupBarrier();
  for (var o = 0u; o < ${out}u; o++) {
    row[o] = sml_${l.activation}_f32(f32(${name}_acc[lane * ${Np}u + o]) * ${f(sx[li]! * sw[li]!)} + ${name}_bias[${bOff[li]}u + o], ${f(l.alpha)});
  }`);
    if (li + 1 < mlp.layers.length) body.push(`  ${name}_store_row(lane, &row, ${out}u, ${kp[li + 1]}u, ${f(1 / sx[li + 1]!)}, ${f(zx[li + 1]!)});`);
  });
  body.push(`  var y: array<f32, ${OUT}>;
  for (var i = 0u; i < ${OUT}u; i++) { y[i] = row[i]; }
  return y;
}`);
  const act = activationModule('f32');
  const all = code.join('\n') + '\n' + body.join('\n');
  const enables = ['chromium_experimental_subgroup_matrix', 'subgroups'];
  const module = { name: `shaderml_${name}_subgroup`, code: all, requires: [act], enables };
  return {
    name, scope: 'subgroup', precision: 'int8', storage: 'buffer', module, workgroupSize: S,
    signature: `fn ${name}(x: array<f32, ${IN}>, lane: u32) -> array<f32, ${OUT}>`,
    code: enables.map((e) => `enable ${e};`).join('\n') + '\n' + flattenWgsl(act).code + '\n' + all,
    layoutEntries: (visibility) => [
      { binding, visibility, buffer: { type: 'read-only-storage' } },
      { binding: binding + 1, visibility, buffer: { type: 'read-only-storage' } },
    ],
    bindGroupEntries: (device) => {
      const [w, b] = mlp.buffersFor(device, 'subgroup_i8', () => [{ label: `${name} int8 weights`, bytes }, { label: `${name} biases`, bytes: new Uint8Array(biases.buffer) }]);
      return [{ binding, resource: { buffer: w! } }, { binding: binding + 1, resource: { buffer: b! } }];
    },
  };
}
