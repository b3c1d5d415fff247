/**
 * Workgroup-cooperative forward + backward of neural-material training: the same outputs as kernels.ts fwdBwdWgsl (A and
 * D rows, LOSS, fixed-point latent gradients in GL; same bindings), computed a tile of TB texels at a time with each
 * layer a small matrix product over the tile (tiny-cuda-nn's fully fused MLP). The per-texel kernel does every
 * multiply-add with a weight load and a load of a runtime-indexed private activation, which the GPU keeps in local
 * memory: ~1.3 TFLOP/s on the H100. Here activations live in workgroup memory, feature-major (row r of texel t at
 * S[r·QS + t/4][t%4], so a thread reads four texels of a row as one vec4), and each thread of a layer keeps 4 texels ×
 * several outputs in vec4 registers, so a loaded vec4 feeds 16 or more multiply-adds.
 * - Forward layers (x → h1 → h2) read weight rows along k (W[n][4kk … 4kk+3], a vec4 of the row-major weights), the
 *   backward ones (d2 → d1 → latent gradients) read them along n (W[k][4m … 4m+3]): one copy of each weight matrix in
 *   workgroup memory, its rows padded to whole vec4s with zeros, serves both directions.
 * - The output layer, loss and d2 are per texel (C outputs: small).
 * - A and D rows leave from workgroup memory, consecutive invocations writing consecutive floats of a row.
 * Row strides QS are odd in vec4s so that the row copies (consecutive invocations reading consecutive rows of one
 * texel group) spread over all banks, while the layers' reads (consecutive texel groups of one row) stay contiguous.
 */
import { deviceLimits } from '../../gpu/device.js';
import { FWD_BWD_BINDINGS, featuresOf, gatherWgsl, header, INPUT_CENTRE, layerSizes, scatterWgsl, tapsWgsl, type TrainShape } from './kernels.js';
import { positionCount, positionWgsl } from './position.js';

/**
 * Tile sizes tried, largest first. At hidden 32 and up to 16 inputs and 6 outputs, 128 texels just fill the H100's
 * 48 KiB, 64 lavapipe's 32 KiB. On the H100 (Dawn, Vulkan; 512², s1f1b4+s2f2b4c+s4f4b2, batch 65536) the per-texel
 * kernel took 0.343 ms, tiles 128, 64, 32 and 16 took 0.108, 0.176, 0.181 and 0.240; at batch 262144 1.145 against
 * 0.325 (128) and 0.577 (64).
 */
export const FWD_BWD_TILES = [128, 64, 32, 16] as const;

/**
 * Variants of the tiled kernel. `fusedGrad`: each workgroup also reduces its tile's weight gradient (every layer's
 * Σ over the tile of deltas ⊗ inputs, and of the deltas for the biases) from the rows it holds in workgroup memory
 * into PART[workgroup · NMLP + j] (paramLayout's order), and writes no A or D rows: kernels.ts weightGradWgsl and the
 * A/D round trip are skipped, and gradSumWgsl sums fwdBwdTiledGroups slices. Its bindings: FWD_BWD_BINDINGS with
 * PART at 3 in place of A, and no 4 (D).
 */
export interface TiledOptions { fusedGrad?: boolean }

interface Dims { TB: number; Q: number; QS: number; IP4: number; HP4: number; W1S: number; W2S: number; NWS: number; fused: boolean }

function dims(s: TrainShape, TB: number, o: TiledOptions = {}): Dims {
  const [I, H, , C] = layerSizes(s) as [number, number, number, number], Q = TB / 4, IP4 = Math.ceil(I / 4), HP4 = Math.ceil(H / 4), QS = Q % 2 ? Q : Q + 1;
  if (o.fusedGrad) {
    // [W0 | W2 | W1, or the tile's output deltas d3 (C rows of QS vec4s) once the forward has read W1 and until d2 is
    // made: W1 is copied in again for d1]. At hidden 32 and 6 outputs d3 fits W1's place at every tile, so the fused
    // kernel needs no more workgroup memory than the plain one (128 texels still fill the H100's 48 KiB).
    const W2S = 4 * HP4 * IP4, W1S = W2S + C * HP4;
    return { TB, Q, QS, IP4, HP4, W1S, W2S, NWS: W1S + Math.max(4 * HP4 * HP4, C * QS), fused: true };
  }
  // Weights [W0: 4·HP4 rows × IP4 vec4 | W1: 4·HP4 × HP4 | W2: C × HP4], zero past the real rows and columns.
  const W1S = 4 * HP4 * IP4, W2S = W1S + 4 * HP4 * HP4;
  return { TB, Q, QS, IP4, HP4, W1S, W2S, NWS: W2S + C * HP4, fused: false };
}

