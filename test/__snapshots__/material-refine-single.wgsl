const W = 12u; const HT = 10u; const T = 120u; const B = 120u;
const F = 11u; const I = 13u; const HID = 8u; const C = 3u;
const W0 = 0u; const B0 = 104u; const W1 = 112u; const B1 = 176u; const W2 = 184u; const B2 = 208u;
const NMLP = 211u; const NLAT = 198u; const ALPHA = 0.01;
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

struct Pass { f: u32, a: u32, c: u32, zero: u32, lw: u32, lh: u32, fg: u32, off: u32, q: f32, all: u32, lanes: u32, own: u32 }
@group(0) @binding(0) var<storage, read_write> P: array<f32>;
@group(0) @binding(1) var<storage, read> TGT: array<f32>;
@group(0) @binding(2) var<storage, read> CW: array<f32>;
@group(0) @binding(3) var<storage, read_write> E: array<f32>;
@group(0) @binding(4) var<uniform> R: Pass;
const NONE = 0xffffffffu;
fn texel_err(p: u32, jo: u32, vo: f32) -> f32 {
  var x: array<f32, 13>;
  for (var f = Z; f < 1u; f++) {
    let j = 0u + p * 1u + f;
    x[0u + f] = select(P[NMLP + j], vo, j == jo);
  }
  let t1 = taps(p, 6u, 5u);
  for (var f = Z; f < 2u; f++) {
    var v = 0.0;
    for (var k = Z; k < 4u; k++) {
      let j = 120u + t1.i[k] * 2u + f;
      let l = select(P[NMLP + j], vo, j == jo);
      x[1u + k * 2u + f] = l;
    }
  }
  let t2 = taps(p, 3u, 3u);
  for (var f = Z; f < 2u; f++) {
    var v = 0.0;
    for (var k = Z; k < 4u; k++) {
      let j = 180u + t2.i[k] * 2u + f;
      let l = select(P[NMLP + j], vo, j == jo);
      v += t2.w[k] * l;
    }
    x[9u + f] = v;
  }
  { let w = vec2(1.0) - abs(2.0 * fract((vec2(f32(p % W) + 0.5, f32(p / W) + 0.5) - 0.5) / 2.0) - 1.0); x[F + 0u] = w.x; x[F + 1u] = w.y; }
  for (var i = Z; i < I; i++) { x[i] -= 0.5; }
  var h1: array<f32, 8>; var h2: array<f32, 8>;
  for (var o = Z; o < HID; o++) { var a = P[B0 + o]; for (var i = Z; i < I; i++) { a += P[W0 + o * I + i] * x[i]; } h1[o] = lrelu(a); }
  for (var o = Z; o < HID; o++) { var a = P[B1 + o]; for (var i = Z; i < HID; i++) { a += P[W1 + o * HID + i] * h1[i]; } h2[o] = lrelu(a); }
  var e = 0.0;
  for (var o = Z; o < C; o++) {
    var a = P[B2 + o]; for (var i = Z; i < HID; i++) { a += P[W2 + o * HID + i] * h2[i]; }
    let d = clamp(a, 0.0, 1.0) - TGT[p * C + o]; e += CW[o] * d * d;
  }
  return e;
}
@compute @workgroup_size(64) fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  Z = R.zero;
  // One invocation a latent (R.lanes is 1 for this kernel).
  let all = R.all != 0u;
  let lanes = 1u; let lane = lid % lanes; let slot = lid / lanes;
  let k = (wid.x + wid.y * nwg.x) * (64u / lanes) + slot;
  let ncx = (R.lw + 1u - R.c) / 2u; let ncy = (R.lh + 1u - R.a) / 2u;
  let valid = select(k < ncx * ncy, k < T, all);
  let lx = R.c + 2u * (k % ncx); let ly = R.a + 2u * (k / ncx);
  let li = ly * R.lw + lx; let j = select(R.off + li * R.fg + R.f, 0u, all);
  let code = select(round(P[NMLP + min(j, NLAT - 1u)] * R.q), 0.0, all || !valid);
  let vm = max(code - 1.0, 0.0) / R.q; let vp = min(code + 1.0, R.q) / R.q;
  let x0 = u32(max(i32(floor((f32(lx) - 0.5) * f32(W) / f32(R.lw) - 0.5)) - 1, 0)); let x1 = u32(clamp(i32(ceil((f32(lx) + 1.5) * f32(W) / f32(R.lw) - 0.5)) + 1, 0, i32(W) - 1));
  let y0 = u32(max(i32(floor((f32(ly) - 0.5) * f32(HT) / f32(R.lh) - 0.5)) - 1, 0)); let y1 = u32(clamp(i32(ceil((f32(ly) + 1.5) * f32(HT) / f32(R.lh) - 0.5)) + 1, 0, i32(HT) - 1));
  let fw = x1 + 1u - x0; let n = select(select(fw * (y1 + 1u - y0), 0u, !valid), u32(valid), all);
  var dm = 0.0; var dp = 0.0; var e0 = 0.0; var v = -1.0;
  // Phase 0 sums each step's change of error over the footprint; phase 1, once a step is taken, refreshes the
  // footprint's cached errors. A refresh of every texel is phase 1 alone over a footprint of texel k.
  for (var phase = select(R.zero, 1u, all); phase < 2u; phase++) {
    if (phase == 1u && !all) {
      let sums = vec3(dm, dp, e0);
      // A step must lower the footprint's error by more than f32 rounding of its sum.
      var best = -1e-6 * sums.z; var nv = -1.0;
      if (valid && code > 0.0 && sums.x < best) { best = sums.x; nv = vm; }
      if (valid && code < R.q && sums.y < best) { best = sums.y; nv = vp; }
      if (nv >= 0.0) { P[NMLP + j] = nv; }
      v = nv;
    }
    // No step taken: nothing to refresh (a bound, not a break: barriers above must stay in uniform control flow).
    let m = select(n, 0u, phase == 1u && !all && v < 0.0);
    for (var t = lane + Z; t < m; t += lanes) {
      let p = select((y0 + t / fw) * W + x0 + t % fw, k, all); let tp = taps(p, R.lw, R.lh);
      if (!all && tp.i[0] != li && tp.i[1] != li && tp.i[2] != li && tp.i[3] != li) { continue; }
      if (phase == 0u) { e0 += E[p]; }
      // A grid at the material's resolution reaches texel p from p's latent alone (kernels.ts ownGrid): the other
      // texels whose taps name li weigh it by 0, so their errors do not move (still summed into e0, for the same steps).
      if (R.own != 0u && !all && tp.i[0] != li) { continue; }
      for (var cand = Z; cand < 2u - phase; cand++) {
        if (phase == 0u && ((cand == 0u && code == 0.0) || (cand == 1u && code == R.q))) { continue; }
        // Phase 1 reads the latent as the step left it (v), whether or not this invocation sees P's new value yet.
        let te = texel_err(p, select(NONE, j, !all), select(select(vp, vm, cand == 0u), v, phase == 1u));
        if (phase == 1u) { E[p] = te; } else if (cand == 0u) { dm += te - E[p]; } else { dp += te - E[p]; }
      }
    }
  }
}