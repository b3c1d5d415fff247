/**
 * Batched int8 decode on tensor cores: a whole compute kernel (not a per-invocation function), one
 * subgroup per workgroup, each subgroup walking blocks of 32·R rows (pixels) grid-stride. Why this
 * shape: one row per invocation (subgroup.ts) gives a 16-row tile per matrix op and reloads weights
 * per tile; here the weight matrices are loaded once per subgroup and stay in registers, every layer
 * runs over 2R M-tiles, and activations only travel between registers and workgroup memory.
 * WGSL gives no element access to subgroup matrices, so each layer's i32 results go through
 * workgroup memory once: that traffic, not the tensor cores, bounds this kernel.
 * Requantization avoids int↔float conversion instructions (a quarter of the FMA rate on NVIDIA):
 * i32→f32 by adding the exponent bits of 1.5·2²³ and one FMA, f32→i8 by adding 1.5·2²³ and taking
 * the low byte (round to nearest even, |v| ≤ 127 after the clamp).
 */
import { flattenWgsl } from '../gpu/wgsl.js';
import { activationModule } from './activations.js';
import { MlpDimensionError } from './errors.js';
import type { BatchKernel, MlpModel } from './mlp-types.js';
import { packedInt8Weights } from './subgroup.js';
import { int8Quant } from './quant.js';
import { subgroupFastKernel } from './subgroup-fast.js';
import { floatLit } from '../gpu/wgsl-literal.js';

// Declared in mlp-types.ts, which subgroup-fast.ts (imported here) uses too; re-exported where it always was.
export type { BatchKernel } from './mlp-types.js';

const M = 16, N = 16, K = 32;
const pad = (v: number, m: number) => Math.ceil(v / m) * m;
const f = (v: number) => floatLit(Math.fround(v));

export interface BatchKernelOptions {
  /**
   * 'fast' (default): subgroup-fast.ts, straight-line, fixed-point requantization folded into the
   * accumulator's initial value, first and last layers on dot4I8Packed (0.487 ms for a 4K decode + shade
   * on an H200 against 0.514 ms with every layer on matrices; the 'loop' kernel was 0.509 ms without
   * shading on the H100); it falls back to its float requantization where a layer does not fit 22-bit
   * fixed point. Thread scope with precision 'int8' (dot4 only) is faster still on NVIDIA: 0.36 ms.
   * 'loop': this file's kernel (rowsPerThread/accStride apply to both).
   */
  kernel?: 'fast' | 'loop';
  /** Prefix of every generated name. */
  name: string;
  /** Rows per invocation per block (block = 32·R rows = 2R M-tiles). Default 2. */
  rowsPerThread?: number;
  /** Row stride of the i32 result tile in workgroup memory, in elements (≥ widest layer). */
  accStride?: number;
  group?: number;
  binding?: number;
  /** WGSL `fn <inputFn>(row: u32) -> array<f32, IN>` supplied by the caller. */
  inputFn: string;
  /** WGSL `fn <storeFn>(row: u32, y: array<f32, OUT>)`, called only for rows < rows. */
  storeFn: string;
  /** Total rows; the entry point clamps reads and skips stores past it. */
  rows: number;
}

/**
 * A whole compute kernel that evaluates the network on `rows` rows with int8 subgroup matrices
 * (needs chromium-experimental-subgroup-matrix with i8→i32 M16N16K32; check `subgroupSupport`).
 * The caller supplies the row's inputs and consumes its outputs through two WGSL functions.
 * @example
 * mlp.calibrate(sampleInputs);
 * const k = subgroupBatchKernel(mlp, { name: 'dec', inputFn: 'load_row', storeFn: 'store_row', rows: W * H, group: 1 });
 * const module = device.createShaderModule({ code: k.code + myBindingsAndFunctions });
 * // … pipeline with entry point 'main', bind group 1 from k.layoutEntries / k.bindGroupEntries …
 * pass.dispatchWorkgroups(k.groups());
 */
