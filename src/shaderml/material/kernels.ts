/**
 * WGSL of neural-material training: per-texel forward + backward (latents bilinearly sampled from one
 * or more grids, MLP in → H → H → C with LeakyReLU), weight gradients as a reduction over the batch,
 * latent gradients scattered with fixed-point atomics (no float atomics in WebGPU), and Adam over all
 * parameters. Latents live in [0, 1] (Adam clamps them there) and decode as q/(2^bits − 1): during
 * quantization-aware training each latent value gets uniform noise of one quantization step (the
 * same noise on all four taps of a latent at a step), so the decoder learns to read b-bit latents;
 * on request (train.ts STE_FROM) it reads the rounded codes themselves for the last steps (straight-through gradient).
 * Every size is baked in as a constant: one material, one set of pipelines.
 */
import { positionCount, positionWgsl, type PositionInput } from './position.js';

/**
 * One latent grid of a level: size, features, bits per latent, and where its latents start in the latent region.
 * `concat`: the decoder reads the four taps around a texel side by side (4 × features inputs, tap-major) instead of
 * their bilinear blend, as NTC reads its high-resolution grid; the position inputs then say where the texel lies
 * between them.
 */
export interface GridShape { lw: number; lh: number; features: number; bits: number; offset?: number; concat?: boolean }

/** Decoder inputs a grid gives: its features, four times over when its taps are concatenated. */
export const gridInputs = (g: { features: number; concat?: boolean }) => g.features * (g.concat ? 4 : 1);

export interface TrainShape {
  width: number; height: number; channels: number;
  /** Latent grids, finest first; the decoder input is their features in order, then the position. */
  grids: GridShape[];
  hidden: number;
  /** The decoder's position inputs after the features (position.ts; default 'uv'). */
  position?: PositionInput;
  /** Texels per step. */
  batch: number;
  alpha: number;
  /**
   * Mip training (several shapes, one per level, sharing one parameter buffer): how many latents all
   * levels hold (Adam's range), and whether this level's weight gradient adds to the levels before it.
   */
  latTotal?: number;
  accumulate?: boolean;
  /** Scale of this level's loss gradient (default 1). */
  lossWeight?: number;
}

/** The decoder's inputs from the latents (its input minus the position). */
export const featuresOf = (s: { grids: { features: number; concat?: boolean }[] }) => s.grids.reduce((a, g) => a + gridInputs(g), 0);
export const latentCount = (s: { grids: { lw: number; lh: number; features: number }[] }) => s.grids.reduce((a, g) => a + g.lw * g.lh * g.features, 0);

/**
 * State buffer: step counter, a zero the loops start at, and the quantization mode: off, noise of one
 * code step, or straight-through rounding (the forward reads the codes, the gradient passes as if it did not).
 */
export const QAT_OFF = 0, QAT_NOISE = 1, QAT_STE = 2;

/** Fixed-point scale of latent gradients; Adam is invariant to gradient scale, so any fits. */
export const GRAD_FIXED = 1 << 16;

export function layerSizes(s: TrainShape): number[] {
  return [featuresOf(s) + positionCount(s.position), s.hidden, s.hidden, s.channels];
}

/** Offsets in the parameter buffer: [w0 b0 w1 b1 w2 b2 | latents (lh×lw×features)]. */
export function paramLayout(s: TrainShape): { w: number[]; b: number[]; mlp: number; latents: number } {
  const sz = layerSizes(s), w: number[] = [], b: number[] = [];
  let n = 0;
  for (let l = 0; l < 3; l++) { w.push(n); n += sz[l]! * sz[l + 1]!; b.push(n); n += sz[l + 1]!; }
  return { w, b, mlp: n, latents: latentCount(s) };
}

