const W = 24u; const HT = 20u; const T = 480u; const B = 300u;
const F = 13u; const I = 15u; const HID = 32u; const C = 6u;
const W0 = 0u; const B0 = 480u; const W1 = 512u; const B1 = 1536u; const W2 = 1568u; const B2 = 1760u;
const NMLP = 1766u; const NLAT = 840u; const ALPHA = 0.01;
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

@group(0) @binding(0) var<storage, read> P: array<f32>;
@group(0) @binding(1) var<storage, read> TGT: array<f32>;
@group(0) @binding(2) var<storage, read> S: State;
@group(0) @binding(3) var<storage, read_write> A: array<f32>;
@group(0) @binding(4) var<storage, read_write> D: array<f32>;
@group(0) @binding(5) var<storage, read_write> LOSS: array<f32>;
@group(0) @binding(6) var<storage, read_write> GL: array<atomic<i32>>;
@group(0) @binding(7) var<storage, read> CW: array<f32>;
const TB = 64u; const Q = 16u; const QS = 17u; const IP4 = 4u; const HP4 = 8u;
const W2S = 384u;
// The tile's activations, row r of texel t at [r * QS + t / 4][t % 4]: inputs (later the latent inputs' gradients), h1 (later d1), h2 (later d2).
var<workgroup> S0: array<vec4<f32>, 272>;
var<workgroup> S1: array<vec4<f32>, 544>;
var<workgroup> S2: array<vec4<f32>, 544>;
var<workgroup> WS: array<vec4<f32>, 432>;
fn lrelu4(v: vec4<f32>) -> vec4<f32> { return select(ALPHA * v, v, v > vec4(0.0)); }
fn dlrelu4(h: vec4<f32>) -> vec4<f32> { return select(vec4(ALPHA), vec4(1.0), h > vec4(0.0)); }
// Barriers must be reached by every invocation: texels past the batch compute with the last one's and store nothing.
@compute @workgroup_size(64) fn main(@builtin(local_invocation_index) tid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  Z = S.zero;
  let b0 = wid.x * TB; let b = b0 + tid; let valid = b < B; let nv = min(TB, B - b0);
  let p = texel_of(min(b, B - 1u), S.step);
  // Per-texel phases: this invocation's texel column. Tiled phases: texel group tg, output group og.
  let qc = tid / 4u; let ln = tid % 4u; let tg = tid % Q; let og = tid / Q;
  for (var v = tid; v < 128u; v += TB) {
    let r = v / 4u; let c = 4u * (v % 4u); let i = W0 + r * I + c;
    var x = vec4(0.0);
    if (r < HID) { for (var e = 0u; e < 4u; e++) { if (c + e < I) { x[e] = P[i + e]; } } }
    WS[0u + v] = x;
  }
  for (var v = tid; v < 256u; v += TB) {
    let r = v / 8u; let c = 4u * (v % 8u); let i = W1 + r * HID + c;
    var x = vec4(0.0);
    if (r < HID) { for (var e = 0u; e < 4u; e++) { if (c + e < HID) { x[e] = P[i + e]; } } }
    WS[128u + v] = x;
  }
  for (var v = tid; v < 48u; v += TB) {
    let r = v / 8u; let c = 4u * (v % 8u); let i = W2 + r * HID + c;
    var x = vec4(0.0);
    if (r < C) { for (var e = 0u; e < 4u; e++) { if (c + e < HID) { x[e] = P[i + e]; } } }
    WS[384u + v] = x;
  }
  {
  let t0 = taps(p, 24u, 20u);
  let t1 = taps(p, 12u, 10u);
  let t2 = taps(p, 6u, 5u);
  for (var f = Z; f < 1u; f++) {
      let j = 0u + t0.i[0] * 1u + f;
      var l = P[NMLP + j];
      if (S.qat == 1u) { l += qnoise(j, S.step) * 0.066666667; }
      else if (S.qat == 2u) { l = round(l * 15.0) / 15.0; }
    S0[(0u + f) * QS + qc][ln] = l - 0.5;
  }
  for (var f = Z; f < 2u; f++) {
    var v = 0.0;
    for (var k = 0u; k < 4u; k++) {
      let j = 480u + t1.i[k] * 2u + f;
      var l = P[NMLP + j];
      if (S.qat == 1u) { l += qnoise(j, S.step) * 0.066666667; }
      else if (S.qat == 2u) { l = round(l * 15.0) / 15.0; }
      S0[(1u + k * 2u + f) * QS + qc][ln] = l - 0.5;
    }
  }
  for (var f = Z; f < 4u; f++) {
    var v = 0.0;
    for (var k = 0u; k < 4u; k++) {
      let j = 720u + t2.i[k] * 4u + f;
      var l = P[NMLP + j];
      if (S.qat == 1u) { l += qnoise(j, S.step) * 0.33333333; }
      else if (S.qat == 2u) { l = round(l * 3.0) / 3.0; }
      v += t2.w[k] * l;
    }
    S0[(9u + f) * QS + qc][ln] = v - 0.5;
  }
    var pos: array<f32, 2>;
    { let w = vec2(1.0) - abs(2.0 * fract((vec2(f32(p % W) + 0.5, f32(p / W) + 0.5) - 0.5) / 2.0) - 1.0); pos[0] = w.x; pos[1] = w.y; }
    S0[(13u) * QS + qc][ln] = pos[0] - 0.5; S0[(14u) * QS + qc][ln] = pos[1] - 0.5;
    S0[(15u) * QS + qc][ln] = 0.0;
  }
  workgroupBarrier();
  {
    var a0 = vec4(0.0); var a1 = vec4(0.0); var a2 = vec4(0.0); var a3 = vec4(0.0); var a4 = vec4(0.0); var a5 = vec4(0.0); var a6 = vec4(0.0); var a7 = vec4(0.0);
    for (var kk = Z; kk < 4u; kk++) {
      let r = 4u * kk * QS + tg;
      let x0 = S0[r]; let x1 = S0[r + QS]; let x2 = S0[r + 2u * QS]; let x3 = S0[r + 3u * QS];
      var w: vec4<f32>;
      w = WS[0u + (og + 0u) * 4u + kk]; a0 = a0 + w.x * x0 + w.y * x1 + w.z * x2 + w.w * x3;
      w = WS[0u + (og + 4u) * 4u + kk]; a1 = a1 + w.x * x0 + w.y * x1 + w.z * x2 + w.w * x3;
      w = WS[0u + (og + 8u) * 4u + kk]; a2 = a2 + w.x * x0 + w.y * x1 + w.z * x2 + w.w * x3;
      w = WS[0u + (og + 12u) * 4u + kk]; a3 = a3 + w.x * x0 + w.y * x1 + w.z * x2 + w.w * x3;
      w = WS[0u + (og + 16u) * 4u + kk]; a4 = a4 + w.x * x0 + w.y * x1 + w.z * x2 + w.w * x3;
      w = WS[0u + (og + 20u) * 4u + kk]; a5 = a5 + w.x * x0 + w.y * x1 + w.z * x2 + w.w * x3;
      w = WS[0u + (og + 24u) * 4u + kk]; a6 = a6 + w.x * x0 + w.y * x1 + w.z * x2 + w.w * x3;
      w = WS[0u + (og + 28u) * 4u + kk]; a7 = a7 + w.x * x0 + w.y * x1 + w.z * x2 + w.w * x3;
    }
    S1[(og + 0u) * QS + tg] = lrelu4(a0 + select(0.0, P[B0 + og + 0u], og + 0u < HID));
    S1[(og + 4u) * QS + tg] = lrelu4(a1 + select(0.0, P[B0 + og + 4u], og + 4u < HID));
    S1[(og + 8u) * QS + tg] = lrelu4(a2 + select(0.0, P[B0 + og + 8u], og + 8u < HID));
    S1[(og + 12u) * QS + tg] = lrelu4(a3 + select(0.0, P[B0 + og + 12u], og + 12u < HID));
    S1[(og + 16u) * QS + tg] = lrelu4(a4 + select(0.0, P[B0 + og + 16u], og + 16u < HID));
    S1[(og + 20u) * QS + tg] = lrelu4(a5 + select(0.0, P[B0 + og + 20u], og + 20u < HID));
    S1[(og + 24u) * QS + tg] = lrelu4(a6 + select(0.0, P[B0 + og + 24u], og + 24u < HID));
    S1[(og + 28u) * QS + tg] = lrelu4(a7 + select(0.0, P[B0 + og + 28u], og + 28u < HID));
  }
  workgroupBarrier();
  {
    var a0 = vec4(0.0); var a1 = vec4(0.0); var a2 = vec4(0.0); var a3 = vec4(0.0); var a4 = vec4(0.0); var a5 = vec4(0.0); var a6 = vec4(0.0); var a7 = vec4(0.0);
    for (var kk = Z; kk < 8u; kk++) {
      let r = 4u * kk * QS + tg;
      let x0 = S1[r]; let x1 = S1[r + QS]; let x2 = S1[r + 2u * QS]; let x3 = S1[r + 3u * QS];
      var w: vec4<f32>;
      w = WS[128u + (og + 0u) * 8u + kk]; a0 = a0 + w.x * x0 + w.y * x1 + w.z * x2 + w.w * x3;
      w = WS[128u + (og + 4u) * 8u + kk]; a1 = a1 + w.x * x0 + w.y * x1 + w.z * x2 + w.w * x3;
      w = WS[128u + (og + 8u) * 8u + kk]; a2 = a2 + w.x * x0 + w.y * x1 + w.z * x2 + w.w * x3;
      w = WS[128u + (og + 12u) * 8u + kk]; a3 = a3 + w.x * x0 + w.y * x1 + w.z * x2 + w.w * x3;
      w = WS[128u + (og + 16u) * 8u + kk]; a4 = a4 + w.x * x0 + w.y * x1 + w.z * x2 + w.w * x3;
      w = WS[128u + (og + 20u) * 8u + kk]; a5 = a5 + w.x * x0 + w.y * x1 + w.z * x2 + w.w * x3;
      w = WS[128u + (og + 24u) * 8u + kk]; a6 = a6 + w.x * x0 + w.y * x1 + w.z * x2 + w.w * x3;
      w = WS[128u + (og + 28u) * 8u + kk]; a7 = a7 + w.x * x0 + w.y * x1 + w.z * x2 + w.w * x3;
    }
    S2[(og + 0u) * QS + tg] = lrelu4(a0 + select(0.0, P[B1 + og + 0u], og + 0u < HID));
    S2[(og + 4u) * QS + tg] = lrelu4(a1 + select(0.0, P[B1 + og + 4u], og + 4u < HID));
    S2[(og + 8u) * QS + tg] = lrelu4(a2 + select(0.0, P[B1 + og + 8u], og + 8u < HID));
    S2[(og + 12u) * QS + tg] = lrelu4(a3 + select(0.0, P[B1 + og + 12u], og + 12u < HID));
    S2[(og + 16u) * QS + tg] = lrelu4(a4 + select(0.0, P[B1 + og + 16u], og + 16u < HID));
    S2[(og + 20u) * QS + tg] = lrelu4(a5 + select(0.0, P[B1 + og + 20u], og + 20u < HID));
    S2[(og + 24u) * QS + tg] = lrelu4(a6 + select(0.0, P[B1 + og + 24u], og + 24u < HID));
    S2[(og + 28u) * QS + tg] = lrelu4(a7 + select(0.0, P[B1 + og + 28u], og + 28u < HID));
  }
  for (var it = tid; it < Q * I; it += TB) {
    let c = it / I; let r = it % I; let v = S0[r * QS + c]; let at = (b0 + 4u * c) * ACT + 0u + r;
    if (4u * c < nv) { A[at] = v.x; } if (4u * c + 1u < nv) { A[at + ACT] = v.y; }
    if (4u * c + 2u < nv) { A[at + 2u * ACT] = v.z; } if (4u * c + 3u < nv) { A[at + 3u * ACT] = v.w; }
  }
  for (var it = tid; it < Q * HID; it += TB) {
    let c = it / HID; let r = it % HID; let v = S1[r * QS + c]; let at = (b0 + 4u * c) * ACT + I + r;
    if (4u * c < nv) { A[at] = v.x; } if (4u * c + 1u < nv) { A[at + ACT] = v.y; }
    if (4u * c + 2u < nv) { A[at + 2u * ACT] = v.z; } if (4u * c + 3u < nv) { A[at + 3u * ACT] = v.w; }
  }
  workgroupBarrier();
  for (var it = tid; it < Q * HID; it += TB) {
    let c = it / HID; let r = it % HID; let v = S2[r * QS + c]; let at = (b0 + 4u * c) * ACT + I + HID + r;
    if (4u * c < nv) { A[at] = v.x; } if (4u * c + 1u < nv) { A[at + ACT] = v.y; }
    if (4u * c + 2u < nv) { A[at + 2u * ACT] = v.z; } if (4u * c + 3u < nv) { A[at + 3u * ACT] = v.w; }
  }
  var dy0: f32; var dy1: f32; var dy2: f32; var dy3: f32; var dy4: f32; var dy5: f32;
  {
    var y0 = P[B2 + 0u]; var y1 = P[B2 + 1u]; var y2 = P[B2 + 2u]; var y3 = P[B2 + 3u]; var y4 = P[B2 + 4u]; var y5 = P[B2 + 5u];
    for (var kk = Z; kk < HP4; kk++) {
      let r = 4u * kk;
      let h = vec4(S2[(r) * QS + qc][ln], S2[(r + 1u) * QS + qc][ln], S2[(r + 2u) * QS + qc][ln], S2[(r + 3u) * QS + qc][ln]);
      y0 += dot(WS[W2S + 0u + kk], h); y1 += dot(WS[W2S + 8u + kk], h); y2 += dot(WS[W2S + 16u + kk], h); y3 += dot(WS[W2S + 24u + kk], h); y4 += dot(WS[W2S + 32u + kk], h); y5 += dot(WS[W2S + 40u + kk], h);
    }
    { let e = y0 - TGT[p * C + 0u]; dy0 = 1 * CW[0u] * e; if (valid) { LOSS[b * C + 0u] = e * e; D[b * DEL + 2u * HID + 0u] = dy0; } }
    { let e = y1 - TGT[p * C + 1u]; dy1 = 1 * CW[1u] * e; if (valid) { LOSS[b * C + 1u] = e * e; D[b * DEL + 2u * HID + 1u] = dy1; } }
    { let e = y2 - TGT[p * C + 2u]; dy2 = 1 * CW[2u] * e; if (valid) { LOSS[b * C + 2u] = e * e; D[b * DEL + 2u * HID + 2u] = dy2; } }
    { let e = y3 - TGT[p * C + 3u]; dy3 = 1 * CW[3u] * e; if (valid) { LOSS[b * C + 3u] = e * e; D[b * DEL + 2u * HID + 3u] = dy3; } }
    { let e = y4 - TGT[p * C + 4u]; dy4 = 1 * CW[4u] * e; if (valid) { LOSS[b * C + 4u] = e * e; D[b * DEL + 2u * HID + 4u] = dy4; } }
    { let e = y5 - TGT[p * C + 5u]; dy5 = 1 * CW[5u] * e; if (valid) { LOSS[b * C + 5u] = e * e; D[b * DEL + 2u * HID + 5u] = dy5; } }
  }
  workgroupBarrier();
  for (var kk = Z; kk < HP4; kk++) {
    let g = dy0 * WS[W2S + 0u + kk] + dy1 * WS[W2S + 8u + kk] + dy2 * WS[W2S + 16u + kk] + dy3 * WS[W2S + 24u + kk] + dy4 * WS[W2S + 32u + kk] + dy5 * WS[W2S + 40u + kk];
    { let r = 4u * kk + 0u; S2[(r) * QS + qc][ln] = g.x * dlrelu(S2[(r) * QS + qc][ln]); } { let r = 4u * kk + 1u; S2[(r) * QS + qc][ln] = g.y * dlrelu(S2[(r) * QS + qc][ln]); } { let r = 4u * kk + 2u; S2[(r) * QS + qc][ln] = g.z * dlrelu(S2[(r) * QS + qc][ln]); } { let r = 4u * kk + 3u; S2[(r) * QS + qc][ln] = g.w * dlrelu(S2[(r) * QS + qc][ln]); }
  }
  workgroupBarrier();
  {
    var a00 = vec4(0.0); var a01 = vec4(0.0); var a02 = vec4(0.0); var a03 = vec4(0.0); var a10 = vec4(0.0); var a11 = vec4(0.0); var a12 = vec4(0.0); var a13 = vec4(0.0);
    let m0 = og + 0u; let m1 = og + 4u;
    for (var k = Z; k < HID; k++) {
      let x = S2[k * QS + tg];
      var w: vec4<f32>;
      w = WS[128u + k * 8u + m0]; a00 += w.x * x; a01 += w.y * x; a02 += w.z * x; a03 += w.w * x;
      w = WS[128u + k * 8u + m1]; a10 += w.x * x; a11 += w.y * x; a12 += w.z * x; a13 += w.w * x;
    }
    { let r = 4u * m0 * QS + tg; S1[r + 0u * QS] = a00 * dlrelu4(S1[r + 0u * QS]); S1[r + 1u * QS] = a01 * dlrelu4(S1[r + 1u * QS]); S1[r + 2u * QS] = a02 * dlrelu4(S1[r + 2u * QS]); S1[r + 3u * QS] = a03 * dlrelu4(S1[r + 3u * QS]); }
    { let r = 4u * m1 * QS + tg; S1[r + 0u * QS] = a10 * dlrelu4(S1[r + 0u * QS]); S1[r + 1u * QS] = a11 * dlrelu4(S1[r + 1u * QS]); S1[r + 2u * QS] = a12 * dlrelu4(S1[r + 2u * QS]); S1[r + 3u * QS] = a13 * dlrelu4(S1[r + 3u * QS]); }
  }
  for (var it = tid; it < Q * HID; it += TB) {
    let c = it / HID; let r = it % HID; let v = S2[r * QS + c]; let at = (b0 + 4u * c) * DEL + HID + r;
    if (4u * c < nv) { D[at] = v.x; } if (4u * c + 1u < nv) { D[at + DEL] = v.y; }
    if (4u * c + 2u < nv) { D[at + 2u * DEL] = v.z; } if (4u * c + 3u < nv) { D[at + 3u * DEL] = v.w; }
  }
  workgroupBarrier();
  {
    var a00 = vec4(0.0); var a01 = vec4(0.0); var a02 = vec4(0.0); var a03 = vec4(0.0);
    let m0 = og + 0u;
    for (var k = Z; k < HID; k++) {
      let x = S1[k * QS + tg];
      var w: vec4<f32>;
      w = WS[0u + k * 4u + m0]; a00 += w.x * x; a01 += w.y * x; a02 += w.z * x; a03 += w.w * x;
    }
    { let r = 4u * m0 * QS + tg; S0[r + 0u * QS] = a00; S0[r + 1u * QS] = a01; S0[r + 2u * QS] = a02; S0[r + 3u * QS] = a03; }
  }
  for (var it = tid; it < Q * HID; it += TB) {
    let c = it / HID; let r = it % HID; let v = S1[r * QS + c]; let at = (b0 + 4u * c) * DEL + 0u + r;
    if (4u * c < nv) { D[at] = v.x; } if (4u * c + 1u < nv) { D[at + DEL] = v.y; }
    if (4u * c + 2u < nv) { D[at + 2u * DEL] = v.z; } if (4u * c + 3u < nv) { D[at + 3u * DEL] = v.w; }
  }
  workgroupBarrier();
  if (valid) {
  let t0 = taps(p, 24u, 20u);
  let t1 = taps(p, 12u, 10u);
  let t2 = taps(p, 6u, 5u);
  for (var f = Z; f < 1u; f++) {
    let g = S0[(0u + f) * QS + qc][ln];
    atomicAdd(&GL[0u + t0.i[0] * 1u + f], i32(round(g * 65536.0)));
  }
  for (var f = Z; f < 2u; f++) {
    for (var k = 0u; k < 4u; k++) {
      let g = S0[(1u + k * 2u + f) * QS + qc][ln];
      atomicAdd(&GL[480u + t1.i[k] * 2u + f], i32(round(g * 65536.0)));
    }
  }
  for (var f = Z; f < 4u; f++) {
    let g = S0[(9u + f) * QS + qc][ln];
    for (var k = 0u; k < 4u; k++) { atomicAdd(&GL[720u + t2.i[k] * 4u + f], i32(round(g * t2.w[k] * 65536.0))); }
  }
  }
}