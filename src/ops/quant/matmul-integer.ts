/**
 * MatMulInteger — https://onnx.ai/onnx/operators/onnx__MatMulInteger.html (opset 10)
 * int8/uint8 A and B (one word per element; a constant 2-D B four to a word, passes/pack-int-weights.ts)
 * with optional zero points: a_zero_point scalar or per row of A (length M), b_zero_point scalar or per
 * column of B (length N). numpy matmul broadcasting, 1-D operands promoted and dropped. i32 accumulation: one thread per output for few rows;
 * from 16 rows up, 64×64 dot4 tiles (int-gemm-tile.ts), or, when createPipeline asks (intMatrix) and the device has
 * int8 subgroup matrices, 32×64 tiles on them (int-gemm-mma.ts; B packed). K is split over the grid (partial sums, then a
 * reduce that runs the store) when the tiles alone would leave a large GPU idle (ops/linalg/gemm-select.ts's rule, as
 * for float GEMMs): on an H200 that took a BERT-sized encoder's quantized MatMuls from 3.5 to ~1.2 ms.
 * The kernel also serves QLinearMatMul (qlinear-matmul.ts), which requantizes the accumulator, and
 * takes a fused float epilogue (int-epilogue.ts: the dequantizing Cast · scale after it).
 */
import { signature, type BufferDecl, type ParamField, type Word } from '../../gpu/signature.js';
import type { Attrs } from '../../ir/attrs.js';
import { hostTensor, shapeSize, storageType, type HostTensor } from '../../ir/types.js';
import { declaredKernel, dispatch1d, type GpuPlan, type InferContext, type KernelContext, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { batchWalk, DEFAULT_INT_TILE, intSplits, intTileMain, intTileName, parseIntTile, SPLIT_PARTIALS, splitReduceMain, tileGrid, type IntTileShape } from './int-gemm-tile.js';
import { MMA_BK, MMA_ENABLES, mmaGrid, mmaTileMain } from './int-gemm-mma.js';
import { epilogueArgs, epilogueBuffers, epilogueCpu, epilogueModules, epilogueParams, epilogueParamValues, epilogueType, epilogueWgsl, intEpilogue, parseIntEpilogue, type IntEpilogue } from './int-epilogue.js';
import type { FusedParams } from '../elementwise/fused.js';
import { byteOf, unpackAt } from './common.js';
import { requantArgs, requantBuffers, requantCpu, requantModules, requantStore, type Requant } from './requantize.js';

/** Where A, B and their zero points are among the node's inputs, and the requantization if any. */
export interface IntMatMulIo {
  a: number; b: number; za: number | null; zb: number | null; requant: Requant | null; epi?: IntEpilogue | null;
  /** B is a constant packed four 8-bit values to a u32 word (passes/pack-int-weights.ts): its true N and sign. */
  bPacked?: { n: number; signed: boolean } | null;
  /** A forced dot4 tile variant (the wgml_int_tile attribute, for benchmarks), else the default. */
  tile?: IntTileShape | null;
}

/** Zero points are optional buffers: present ones follow A and B; then what the store reads and writes. */
const PARAMS = { n: 'u32', M: 'u32', K: 'u32', N: 'u32', rank: 'u32', za: 'u32', zb: 'u32', splits: 'u32', ks: 'u32', batch: ['u32', 8], astr: ['u32', 8], bstr: ['u32', 8] } as const;
const sig = (wa: Word, wb: Word, za: boolean, zb: boolean, tail: BufferDecl[], extra: Record<string, ParamField>, vecA = false, vecB = false) => signature({
  params: { ...PARAMS, ...extra },
  buffers: [{ name: 'A', elem: wa, vec4: vecA }, { name: 'B', elem: wb, vec4: vecB }, ...(za ? [{ name: 'ZA', elem: wa }] : []), ...(zb ? [{ name: 'ZB', elem: wb }] : []), ...tail],
});

interface Dims { M: number; K: number; N: number; batch: number[]; aStr: number[]; bStr: number[]; out: number[] }

export function dims(ctx: InferContext, io: Pick<IntMatMulIo, 'a' | 'b' | 'bPacked'>): Dims {
  const a = ctx.inputs[io.a]!.shape, b0 = ctx.inputs[io.b]!.shape;
  const b = io.bPacked ? [b0[0]!, io.bPacked.n] : b0;
  const as = a.length === 1 ? [1, a[0]!] : a, bs = b.length === 1 ? [b[0]!, 1] : b;
  const M = as[as.length - 2]!, K = as[as.length - 1]!, N = bs[bs.length - 1]!;
  if (bs[bs.length - 2] !== K) throw ctx.error(`inner dims differ: [${a.join(', ')}] × [${b.join(', ')}]`, 'A\'s last dim must equal B\'s second to last', { a, b });
  const ab = as.slice(0, -2), bb = bs.slice(0, -2);
  const r = Math.max(ab.length, bb.length);
  const batch: number[] = [], aStr: number[] = [], bStr: number[] = [];
  let sa = M * K, sb = K * N;
  const ad = Array(r).fill(0), bd = Array(r).fill(0);
  for (let k = r - 1; k >= 0; k--) {
    const x = ab[k - r + ab.length] ?? 1, y = bb[k - r + bb.length] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw ctx.error(`batch dims of [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`, 'batch dims must match or be 1', { a, b });
    batch[k] = x === 1 ? y : x; // numpy: 1 and 0 broadcast to 0
    ad[k] = x === 1 ? 0 : sa; bd[k] = y === 1 ? 0 : sb;
    sa *= x; sb *= y;
  }
  aStr.push(...ad); bStr.push(...bd);
  const out = [...batch, ...(a.length === 1 ? [] : [M]), ...(b.length === 1 ? [] : [N])];
  if (batch.length > 6) throw ctx.error('more than 6 batch dims', 'reshape to at most rank 8');
  return { M, K, N, batch, aStr, bStr, out };
}

/**
 * When every batch shares B and A is not broadcast, A's batch dims are more rows of one GEMM: [batch·M, K]
 * × [K, N] writes the same memory, and fills tiles where M alone would not (a [S, 1, D] activation times
 * a weight is S single-row GEMMs otherwise). Not with a per-row A zero point, which is indexed by row in M.
 */
function foldBatch(d: Dims, zaLen: number): Dims {
  if (zaLen > 1 || !d.batch.every((e, k) => d.bStr[k] === 0 && (d.aStr[k] !== 0 || e === 1))) return d;
  return { ...d, M: d.M * shapeSize(d.batch), batch: [], aStr: [], bStr: [] };
}

export function zpLen(ctx: InferContext, i: number | null, want: number, what: string): number {
  const z = i === null ? null : ctx.inputs[i];
  if (!z) return 0;
  const n = shapeSize(z.shape);
  if (n !== 1 && n !== want) throw ctx.error(`${what} has ${n} elements`, `give a scalar or ${want} values`, { shape: z.shape });
  return n;
}

interface A { epi: FusedParams | null; bPacked: PackedB | null; tile: IntTileShape | null }
export interface PackedB { n: number; signed: boolean }

/** The packing passes/pack-int-weights.ts recorded on the node, or null. */
export const parsePackedB = (a: Attrs): PackedB | null => (a.has('wgml_b_packed') ? { n: a.int('wgml_b_packed', 0), signed: a.int('wgml_b_signed', 1) === 1 } : null);

/** Checks that input `b` is the packed words `p` says. */
export function checkPackedB(ctx: InferContext, b: number, p: PackedB | null): void {
  const t = ctx.inputs[b]!;
  if (p && (t.dtype !== 'uint32' || t.shape.length !== 2 || t.shape[1] !== Math.ceil(p.n / 4)))
    throw ctx.error(`packed B is ${t.dtype} [${t.shape.join(', ')}], not u32 [K, ${Math.ceil(p.n / 4)}]`, 'this is a bug in passes/pack-int-weights.ts', { internal: true });
}

function plainIo(ctx: InferContext, a: A): IntMatMulIo {
  checkPackedB(ctx, 1, a.bPacked);
  // the spec's T1, T2; the tiled kernel packs four of them to a word
  for (const [i, what] of [[0, 'A'], ...(a.bPacked ? [] : [[1, 'B']])] as [number, string][]) {
    const t = ctx.inputs[i]!.dtype;
    if (t !== 'int8' && t !== 'uint8') throw ctx.error(`${what} is ${t}`, 'MatMulInteger takes int8 or uint8 operands', { input: i, dtype: t });
  }
  const io: IntMatMulIo = { a: 0, b: 1, za: ctx.inputs[2] ? 2 : null, zb: ctx.inputs[3] ? 3 : null, requant: null, bPacked: a.bPacked, tile: a.tile };
  return { ...io, epi: intEpilogue(ctx, a.epi, dims(ctx, io).out) };
}

/** B's values from its packed words (the CPU reference reads what the kernels read). */
function unpackB(t: HostTensor, p: PackedB): HostTensor {
  const [K, words] = t.shape as [number, number];
  const out = hostTensor(p.signed ? 'int8' : 'uint8', [K, p.n]);
  for (let k = 0; k < K; k++) for (let c = 0; c < p.n; c++) out.data[k * p.n + c] = unpackAt(t.data, k * words * 4 + c, p.signed);
  return out;
}

export const MatMulInteger: OpDef<A> = {
  type: 'MatMulInteger', opsets: [10, 99],
  attrs: (a) => ({ epi: parseIntEpilogue(a), bPacked: parsePackedB(a), tile: parseIntTile(a.has('wgml_int_tile') ? a.string('wgml_int_tile', '') : null) }),
  infer(ctx, a) {
    const io = plainIo(ctx, a), d = dims(ctx, io);
    zpLen(ctx, io.za, d.M, 'a_zero_point'); zpLen(ctx, io.zb, d.N, 'b_zero_point');
    return [{ dtype: io.epi ? epilogueType(ctx, io.epi, d.out) : 'int32', shape: d.out }];
  },
  reference(inputs, a, ctx) {
    const io = plainIo(ctx, a);
    const acc = intMatMulReference(inputs, ctx, { ...io, epi: null });
    return [io.epi ? epilogueCpu(ctx, io.epi, acc, inputs) : acc];
  },
  gpu: (ctx, a) => intMatMulPlan(ctx, plainIo(ctx, a)),
};

/** CPU reference: the exact i32 sums, requantized when io says so. */
export function intMatMulReference(inputs: (HostTensor | null)[], ctx: InferContext, io: IntMatMulIo): HostTensor {
  const A = inputs[io.a]!, B = io.bPacked ? unpackB(inputs[io.b]!, io.bPacked) : inputs[io.b]!;
  const az = io.za === null ? null : inputs[io.za], bz = io.zb === null ? null : inputs[io.zb];
  const d = dims(ctx, io);
  const dtype = io.requant ? io.requant.out : 'int32';
  const y = hostTensor(dtype, d.out);
  const nb = shapeSize(d.batch);
  for (let b = 0; b < nb; b++) {
    // Batch coordinates → offsets into A and B, with broadcasting.
    let rem = b, ao = 0, bo = 0;
    for (let k = d.batch.length - 1; k >= 0; k--) { const c = rem % d.batch[k]!; rem = Math.floor(rem / d.batch[k]!); ao += c * d.aStr[k]!; bo += c * d.bStr[k]!; }
    for (let m = 0; m < d.M; m++) for (let n = 0; n < d.N; n++) {
      const za = az ? az.data[az.data.length === 1 ? 0 : m]! : 0, zb = bz ? bz.data[bz.data.length === 1 ? 0 : n]! : 0;
      let acc = 0;
      for (let k = 0; k < d.K; k++) acc += (A.data[ao + m * d.K + k]! - za) * (B.data[bo + k * d.N + n]! - zb);
      y.data[(b * d.M + m) * d.N + n] = io.requant ? requantCpu(io.requant, inputs, acc, n) : acc;
    }
  }
  return y;
}

/** Rows from which the tiled kernel is used (below, a thread per output reads B coalesced and A broadcast). */
export const TILE_MIN_ROWS = 16;

export function intMatMulPlan(ctx: KernelContext, io: IntMatMulIo): GpuPlan | string {
  const d0 = dims(ctx, io);
  const za = zpLen(ctx, io.za, d0.M, 'a_zero_point'), zb = zpLen(ctx, io.zb, d0.N, 'b_zero_point');
  const d = foldBatch(d0, za);
  const wa = storageType(ctx.inputs[io.a]!.dtype), wb = storageType(ctx.inputs[io.b]!.dtype);
  const rq = io.requant;
  const packKey = io.bPacked ? `_p4${io.bPacked.signed ? 's' : 'u'}` : '';
  const n = shapeSize(d.out);
  const zaExpr = (m: string) => (za ? `i32(ZA_ld(select(0u, ${m}, P.za > 1u)))` : '0');
  const zbExpr = (c: string) => (zb ? `i32(ZB_ld(select(0u, ${c}, P.zb > 1u)))` : '0');
  // B[k][c] as i32: a word per element, or one byte of a packed word (sign-extended for int8)
  const bp = io.bPacked ?? null;
  const bLoad = (k: string, c: string) => (!bp ? `i32(B_ld(bo + ${k} * P.N + ${c}))`
    : byteOf(`B_ld(bo + ${k} * ((P.N + 3u) / 4u) + ${c} / 4u)`, `${c} % 4u`, bp.signed));
  const epi = io.epi ?? null;
  // what the store is: plain i32, requantized (QLinearMatMul) or a fused float epilogue
  const store = rq ? requantStore(rq, 'c') : epi ? 'epi_store(P, i, acc);' : 'Y_st(i, acc);';
  const tail = rq ? requantBuffers(rq) : epi ? epilogueBuffers(ctx, epi, ctx.outputs[0]!.dtype) : [{ name: 'Y', elem: 'i32' as const, writes: true }];
  const prelude = epi ? `${epilogueWgsl(ctx, epi, d.out)}\n` : '';
  const modules = rq ? requantModules : epi ? epilogueModules : [];
  const buffers = 2 + (za ? 1 : 0) + (zb ? 1 : 0) + tail.length;
  if (buffers > ctx.caps.maxStorageBuffersPerShaderStage) return `${ctx.node.opType} with its fused epilogue binds ${buffers} storage buffers, over the device limit of ${ctx.caps.maxStorageBuffersPerShaderStage}`;
  const tiled = d.M >= TILE_MIN_ROWS;
  // subgroup matrices need B packed (its words are the right matrix's bytes) and one 32-lane subgroup per workgroup
  const mma = tiled && !!bp && !!ctx.caps.int8Matrix;
  const nz = shapeSize(d.batch);
  const grid = mma ? mmaGrid(d.M, d.N, nz) : tileGrid(d.M, d.N, nz);
  // A's vec4 loads need every row to start at a multiple of 4 values
  const shape0 = io.tile ?? parseIntTile(ctx.intTile ?? null) ?? DEFAULT_INT_TILE;
  const shape = { ...shape0, vec4: shape0.vec4 && d.K % 4 === 0, packedB: !!shape0.packedB && !!bp };
  const { splits, ks } = tiled ? intSplits(grid[0] * grid[1] * nz, d.K, mma ? MMA_BK : shape.bk) : { splits: 1, ks: d.K };
  const storeKey = rq ? `_rq_${rq.word}_${rq.perChannel}_${rq.lo}` : epi ? `_epi${d.out.length}_${tail.map((b) => b.elem).join(',')}|${prelude}` : '';
  const extra = epi ? epilogueParams(epi) : {};
  const params = { n, M: d.M, K: d.K, N: d.N, rank: d.batch.length, za, zb, splits, ks, batch: d.batch, astr: d.aStr, bstr: d.bStr, ...(epi ? epilogueParamValues(ctx, epi, d.out) : {}) };
  const name = rq ? 'qlinear_matmul' : 'matmul_integer';
  const aOp = {
    load: (k: string, m: string) => `i32(A_ld(ao + ${m} * P.K + ${k}))`, signed: ctx.inputs[io.a]!.dtype === 'int8',
    load4: (k: string, m: string) => `vec4<i32>(A_ld4((ao + ${m} * P.K + ${k}) / 4u))`,
  };
  const args = [{ input: io.a }, { input: io.b }, ...(za ? [{ input: io.za! }] : []), ...(zb ? [{ input: io.zb! }] : [])];
  const outArgs = rq ? requantArgs(rq) : epi ? epilogueArgs(epi) : [{ output: 0 }];
  if (!tiled) {
    return { kernels: [declaredKernel({
      name, key: `matmul_integer_${wa}_${wb}${packKey}_${!!za}_${!!zb}${storeKey}`, sig: sig(wa, wb, !!za, !!zb, tail, extra),
      workgroups: dispatch1d(n, 64, ctx.caps.maxComputeWorkgroupsPerDimension), args: [...args, ...outArgs], params,
      source: () => ({
        requires: [linearIndex(64), ...modules],
        body: prelude + perItemMain(64, 'i', 'P.n', `  let c = i % P.N;
  let m = (i / P.N) % P.M;
${batchWalk('i / (P.N * P.M)')}
  let za = ${zaExpr('m')};
  let zb = ${zbExpr('c')};
  var acc = 0;
  for (var k = 0u; k < P.K; k++) { acc += (i32(A_ld(ao + m * P.K + k)) - za) * (${bLoad('k', 'c')} - zb); }
  ${store}`),
      }),
    })] };
  }
  // The tiles: the whole store when K is not split, else partial sums for the reduce to finish.
  const split = splits > 1;
  const tileStore = split ? 'Part_st(sp * P.n + i, acc);' : store;
  const tileTail = split ? [SPLIT_PARTIALS] : tail;
  const words = '((P.N + 3u) / 4u)';
  // the matrix tiles stage four values (A) or words (B) to a load where rows start at multiples of 4 of them
  const mmaVecA = mma && d.K % 4 === 0, mmaVecB = mma && d.N % 16 === 0;
  const body = mma
    ? mmaTileMain({
      a: aOp, b: { word: (k, cw) => `B_ld(bo + ${k} * ${words} + ${cw})`, word4: (k, v) => `B_ld4((bo + ${k} * ${words}) / 4u + ${v})`, signed: bp!.signed, words },
      za: zaExpr, zb: zbExpr, store: tileStore, split, dims: { M: 'P.M', N: 'P.N', K: 'P.K' }, vecA: mmaVecA, vecB: mmaVecB,
    })
    : intTileMain({
      a: aOp, za: zaExpr, zb: zbExpr, store: tileStore, split,
      b: { load: bLoad, signed: bp ? bp.signed : ctx.inputs[io.b]!.dtype === 'int8', ...(bp ? { word: (k: string, cw: string) => `B_ld(bo + ${k} * ${words} + ${cw})`, words } : {}) },
    }, shape);
  const kind = `${mma ? 'mma' : 'tile'}${split ? '_split' : ''}`;
  // the variant is in the key: vec4 loads of A change the bindings, and K's multiple of 4 decides them
  const variant = mma ? `${mmaVecA ? '_va' : ''}${mmaVecB ? '_vb' : ''}` : `_${intTileName(shape)}`;
  const gemm = declaredKernel({
    name: `${name}_${kind}`, key: `matmul_integer_${kind}${variant}_${wa}_${wb}${packKey}_${!!za}_${!!zb}${split ? '' : storeKey}`,
    sig: sig(wa, wb, !!za, !!zb, tileTail, split ? {} : extra, mma ? mmaVecA : shape.vec4, mmaVecB),
    workgroups: [grid[0], grid[1], nz * splits],
    args: [...args, ...(split ? [{ scratch: 0 }] : outArgs)],
    params: split ? paramsOf(params) : params,
    source: () => ({ requires: split ? [] : modules, enables: mma ? MMA_ENABLES : undefined, body: (split ? '' : prelude) + body }),
  });
  if (!split) return { kernels: [gemm] };
  const reduce = declaredKernel({
    name: `${name}_split_reduce`, key: `matmul_integer_split_reduce${storeKey}`,
    sig: signature({ params: { ...PARAMS, ...extra }, buffers: [{ name: 'Part', elem: 'i32' }, ...tail] }),
    workgroups: dispatch1d(n, 64, ctx.caps.maxComputeWorkgroupsPerDimension),
    args: [{ scratch: 0 }, ...outArgs], params,
    source: () => ({ requires: [linearIndex(64), ...modules], body: prelude + perItemMain(64, 'i', 'P.n', splitReduceMain(`  let c = i % P.N;
  let m = (i / P.N) % P.M;
  ${store}`)) }),
  });
  return { scratch: [4 * n * splits], kernels: [gemm, reduce] };
}

/** The parameters the signature's fixed fields take (the epilogue's are the reduce's alone). */
function paramsOf(p: Record<string, number | readonly number[]>): Record<string, number | readonly number[]> {
  return Object.fromEntries(Object.keys(PARAMS).map((k) => [k, p[k]!]));
}
