/**
 * GPU plan for LSTM/GRU/RNN: an init kernel (initial state into scratch), one step kernel per time
 * step recorded in the same pass, then a finish kernel (Y_h, Y_c). Each step runs one 64-thread
 * workgroup per (direction, batch) that stages h_{t-1} in workgroup memory and computes every
 * gate of every hidden unit as a matvec against W and R; GRU's reset gate needs all of r before
 * the candidate, hence the barrier between its two phases. h ping-pongs between two scratch
 * slices; c is updated in place (each unit owns its c). Fine for small (VAD-sized) recurrent nets.
 */
import { signature, type BufferDecl, type ParamValues } from '../../gpu/signature.js';
import { declaredKernel, dispatch1d, type GpuPlan, type KernelArg, type KernelContext, type KernelSpec } from '../types.js';
import { activations, linearIndex } from '../wgsl-common.js';
import { activationExpr, type ActKind } from '../epilogue.js';
import { floatLit } from '../../gpu/wgsl-literal.js';

export const MAX_RNN_HIDDEN = 1024;

// The cell's attributes and sizes live with the kernel that computes over them; rnn-common.ts (the
// op definitions, which call rnnPlan) re-exports them, so the two files import each other one way.
export type Cell = 'lstm' | 'gru' | 'rnn';

export interface RnnAttrs {
  cell: Cell;
  dirs: ('fwd' | 'rev')[];
  H: number;
  layout: 0 | 1;
  acts: string[];
  clip: number | null;
  linearBeforeReset: boolean;
}

export interface RnnDims { S: number; B: number; I: number; D: number; H: number }


/** A cell activation (one of RNN_ACTS) as the shared activation formulas name it (ops/epilogue.ts). */
export const actKind = (name: string): ActKind => (name === 'Sigmoid' ? 'sigmoid' : name === 'Tanh' ? 'tanh' : 'relu');
const actExpr = (name: string, v: string): string => activationExpr(actKind(name), [], v);

/** Step, init and finish kernels share the parameters; which buffers they bind depends on the node's optional inputs and outputs. */
const PARAMS = { S: 'u32', B: 'u32', H: 'u32', I: 'u32', D: 'u32', s: 'u32', hin: 'u32', hout: 'u32', coff: 'u32', revmask: 'u32', lay: 'u32' } as const;
const f32Buffer = (name: string, writes = false): BufferDecl => ({ name, elem: 'f32', writes });

const ST_IDX = `fn st_idx(d: u32, b: u32, j: u32) -> u32 { return select((d * P.B + b) * P.H + j, (b * P.D + d) * P.H + j, P.lay == 1u); }`;

function params(d: RnnDims, a: RnnAttrs, s: number): ParamValues {
  const n = d.D * d.B * d.H;
  const hin = s % 2 === 0 ? 0 : n, hout = s % 2 === 0 ? n : 0;
  const revmask = a.dirs.reduce((m, x, i) => m | (x === 'rev' ? 1 << i : 0), 0);
  return { S: d.S, B: d.B, H: d.H, I: d.I, D: d.D, s, hin, hout, coff: 2 * n, revmask, lay: a.layout };
}

/** Clip of a gate pre-activation (the spec's `clip` attribute). */
function clipped(a: RnnAttrs, v: string): string {
  return a.clip === null ? v : `clamp(${v}, ${floatLit(-a.clip)}, ${floatLit(a.clip)})`;
}

function lstmBody(a: RnnAttrs): string {
  const [f, g, h] = a.acts as [string, string, string];
  const pre = (gate: number, peep: string) => clipped(a, `dotx(${gate}u, j) + doth(${gate}u, j) + bias(${gate}u, j)${peep}`);
  return `
    let cprev = ST_ld(P.coff + sidx);
    let it = ${actExpr(f, pre(0, ' + peep(0u, j) * cprev'))};
    let ft = ${actExpr(f, pre(2, ' + peep(2u, j) * cprev'))};
    let ct = ${actExpr(g, pre(3, ''))};
    let c = ft * cprev + it * ct;
    let ot = ${actExpr(f, pre(1, ' + peep(1u, j) * c'))};
    let hn = ot * ${actExpr(h, 'c')};
    ST_st(P.coff + sidx, c);
    put(d, b, j, t, sidx, hn);`;
}

function rnnBody(a: RnnAttrs): string {
  const [f0, f1 = f0] = a.acts as [string, string?];
  // Bidirectional nets may give each direction its own activation; the step kernel serves both.
  const hn = f0 === f1 ? actExpr(f0, 'pre') : `select(${actExpr(f1, 'pre')}, ${actExpr(f0, 'pre')}, d == 0u)`;
  return `
    let pre = ${clipped(a, 'dotx(0u, j) + doth(0u, j) + bias(0u, j)')};
    put(d, b, j, t, sidx, ${hn});`;
}

