/**
 * The register-blocked tiled GEMM. A workgroup of TX×TY threads computes a BM×BN output tile
 * (BM = TY·TM, BN = TX·TN), stepping K by BK through workgroup memory:
 * - A's tile is stored m-major as vec4s of 4 consecutive k (As[m][k/4]), B's tile k-major as vec4s of
 *   4 consecutive n (Bs[k][n/4]); one K quad then costs each thread TM + 4·TN/4 128-bit LDS loads for
 *   4·TM·TN FMAs (the TF.js/ORT "packed vec4" inner product, with a TM×TN register tile);
 * - a thread owns rows ty + i·TY and vec4 columns tx + j·TX, so neighbouring threads read neighbouring
 *   vec4s of Bs (no bank conflicts) and the same As vec4 (broadcast), and store neighbouring vec4s of Y;
 * - global loads are vec4 where the operand is contiguous and aligned along a tile dim (load classes
 *   in gemm-layout.ts): contiguous along the tile's vec4 dim they land in workgroup memory as they are;
 *   contiguous along the other dim (a transposed operand) they are scattered, with one vec4 of padding
 *   per row so that scatter is at most 2-way bank conflicted;
 * - register prefetch: the next K step's loads are issued before this step's FMAs;
 * - split-K: workgroup z also selects a K slice; partial sums go to scratch and gemm-reduce.ts's
 *   kernel adds them and runs `finish` (and a fused LayerNorm).
 * Every loop over the register tile is unrolled in the generated text, so the accumulators stay in
 * registers whatever the driver's unrolling heuristics.
 */
import { signature, type BufferDecl } from '../../gpu/signature.js';
import { declaredKernel, type KernelArg, type KernelSpec } from '../types.js';
import { batchOffsets, extBuffers, finishCall, finishWgsl, gemmModules, gemmParams, gemmParamValues, ioKey, rawIo, type GemmIo } from './gemm-common.js';
import type { GemmProblem, LoadClass } from './gemm-layout.js';
import { tileBM, tileBN, type TileConfig } from './gemm-select.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

interface Operand {
  name: 'A' | 'B'; cls: LoadClass;
  /** Tile rows and vec4 columns. */
  rows: number; cols4: number;
  /** Row stride of the workgroup tile in vec4s (padded for scattered classes). */
  stride: number;
  /** WGSL: global row/col of tile element (0, 0), bounds, strides (element units). */
  row0: string; col0: string; rowEnd: string; colEnd: string; sr: string; sc: string; off: string;
}

const isRow = (c: LoadClass) => c === 'r4' || c === 'r1';
const isVec = (c: LoadClass) => c === 'c4' || c === 'r4';

/** Unrolled global loads of this thread's slots of one tile into registers r<name>[t]. */
function loadCode(o: Operand, nt: number): string {
  const slots = o.rows * o.cols4; // vec4s per tile
  const per = Math.ceil(slots / nt);
  const lines: string[] = [];
  for (let t = 0; t < per; t++) {
    const s = `li + ${t * nt}u`;
    const guard = (t + 1) * nt > slots ? `if (${s} < ${slots}u) ` : '';
    let row: string, col: string;
    if (isRow(o.cls)) {
      // 4 consecutive rows at one column: threads run along rows (the contiguous dim)
      const rq = o.rows / 4;
      row = `${o.row0} + 4u * ((${s}) % ${rq}u)`; col = `${o.col0} + (${s}) / ${rq}u`;
    } else {
      row = `${o.row0} + (${s}) / ${o.cols4}u`; col = `${o.col0} + 4u * ((${s}) % ${o.cols4}u)`;
    }
    let body: string;
    switch (o.cls) {
      case 'c4': body = `if (gr < ${o.rowEnd} && gc < ${o.colEnd}) { v = ${o.name}_ld4((${o.off} + gr * ${o.sr} + gc) / 4u); }`; break;
      case 'r4': body = `if (gr < ${o.rowEnd} && gc < ${o.colEnd}) { v = ${o.name}_ld4((${o.off} + gr + gc * ${o.sc}) / 4u); }`; break;
      case 'c1': body = range(4).map((j) => `if (gr < ${o.rowEnd} && gc + ${j}u < ${o.colEnd}) { v[${j}] = ${o.name}_ld(${o.off} + gr * ${o.sr} + (gc + ${j}u) * ${o.sc}); }`).join('\n      '); break;
      case 'r1': body = range(4).map((j) => `if (gr + ${j}u < ${o.rowEnd} && gc < ${o.colEnd}) { v[${j}] = ${o.name}_ld(${o.off} + (gr + ${j}u) * ${o.sr} + gc * ${o.sc}); }`).join('\n      '); break;
    }
    lines.push(`${guard}{
      let gr = ${row}; let gc = ${col};
      var v = vec4<f32>(0.0);
      ${body}
      r${o.name}[${t}] = v;
    }`);
  }
  return lines.join('\n    ');
}