/** Constants and helpers every training kernel starts with (sizes, parameter offsets, taps, activations). */
export function header(s: TrainShape): string {
  const L = paramLayout(s), [I, H, , C] = layerSizes(s);
  return `const W = ${s.width}u; const HT = ${s.height}u; const T = ${s.width * s.height}u; const B = ${s.batch}u;
const F = ${featuresOf(s)}u; const I = ${I}u; const HID = ${H}u; const C = ${C}u;
const W0 = ${L.w[0]}u; const B0 = ${L.b[0]}u; const W1 = ${L.w[1]}u; const B1 = ${L.b[1]}u; const W2 = ${L.w[2]}u; const B2 = ${L.b[2]}u;
const NMLP = ${L.mlp}u; const NLAT = ${s.latTotal ?? L.latents}u; const ALPHA = ${s.alpha};
const ACT = I + 2u * HID; const DEL = 2u * HID + C;
struct State { step: u32, zero: u32, qat: u32, pad: u32 }
// Loops start at Z (always 0, read at run time) so the shader compiler does not unroll them all: fully unrolled,
// these kernels took up to a minute to compile on lavapipe (about 10 s with Mesa 25), and ran no faster on the H100.
var<private> Z: u32;
// Texel of batch slot b at this step: a stride coprime to T visits distinct texels.
fn texel_of(b: u32, step: u32) -> u32 { if (B == T) { return b; } return (b * 1000003u + step * 7919u * B) % T; }
struct Tap { i: array<u32, 4>, w: array<f32, 4> }
// Clamp-to-edge bilinear taps into an LW×LH grid at texel centres (the same rule the decoder uses).
fn taps(p: u32, LW: u32, LH: u32) -> Tap {
  let x = f32(p % W) + 0.5; let y = f32(p / W) + 0.5;
  let lx = x * f32(LW) / f32(W) - 0.5; let ly = y * f32(LH) / f32(HT) - 0.5;
  let fx = floor(lx); let fy = floor(ly); let ax = lx - fx; let ay = ly - fy;
  let x0 = u32(clamp(i32(fx), 0, i32(LW) - 1)); let x1 = u32(clamp(i32(fx) + 1, 0, i32(LW) - 1));
  let y0 = u32(clamp(i32(fy), 0, i32(LH) - 1)); let y1 = u32(clamp(i32(fy) + 1, 0, i32(LH) - 1));
  var t: Tap;
  t.i = array(y0 * LW + x0, y0 * LW + x1, y1 * LW + x0, y1 * LW + x1);
  t.w = array((1.0 - ax) * (1.0 - ay), ax * (1.0 - ay), (1.0 - ax) * ay, ax * ay);
  return t;
}
fn lrelu(v: f32) -> f32 { return select(ALPHA * v, v, v > 0.0); }
fn dlrelu(h: f32) -> f32 { return select(ALPHA, 1.0, h > 0.0); }
// PCG hash: the quantization noise of latent j at a step, uniform in [-0.5, 0.5).
fn qnoise(j: u32, step: u32) -> f32 {
  let v = (j ^ (step * 0x9E3779B9u)) * 747796405u + 2891336453u;
  let w = ((v >> ((v >> 28u) + 4u)) ^ v) * 277803737u;
  return f32((w >> 22u) ^ w) / 4294967296.0 - 0.5;
}
`;
}

/**
 * While training, the decoder's inputs (codes and positions, all in [0, 1]) reach its first layer centred on 0, as
 * x − INPUT_CENTRE: with inputs all positive every weight of a hidden unit is pushed the same way at once. In the CPU
 * prototype (256² crops, 3000 steps) it lifted the weakest texture by 0.54, 0.33 and 1.69 dB on three sets and cost
 * 0.09 on a fourth (bench/NOTES-materials.md); at 512² on the H100, +0.22 on re-mp-bricks (the set that missed 35 dB)
 * and −0.23…−0.03 on three sets above 39 dB. The stored decoder takes the inputs as they are: train.ts folds the
 * centring into its first bias.
 */
export const INPUT_CENTRE = 0.5;

/** WGSL centring the decoder inputs `x[0 … I)` ({@link INPUT_CENTRE}). */
export const centreWgsl = (x = 'x') => `for (var i = Z; i < I; i++) { ${x}[i] -= ${INPUT_CENTRE.toFixed(1)}; }`;

/** Where each grid's features start in the decoder input, and its latents in the latent region. */
export function gridConsts(s: TrainShape): { f0: number; off: number; g: GridShape }[] {
  let f0 = 0, off = 0;
  return s.grids.map((g) => { const r = { f0, off: g.offset ?? off, g }; f0 += gridInputs(g); off = r.off + g.lw * g.lh * g.features; return r; });
}

/**
 * A blended grid at the material's resolution: at texel p its bilinear weights are exactly 1, 0, 0, 0, so its latent
 * reaches the decoder from the first tap alone (the same sum to the bit; the compiler cannot know it of weights computed
 * at run time). Training sends its gradient to that tap alone too (the other three would add 0), and the decode at a
 * texel (decode.ts) reads it once: three quarters of its reads, unpacking, noise hashes and atomic adds saved.
 */