function gruBody(a: RnnAttrs): string {
  const [f, g] = a.acts as [string, string];
  const lbr = a.linearBeforeReset;
  return `
    let z = ${actExpr(f, clipped(a, 'dotx(0u, j) + doth(0u, j) + bias(0u, j)'))};
    let r = ${actExpr(f, clipped(a, 'dotx(1u, j) + doth(1u, j) + bias(1u, j)'))};
    zs[j] = z;
    aux[j] = ${lbr ? 'r' : 'r * hs[j]'};
  }
  workgroupBarrier();
  for (var j = li; j < P.H; j += 64u) {
    let sidx = (d * P.B + b) * P.H + j;
    let xh = dotx(2u, j) + WB(2u, j);
    let hh = ${actExpr(g, clipped(a, lbr ? 'xh + aux[j] * (doth(2u, j) + RB(2u, j))' : 'xh + dotv(2u, j) + RB(2u, j)'))};
    let z = zs[j];
    let hn = (1.0 - z) * hh + z * hs[j];
    put(d, b, j, t, sidx, hn);`;
}

function stepKernel(ctx: KernelContext, a: RnnAttrs, dm: RnnDims, s: number, maxH: number): KernelSpec {
  const G = a.cell === 'lstm' ? 4 : a.cell === 'gru' ? 3 : 1;
  const hasB = !!ctx.inputs[3], hasP = a.cell === 'lstm' && !!ctx.inputs[7], hasY = (ctx.node.outputs[0] ?? '') !== '';
  const b: BufferDecl[] = [f32Buffer('X'), f32Buffer('W'), f32Buffer('R')];
  const args: KernelArg[] = [{ input: 0 }, { input: 1 }, { input: 2 }];
  if (hasB) { b.push(f32Buffer('Bs')); args.push({ input: 3 }); }
  if (hasP) { b.push(f32Buffer('Pp')); args.push({ input: 7 }); }
  if (hasY) { b.push(f32Buffer('Y', true)); args.push({ output: 0 }); }
  b.push(f32Buffer('ST', true)); args.push({ scratch: 0 });
  const gru = a.cell === 'gru';
  return declaredKernel({
    name: `${a.cell}_step`, key: `linalg_${a.cell}_step|${a.acts.join(',')}|${a.clip}|${a.linearBeforeReset}|${hasB}${hasP}${hasY}|${maxH}`,
    sig: signature({ params: PARAMS, buffers: b }), params: params(dm, a, s), args, workgroups: [dm.D * dm.B, 1, 1],
    source: () => ({
      requires: [activations],
      body: `${ST_IDX}
const G = ${G}u;
var<workgroup> hs: array<f32, ${maxH}>;
${gru ? `var<workgroup> zs: array<f32, ${maxH}>;\nvar<workgroup> aux: array<f32, ${maxH}>;` : ''}
var<private> xoff: u32;
var<private> dir: u32;
fn dotx(g: u32, j: u32) -> f32 {
  let w0 = (dir * G * P.H + g * P.H + j) * P.I;
  var s = 0.0;
  for (var k = 0u; k < P.I; k++) { s = fma(W_ld(w0 + k), X_ld(xoff + k), s); }
  return s;
}
fn doth(g: u32, j: u32) -> f32 {
  let r0 = (dir * G * P.H + g * P.H + j) * P.H;
  var s = 0.0;
  for (var k = 0u; k < P.H; k++) { s = fma(R_ld(r0 + k), hs[k], s); }
  return s;
}
${gru ? `fn dotv(g: u32, j: u32) -> f32 {
  let r0 = (dir * G * P.H + g * P.H + j) * P.H;
  var s = 0.0;
  for (var k = 0u; k < P.H; k++) { s = fma(R_ld(r0 + k), aux[k], s); }
  return s;
}` : ''}
fn WB(g: u32, j: u32) -> f32 { ${hasB ? 'return Bs_ld(dir * 2u * G * P.H + g * P.H + j);' : 'return 0.0;'} }
fn RB(g: u32, j: u32) -> f32 { ${hasB ? 'return Bs_ld(dir * 2u * G * P.H + (G + g) * P.H + j);' : 'return 0.0;'} }
fn bias(g: u32, j: u32) -> f32 { return WB(g, j) + RB(g, j); }
${hasP ? 'fn peep(g: u32, j: u32) -> f32 { return Pp_ld(dir * 3u * P.H + g * P.H + j); }' : 'fn peep(g: u32, j: u32) -> f32 { return 0.0; }'}
fn put(d: u32, b: u32, j: u32, t: u32, sidx: u32, h: f32) {
  ST_st(P.hout + sidx, h);
  ${hasY ? 'Y_st(select(((t * P.D + d) * P.B + b) * P.H + j, ((b * P.S + t) * P.D + d) * P.H + j, P.lay == 1u), h);' : ''}
}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let P = wgml_init();
  let d = wid.x / P.B; let b = wid.x % P.B;
  dir = d;
  let t = select(P.s, P.S - 1u - P.s, ((P.revmask >> d) & 1u) == 1u);
  xoff = select((t * P.B + b) * P.I, (b * P.S + t) * P.I, P.lay == 1u);
  for (var k = li; k < P.H; k += 64u) { hs[k] = ST_ld(P.hin + (d * P.B + b) * P.H + k); }
  workgroupBarrier();
  for (var j = li; j < P.H; j += 64u) {
    let sidx = (d * P.B + b) * P.H + j;
${gru ? gruBody(a) : a.cell === 'rnn' ? rnnBody(a) : lstmBody(a)}
  }
}`,
    }),
  });
}

