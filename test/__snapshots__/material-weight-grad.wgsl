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

@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> D: array<f32>;
@group(0) @binding(2) var<storage, read_write> PART: array<f32>;
@group(0) @binding(3) var<storage, read> S: State;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  Z = S.zero;
  var t = gid.x; if (t >= 122u) { return; }
  // Which layer: its inputs (activations from a_off), outputs (deltas from d_off), weights and biases.
  var nin = I; var nout = HID; var a_off = 0u; var d_off = 0u; var wb = W0; var bb = B0; var tin = 4u;
  if (t >= 104u) { t -= 104u; nin = HID; nout = C; a_off = I + HID; d_off = 2u * HID; wb = W2; bb = B2; tin = 9u; }
  else if (t >= 32u) { t -= 32u; nin = HID; a_off = I; d_off = HID; wb = W1; bb = B1; tin = 9u; }
  let o0 = (t / tin) * 4u; let i0 = (t % tin) * 4u;
  let iv = vec4(i0, i0 + 1u, i0 + 2u, i0 + 3u); let ov = vec4(o0, o0 + 1u, o0 + 2u, o0 + 3u);
  // Past the last input the bias's 1, then 0; past the last output 0 (their loads are clamped into the row).
  let am = select(vec4(0.0), vec4(1.0), iv < vec4(nin)); let one = select(vec4(0.0), vec4(1.0), iv == vec4(nin));
  let dm = select(vec4(0.0), vec4(1.0), ov < vec4(nout));
  let ia = min(iv, vec4(nin - 1u)) + a_off; let id = min(ov, vec4(nout - 1u)) + d_off;
  let b0 = gid.y * 300u; let b1 = min(B, b0 + 300u);
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
}