/** Unrolled stores of the registers into the workgroup tile. */
function storeCode(o: Operand, nt: number): string {
  const slots = o.rows * o.cols4;
  const per = Math.ceil(slots / nt);
  const sm = `${o.name}s`;
  const lines: string[] = [];
  for (let t = 0; t < per; t++) {
    const s = `li + ${t * nt}u`;
    const guard = (t + 1) * nt > slots ? `if (${s} < ${slots}u) ` : '';
    if (isRow(o.cls)) {
      const rq = o.rows / 4;
      lines.push(`${guard}{ let r = 4u * ((${s}) % ${rq}u); let c = (${s}) / ${rq}u; let v = r${o.name}[${t}];
      ${range(4).map((j) => `${sm}[(r + ${j}u) * ${o.stride}u + c / 4u][c % 4u] = v[${j}];`).join(' ')} }`);
    } else {
      lines.push(`${guard}{ let r = (${s}) / ${o.cols4}u; let c = (${s}) % ${o.cols4}u; ${sm}[r * ${o.stride}u + c] = r${o.name}[${t}]; }`);
    }
  }
  return lines.join('\n    ');
}

export interface TileKernelOptions {
  cfg: TileConfig; aCls: LoadClass; bCls: LoadClass; yCls: 'c4' | 'c1'; split: boolean; kSplit: number; nSplit: number;
  /** The body as `fn tile_phase(wid, gid, nwg, li)` for a split-K pair's module (gemm-pair.ts), not an entry point. */
  phase?: boolean;
}

/**
 * The parameters every phase function of a split-K pair takes. Each phase reads its parameters itself
 * (`wgml_init()`), as a lone kernel's entry point does, so its code is the lone kernel's.
 */
export const PHASE_ARGS = 'wid: vec3<u32>, gid: vec3<u32>, nwg: vec3<u32>, li: u32';