/** Workgroup memory of the tiled kernel at tile `tb`: activations of the tile and the decoder's weights (and, fused, d3). */
export function fwdBwdTiledBytes(s: TrainShape, tb: number, o: TiledOptions = {}): number {
  const d = dims(s, tb, o);
  return 16 * (d.QS * 4 * (d.IP4 + 2 * d.HP4) + d.NWS);
}

/**
 * The largest tile (texels, and invocations, a workgroup) whose workgroup memory fits `limits`, or null where none
 * does (wide decoders: use kernels.ts fwdBwdWgsl).
 */
export function fwdBwdTile(s: TrainShape, limits: { maxComputeWorkgroupStorageSize: number; maxComputeInvocationsPerWorkgroup: number }, o: TiledOptions = {}): number | null {
  return FWD_BWD_TILES.find((tb) => tb <= limits.maxComputeInvocationsPerWorkgroup && fwdBwdTiledBytes(s, tb, o) <= limits.maxComputeWorkgroupStorageSize) ?? null;
}

/**
 * The tile the trainer runs the forward + backward at on `device` (null: the per-texel kernel, where `tiled` is false
 * or no tile fits). Tiled on CPU adapters too: on lavapipe (Mesa 25.0.7, 2 cores; train-bench.ts, s1f1b4+s2f2b4c+s4f4b2)
 * the per-texel kernel took 19.8 ms and the tiled one (64) 10.0 at 128², batch 16384 (a step 24.4 → 15.4 ms), 82 and 43
 * ms at 512², batch 65536, and 305 and 98 (tile 16) for a hidden width of 64 at 1024².
 */
export function fwdBwdTileFor(device: GPUDevice, s: TrainShape, tiled = true, o: TiledOptions = {}): number | null {
  return tiled ? fwdBwdTile(s, deviceLimits(device), o) : null;
}

/** Workgroups of the tiled kernel at tile `tb` (one a tile; the last may be short). */
export const fwdBwdTiledGroups = (s: TrainShape, tb: number) => Math.ceil(s.batch / tb);

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * out[n] = lrelu(W[n]·in + bias[n]) for n < 4·HP4 over the tile: invocation (tg, og) makes texel group tg's rows
 * og, og + 4, …; k runs in blocks of four, one weight vec4 a row and block.
 */
function forwardLayer(d: Dims, src: string, dst: string, k4: number, wb: number, bias: string): string {
  const J = d.HP4;
  const acc = range(J).map((j) => `var a${j} = vec4(0.0);`).join(' ');
  const body = range(J).map((j) => `      w = WS[${wb}u + (og + ${4 * j}u) * ${k4}u + kk]; a${j} = a${j} + w.x * x0 + w.y * x1 + w.z * x2 + w.w * x3;`).join('\n');
  const out = range(J).map((j) => `    ${dst}[(og + ${4 * j}u) * QS + tg] = lrelu4(a${j} + select(0.0, P[${bias} + og + ${4 * j}u], og + ${4 * j}u < HID));`).join('\n');
  return `  {
    ${acc}
    for (var kk = Z; kk < ${k4}u; kk++) {
      let r = 4u * kk * QS + tg;
      let x0 = ${src}[r]; let x1 = ${src}[r + QS]; let x2 = ${src}[r + 2u * QS]; let x3 = ${src}[r + 3u * QS];
      var w: vec4<f32>;
${body}
    }
${out}
  }`;
}

/**
 * out[4m + c] = Σ_k W[k][4m + c]·in[k] over the tile for blocks m < M: invocation (tg, og) makes blocks og, og + 4, …,
 * one weight vec4 a block and k. `keep`: times dlrelu of what out held (h1 → d1 in place; each invocation reads only
 * the elements it then writes).
 */