export const ownGrid = (s: { width: number; height: number }, g: { lw: number; lh: number; concat?: boolean }) => !g.concat && g.lw === s.width && g.lh === s.height;

/** Each grid's clamped bilinear taps around texel `p` (`t0`, `t1`, …), as the gather and the scatter read them. */
export function tapsWgsl(s: TrainShape): string {
  return gridConsts(s).map(({ g }, k) => `  let t${k} = taps(p, ${g.lw}u, ${g.lh}u);`).join('\n');
}

/**
 * The latent inputs of texel `p` from its taps (tapsWgsl): QAT noise or rounding per latent, a concatenated grid's tap
 * k into inputs f0 + k·features + f unweighted, a blended grid's four taps summed into f0 + f. `set(i, v)` is the
 * statement that stores value `v` as input `i` (both WGSL expressions), so kernels keep their inputs where they like.
 */
export function gatherWgsl(s: TrainShape, set: (i: string, v: string) => string): string {
  const readLatent = (g: GridShape) => `      var l = P[NMLP + j];
      if (S.qat == ${QAT_NOISE}u) { l += qnoise(j, S.step) * ${(1 / ((1 << g.bits) - 1)).toPrecision(8)}; }
      else if (S.qat == ${QAT_STE}u) { l = round(l * ${(1 << g.bits) - 1}.0) / ${(1 << g.bits) - 1}.0; }`;
  return gridConsts(s).map(({ f0, off, g }, k) => ownGrid(s, g) ? `  for (var f = Z; f < ${g.features}u; f++) {
      let j = ${off}u + t${k}.i[0] * ${g.features}u + f;
${readLatent(g)}
    ${set(`${f0}u + f`, 'l')}
  }` : `  for (var f = Z; f < ${g.features}u; f++) {
    var v = 0.0;
    for (var k = 0u; k < 4u; k++) {
      let j = ${off}u + t${k}.i[k] * ${g.features}u + f;
${readLatent(g)}
      ${g.concat ? set(`${f0}u + k * ${g.features}u + f`, 'l') : `v += t${k}.w[k] * l;`}
    }${g.concat ? '' : `
    ${set(`${f0}u + f`, 'v')}`}
  }`).join('\n');
}

/**
 * Fixed-point atomic adds of the latent gradients into GL from the taps (tapsWgsl): `grad(i)` is the statements that
 * define `g`, the loss gradient of input i (a WGSL expression); a blended grid's taps get it times their weights.
 */
export function scatterWgsl(s: TrainShape, grad: (i: string) => string): string {
  return gridConsts(s).map(({ f0, off, g }, k) => g.concat ? `  for (var f = Z; f < ${g.features}u; f++) {
    for (var k = 0u; k < 4u; k++) {
      ${grad(`${f0}u + k * ${g.features}u + f`)}
      atomicAdd(&GL[${off}u + t${k}.i[k] * ${g.features}u + f], i32(round(g * ${GRAD_FIXED}.0)));
    }
  }` : ownGrid(s, g) ? `  for (var f = Z; f < ${g.features}u; f++) {
    ${grad(`${f0}u + f`)}
    atomicAdd(&GL[${off}u + t${k}.i[0] * ${g.features}u + f], i32(round(g * ${GRAD_FIXED}.0)));
  }` : `  for (var f = Z; f < ${g.features}u; f++) {
    ${grad(`${f0}u + f`)}
    for (var k = 0u; k < 4u; k++) { atomicAdd(&GL[${off}u + t${k}.i[k] * ${g.features}u + f], i32(round(g * t${k}.w[k] * ${GRAD_FIXED}.0))); }
  }`).join('\n');
}

/** The bindings of both forward + backward kernels (this one and fwd-bwd-tiled.ts), in the order the trainer binds them. */
export const FWD_BWD_BINDINGS = `@group(0) @binding(0) var<storage, read> P: array<f32>;
@group(0) @binding(1) var<storage, read> TGT: array<f32>;
@group(0) @binding(2) var<storage, read> S: State;
@group(0) @binding(3) var<storage, read_write> A: array<f32>;
@group(0) @binding(4) var<storage, read_write> D: array<f32>;
@group(0) @binding(5) var<storage, read_write> LOSS: array<f32>;
@group(0) @binding(6) var<storage, read_write> GL: array<atomic<i32>>;
@group(0) @binding(7) var<storage, read> CW: array<f32>;`;

