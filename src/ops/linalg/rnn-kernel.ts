/**
 * GPU plan for LSTM/GRU/RNN: an init kernel (initial state into scratch), one step kernel per time
 * step recorded in the same pass, then a finish kernel (Y_h, Y_c). Each step runs one 64-thread
 * workgroup per (direction, batch) that stages h_{t-1} in workgroup memory and computes every
 * gate of every hidden unit as a matvec against W and R; GRU's reset gate needs all of r before
 * the candidate, hence the barrier between its two phases. h ping-pongs between two scratch
 * slices; c is updated in place (each unit owns its c). Fine for small (VAD-sized) recurrent nets.
 */
import { resolveWgsl, type WgslBinding } from '../../gpu/wgsl.js';
import { dispatch1d, UniformWriter, type GpuPlan, type KernelArg, type KernelContext, type KernelSpec } from '../types.js';
import { activations, linearIndex } from '../wgsl-common.js';
import type { RnnAttrs, RnnDims } from './rnn-common.js';
import { f32Lit } from './util.js';

export const MAX_RNN_HIDDEN = 1024;

function actExpr(name: string, v: string): string {
  return name === 'Sigmoid' ? `act_sigmoid(${v})` : name === 'Tanh' ? `act_tanh(${v})` : `max(${v}, 0.0)`;
}

const PARAMS = `struct Params { S: u32, B: u32, H: u32, I: u32, D: u32, s: u32, hin: u32, hout: u32, coff: u32, revmask: u32, lay: u32, p0: u32 }
fn st_idx(d: u32, b: u32, j: u32) -> u32 { return select((d * P.B + b) * P.H + j, (b * P.D + d) * P.H + j, P.lay == 1u); }`;

function uniforms(d: RnnDims, a: RnnAttrs, s: number): ArrayBuffer {
  const n = d.D * d.B * d.H;
  const hin = s % 2 === 0 ? 0 : n, hout = s % 2 === 0 ? n : 0;
  const rev = a.dirs.reduce((m, x, i) => m | (x === 'rev' ? 1 << i : 0), 0);
  return new UniformWriter().u32(d.S, d.B, d.H, d.I, d.D, s, hin, hout, 2 * n, rev, a.layout, 0).finish();
}

/** Clip of a gate pre-activation (the spec's `clip` attribute). */
function clipped(a: RnnAttrs, v: string): string {
  return a.clip === null ? v : `clamp(${v}, ${f32Lit(-a.clip)}, ${f32Lit(a.clip)})`;
}