function backwardLayer(src: string, dst: string, rows: string, wb: number, wr: number, M: number, keep: boolean): string {
  const JJ = Math.ceil(M / 4), ragged = M % 4 !== 0;
  const acc = range(JJ).map((j) => range(4).map((c) => `var a${j}${c} = vec4(0.0);`).join(' ')).join(' ');
  // A block past M (ragged M) reads block M − 1 and writes nothing.
  const ms = range(JJ).map((j) => `let m${j} = ${ragged ? `min(og + ${4 * j}u, ${M - 1}u)` : `og + ${4 * j}u`};`).join(' ');
  const body = range(JJ).map((j) => `      w = WS[${wb}u + k * ${wr}u + m${j}]; ${range(4).map((c) => `a${j}${c} += w.${'xyzw'[c]} * x;`).join(' ')}`).join('\n');
  const out = range(JJ).map((j) => {
    const st = range(4).map((c) => `${dst}[r + ${c}u * QS] = a${j}${c}${keep ? ` * dlrelu4(${dst}[r + ${c}u * QS])` : ''};`).join(' ');
    return `    ${ragged ? `if (og + ${4 * j}u < ${M}u) ` : ''}{ let r = 4u * m${j} * QS + tg; ${st} }`;
  }).join('\n');
  return `  {
    ${acc}
    ${ms}
    for (var k = Z; k < ${rows}; k++) {
      let x = ${src}[k * QS + tg];
      var w: vec4<f32>;
${body}
    }
${out}
  }`;
}

/**
 * Weight matrix `w` (nin columns) into WS from vec4 `at` on as `rows` rows of k4 vec4s, zero past its HID or C rows and
 * nin columns. A loop a matrix, so that the divisions are by constants.
 */
function weightCopy(w: string, at: number, rows: number, nin: string, k4: number): string {
  const nr = w === 'W2' ? 'C' : 'HID';
  return `  for (var v = tid; v < ${rows * k4}u; v += TB) {
    let r = v / ${k4}u; let c = 4u * (v % ${k4}u); let i = ${w} + r * ${nin} + c;
    var x = vec4(0.0);
    if (r < ${nr}) { for (var e = 0u; e < 4u; e++) { if (c + e < ${nin}) { x[e] = P[i + e]; } } }
    WS[${at}u + v] = x;
  }`;
}

/**
 * One layer's part of the tile's weight gradient into PART: W[o][i] += Σ_t d[o][t]·x[i][t] (weights at `w`, nin a
 * row) and bias[o] += Σ_t d[o][t], for o < nout, i < nin. Row r of the deltas is at `dArr`[dOff + r·QS], of the
 * inputs at `xArr`[r·QS], four texels a vec4. An invocation takes a 4 × 4 block of (o, i) and keeps sixteen vec4
 * sums along the tile (each loaded vec4 feeds sixteen multiply-adds), those of i-block 0 the bias sums too. Blocks
 * reach 4·oBlocks outputs and 4·iBlocks inputs: rows that exist (zero padding), but delta rows past `dRows` are read
 * clamped; neither past nout nor past nin is stored. Each invocation starts its walk along the tile at its own vec4
 * (neighbouring blocks read rows 4·QS vec4s apart: without the stagger, in two groups of banks).
 */
function weightGradTile(dArr: string, dOff: string, dRows: number, xArr: string, oBlocks: number, iBlocks: number, nout: string, nin: string, w: string, bias: string): string {
  const k4 = range(4), clamp = 4 * oBlocks > dRows;
  return `  for (var blk = tid; blk < ${oBlocks * iBlocks}u; blk += TB) {
    let o0 = 4u * (blk / ${iBlocks}u); let i0 = 4u * (blk % ${iBlocks}u);
    ${k4.map((k) => `let rd${k} = ${dOff}${clamp ? `min(o0 + ${k}u, ${dRows - 1}u)` : `(o0 + ${k}u)`} * QS;`).join(' ')}
    ${k4.map((c) => `let rx${c} = (i0 + ${c}u) * QS;`).join(' ')}
    ${k4.map((k) => `${k4.map((c) => `var g${k}${c} = vec4(0.0);`).join(' ')} var s${k} = vec4(0.0);`).join('\n    ')}
    for (var q = Z; q < Q; q++) {
      let t = (q + blk) & (Q - 1u);
      ${k4.map((k) => `let d${k} = ${dArr}[rd${k} + t];`).join(' ')}
      ${k4.map((c) => `let x${c} = ${xArr}[rx${c} + t];`).join(' ')}
${k4.map((k) => `      ${k4.map((c) => `g${k}${c} += d${k} * x${c};`).join(' ')} s${k} += d${k};`).join('\n')}
    }
    let at = wid.x * NMLP;
${k4.map((k) => `    if (o0 + ${k}u < ${nout}) {
      let o = o0 + ${k}u;
      ${k4.map((c) => `if (i0 + ${c}u < ${nin}) { PART[at + ${w} + o * ${nin} + i0 + ${c}u] = dot(g${k}${c}, vec4(1.0)); }`).join('\n      ')}
      if (i0 == 0u) { PART[at + ${bias} + o] = dot(s${k}, vec4(1.0)); }
    }`).join('\n')}
  }`;
}