/**
 * Forward + backward per batch slot: stores activations/deltas, each channel's squared error, and the
 * latent gradients. CW holds the loss weight of every channel (per texture, adapted by the trainer).
 * One invocation a texel, its activations in private arrays: fwd-bwd-tiled.ts is the workgroup-cooperative version.
 */
export function fwdBwdWgsl(s: TrainShape): string {
  return `${header(s)}
${FWD_BWD_BINDINGS}
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  Z = S.zero;
  let b = gid.x; if (b >= B) { return; }
  let p = texel_of(b, S.step);
  var x: array<f32, ${featuresOf(s) + positionCount(s.position)}>;
${tapsWgsl(s)}
${gatherWgsl(s, (i, v) => `x[${i}] = ${v};`)}
  ${positionWgsl(s.position ?? 'uv', 'F', 'vec2(f32(p % W) + 0.5, f32(p / W) + 0.5)', 'vec2(f32(W), f32(HT))')}
  ${centreWgsl()}
  var h1: array<f32, ${s.hidden}>; var h2: array<f32, ${s.hidden}>;
  for (var o = Z; o < HID; o++) { var a = P[B0 + o]; for (var i = 0u; i < I; i++) { a += P[W0 + o * I + i] * x[i]; } h1[o] = lrelu(a); }
  for (var o = Z; o < HID; o++) { var a = P[B1 + o]; for (var i = 0u; i < HID; i++) { a += P[W1 + o * HID + i] * h1[i]; } h2[o] = lrelu(a); }
  var d3: array<f32, ${s.channels}>;
  for (var o = Z; o < C; o++) {
    var a = P[B2 + o]; for (var i = 0u; i < HID; i++) { a += P[W2 + o * HID + i] * h2[i]; }
    let e = a - TGT[p * C + o]; LOSS[b * C + o] = e * e; d3[o] = ${2 * (s.lossWeight ?? 1)} * CW[o] * e;
  }
  var d2: array<f32, ${s.hidden}>; var d1: array<f32, ${s.hidden}>;
  for (var i = Z; i < HID; i++) { var g = 0.0; for (var o = 0u; o < C; o++) { g += P[W2 + o * HID + i] * d3[o]; } d2[i] = g * dlrelu(h2[i]); }
  for (var i = Z; i < HID; i++) { var g = 0.0; for (var o = 0u; o < HID; o++) { g += P[W1 + o * HID + i] * d2[o]; } d1[i] = g * dlrelu(h1[i]); }
${scatterWgsl(s, (i) => `var g = 0.0; for (var o = 0u; o < HID; o++) { g += P[W0 + o * I + ${i}] * d1[o]; }`)}
  for (var i = Z; i < I; i++) { A[b * ACT + i] = x[i]; }
  for (var i = Z; i < HID; i++) { A[b * ACT + I + i] = h1[i]; A[b * ACT + I + HID + i] = h2[i]; D[b * DEL + i] = d1[i]; D[b * DEL + HID + i] = d2[i]; }
  for (var o = Z; o < C; o++) { D[b * DEL + 2u * HID + o] = d3[o]; }
}`;
}

/**
 * Batch slices of the weight-gradient reduction: one invocation per (parameter, slice) sums its slice,
 * then one per parameter sums the slices. A single loop over the whole batch per parameter ran only
 * ~2k invocations of 65536 serial iterations each, too few to fill a large GPU.
 */
export function gradSlices(s: TrainShape): number { return Math.max(1, Math.min(256, Math.floor(s.batch / 256))); }

/**
 * Each layer's weight gradient is a nout × (nin + 1) matrix, Σ over the batch of its deltas times its inputs (the bias
 * as a last input of 1), cut into 4 × 4 tiles: per layer, [tiles along outputs, tiles along inputs].
 */
export function gradTiles(s: TrainShape): [number, number][] {
  const [I, H, , C] = layerSizes(s);
  return [[H, I], [H, H], [C, H]].map(([nout, nin]) => [Math.ceil(nout! / 4), Math.ceil((nin! + 1) / 4)]);
}

/** Workgroups of {@link weightGradWgsl}: tiles along x (64 a group), slices along y. */
export function weightGradGrid(s: TrainShape): [number, number] {
  return [Math.ceil(gradTiles(s).reduce((a, [o, i]) => a + o * i, 0) / 64), gradSlices(s)];
}

