/**
 * Straight-line batched int8 decode on tensor cores (successor of subgroup-batch.ts). Same contract
 * (a whole kernel, caller's input/store functions), with the knobs that the H100 measurements asked for:
 * - one 32-lane subgroup per workgroup: Dawn requires subgroupMatrixLoad/Store offsets to be uniform over
 *   the workgroup ("'subgroupMatrixStore' requires argument 1 to be uniform", H100), so subgroups of one
 *   workgroup cannot address tiles of their own;
 * - `blocks` = 2: each subgroup carries two 32·R-row blocks one stage apart, so every barrier interval
 *   holds one block's matrix ops and the other's requantization (and half the barriers per row);
 * - `fold`: 'int' adds (bias in accumulator units + the exponent bits of 1.5·2²³) with one integer add
 *   and requantizes with one FMA whose multiplier has 22 fraction bits (so 1.5·2²³·k is an integer and
 *   the FMA's single rounding is the round-to-int8); 'init' puts that constant in the accumulator's
 *   initial value, so requantization is FMA + 2 min/max + byte packing; 'none' is the old arithmetic;
 * - `n8`: the last layer as M16×N8×K32 when it has ≤ 8 outputs (half the i32 tile traffic).
 * Every index is a literal or `slot base + literal`; nothing loops inside a block.
 * Spelling per shared/gpu/README.md: i8 operands on array<i32>, offsets/strides of i8 matrices in bytes,
 * of i32 matrices in i32 elements.
 */
import { flattenWgsl } from '../gpu/wgsl.js';
import { activationModule } from './activations.js';
import { MlpDimensionError } from './errors.js';
import type { BatchKernel, MlpModel } from './mlp-types.js';
import { packedInt8Weights } from './subgroup.js';
import { int8Quant } from './quant.js';
import { dot4Sum, fixedPoint, fixedRequant, int8RowWords, MAGIC, MAGIC_BITS, quantizeVec4 } from './dot4.js';
import { floatLit } from '../gpu/wgsl-literal.js';

const M = 16, K = 32, S = 32;
const pad = (v: number, m: number) => Math.ceil(v / m) * m;
/** Weight word w of a row starting at `at`, as a literal; null for a zero word (its dot4 is skipped). */
const lit = (words: number[], at: number) => (w: number) => (words[at + w] ? `0x${words[at + w]!.toString(16)}u` : null);
const f = (v: number) => floatLit(Math.fround(v));

export type FoldMode = 'none' | 'int' | 'init';

export interface FastKernelOptions {
  name: string;
  inputFn: string;
  storeFn: string;
  rows: number;
  group?: number;
  binding?: number;
  /** Blocks in flight per subgroup (1 or 2). Default 1. */
  blocks?: number;
  /** Rows per invocation per block (block = 32·R rows). Default 1. */
  rowsPerThread?: number;
  /** Default 'init' (measured fastest, 0.471 ms at 4K on the H100). */
  fold?: FoldMode;
  /** Default true. */
  n8?: boolean;
  /** Row stride of the i32 tiles in i32 elements: a multiple of 4 (16-byte rows). Default widest + 4. */
  accStride?: number;
  /** Byte packing: shifts and masks, or WGSL's pack4xU8. */
  pack?: 'shift' | 'pack4xU8';
  /**
   * Last layer: 'mma' (subgroup matrices, like the others) or 'dot4': each lane requantizes whole rows
   * of the last hidden layer and finishes the row with dot4I8Packed, saving the last layer's
   * activation store, tile store and reload and one barrier interval. Needs fold 'init'.
   */
  tail?: 'mma' | 'dot4';
  /**
   * First layer: 'mma' or 'dot4': each lane computes its rows' first layer with dot4I8Packed straight
   * from its inputs and stores only the requantized activations (no input round trip, no first-layer
   * tile store and reload, one barrier interval less). Needs fold 'init' and at least 3 layers with tail.
   */
  head?: 'mma' | 'dot4';
}