/** Rows [0, rows) of tile array `src` into rows of `dst` (row length `len`) from column `off`, for the tile's valid texels. */
function copyRows(src: string, rows: string, dst: string, len: string, off: string): string {
  return `  for (var it = tid; it < Q * ${rows}; it += TB) {
    let c = it / ${rows}; let r = it % ${rows}; let v = ${src}[r * QS + c]; let at = (b0 + 4u * c) * ${len} + ${off} + r;
    if (4u * c < nv) { ${dst}[at] = v.x; } if (4u * c + 1u < nv) { ${dst}[at + ${len}] = v.y; }
    if (4u * c + 2u < nv) { ${dst}[at + 2u * ${len}] = v.z; } if (4u * c + 3u < nv) { ${dst}[at + 3u * ${len}] = v.w; }
  }`;
}

/**
 * WGSL of the tiled forward + backward at tile `tb` (fwdBwdTile; TB invocations a workgroup, fwdBwdTiledGroups
 * workgroups). Bindings and outputs as kernels.ts fwdBwdWgsl; with `fusedGrad` (TiledOptions) the tile's weight gradient
 * instead of A and D rows. Fused, texels past the batch get output deltas of zero, so that they add nothing, and each
 * layer's gradient is taken before its inputs are overwritten: dW2 from d3 (in W1's place) and h2; d2 over h2 and W1
 * copied in again; dW1 from d2 and h1; d1 over h1; dW0 from d1 and x; the latent inputs' gradients over x.
 */