export function tileKernel(p: GemmProblem, io: GemmIo, o: TileKernelOptions, name: string): KernelSpec {
  const { cfg } = o;
  const BM = tileBM(cfg), BN = tileBN(cfg), BK = cfg.bk, TX = cfg.tx, TY = cfg.ty, NT = TX * TY;
  const TM = cfg.tm, TN4 = cfg.tn / 4, BK4 = BK / 4, BN4 = BN / 4;
  const aStride = BK4 + (isRow(o.aCls) ? 1 : 0), bStride = BN4 + (isRow(o.bCls) ? 1 : 0);
  const A: Operand = { name: 'A', cls: o.aCls, rows: BM, cols4: BK4, stride: aStride, row0: 'm0', col0: 'k0', rowEnd: 'P.M', colEnd: 'kEnd', sr: 'P.sa[0].x', sc: 'P.sa[0].y', off: 'oA' };
  const B: Operand = { name: 'B', cls: o.bCls, rows: BK, cols4: BN4, stride: bStride, row0: 'k0', col0: 'n0', rowEnd: 'kEnd', colEnd: 'P.N', sr: 'P.sb[0].x', sc: 'P.sb[0].y', off: 'oB' };
  const sVec = p.N % 4 === 0;
  const nA = Math.ceil((BM * BK4) / NT), nB = Math.ceil((BK * BN4) / NT);
  const load = (k0: string) => `{ let k0 = ${k0};\n    ${loadCode(A, NT)}\n    ${loadCode(B, NT)}\n  }`;
  const accs = range(TM).flatMap((i) => range(TN4).map((j) => `acc${i}_${j}`));
  const compute = [
    ...range(4).flatMap((r) => range(TN4).map((j) => `let b${r}_${j} = Bs[(kq * 4u + ${r}u) * ${bStride}u + tx + ${j * TX}u];`)),
    ...range(TM).flatMap((i) => [
      `let a${i} = As[(ty + ${i * TY}u) * ${aStride}u + kq];`,
      ...range(TN4).map((j) => ['x', 'y', 'z', 'w'].map((c, r) => `acc${i}_${j} = fma(vec4<f32>(a${i}.${c}), b${r}_${j}, acc${i}_${j});`).join(' ')),
    ]),
  ].join('\n      ');
  const fio = o.split ? rawIo(io) : io;
  const ext = extBuffers(fio);
  const nb = p.batch.length, ne = fio.ext.length;
  const write = range(TM).map((i) => `{
    let m = m0 + ty + ${i * TY}u;
    if (m < P.M) {
${range(TN4).map((j) => `      { let n = n0 + 4u * (tx + ${j * TX}u); let v = acc${i}_${j};\n${storeOut(o, fio, sVec, 'v', 'm', 'n')}\n      }`).join('\n')}
    }
  }`).join('\n  ');
  const sig = signature({
    params: gemmParams(nb, ne),
    buffers: [
      { name: 'A', elem: 'f32', vec4: isVec(o.aCls) }, { name: 'B', elem: 'f32', vec4: isVec(o.bCls) }, ...ext.buffers,
      (o.split ? { name: 'S', elem: 'f32', writes: true, vec4: sVec } : { name: 'Y', elem: 'f32', writes: true, vec4: o.yCls === 'c4' }) as BufferDecl,
    ],
  });
  const args: KernelArg[] = [{ input: io.a }, { input: io.b }, ...ext.args, o.split ? { scratch: 0 } : { output: 0 }];
  const nz = p.batch.reduce((x, y) => x * y, 1);
  const key = `gemm_tile|${cfg.name}|bk${BK}|pf${cfg.pf ? 1 : 0}|A${o.aCls}|B${o.bCls}|nb${nb}|${o.split ? `split${sVec ? 4 : 1}` : `Y${o.yCls}|${ioKey(io)}`}`;
  return declaredKernel({
    name: `${name}_${cfg.name}${o.split ? `_s${o.nSplit}` : ''}`, key, sig, args,
    params: gemmParamValues(p, o.kSplit, o.nSplit, fio),
    workgroups: [Math.ceil(p.N / BN), Math.ceil(p.M / BM), nz * o.nSplit],
    source: () => ({
      requires: gemmModules(fio),
      body: `${o.phase ? '' : finishWgsl(fio)}
var<workgroup> As: array<vec4<f32>, ${BM * aStride}>;
var<workgroup> Bs: array<vec4<f32>, ${BK * bStride}>;
${o.phase ? `fn tile_phase(${PHASE_ARGS}) {` : `@compute @workgroup_size(${NT})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {`}
  let P = wgml_init();
  let tx = li % ${TX}u; let ty = li / ${TX}u;
  let zb = wid.z / P.nSplit; let split = wid.z % P.nSplit;
  ${batchOffsets(nb, ne, 'zb')}
  let m0 = wid.y * ${BM}u; let n0 = wid.x * ${BN}u;
  let kBeg = split * P.kSplit; let kEnd = min(P.K, kBeg + P.kSplit);
  ${accs.map((a) => `var ${a} = vec4<f32>(0.0);`).join(' ')}
  var rA: array<vec4<f32>, ${nA}>;
  var rB: array<vec4<f32>, ${nB}>;
  // Prefetch: iteration t stores tile t-1 (loaded last iteration) into workgroup memory, issues the
  // global loads of tile t, then computes tile t-1, so the loads are in flight during the FMAs. One
  // iteration more than there are tiles; each piece of code appears once (smaller shaders compile faster).
  for (var kt = kBeg; kt < kEnd + ${cfg.pf ? BK : 0}u; kt += ${BK}u) {
    ${cfg.pf ? `if (kt > kBeg) {
    ${storeCode(A, NT)}
    ${storeCode(B, NT)}
    }
    workgroupBarrier();
    if (kt < kEnd) ${load('kt')}
    if (kt > kBeg) {` : `${load('kt')}
    ${storeCode(A, NT)}
    ${storeCode(B, NT)}
    workgroupBarrier();
    {`}
    for (var kq = 0u; kq < ${BK4}u; kq++) {
      ${compute}
    }
    }
    workgroupBarrier();
  }
  ${write}
}`,
    }),
  });
}

/** Store of one vec4 of accumulators at row m, columns n..n+3: partials to scratch, or finished to Y. */
function storeOut(o: TileKernelOptions, io: GemmIo, sVec: boolean, v: string, m: string, n: string): string {
  if (o.split) {
    const idx = `split * P.total + (zb * P.M + ${m}) * P.N + ${n}`;
    // N % 4 == 0 ⇔ the scratch is bound as vec4s and a vec4 never straddles N
    if (sVec) return `        if (${n} < P.N) { S_st4((${idx}) / 4u, ${v}); }`;
    return range(4).map((c) => `        if (${n} + ${c}u < P.N) { S_st(${idx} + ${c}u, ${v}[${c}]); }`).join('\n');
  }
  const fin = (c: number) => finishCall(io, `${v}[${c}]`, m, `${n} + ${c}u`);
  if (o.yCls === 'c4') {
    return `        if (${n} < P.N) { Y_st4((oY + ${m} * P.sy[0].x + ${n}) / 4u, vec4<f32>(${range(4).map(fin).join(', ')})); }`;
  }
  return range(4).map((c) => `        if (${n} + ${c}u < P.N) { Y_st(oY + ${m} * P.sy[0].x + (${n} + ${c}u) * P.sy[0].y, ${fin(c)}); }`).join('\n');
}