function lstmBody(a: RnnAttrs): string {
  const [f, g, h] = a.acts as [string, string, string];
  const pre = (gate: number, peep: string) => clipped(a, `dotx(${gate}u, j) + doth(${gate}u, j) + bias(${gate}u, j)${peep}`);
  return `
    let cprev = ST[P.coff + sidx];
    let it = ${actExpr(f, pre(0, ' + peep(0u, j) * cprev'))};
    let ft = ${actExpr(f, pre(2, ' + peep(2u, j) * cprev'))};
    let ct = ${actExpr(g, pre(3, ''))};
    let c = ft * cprev + it * ct;
    let ot = ${actExpr(f, pre(1, ' + peep(1u, j) * c'))};
    let hn = ot * ${actExpr(h, 'c')};
    ST[P.coff + sidx] = c;
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
  const b: WgslBinding[] = [{ name: 'P', kind: 'uniform', type: 'Params' }, { name: 'X', kind: 'read', type: 'array<f32>' }, { name: 'W', kind: 'read', type: 'array<f32>' }, { name: 'R', kind: 'read', type: 'array<f32>' }];
  const args: KernelArg[] = [{ input: 0 }, { input: 1 }, { input: 2 }];
  if (hasB) { b.push({ name: 'Bs', kind: 'read', type: 'array<f32>' }); args.push({ input: 3 }); }
  if (hasP) { b.push({ name: 'Pp', kind: 'read', type: 'array<f32>' }); args.push({ input: 7 }); }
  if (hasY) { b.push({ name: 'Y', kind: 'read_write', type: 'array<f32>' }); args.push({ output: 0 }); }
  b.push({ name: 'ST', kind: 'read_write', type: 'array<f32>' }); args.push({ scratch: 0 });
  const gru = a.cell === 'gru';
  return {
    name: `${a.cell}_step`, key: `linalg_${a.cell}_step|${a.acts.join(',')}|${a.clip}|${a.linearBeforeReset}|${hasB}${hasP}${hasY}|${maxH}`,
    args, uniforms: uniforms(dm, a, s), workgroups: [dm.D * dm.B, 1, 1],
    wgsl: () => resolveWgsl({
      bindings: b, requires: [activations],
      body: `${PARAMS}
const G = ${G}u;
var<workgroup> hs: array<f32, ${maxH}>;
${gru ? `var<workgroup> zs: array<f32, ${maxH}>;\nvar<workgroup> aux: array<f32, ${maxH}>;` : ''}
var<private> xoff: u32;
var<private> dir: u32;
fn dotx(g: u32, j: u32) -> f32 {
  let w0 = (dir * G * P.H + g * P.H + j) * P.I;
  var s = 0.0;
  for (var k = 0u; k < P.I; k++) { s = fma(W[w0 + k], X[xoff + k], s); }
  return s;
}
fn doth(g: u32, j: u32) -> f32 {
  let r0 = (dir * G * P.H + g * P.H + j) * P.H;
  var s = 0.0;
  for (var k = 0u; k < P.H; k++) { s = fma(R[r0 + k], hs[k], s); }
  return s;
}
${gru ? `fn dotv(g: u32, j: u32) -> f32 {
  let r0 = (dir * G * P.H + g * P.H + j) * P.H;
  var s = 0.0;
  for (var k = 0u; k < P.H; k++) { s = fma(R[r0 + k], aux[k], s); }
  return s;
}` : ''}
fn WB(g: u32, j: u32) -> f32 { ${hasB ? 'return Bs[dir * 2u * G * P.H + g * P.H + j];' : 'return 0.0;'} }
fn RB(g: u32, j: u32) -> f32 { ${hasB ? 'return Bs[dir * 2u * G * P.H + (G + g) * P.H + j];' : 'return 0.0;'} }
fn bias(g: u32, j: u32) -> f32 { return WB(g, j) + RB(g, j); }
${hasP ? 'fn peep(g: u32, j: u32) -> f32 { return Pp[dir * 3u * P.H + g * P.H + j]; }' : 'fn peep(g: u32, j: u32) -> f32 { return 0.0; }'}
fn put(d: u32, b: u32, j: u32, t: u32, sidx: u32, h: f32) {
  ST[P.hout + sidx] = h;
  ${hasY ? 'Y[select(((t * P.D + d) * P.B + b) * P.H + j, ((b * P.S + t) * P.D + d) * P.H + j, P.lay == 1u)] = h;' : ''}
}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let d = wid.x / P.B; let b = wid.x % P.B;
  dir = d;
  let t = select(P.s, P.S - 1u - P.s, ((P.revmask >> d) & 1u) == 1u);
  xoff = select((t * P.B + b) * P.I, (b * P.S + t) * P.I, P.lay == 1u);
  for (var k = li; k < P.H; k += 64u) { hs[k] = ST[P.hin + (d * P.B + b) * P.H + k]; }
  workgroupBarrier();
  for (var j = li; j < P.H; j += 64u) {
    let sidx = (d * P.B + b) * P.H + j;
${gru ? gruBody(a) : a.cell === 'rnn' ? rnnBody(a) : lstmBody(a)}
  }
}`,
    }),
  };
}

/** Copies initial_h / initial_c (or zeros) into scratch, or (finish) the final state out to Y_h / Y_c. */
function stateKernel(ctx: KernelContext, a: RnnAttrs, dm: RnnDims, finish: boolean): KernelSpec {
  const n = dm.D * dm.B * dm.H;
  const b: WgslBinding[] = [{ name: 'P', kind: 'uniform', type: 'Params' }];
  const args: KernelArg[] = [];
  const lines: string[] = [];
  const hIn = 5, cIn = 6;
  const lstm = a.cell === 'lstm';
  if (!finish) {
    const hasH = !!ctx.inputs[hIn], hasC = lstm && !!ctx.inputs[cIn];
    if (hasH) { b.push({ name: 'H0', kind: 'read', type: 'array<f32>' }); args.push({ input: hIn }); }
    if (hasC) { b.push({ name: 'C0', kind: 'read', type: 'array<f32>' }); args.push({ input: cIn }); }
    lines.push(`ST[i] = ${hasH ? 'H0[st_idx(d, bb, j)]' : '0.0'};`, `ST[P.coff + i] = ${hasC ? 'C0[st_idx(d, bb, j)]' : '0.0'};`);
  } else {
    // After step s the state is in hout of that step: slice n when (S-1) is even, else slice 0.
    if ((ctx.node.outputs[1] ?? '') !== '') { b.push({ name: 'YH', kind: 'read_write', type: 'array<f32>' }); args.push({ output: 1 }); lines.push('YH[st_idx(d, bb, j)] = ST[P.hin + i];'); }
    if (lstm && (ctx.node.outputs[2] ?? '') !== '') { b.push({ name: 'YC', kind: 'read_write', type: 'array<f32>' }); args.push({ output: 2 }); lines.push('YC[st_idx(d, bb, j)] = ST[P.coff + i];'); }
  }
  b.push({ name: 'ST', kind: 'read_write', type: 'array<f32>' }); args.push({ scratch: 0 });
  const u = new UniformWriter().u32(dm.S, dm.B, dm.H, dm.I, dm.D, 0, finish && (dm.S - 1) % 2 === 0 ? n : 0, 0, 2 * n, 0, a.layout, 0).finish();
  return {
    name: `${a.cell}_${finish ? 'finish' : 'init'}`, key: `linalg_rnn_state|${finish}|${args.map((x) => JSON.stringify(x)).join('')}`,
    args, uniforms: u, workgroups: dispatch1d(n, 64),
    wgsl: () => resolveWgsl({
      bindings: b, requires: [linearIndex(64)],
      body: `${PARAMS}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= P.D * P.B * P.H) { return; }
  let j = i % P.H; let bb = (i / P.H) % P.B; let d = i / (P.H * P.B);
  ${lines.join('\n  ')}
}`,
    }),
  };
}

export function rnnPlan(ctx: KernelContext, a: RnnAttrs, dm: RnnDims, lens: number[]): GpuPlan | string {
  if (lens.some((l) => l !== dm.S)) return 'sequence_lens shorter than the sequence are not supported on the GPU';
  if (dm.H > MAX_RNN_HIDDEN) return `hidden_size ${dm.H} exceeds ${MAX_RNN_HIDDEN}`;
  if (dm.S === 0) return 'empty sequence';
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