export function fwdBwdTiledWgsl(s: TrainShape, tb: number, o: TiledOptions = {}): string {
  const d = dims(s, tb, o), fused = d.fused, [I, , , C] = layerSizes(s) as [number, number, number, number], F = featuresOf(s), np = positionCount(s.position);
  const cs = range(C), Ip = 4 * d.IP4, lw = 2 * (s.lossWeight ?? 1);
  // A texel's own element of row r. Invocations of a vec4's four texels store their components side by side: each
  // component is a memory location of its own (WGSL), so these stores do not race.
  const col = (r: string) => `[(${r}) * QS + qc][ln]`;
  const outs = cs.map((c) => `var y${c} = P[B2 + ${c}u];`).join(' ');
  const outDot = cs.map((c) => `y${c} += dot(WS[W2S + ${c * d.HP4}u + kk], h);`).join(' ');
  const bindings = fused ? FWD_BWD_BINDINGS.replace(/^.*binding\(3\).*$/m, '@group(0) @binding(3) var<storage, read_write> PART: array<f32>;').replace(/^.*binding\(4\).*\n/m, '') : FWD_BWD_BINDINGS;
  const outStore = (c: number) => fused
    ? `    { let e = y${c} - TGT[p * C + ${c}u]; dy${c} = select(0.0, ${lw} * CW[${c}u] * e, valid); if (valid) { LOSS[b * C + ${c}u] = e * e; } WS[W1S + ${c}u * QS + qc][ln] = dy${c}; }`
    : `    { let e = y${c} - TGT[p * C + ${c}u]; dy${c} = ${lw} * CW[${c}u] * e; if (valid) { LOSS[b * C + ${c}u] = e * e; D[b * DEL + 2u * HID + ${c}u] = dy${c}; } }`;
  const d2 = `  for (var kk = Z; kk < HP4; kk++) {
    let g = ${cs.map((c) => `dy${c} * WS[W2S + ${c * d.HP4}u + kk]`).join(' + ')};
    ${range(4).map((c) => `{ let r = 4u * kk + ${c}u; S2${col('r')} = g.${'xyzw'[c]} * dlrelu(S2${col('r')}); }`).join(' ')}
  }`;
  const backward = fused ? `  workgroupBarrier();
${weightGradTile('WS', 'W1S + ', C, 'S2', Math.ceil(C / 4), d.HP4, 'C', 'HID', 'W2', 'B2')}
  workgroupBarrier();
${d2}
${weightCopy('W1', d.W1S, 4 * d.HP4, 'HID', d.HP4)}
  workgroupBarrier();
${weightGradTile('S2', '', 4 * d.HP4, 'S1', d.HP4, d.HP4, 'HID', 'HID', 'W1', 'B1')}
  workgroupBarrier();
${backwardLayer('S2', 'S1', 'HID', d.W1S, d.HP4, d.HP4, true)}
  workgroupBarrier();
${weightGradTile('S1', '', 4 * d.HP4, 'S0', d.HP4, d.IP4, 'HID', 'I', 'W0', 'B0')}
  workgroupBarrier();
${backwardLayer('S1', 'S0', 'HID', 0, d.IP4, Math.ceil(F / 4), false)}
  workgroupBarrier();` : `  workgroupBarrier();
${d2}
  workgroupBarrier();
${backwardLayer('S2', 'S1', 'HID', d.W1S, d.HP4, d.HP4, true)}
${copyRows('S2', 'HID', 'D', 'DEL', 'HID')}
  workgroupBarrier();
${backwardLayer('S1', 'S0', 'HID', 0, d.IP4, Math.ceil(F / 4), false)}
${copyRows('S1', 'HID', 'D', 'DEL', '0u')}
  workgroupBarrier();`;
  return `${header(s)}
${bindings}
const TB = ${tb}u; const Q = ${d.Q}u; const QS = ${d.QS}u; const IP4 = ${d.IP4}u; const HP4 = ${d.HP4}u;
const W2S = ${d.W2S}u;${fused ? ` const W1S = ${d.W1S}u;` : ''}
// The tile's activations, row r of texel t at [r * QS + t / 4][t % 4]: inputs (later the latent inputs' gradients), h1 (later d1), h2 (later d2).
var<workgroup> S0: array<vec4<f32>, ${Ip * d.QS}>;
var<workgroup> S1: array<vec4<f32>, ${4 * d.HP4 * d.QS}>;
var<workgroup> S2: array<vec4<f32>, ${4 * d.HP4 * d.QS}>;
var<workgroup> WS: array<vec4<f32>, ${d.NWS}>;
fn lrelu4(v: vec4<f32>) -> vec4<f32> { return select(ALPHA * v, v, v > vec4(0.0)); }
fn dlrelu4(h: vec4<f32>) -> vec4<f32> { return select(vec4(ALPHA), vec4(1.0), h > vec4(0.0)); }
// Barriers must be reached by every invocation: texels past the batch compute with the last one's and store nothing.
@compute @workgroup_size(${tb}) fn main(@builtin(local_invocation_index) tid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  Z = S.zero;
  let b0 = wid.x * TB; let b = b0 + tid; let valid = b < B; let nv = min(TB, B - b0);
  let p = texel_of(min(b, B - 1u), S.step);
  // Per-texel phases: this invocation's texel column. Tiled phases: texel group tg, output group og.
  let qc = tid / 4u; let ln = tid % 4u; let tg = tid % Q; let og = tid / Q;
${weightCopy('W0', 0, 4 * d.HP4, 'I', d.IP4)}
${weightCopy('W1', d.W1S, 4 * d.HP4, 'HID', d.HP4)}
${weightCopy('W2', d.W2S, C, 'HID', d.HP4)}
  {
${tapsWgsl(s)}
${gatherWgsl(s, (i, v) => `S0${col(i)} = ${v} - ${INPUT_CENTRE.toFixed(1)};`)}
    var pos: array<f32, ${np}>;
    ${positionWgsl(s.position ?? 'uv', 0, 'vec2(f32(p % W) + 0.5, f32(p / W) + 0.5)', 'vec2(f32(W), f32(HT))', 'pos')}
    ${range(np).map((k) => `S0${col(`${F + k}u`)} = pos[${k}] - ${INPUT_CENTRE.toFixed(1)};`).join(' ')}
    ${range(Ip - I).map((k) => `S0${col(`${I + k}u`)} = 0.0;`).join(' ')}
  }
  workgroupBarrier();
${forwardLayer(d, 'S0', 'S1', d.IP4, 0, 'B0')}
  workgroupBarrier();
${forwardLayer(d, 'S1', 'S2', d.HP4, d.W1S, 'B1')}
${fused ? '' : `${copyRows('S0', 'I', 'A', 'ACT', '0u')}
${copyRows('S1', 'HID', 'A', 'ACT', 'I')}
`}  workgroupBarrier();
${fused ? '' : `${copyRows('S2', 'HID', 'A', 'ACT', 'I + HID')}
`}  ${cs.map((c) => `var dy${c}: f32;`).join(' ')}
  {
    ${outs}
    for (var kk = Z; kk < HP4; kk++) {
      let r = 4u * kk;
      let h = vec4(S2${col('r')}, S2${col('r + 1u')}, S2${col('r + 2u')}, S2${col('r + 3u')});
      ${outDot}
    }
${cs.map(outStore).join('\n')}
  }
${backward}
  if (valid) {
${tapsWgsl(s)}
${scatterWgsl(s, (i) => `let g = S0${col(i)};`)}
  }
}`;
}
