/**
 * WGSL for the analytic scene (the primitives packPrimitives writes), shared by the passes that cast
 * rays against it: the ground-truth AO (any hit within a distance) and the compute G-buffer (closest
 * visible surface with the mesh's normal, UV and tangent). One copy, so both see the same scene.
 */

/**
 * Layout matches packPrimitives (PRIM_BYTES = 64). The functions after first_hit read the shader's
 * own \`prims\` (array<Prim> storage) and \`F\` (the Frame uniform): declare both to use them.
 */
export const PRIMS_WGSL = /* wgsl */ `
struct Prim {
  center: vec3f, kind: u32,    // kind: 0 plane (height in center.y), 1 sphere, 2 box, 3 cylinder (local y axis)
  half: vec3f, yaw: f32,       // sphere radius in half.x; cylinder radius, half height in half.xy; plane: mesh half extent in half.x
  albedo: vec3f, uvScale: f32,
  material: u32, roll: f32, bound: f32, _p0: u32,  // roll about local z before yaw; bound: radius of a sphere around center holding it
}

fn safe_inv(d: vec3f) -> vec3f {
  // Keep the slab test free of 0 * inf: nudge zero components to a tiny signed value.
  let s = select(vec3f(1.0), vec3f(-1.0), d < vec3f(0.0));
  return 1.0 / select(d, s * 1e-12, abs(d) < vec3f(1e-12));
}

// World → object frame: the inverse of the rotation the mesh applies (scene.ts buildMesh): roll about
// the local z axis, then yaw about +Y. Boxes and cylinders share it.
fn box_local(p: Prim, v: vec3f) -> vec3f {
  let c = cos(p.yaw); let s = sin(p.yaw);
  let u = vec3f(c * v.x - s * v.z, v.y, s * v.x + c * v.z);
  let cr = cos(p.roll); let sr = sin(p.roll);
  return vec3f(cr * u.x + sr * u.y, -sr * u.x + cr * u.y, u.z);
}
fn box_world(p: Prim, v: vec3f) -> vec3f {
  let cr = cos(p.roll); let sr = sin(p.roll);
  let u = vec3f(cr * v.x - sr * v.y, sr * v.x + cr * v.y, v.z);
  let c = cos(p.yaw); let s = sin(p.yaw);
  return vec3f(c * u.x + s * u.z, u.y, -s * u.x + c * u.z);
}

// Whether the ray segment [0, tmax] can reach p's bounding sphere (planes always can).
fn near_bound(p: Prim, o: vec3f, d: vec3f, tmax: f32) -> bool {
  if (p.kind == 0u) { return true; }
  let oc = o - p.center;
  let b = dot(oc, d);
  let c = dot(oc, oc) - p.bound * p.bound;
  if (c <= 0.0) { return true; }
  if (b > 0.0 || b * b < c) { return false; }
  return -b - sqrt(b * b - c) < tmax;
}

// Entry and exit distances of a ray through a box, sphere or cylinder (x > y: missed).
fn prim_span(p: Prim, o: vec3f, d: vec3f) -> vec2f {
  if (p.kind == 1u) {
    let oc = o - p.center;
    let b = dot(oc, d);
    let h = b * b - (dot(oc, oc) - p.half.x * p.half.x);
    if (h < 0.0) { return vec2f(1.0, -1.0); }
    let s = sqrt(h);
    return vec2f(-b - s, -b + s);
  }
  let lo = box_local(p, o - p.center);
  let ld = box_local(p, d);
  let inv = safe_inv(ld);
  if (p.kind == 3u) {
    // Cylinder: the slab |y| <= half height intersected with the infinite tube x² + z² <= r².
    let ty1 = (-p.half.y - lo.y) * inv.y;
    let ty2 = (p.half.y - lo.y) * inv.y;
    var span = vec2f(min(ty1, ty2), max(ty1, ty2));
    let a = ld.x * ld.x + ld.z * ld.z;
    let c = lo.x * lo.x + lo.z * lo.z - p.half.x * p.half.x;
    if (a < 1e-12) {
      if (c > 0.0) { return vec2f(1.0, -1.0); }
      return span;
    }
    let b = lo.x * ld.x + lo.z * ld.z;
    let h = b * b - a * c;
    if (h < 0.0) { return vec2f(1.0, -1.0); }
    let s = sqrt(h);
    return vec2f(max(span.x, (-b - s) / a), min(span.y, (-b + s) / a));
  }
  let t1 = (-p.half - lo) * inv;
  let t2 = (p.half - lo) * inv;
  let tn = min(t1, t2); let tf = max(t1, t2);
  return vec2f(max(max(tn.x, tn.y), tn.z), min(min(tf.x, tf.y), tf.z));
}

// Any surface of p within (0, tmax) along the ray (the analytic floor is infinite here).
fn hits(p: Prim, o: vec3f, d: vec3f, tmax: f32) -> bool {
  if (p.kind == 0u) {
    if (d.y >= 0.0) { return false; }
    let t = (p.center.y - o.y) / d.y;
    return t > 0.0 && t < tmax;
  }
  if (!near_bound(p, o, d, tmax)) { return false; }
  let s = prim_span(p, o, d);
  if (p.kind == 1u) { return s.y > 0.0 && s.x < tmax; }
  return s.y >= max(s.x, 0.0) && s.x < tmax;
}

// The first surface of p at distance >= tmin along the ray, as the raster mesh shows it (floor
// clipped to its mesh extent; entering or, from inside, leaving a solid): t, or -1 for none.
fn first_hit(p: Prim, o: vec3f, d: vec3f, tmin: f32) -> f32 {
  if (p.kind == 0u) {
    if (d.y == 0.0) { return -1.0; }
    let t = (p.center.y - o.y) / d.y;
    let q = o + d * t;
    return select(-1.0, t, t >= tmin && abs(q.x) < p.half.x && abs(q.z) < p.half.x);
  }
  let s = prim_span(p, o, d);
  if (s.x > s.y) { return -1.0; }
  if (s.x >= tmin) { return s.x; }
  return select(-1.0, s.y, s.y >= tmin);
}

struct SurfacePoint { n: vec3f, uv: vec2f, tan: vec4f }

// Normal, uv and tangent (xyz along +u, w the bitangent handedness) at world point q on p, in
// buildMesh's parameterization: the raster G-buffer interpolates exactly these per vertex.
fn surface_at(p: Prim, q: vec3f) -> SurfacePoint {
  var r: SurfacePoint;
  let k = p.uvScale;
  if (p.kind == 0u) {
    r.n = vec3f(0.0, 1.0, 0.0); r.uv = q.xz * k; r.tan = vec4f(1.0, 0.0, 0.0, 1.0);
    return r;
  }
  if (p.kind == 1u) {
    let n = normalize(q - p.center);
    let th = acos(clamp(n.y, -1.0, 1.0));
    var ph = atan2(n.z, n.x);
    if (ph < 0.0) { ph += 6.283185307179586; }
    let around = max(1.0, round(6.283185307179586 * p.half.x * k));
    let down = max(1.0, round(3.141592653589793 * p.half.x * k));
    r.n = n;
    r.uv = vec2f(ph / 6.283185307179586 * around, th / 3.141592653589793 * down);
    r.tan = vec4f(-sin(ph), 0.0, cos(ph), -1.0);
    return r;
  }
  let l = box_local(p, q - p.center);
  if (p.kind == 3u) {
    // Cylinder: a cap where the point is farther out along the axis than around it (relative to the
    // half height and radius); else the side, u around (like a sphere), v down the side.
    let rr = length(l.xz);
    if (abs(l.y) / p.half.y > rr / p.half.x) {
      let sg = select(-1.0, 1.0, l.y >= 0.0);
      r.n = box_world(p, vec3f(0.0, sg, 0.0));
      r.uv = (l.xz + p.half.x) * k;
      r.tan = vec4f(box_world(p, vec3f(1.0, 0.0, 0.0)), sg);
      return r;
    }
    var ph = atan2(l.z, l.x);
    if (ph < 0.0) { ph += 6.283185307179586; }
    let around = max(1.0, round(6.283185307179586 * p.half.x * k));
    r.n = box_world(p, vec3f(l.x, 0.0, l.z) / max(rr, 1e-12));
    r.uv = vec2f(ph / 6.283185307179586 * around, (p.half.y - l.y) * k);
    r.tan = vec4f(box_world(p, vec3f(-sin(ph), 0.0, cos(ph))), -1.0);
    return r;
  }
  // Box: the face is the axis where the local point lies farthest out, relative to the half size.
  let rel = abs(l) / p.half;
  var axis = 0u;
  if (rel.y > rel.x && rel.y >= rel.z) { axis = 1u; } else if (rel.z > rel.x && rel.z > rel.y) { axis = 2u; }
  let sgn = select(-1.0, 1.0, l[axis] >= 0.0);
  // Side faces: u runs horizontally, v downwards; top/bottom: u along x, v along z (buildMesh).
  let ua = select(0u, 2u, axis == 0u);
  let va = select(1u, 2u, axis == 1u);
  let vSign = select(-1.0, 1.0, axis == 1u);
  let uSign = select(select(sgn, -sgn, axis == 0u), 1.0, axis == 1u);
  var nl = vec3f(0.0); nl[axis] = sgn;
  var tl = vec3f(0.0); tl[ua] = uSign;
  var bl = vec3f(0.0); bl[va] = -vSign;
  r.n = box_world(p, nl);
  r.uv = vec2f(uSign * l[ua] + p.half[ua], vSign * l[va] + p.half[va]) * k;
  r.tan = vec4f(box_world(p, tl), select(-1.0, 1.0, dot(cross(nl, tl), bl) >= 0.0));
  return r;
}

struct Hit { t: f32, prim: u32 }  // prim: index + 1 (the object id), 0 for none

// The surface the raster G-buffer would show along the ray: nearest first_hit, in draw order on ties.
fn closest_hit(o: vec3f, d: vec3f, tmin: f32, tmax: f32) -> Hit {
  var best = Hit(tmax, 0u);
  let count = arrayLength(&prims);
  for (var j = 0u; j < count; j++) {
    if (!near_bound(prims[j], o, d, best.t)) { continue; }
    let t = first_hit(prims[j], o, d, tmin);
    if (t >= 0.0 && t < best.t) { best = Hit(t, j + 1u); }
  }
  return best;
}

// The nearest surface entered (front-facing) at distance >= tmin, or tmax: what a depth-peeling pass with
// back faces culled finds behind the visible surface (the AO slot's second layer, network.ts).
fn nearest_front(o: vec3f, d: vec3f, tmin: f32, tmax: f32) -> f32 {
  var best = tmax;
  let count = arrayLength(&prims);
  for (var j = 0u; j < count; j++) {
    let p = prims[j];
    if (!near_bound(p, o, d, best)) { continue; }
    var t = -1.0;
    if (p.kind == 0u) { if (d.y < 0.0) { t = first_hit(p, o, d, tmin); } }
    else { let s = prim_span(p, o, d); if (s.x <= s.y && s.x >= tmin) { t = s.x; } }
    if (t >= 0.0 && t < best) { best = t; }
  }
  return best;
}

struct CameraRay { o: vec3f, d: vec3f, tmin: f32, tmax: f32, depth_per_t: f32 }

// World-space ray through the pixel center, limited to the near/far planes the rasterizer clips at.
fn camera_ray(pix: vec2u, dims: vec2u) -> CameraRay {
  let uv = (vec2f(pix) + 0.5) / vec2f(dims);
  let r = F.invProj * vec4f(uv.x * 2.0 - 1.0, 1.0 - uv.y * 2.0, 1.0, 1.0);
  let dv = normalize(r.xyz / r.w);
  var c: CameraRay;
  c.o = (F.invView * vec4f(0.0, 0.0, 0.0, 1.0)).xyz;
  c.d = normalize((F.invView * vec4f(dv, 0.0)).xyz);
  // Linear view depth per unit along the ray: depth = t · (−dv.z).
  c.depth_per_t = -dv.z;
  c.tmin = F.near / c.depth_per_t;
  c.tmax = F.far / c.depth_per_t;
  return c;
}`;