/**
 * Partial weight gradients: PART[slice · NMLP + j] = Σ over the slice's batch rows, in row order. One invocation per
 * (4 × 4 tile, slice) reads four deltas and four inputs a row for sixteen products; one per parameter read two for one
 * (0.5 loads a multiply-add against 2): 1.6× faster on the H100, 3.5× on lavapipe, where the reduction had cost as much
 * as the forward and backward it follows (train-bench.ts).
 */
export function weightGradWgsl(s: TrainShape): string {
  const S = gradSlices(s), per = Math.ceil(s.batch / S), tiles = gradTiles(s);
  const t = tiles.map(([o, i]) => o * i), [i0, i1, i2] = tiles.map(([, i]) => i);
  return `${header(s)}
@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> D: array<f32>;
@group(0) @binding(2) var<storage, read_write> PART: array<f32>;
@group(0) @binding(3) var<storage, read> S: State;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  Z = S.zero;
  var t = gid.x; if (t >= ${t[0]! + t[1]! + t[2]!}u) { return; }
  // Which layer: its inputs (activations from a_off), outputs (deltas from d_off), weights and biases.
  var nin = I; var nout = HID; var a_off = 0u; var d_off = 0u; var wb = W0; var bb = B0; var tin = ${i0}u;
  if (t >= ${t[0]! + t[1]!}u) { t -= ${t[0]! + t[1]!}u; nin = HID; nout = C; a_off = I + HID; d_off = 2u * HID; wb = W2; bb = B2; tin = ${i2}u; }
  else if (t >= ${t[0]}u) { t -= ${t[0]}u; nin = HID; a_off = I; d_off = HID; wb = W1; bb = B1; tin = ${i1}u; }
  let o0 = (t / tin) * 4u; let i0 = (t % tin) * 4u;
  let iv = vec4(i0, i0 + 1u, i0 + 2u, i0 + 3u); let ov = vec4(o0, o0 + 1u, o0 + 2u, o0 + 3u);
  // Past the last input the bias's 1, then 0; past the last output 0 (their loads are clamped into the row).
  let am = select(vec4(0.0), vec4(1.0), iv < vec4(nin)); let one = select(vec4(0.0), vec4(1.0), iv == vec4(nin));
  let dm = select(vec4(0.0), vec4(1.0), ov < vec4(nout));
  let ia = min(iv, vec4(nin - 1u)) + a_off; let id = min(ov, vec4(nout - 1u)) + d_off;
  let b0 = gid.y * ${per}u; let b1 = min(B, b0 + ${per}u);
  var g0 = vec4(0.0); var g1 = vec4(0.0); var g2 = vec4(0.0); var g3 = vec4(0.0);
  for (var b = b0 + Z; b < b1; b++) {
    let ra = b * ACT; let rd = b * DEL;
    let a = vec4(A[ra + ia.x], A[ra + ia.y], A[ra + ia.z], A[ra + ia.w]) * am + one;
    let d = vec4(D[rd + id.x], D[rd + id.y], D[rd + id.z], D[rd + id.w]) * dm;
    g0 += d.x * a; g1 += d.y * a; g2 += d.z * a; g3 += d.w * a;
  }
  let base = gid.y * NMLP;
  var g = array(g0, g1, g2, g3);
  for (var k = 0u; k < 4u; k++) {
    let o = o0 + k; if (o >= nout) { break; }
    for (var c = 0u; c < 4u; c++) {
      let i = i0 + c;
      if (i < nin) { PART[base + wb + o * nin + i] = g[k][c]; } else if (i == nin) { PART[base + bb + o] = g[k][c]; }
    }
  }
}`;
}

/**
 * G[j] = Σ of `slices` partial gradients PART[k · NMLP + j] (plus G[j] itself for a mip level after level 0): the
 * weight gradient's batch slices (default), or the fused tiled kernel's workgroups (fwd-bwd-tiled.ts fwdBwdTiledGroups).
 */