export function subgroupBatchKernel(mlp: MlpModel, o: BatchKernelOptions): BatchKernel {
  if ((o.kernel ?? 'fast') === 'fast') {
    const fo = { ...o, rowsPerThread: o.rowsPerThread ?? 1 };
    try {
      // The dot4 tail measured 2–4% faster on the H100 (0.457 vs 0.475 ms at 4K) where it applies.
      // First and last layers on dot4I8Packed where a layer is left for the matrices: 0.487 vs 0.514 ms at 4K (H200).
      const nl = mlp.layers.length;
      return subgroupFastKernel(mlp, { ...fo, fold: 'init', n8: true, tail: nl >= 2 ? 'dot4' : 'mma', head: nl >= 3 ? 'dot4' : 'mma' });
    } catch (e) {
      if (!(e instanceof MlpDimensionError) || !/fixed-point/.test(e.message)) throw e;
      return subgroupFastKernel(mlp, { ...fo, fold: 'none', n8: true });
    }
  }
  const S = 32, R = o.rowsPerThread ?? 2, RT = S * R, nm = o.name, group = o.group ?? 1, binding = o.binding ?? 0;
  const { sx, zx, sw, bEff } = int8Quant(mlp);
  const { bytes, offsets } = packedInt8Weights(mlp, sw);
  const nl = mlp.layers.length, IN = mlp.inputs, OUT = mlp.outputs;
  const kp = mlp.sizes.slice(0, -1).map((v) => pad(v, K)), np = mlp.sizes.slice(1).map((v) => pad(v, N));
  for (const n of np.slice(0, -1)) {
    if (S % (n / 4) !== 0) throw new MlpDimensionError(`'${nm}': hidden width padded to ${n} does not split into groups of 4 columns over ${S} lanes`, 'use hidden widths of 16, 32, 64 or 128 for the batched int8 kernel', { sizes: mlp.sizes });
  }
  const AS = o.accStride ?? Math.max(...np) + 4;
  if (AS < Math.max(...np)) throw new MlpDimensionError(`'${nm}': accStride ${AS} is narrower than the widest layer (${Math.max(...np)})`, 'give accStride ≥ the padded layer width', { accStride: AS });
  const maxKp = Math.max(...kp);
  // Biases padded per layer to Np (padded columns have zero weights and zero bias: they stay 0).
  const bias = new Float32Array(np.reduce((a, v) => a + v, 0));
  const bOff: number[] = [];
  let bo = 0;
  bEff.forEach((b, li) => { bOff.push(bo); bias.set(b, bo); bo += np[li]!; });
  const magic = '12582912.0';
  const lines: string[] = [];
  lines.push(`@group(${group}) @binding(${binding}) var<storage, read> ${nm}_qw: array<i32>;
@group(${group}) @binding(${binding + 1}) var<storage, read> ${nm}_bias: array<f32>;
var<workgroup> ${nm}_act: array<i32, ${(RT * maxKp) / 4}>;
var<workgroup> ${nm}_acc: array<i32, ${RT * AS}>;
// Four f32 (already scaled to int8 units) → four int8 in one word; clamp, then round by 1.5·2²³.
fn ${nm}_q4(v: vec4<f32>) -> i32 {
  let u = bitcast<vec4<u32>>(clamp(v, vec4(-127.0), vec4(127.0)) + ${magic}) & vec4(0xffu);
  return bitcast<i32>(u.x | (u.y << 8u) | (u.z << 16u) | (u.w << 24u));
}
// i32 accumulator → f32 without a conversion instruction (|a| < 2²²): exact.
fn ${nm}_f(a: vec4<i32>) -> vec4<f32> { return bitcast<vec4<f32>>(a + vec4(0x4B400000i)); }
@compute @workgroup_size(${S}) fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {`);
  // Weights: right operands, loaded once, held across all blocks.
  mlp.layers.forEach((_, li) => {
    for (let kt = 0; kt < kp[li]! / K; kt++) for (let nt = 0; nt < np[li]! / N; nt++) {
      lines.push(`  let w${li}_${kt}_${nt} = subgroupMatrixLoad<subgroup_matrix_right<i8, ${N}, ${K}>>(&${nm}_qw, ${offsets[li]! + kt * K * np[li]! + nt * N}u, false, ${np[li]}u);`);
    }
  });
  // Per-thread column constants of hidden layers: thread t always owns columns (t % G)·4 … +3.
  mlp.layers.forEach((l, li) => {
    if (li === nl - 1) return;
    const G = np[li]! / 4, k = sx[li]! * sw[li]! / sx[li + 1]!;
    lines.push(`  let cg${li} = t % ${G}u;
  let k${li} = ${f(k)};
  let c${li} = vec4(${[0, 1, 2, 3].map((j) => `${nm}_bias[${bOff[li]}u + cg${li} * 4u + ${j}u]`).join(', ')}) * ${f(1 / sx[li + 1]!)} - ${magic} * k${li};
  let al${li} = ${f(l.alpha)};`);
  });
  const lastK = sx[nl - 1]! * sw[nl - 1]!;
  lines.push(`  for (var base = wg.x * ${RT}u; base < ${o.rows}u; base += nwg.x * ${RT}u) {`);
  // Inputs: each invocation quantizes and packs R rows.
  lines.push(`    for (var j = 0u; j < ${R}u; j++) {
      let r = t + j * ${S}u;
      let x = ${o.inputFn}(min(base + r, ${o.rows - 1}u));
${Array.from({ length: kp[0]! / 4 }, (_, w) => {
    const el = [0, 1, 2, 3].map((c) => (w * 4 + c < IN ? `x[${w * 4 + c}]` : '0.0'));
    return `      ${nm}_act[r * ${kp[0]! / 4}u + ${w}u] = ${nm}_q4(vec4(${el.join(', ')}) * ${f(1 / sx[0]!)} - ${f(zx[0]!)});`;
  }).join('\n')}
    }`);
  mlp.layers.forEach((l, li) => {
    const Kp = kp[li]!, Np = np[li]!;
    lines.push(`    workgroupBarrier();
    for (var mt = 0u; mt < ${RT / M}u; mt++) {
${Array.from({ length: Kp / K }, (_, kt) => `      let a${kt} = subgroupMatrixLoad<subgroup_matrix_left<i8, ${K}, ${M}>>(&${nm}_act, mt * ${M * Kp}u + ${kt * K}u, false, ${Kp}u);`).join('\n')}
${Array.from({ length: Np / N }, (_, nt) => {
    const terms: string[] = [];
    for (let kt = 0; kt < Kp / K; kt++) {
      terms.push(`      ${kt ? '' : 'var '}r${nt} = subgroupMatrixMultiplyAccumulate(a${kt}, w${li}_${kt}_${nt}, ${kt ? `r${nt}` : `subgroup_matrix_result<i32, ${N}, ${M}>()`});`);
    }
    return terms.join('\n') + `\n      subgroupMatrixStore(&${nm}_acc, mt * ${M * AS}u + ${nt * N}u, r${nt}, false, ${AS}u);`;
  }).join('\n')}
    }
    workgroupBarrier();`);
    if (li < nl - 1) {
      const G = Np / 4, rowsPerStep = S / G, kn = kp[li + 1]! / 4;
      lines.push(`    for (var s = 0u; s < ${RT / rowsPerStep}u; s++) {
      let r = s * ${rowsPerStep}u + t / ${G}u;
      let a = vec4(${[0, 1, 2, 3].map((j) => `${nm}_acc[r * ${AS}u + cg${li} * 4u + ${j}u]`).join(', ')});
      let v = fma(${nm}_f(a), vec4(k${li}), c${li});
      ${nm}_act[r * ${kn}u + cg${li}] = ${nm}_q4(${l.activation === 'none' ? 'v' : l.activation === 'relu' ? 'max(v, vec4(0.0))' : l.activation === 'leaky_relu' ? 'max(v, v * al' + li + ')' : `vec4(${[0, 1, 2, 3].map((j) => `sml_${l.activation}_f32(v[${j}], al${li})`).join(', ')})`} - ${f(zx[li + 1]!)});${kn > G ? `\n      for (var z = ${G}u; z < ${kn}u; z++) { ${nm}_act[r * ${kn}u + z] = 0; }` : ''}
    }`);
      // leaky/relu are positively homogeneous: scaling by 1/sx[next] before them is exact; others are not.
      if (!['none', 'relu', 'leaky_relu'].includes(l.activation)) throw new MlpDimensionError(`'${nm}': batched int8 kernel supports none/relu/leaky_relu hidden activations, not ${l.activation}`, "use scope 'thread' for this network", { activation: l.activation });
    } else {
      lines.push(`    for (var j = 0u; j < ${R}u; j++) {
      let r = t + j * ${S}u;
      var y: array<f32, ${OUT}>;
${Array.from({ length: OUT }, (_, c) => `      y[${c}] = sml_${l.activation}_f32(f32(${nm}_acc[r * ${AS}u + ${c}u]) * ${f(lastK)} + ${nm}_bias[${bOff[li]! + c}u], ${f(l.alpha)});`).join('\n')}
      if (base + r < ${o.rows}u) { ${o.storeFn}(base + r, y); }
    }`);
    }
  });
  lines.push(`    workgroupBarrier();
  }
}`);
  const enables = 'enable chromium_experimental_subgroup_matrix;\nenable subgroups;\n';
  return {
    code: enables + flattenWgsl(activationModule('f32')).code + '\n' + lines.join('\n'),
    workgroupSize: S, rowsPerBlock: RT,
    groups: (maxGroups = 132 * 16) => Math.max(1, Math.min(maxGroups, Math.ceil(o.rows / RT))),
    layoutEntries: (visibility) => [
      { binding, visibility, buffer: { type: 'read-only-storage' } },
      { binding: binding + 1, visibility, buffer: { type: 'read-only-storage' } },
    ],
    bindGroupEntries: (device) => {
      const [w, b] = mlp.buffersFor(device, 'subgroup_batch_i8', () => [{ label: `${nm} int8 weights`, bytes }, { label: `${nm} biases (padded)`, bytes: new Uint8Array(bias.buffer) }]);
      return [{ binding, resource: { buffer: w! } }, { binding: binding + 1, resource: { buffer: b! } }];
    },
  };
}