/** Copies initial_h / initial_c (or zeros) into scratch, or (finish) the final state out to Y_h / Y_c. */
function stateKernel(ctx: KernelContext, a: RnnAttrs, dm: RnnDims, finish: boolean): KernelSpec {
  const n = dm.D * dm.B * dm.H;
  const b: BufferDecl[] = [];
  const args: KernelArg[] = [];
  const lines: string[] = [];
  const hIn = 5, cIn = 6;
  const lstm = a.cell === 'lstm';
  if (!finish) {
    const hasH = !!ctx.inputs[hIn], hasC = lstm && !!ctx.inputs[cIn];
    if (hasH) { b.push(f32Buffer('H0')); args.push({ input: hIn }); }
    if (hasC) { b.push(f32Buffer('C0')); args.push({ input: cIn }); }
    lines.push(`ST_st(i, ${hasH ? 'H0_ld(st_idx(d, bb, j))' : '0.0'});`, `ST_st(P.coff + i, ${hasC ? 'C0_ld(st_idx(d, bb, j))' : '0.0'});`);
  } else {
    // After step s the state is in hout of that step: slice n when (S-1) is even, else slice 0.
    if ((ctx.node.outputs[1] ?? '') !== '') { b.push(f32Buffer('YH', true)); args.push({ output: 1 }); lines.push('YH_st(st_idx(d, bb, j), ST_ld(P.hin + i));'); }
    if (lstm && (ctx.node.outputs[2] ?? '') !== '') { b.push(f32Buffer('YC', true)); args.push({ output: 2 }); lines.push('YC_st(st_idx(d, bb, j), ST_ld(P.coff + i));'); }
  }
  b.push(f32Buffer('ST', true)); args.push({ scratch: 0 });
  const values = { S: dm.S, B: dm.B, H: dm.H, I: dm.I, D: dm.D, s: 0, hin: finish && (dm.S - 1) % 2 === 0 ? n : 0, hout: 0, coff: 2 * n, revmask: 0, lay: a.layout };
  return declaredKernel({
    name: `${a.cell}_${finish ? 'finish' : 'init'}`, key: `linalg_rnn_state|${finish}|${args.map((x) => JSON.stringify(x)).join('')}`,
    sig: signature({ params: PARAMS, buffers: b }), params: values, args, workgroups: dispatch1d(n, 64),
    source: () => ({
      requires: [linearIndex(64)],
      body: `${ST_IDX}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let i = linear_index(gid, nwg);
  if (i >= P.D * P.B * P.H) { return; }
  let j = i % P.H; let bb = (i / P.H) % P.B; let d = i / (P.H * P.B);
  ${lines.join('\n  ')}
}`,
    }),
  });
}

/** Steps of one RNN/GRU/LSTM node wgml records (a dispatch each): a million-step sequence would exhaust memory planning it. */
export const MAX_RNN_STEPS = 16384;

export function rnnPlan(ctx: KernelContext, a: RnnAttrs, dm: RnnDims, lens: number[]): GpuPlan | string {
  if (lens.some((l) => l !== dm.S)) return 'sequence_lens shorter than the sequence are not supported on the GPU';
  if (dm.H > MAX_RNN_HIDDEN) return `hidden_size ${dm.H} exceeds ${MAX_RNN_HIDDEN}`;
  if (dm.S === 0) return 'empty sequence';
  if (dm.S > MAX_RNN_STEPS) return `a sequence of ${dm.S} steps would record ${dm.S} dispatches (one a step), over wgml's ${MAX_RNN_STEPS}: run it in chunks, carrying the state between calls`;
  const per = a.acts.length / a.dirs.length;
  if (a.cell !== 'rnn' && a.dirs.length === 2 && a.acts.slice(0, per).join() !== a.acts.slice(per).join()) {
    return `bidirectional ${a.cell.toUpperCase()} with different activations per direction (${a.acts.join(', ')}) is not supported on the GPU`;
  }
  const maxH = Math.max(64, 1 << Math.ceil(Math.log2(dm.H)));
  const kernels: KernelSpec[] = [stateKernel(ctx, a, dm, false)];
  for (let s = 0; s < dm.S; s++) kernels.push(stepKernel(ctx, a, dm, s, maxH));
  const fin = stateKernel(ctx, a, dm, true);
  if (fin.args.length > 1) kernels.push(fin);
  return { kernels, scratch: [3 * dm.D * dm.B * dm.H * 4] };
}