export function gradSumWgsl(s: TrainShape, slices = gradSlices(s)): string {
  const bindings = `@group(0) @binding(0) var<storage, read> PART: array<f32>;
@group(0) @binding(1) var<storage, read_write> G: array<f32>;
@group(0) @binding(2) var<storage, read> S: State;`;
  const store = `G[j] = ${s.accumulate ? 'G[j] + g' : 'g'};`;
  if (slices <= GRAD_SUM_LANE_SLICES) return `${header(s)}
${bindings}
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  Z = S.zero;
  let j = gid.x; if (j >= NMLP) { return; }
  var g = 0.0;
  for (var k = Z; k < ${slices}u; k++) { g += PART[k * NMLP + j]; }
  ${store}
}`;
  // Four lanes a parameter, each summing every fourth slice (a lane's loads stay coalesced across parameters), then the
  // four lane sums in order: the same 64 parameters a workgroup, so callers dispatch ceil(NMLP / 64) either way.
  return `${header(s)}
${bindings}
var<workgroup> LANE: array<f32, 256>;
@compute @workgroup_size(64, 4) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  Z = S.zero;
  let j = gid.x;
  var g = 0.0;
  if (j < NMLP) { for (var k = lid.y + Z; k < ${slices}u; k += 4u) { g += PART[k * NMLP + j]; } }
  LANE[lid.y * 64u + lid.x] = g;
  workgroupBarrier();
  if (lid.y == 0u && j < NMLP) {
    g = LANE[lid.x] + LANE[64u + lid.x] + LANE[128u + lid.x] + LANE[192u + lid.x];
    ${store}
  }
}`;
}

/**
 * Up to this many slices one invocation a parameter sums them all (the weight gradient's 256: 0.015 ms on the H100);
 * more (the fused gradient's one slice a workgroup, 512 at batch 65536 and tile 128, 2048 at 262144) are split over four
 * lanes a parameter, since one invocation a parameter is then ~1.8k invocations each a loop of 512 or more loads.
 */
export const GRAD_SUM_LANE_SLICES = 256;

/** Adam over [MLP | latents]; latent gradients come from (and are cleared in) the fixed-point buffer. */
export function adamWgsl(s: TrainShape): string {
  return `${header(s)}
struct Hyper { lr_mlp: f32, lr_lat: f32, b1: f32, b2: f32, eps: f32 }
@group(0) @binding(0) var<uniform> HP: Hyper;
@group(0) @binding(1) var<storage, read_write> P: array<f32>;
@group(0) @binding(2) var<storage, read> G: array<f32>;
@group(0) @binding(3) var<storage, read_write> GL: array<i32>;
@group(0) @binding(4) var<storage, read_write> M: array<f32>;
@group(0) @binding(5) var<storage, read_write> V: array<f32>;
@group(0) @binding(6) var<storage, read> S: State;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = gid.x + gid.y * nwg.x * 64u; if (j >= NMLP + NLAT) { return; }
  var g: f32; var lr: f32;
  if (j < NMLP) { g = G[j]; lr = HP.lr_mlp; } else { g = f32(GL[j - NMLP]) / ${GRAD_FIXED}.0; GL[j - NMLP] = 0; lr = HP.lr_lat; }
  if (lr == 0.0) { return; }
  let t = f32(S.step + 1u);
  let m = HP.b1 * M[j] + (1.0 - HP.b1) * g; let v = HP.b2 * V[j] + (1.0 - HP.b2) * g * g;
  M[j] = m; V[j] = v;
  let mh = m / (1.0 - pow(HP.b1, t)); let vh = v / (1.0 - pow(HP.b2, t));
  // Latents stay in [0, 1], the range their b-bit codes cover.
  let np = P[j] - lr * mh / (sqrt(vh) + HP.eps);
  P[j] = select(np, clamp(np, 0.0, 1.0), j >= NMLP);
}`;
}

/**
 * The last batch's mean squared error per channel (LOSS rows of C) into OUT[0 … C), one workgroup a channel: the trainer
 * reads back C floats a chunk instead of the batch × C errors (1.5 MiB at batch 65536 and 6 channels).
 */
export function lossMeanWgsl(s: TrainShape): string {
  return `@group(0) @binding(0) var<storage, read> LOSS: array<f32>;
@group(0) @binding(1) var<storage, read_write> OUT: array<f32>;
var<workgroup> part: array<f32, 256>;
@compute @workgroup_size(256) fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wg: vec3<u32>) {
  var acc = 0.0;
  for (var r = t; r < ${s.batch}u; r += 256u) { acc += LOSS[r * ${s.channels}u + wg.x]; }
  part[t] = acc;
  for (var k = 128u; k > 0u; k = k >> 1u) {
    workgroupBarrier();
    if (t < k) { part[t] += part[t + k]; }
  }
  if (t == 0u) { OUT[wg.x] = part[0] / ${s.batch}.0; }
}`;
}

export const TICK_WGSL = `struct State { step: u32, zero: u32, qat: u32, pad: u32 }
@group(0) @binding(0) var<storage, read_write> S: State;
@compute @workgroup_size(1) fn main() { S.step += 1u; }`;
