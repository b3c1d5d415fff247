@group(0) @binding(0) var<storage, read> LOSS: array<f32>;
@group(0) @binding(1) var<storage, read_write> OUT: array<f32>;
var<workgroup> part: array<f32, 256>;
@compute @workgroup_size(256) fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wg: vec3<u32>) {
  var acc = 0.0;
  for (var r = t; r < 65536u; r += 256u) { acc += LOSS[r * 6u + wg.x]; }
  part[t] = acc;
  for (var k = 128u; k > 0u; k = k >> 1u) {
    workgroupBarrier();
    if (t < k) { part[t] += part[t + k]; }
  }
  if (t == 0u) { OUT[wg.x] = part[0] / 65536.0; }
}