export function subgroupFastKernel(mlp: MlpModel, o: FastKernelOptions): BatchKernel {
  const nm = o.name, group = o.group ?? 1, binding = o.binding ?? 0;
  const B = o.blocks ?? 1, R = o.rowsPerThread ?? 1, BR = S * R, fold = o.fold ?? 'init';
  const q = int8Quant(mlp), { sx, zx, sw, bEff } = q;
  const { bytes, offsets } = packedInt8Weights(mlp, sw);
  const nl = mlp.layers.length, IN = mlp.inputs, OUT = mlp.outputs;
  const kp = mlp.sizes.slice(0, -1).map((v) => pad(v, K)), np = mlp.sizes.slice(1).map((v) => pad(v, 16));
  const nN = np.map((v, li) => (li === nl - 1 && (o.n8 ?? true) && mlp.outputs <= 8 ? 8 : 16)); // N of each layer's tiles
  const nT = np.map((v, li) => (nN[li] === 8 ? 1 : v / 16)); // N-tiles per layer
  const hint = { sizes: mlp.sizes, blocks: B };
  if (![1, 2].includes(B) || R < 1) throw new MlpDimensionError(`'${nm}': blocks ${B}, rows/thread ${R}`, 'blocks 1 or 2, rowsPerThread ≥ 1', hint);
  for (let li = 0; li < nl - 1; li++) {
    if (S % (np[li]! / 4) !== 0) throw new MlpDimensionError(`'${nm}': hidden width padded to ${np[li]} does not split into groups of 4 columns over ${S} lanes`, 'use hidden widths of 16, 32, 64 or 128', hint);
    const a = mlp.layers[li]!.activation;
    if (!['none', 'relu', 'leaky_relu'].includes(a)) throw new MlpDimensionError(`'${nm}': fast int8 kernel supports none/relu/leaky_relu hidden activations, not ${a}`, "use scope 'thread' for this network", { activation: a });
  }
  // tail 'dot4': row-per-lane requantization of the last hidden layer, then the last layer on dot4I8Packed.
  const tail = o.tail ?? 'mma';
  if (tail === 'dot4' && (fold !== 'init' || nl < 2)) throw new MlpDimensionError(`'${nm}': tail 'dot4' needs fold 'init' and a hidden layer (fold ${fold}, ${nl} layers)`, "use tail 'mma'", hint);
  const head = o.head ?? 'mma';
  if (head === 'dot4' && (fold !== 'init' || nl < (tail === 'dot4' ? 3 : 2))) throw new MlpDimensionError(`'${nm}': head 'dot4' needs fold 'init' and a layer left for subgroup matrices (fold ${fold}, ${nl} layers)`, "use head 'mma'", hint);
  const widest = Math.max(...np);
  const AS = o.accStride ?? widest + 4;
  if (AS < widest || AS % 4) throw new MlpDimensionError(`'${nm}': accStride ${AS} must be ≥ ${widest} and a multiple of 4`, 'give accStride = padded width + 4', { accStride: AS });
  const maxKp = Math.max(...kp);
  const ACTW = (BR * maxKp) / 4, ACCW = BR * AS, SLOTS = B; // words per slot
  const wgBytes = SLOTS * (ACTW + ACCW) * 4;
  if (wgBytes > 49152) throw new MlpDimensionError(`'${nm}': ${SLOTS} slots need ${wgBytes} bytes of workgroup memory (> 48 KiB)`, 'use one block or fewer rows per thread', hint);

  // Fixed-point requantization constants per hidden layer (fold modes); biases padded to the tile width.
  const jq: number[] = [], bInt: Int32Array[] = [];
  for (let li = 0; li < nl - 1; li++) {
    const fp = fixedPoint(mlp, q, li, kp[li]!);
    jq.push(fp.j);
    bInt.push(Int32Array.from({ length: np[li]! }, (_, c) => fp.bInt[c] ?? 0));
    if (fold !== 'none' && !fp.fits) {
      throw new MlpDimensionError(`'${nm}': layer ${li} does not fit fixed-point requantization (multiplier ${fp.j}/2²², |bias| up to ${Math.max(...fp.bInt.map(Math.abs))} accumulator units, ${kp[li]} inputs)`, "use fold 'none'", hint);
    }
  }
  // Init matrices (i32): per layer 16 rows × np columns; hidden layers carry magic + bias ('init'), the last magic.
  const iOff: number[] = [];
  const initWords: number[] = [];
  for (let li = 0; li < nl; li++) {
    iOff.push(initWords.length);
    for (let r = 0; r < M; r++) for (let c = 0; c < np[li]!; c++) initWords.push(MAGIC_BITS + (li < nl - 1 && fold === 'init' ? bInt[li]![c]! : 0));
  }
  const init = Int32Array.from(initWords);
  const bias = new Float32Array(np.reduce((a, v) => a + v, 0));
  const bOff: number[] = [];
  let bo = 0;
  bEff.forEach((b, li) => { bOff.push(bo); bias.set(b, bo); bo += np[li]!; });

  const M2 = f(MAGIC);
  const pk = (u: string) => (o.pack === 'pack4xU8'
    ? `bitcast<i32>(pack4xU8(bitcast<vec4<u32>>(${u})))`
    : `${nm}_p4(${u})`);
  const L: string[] = [];
  L.push(`@group(${group}) @binding(${binding}) var<storage, read> ${nm}_qw: array<i32>;
@group(${group}) @binding(${binding + 1}) var<storage, read> ${nm}_bias: array<f32>;
${fold !== 'none' ? `@group(${group}) @binding(${binding + 2}) var<storage, read> ${nm}_init: array<i32>;` : ''}
var<workgroup> ${nm}_act: array<i32, ${SLOTS * ACTW}>;
var<workgroup> ${nm}_acc: array<i32, ${SLOTS * ACCW}>;
// Four f32 holding 1.5·2²³ + q (q an int8) → their low bytes in one word.
fn ${nm}_p4(u: vec4<f32>) -> i32 {
  let b = bitcast<vec4<u32>>(u);
  return bitcast<i32>((b.x & 0xffu) | ((b.y & 0xffu) << 8u) | ((b.z & 0xffu) << 16u) | (b.w << 24u));
}
@compute @workgroup_size(${S}) fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = lid;`);
  // Right operands (weights): loaded once, kept in registers.
  mlp.layers.forEach((_, li) => {
    if ((tail === 'dot4' && li === nl - 1) || (head === 'dot4' && li === 0)) return;
    for (let kt = 0; kt < kp[li]! / K; kt++) for (let nt = 0; nt < nT[li]!; nt++) {
      L.push(`  let w${li}_${kt}_${nt} = subgroupMatrixLoad<subgroup_matrix_right<i8, ${nN[li]}, ${K}>>(&${nm}_qw, ${offsets[li]! + kt * K * np[li]! + nt * 16}u, false, ${np[li]}u);`);
    }
    for (let nt = 0; nt < nT[li]!; nt++) {
      L.push(fold !== 'none' && (fold === 'init' || li === nl - 1)
        ? `  let i${li}_${nt} = subgroupMatrixLoad<subgroup_matrix_result<i32, ${nN[li]}, ${M}>>(&${nm}_init, ${iOff[li]! + nt * 16}u, false, ${np[li]}u);`
        : `  let i${li}_${nt} = subgroup_matrix_result<i32, ${nN[li]}, ${M}>();`);
    }
  });
  // Per-invocation column constants of hidden layers: lane t owns columns cg·4 … cg·4+3.
  for (let li = 0; li < nl - 1; li++) {
    const G = np[li]! / 4;
    L.push(`  let cg${li} = t % ${G}u;
  let rs${li} = t / ${G}u;`);
    if (fold === 'none') {
      const k = (sx[li]! * sw[li]!) / sx[li + 1]!;
      L.push(`  let c${li} = vec4(${[0, 1, 2, 3].map((j) => `${nm}_bias[${bOff[li]}u + cg${li} * 4u + ${j}u]`).join(', ')}) * ${f(1 / sx[li + 1]!)} - ${f(MAGIC * k)};`);
    } else if (fold === 'int') {
      const base = bInt[li]!.map((v) => v + MAGIC_BITS);
      // Literal table indexed by the lane's column group (a const array: no buffer read).
      L.push(`  const ct${li} = array<vec4<i32>, ${G}>(${Array.from({ length: G }, (_, g) => `vec4(${[0, 1, 2, 3].map((j) => `${base[g * 4 + j]}i`).join(', ')})`).join(', ')});
  let c${li} = ct${li}[cg${li}];`);
    }
  }
  L.push(`  let lastb = array<f32, ${OUT}>(${Array.from(bEff[nl - 1]!, (v) => f(v)).join(', ')});`);

  const actB = (b: number) => `${b * ACTW}u`; // block's act base, words
  const accB = (b: number) => `${b * ACCW}u`;
  // Fixed-point requantization ('int'/'init' folds) of four accumulators held as f32 1.5·2²³ + acc + bias.
  const requant = (l: { activation: string; alpha: number }, li: number, fa: string) => fixedRequant(fa, l, jq[li]!, zx[li + 1]!);
  const stageInput = (b: number, base: string) => {
    const out: string[] = [];
    for (let j = 0; j < R; j++) {
      const r = `(t + ${j * S}u)`;
      out.push(`    { let x = ${o.inputFn}(min(${base} + ${r}, ${o.rows - 1}u));`);
      for (let w = 0; w < kp[0]! / 4; w++) {
        const ids = [0, 1, 2, 3].map((c) => w * 4 + c);
        let val: string;
        if (ids[0]! >= IN) val = '0';
        else {
          val = pk(quantizeVec4(ids.map((i) => (i < IN ? `x[${i}]` : '0.0')), sx[0]!, zx[0]!));
        }
        out.push(`      ${nm}_act[${actB(b)} + ${r} * ${kp[0]! / 4}u + ${w}u] = ${val};`);
      }
      out.push('    }');
    }
    return out.join('\n');
  };
  // Layer 0 per lane: inputs → int8 words in registers → dot4 → requantized words into act (layer 1's A).
  const stageHead = (b: number, base: string) => {
    const l = mlp.layers[0]!, hid = mlp.sizes[1]!, nw = Math.ceil(IN / 4), kn = kp[1]! / 4, out: string[] = [];
    const words = int8RowWords(mlp, 0, sw[0]!);
    for (let j = 0; j < R; j++) {
      const r = `(t + ${j * S}u)`;
      out.push(`    { let x = ${o.inputFn}(min(${base} + ${r}, ${o.rows - 1}u));`);
      for (let w = 0; w < nw; w++) {
        const ids = [0, 1, 2, 3].map((c) => w * 4 + c);
        out.push(`      let x${w} = bitcast<u32>(${pk(quantizeVec4(ids.map((i) => (i < IN ? `x[${i}]` : '0.0')), sx[0]!, zx[0]!))});`);
      }
      for (let c = 0; c < hid; c++) {
        out.push(`      let s${c} = ${dot4Sum(MAGIC_BITS + bInt[0]![c]!, Array.from({ length: nw }, (_, w) => `x${w}`), lit(words, c * nw))};`);
      }
      for (let w = 0; w < kn; w++) {
        const ids = [0, 1, 2, 3].map((c) => w * 4 + c);
        if (ids[0]! >= hid) { out.push(`      ${nm}_act[${actB(b)} + ${r} * ${kn}u + ${w}u] = 0;`); continue; }
        const fa = `vec4(${ids.map((c) => (c < hid ? `s${c}` : M2)).join(', ')})`;
        out.push(`      ${nm}_act[${actB(b)} + ${r} * ${kn}u + ${w}u] = ${pk(requant(l, 0, fa))};`);
      }
      out.push('    }');
    }
    return out.join('\n');
  };
  const stageMma = (b: number, li: number) => {
    const Kp = kp[li]!, out: string[] = ['    {'];
    for (let mt = 0; mt < BR / M; mt++) {
      for (let kt = 0; kt < Kp / K; kt++) {
        out.push(`      let a${mt}_${kt} = subgroupMatrixLoad<subgroup_matrix_left<i8, ${K}, ${M}>>(&${nm}_act, (${actB(b)}) * 4u + ${mt * M * Kp + kt * K}u, false, ${Kp}u);`);
      }
    }
    for (let mt = 0; mt < BR / M; mt++) for (let nt = 0; nt < nT[li]!; nt++) {
      let e = `i${li}_${nt}`;
      for (let kt = 0; kt < Kp / K; kt++) e = `subgroupMatrixMultiplyAccumulate(a${mt}_${kt}, w${li}_${kt}_${nt}, ${e})`;
      out.push(`      subgroupMatrixStore(&${nm}_acc, ${accB(b)} + ${mt * M * AS + nt * 16}u, ${e}, false, ${AS}u);`);
    }
    out.push('    }');
    return out.join('\n');
  };
  const stageRequant = (b: number, li: number) => {
    const l = mlp.layers[li]!, G = np[li]! / 4, RS = S / G, kn = kp[li + 1]! / 4, out: string[] = [];
    for (let s = 0; s < BR / RS; s++) {
      const r = `(${s * RS}u + rs${li})`;
      const a = `vec4(${[0, 1, 2, 3].map((j) => `${nm}_acc[${accB(b)} + ${r} * ${AS}u + cg${li} * 4u + ${j}u]`).join(', ')})`;
      let u: string;
      const act = (v: string) => (l.activation === 'relu' ? `max(${v}, vec4(0.0))` : l.activation === 'leaky_relu' ? `max(${v}, ${v} * ${f(l.alpha)})` : v);
      if (fold === 'none') {
        const k = (sx[li]! * sw[li]!) / sx[li + 1]!;
        const z = zx[li + 1]!;
        u = `clamp(${act(`fma(bitcast<vec4<f32>>(${a} + vec4(${MAGIC_BITS}i)), vec4(${f(k)}), c${li})`)}, vec4(${f(z - 127)}), vec4(${f(z + 127)})) + ${f(MAGIC - z)}`;
      } else {
        u = requant(l, li, fold === 'int' ? `bitcast<vec4<f32>>(${a} + c${li})` : `bitcast<vec4<f32>>(${a})`);
      }
      out.push(`    { let v = ${u};`);
      out.push(`      ${nm}_act[${actB(b)} + ${r} * ${kn}u + cg${li}] = ${pk('v')}; }`);
      for (let m = 1; G * m < kn; m++) out.push(`    if (cg${li} + ${G * m}u < ${kn}u) { ${nm}_act[${actB(b)} + ${r} * ${kn}u + cg${li} + ${G * m}u] = 0; }`);
    }
    return out.join('\n');
  };
  const stageOut = (b: number, base: string) => {
    const l = mlp.layers[nl - 1]!, li = nl - 1, out: string[] = [];
    const kLast = sx[li]! * sw[li]!;
    for (let j = 0; j < R; j++) {
      const r = `(t + ${j * S}u)`;
      out.push(`    { var y: array<f32, ${OUT}>;`);
      for (let c = 0; c < OUT; c++) {
        const e = `${nm}_acc[${accB(b)} + ${r} * ${AS}u + ${c}u]`;
        const a = fold === 'none' ? `f32(${e})` : `(bitcast<f32>(${e}) - ${M2})`; // exact: |acc| < 2²²
        out.push(`      y[${c}] = sml_${l.activation}_f32(fma(${a}, ${f(kLast)}, lastb[${c}]), ${f(l.alpha)});`);
      }
      out.push(`      if (${base} + ${r} < ${o.rows}u) { ${o.storeFn}(${base} + ${r}, y); } }`);
    }
    return out.join('\n');
  };
  // Stages of one block: input, then (mma, requant) per hidden layer, last mma, output (or the dot4 tail).
  const stageTail = (b: number, base: string) => {
    const li = nl - 2, l = mlp.layers[li]!, lastL = mlp.layers[nl - 1]!, hid = mlp.sizes[li + 1]!, nw = Math.ceil(hid / 4);
    const words = int8RowWords(mlp, nl - 1, sw[nl - 1]!), kLast = sx[nl - 1]! * sw[nl - 1]!, out: string[] = [];
    for (let j = 0; j < R; j++) {
      const r = `(t + ${j * S}u)`;
      out.push('    {');
      for (let w = 0; w < nw; w++) {
        const acc = `vec4(${[0, 1, 2, 3].map((c) => `${nm}_acc[${accB(b)} + ${r} * ${AS}u + ${w * 4 + c}u]`).join(', ')})`;
        out.push(`      let h${w} = ${pk(requant(l, li, `bitcast<vec4<f32>>(${acc})`))};`);
      }
      out.push(`      var y: array<f32, ${OUT}>;`);
      for (let c = 0; c < OUT; c++) {
        const acc = dot4Sum(MAGIC_BITS, Array.from({ length: nw }, (_, w) => `bitcast<u32>(h${w})`), lit(words, c * nw));
        out.push(`      y[${c}] = sml_${lastL.activation}_f32(fma(${acc} - ${M2}, ${f(kLast)}, lastb[${c}]), ${f(lastL.alpha)});`);
      }
      out.push(`      if (${base} + ${r} < ${o.rows}u) { ${o.storeFn}(${base} + ${r}, y); } }`);
    }
    return out.join('\n');
  };
  const stages = (b: number, base: string): string[] => {
    const st = [head === 'dot4' ? stageHead(b, base) : stageInput(b, base)];
    const lastMma = tail === 'dot4' ? nl - 2 : nl - 1;
    for (let li = head === 'dot4' ? 1 : 0; li <= lastMma; li++) { st.push(stageMma(b, li)); if (li < lastMma) st.push(stageRequant(b, li)); }
    st.push(tail === 'dot4' ? stageTail(b, base) : stageOut(b, base));
    return st;
  };
  const WR = B * BR; // rows per workgroup per iteration
  const bar = '    workgroupBarrier();';
  L.push(`  let first = wg.x * ${WR}u;`);
  if (B === 1) {
    // The output stage reads acc, the next input stage writes act: no barrier between them.
    L.push(`  for (var wb = first; wb < ${o.rows}u; wb += nwg.x * ${WR}u) {
    let base0 = wb;`);
    L.push(stages(0, 'base0').join(`\n${bar}\n`));
    L.push('  }\n}');
  } else {
    // Block 1 runs one stage behind block 0; its output stage falls into the next iteration's first interval.
    const s0 = stages(0, 'base0'), s1 = stages(1, 'base1'), s1prev = stages(1, 'prev1');
    const T = s0.length;
    L.push(`  var prev1 = 0u;
  for (var wb = first; wb < ${o.rows}u; wb += nwg.x * ${WR}u) {
    let base0 = wb;
    let base1 = base0 + ${BR}u;`);
    for (let k = 0; k < T; k++) {
      L.push(s0[k]!);
      if (k === 0) L.push(`    if (wb != first) {\n${s1prev[T - 1]}\n    }`);
      else L.push(s1[k - 1]!);
      L.push(bar);
    }
    L.push(`    prev1 = base1;
  }
  if (first < ${o.rows}u) {
${s1prev[T - 1]}
  }
}`);
  }
  const enables = 'enable chromium_experimental_subgroup_matrix;\nenable subgroups;\n';
  const key = `subgroup_fast_i8_${fold}`;
  return {
    code: enables + flattenWgsl(activationModule('f32')).code + '\n' + L.join('\n'),
    workgroupSize: S, rowsPerBlock: WR,
    groups: (maxGroups = 132 * 16) => Math.max(1, Math.min(maxGroups, Math.ceil(o.rows / WR))),
    layoutEntries: (visibility) => [0, 1, 2].map((i) => ({ binding: binding + i, visibility, buffer: { type: 'read-only-storage' as const } })),
    bindGroupEntries: (device) => {
      const [w, bb, ii] = mlp.buffersFor(device, key, () => [
        { label: `${nm} int8 weights`, bytes },
        { label: `${nm} biases (padded)`, bytes: new Uint8Array(bias.buffer) },
        { label: `${nm} accumulator init`, bytes: new Uint8Array(init.buffer) },
      ]);
      return [{ binding, resource: { buffer: w! } }, { binding: binding + 1, resource: { buffer: bb! } }, { binding: binding + 2, resource: { buffer: ii! } }];
    },
  };
}
