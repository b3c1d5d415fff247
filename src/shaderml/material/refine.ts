/**
 * Code refinement: greedy coordinate descent on the integer latent codes after quantization-aware training.
 *
 * Training moves latents in float (with one code step of noise), so the codes they round to are near the best but
 * not the best: each was placed for its own texels' loss on average over the noise, not for its code. Here every code
 * is tried one step up and one step down against the true objective, the weighted squared error of the clamped decode
 * (what the report scores) over the texels that read it, and the better step is kept where it lowers that error. It
 * costs no bits and no decode time; the decoder is fine-tuned afterwards on the refined codes.
 *
 * Parallel and exact: a texel reads two neighbouring latents per axis, one of each parity, so the latents of one
 * parity class (ly mod 2, lx mod 2) of one grid have disjoint footprints and one feature of all of them is decided at
 * once; a sweep is every grid × feature × class in turn. Within a pass each invocation changes only its own latent
 * and the cached error of its own texels, which no other invocation of the pass reads.
 */
import { withErrorScope } from '../../gpu/scope.js';
import { deviceInfo } from '../../gpu/device.js';
import { centreWgsl, featuresOf, gridConsts, header, ownGrid, type TrainShape } from './kernels.js';
import { positionCount, positionWgsl } from './position.js';

/** One pass: grid `grid`'s feature `feature` on the latents with ly mod 2 = a and lx mod 2 = c. */
export interface RefinePass { grid: number; feature: number; a: number; c: number }

/** The passes of `sweeps` sweeps over every grid, feature and parity class of `s`. */
export function refinePlan(s: TrainShape, sweeps: number): RefinePass[] {
  const one = s.grids.flatMap((g, grid) => Array.from({ length: g.features }, (_, feature) => [0, 1].flatMap((a) => [0, 1].map((c) => ({ grid, feature, a, c })))).flat());
  return Array.from({ length: sweeps }, () => one).flat();
}

/**
 * A pass as the kernel reads it (one 256-byte uniform slot each, by dynamic offset): the grid's size, features, first
 * latent and top code, the feature and parity class, and how many invocations share one latent's footprint (`lanes`,
 * a power of two ≤ 64), `own` where the grid is at the material's resolution (kernels.ts ownGrid: a latent moves its own
 * texel's error alone); `all`: instead, refresh the error cache of every texel (one invocation a texel).
 */
const PASS_WGSL = `struct Pass { f: u32, a: u32, c: u32, zero: u32, lw: u32, lh: u32, fg: u32, off: u32, q: f32, all: u32, lanes: u32, own: u32 }`;

/**
 * Invocations per latent: about one per texel that reads it ((2·scale)² for a grid at 1/scale resolution), so a
 * quarter-resolution pass at 512² runs 4096 latents × 64 invocations rather than 4096 long loops, too few threads to
 * fill a GPU (the one-invocation kernel spent ~4 s of a 17 s default training on the H200 refining).
 */
export function refineLanes(width: number, height: number, lw: number, lh: number): number {
  const reading = Math.ceil((2 * width) / lw) * Math.ceil((2 * height) / lh);
  let lanes = 1;
  while (lanes < reading && lanes < 64) lanes *= 2;
  return lanes;
}

function bindings(s: TrainShape): string {
  return `${header(s)}
${PASS_WGSL}
@group(0) @binding(0) var<storage, read_write> P: array<f32>;
@group(0) @binding(1) var<storage, read> TGT: array<f32>;
@group(0) @binding(2) var<storage, read> CW: array<f32>;
@group(0) @binding(3) var<storage, read_write> E: array<f32>;
@group(0) @binding(4) var<uniform> R: Pass;
const NONE = 0xffffffffu;`;
}

/** WGSL `texel_err(p, jo, vo)`: the weighted squared error of the clamped decode at texel p, latent jo read as vo. */
function texelErrWgsl(s: TrainShape): string {
  const F = featuresOf(s);
  const gather = gridConsts(s).map(({ f0, off, g }, k) => ownGrid(s, g) ? `  for (var f = Z; f < ${g.features}u; f++) {
    let j = ${off}u + p * ${g.features}u + f;
    x[${f0}u + f] = select(P[NMLP + j], vo, j == jo);
  }` : `  let t${k} = taps(p, ${g.lw}u, ${g.lh}u);
  for (var f = Z; f < ${g.features}u; f++) {
    var v = 0.0;
    for (var k = Z; k < 4u; k++) {
      let j = ${off}u + t${k}.i[k] * ${g.features}u + f;
      let l = select(P[NMLP + j], vo, j == jo);
      ${g.concat ? `x[${f0}u + k * ${g.features}u + f] = l;` : 'v += t' + k + '.w[k] * l;'}
    }${g.concat ? '' : `\n    x[${f0}u + f] = v;`}
  }`).join('\n');
  return `fn texel_err(p: u32, jo: u32, vo: f32) -> f32 {
  var x: array<f32, ${F + positionCount(s.position)}>;
${gather}
  ${positionWgsl(s.position ?? 'uv', 'F', 'vec2(f32(p % W) + 0.5, f32(p / W) + 0.5)', 'vec2(f32(W), f32(HT))')}
  ${centreWgsl()}
  var h1: array<f32, ${s.hidden}>; var h2: array<f32, ${s.hidden}>;
  for (var o = Z; o < HID; o++) { var a = P[B0 + o]; for (var i = Z; i < I; i++) { a += P[W0 + o * I + i] * x[i]; } h1[o] = lrelu(a); }
  for (var o = Z; o < HID; o++) { var a = P[B1 + o]; for (var i = Z; i < HID; i++) { a += P[W1 + o * HID + i] * h1[i]; } h2[o] = lrelu(a); }
  var e = 0.0;
  for (var o = Z; o < C; o++) {
    var a = P[B2 + o]; for (var i = Z; i < HID; i++) { a += P[W2 + o * HID + i] * h2[i]; }
    let d = clamp(a, 0.0, 1.0) - TGT[p * C + o]; e += CW[o] * d * d;
  }
  return e;
}`;
}

/**
 * The refinement kernel, one for every grid and pass of a shape (a single call site of texel_err: lavapipe takes
 * seconds to compile each inlined copy). A pass: `lanes` invocations take one latent of the class and share its
 * footprint; each sums the change of error over its texels for the code one step down and one up, the sums meet in
 * workgroup memory, the first lane keeps the better step where it lowers the error, and all lanes refresh their
 * texels' cached errors. With `all`, invocation p refreshes texel p's.
 * `cooperative: false` is the kernel of one invocation a latent, without workgroup memory or barriers: on a CPU
 * adapter, where a barrier costs a coroutine switch (lavapipe: refinement of a 128² material 40% slower with them) and
 * a few thousand invocations already fill every core.
 */
export function refineWgsl(s: TrainShape, cooperative = true): string {
  const range = (l: string, n: string, size: string, k: string) =>
    // Texels whose tap coordinate lies in [l − 1, l + 1), a texel or two wider each side for rounding; taps() decides.
    `let ${k}0 = u32(max(i32(floor((f32(${l}) - 0.5) * f32(${size}) / f32(${n}) - 0.5)) - 1, 0)); let ${k}1 = u32(clamp(i32(ceil((f32(${l}) + 1.5) * f32(${size}) / f32(${n}) - 0.5)) + 1, 0, i32(${size}) - 1));`;
  // The step from the footprint's sums (dm, dp: change of error one code down and up; e0: its error now), written to P.
  const decide = (indent: string) => `${indent}// A step must lower the footprint's error by more than f32 rounding of its sum.
${indent}var best = -1e-6 * sums.z; var nv = -1.0;
${indent}if (valid && code > 0.0 && sums.x < best) { best = sums.x; nv = vm; }
${indent}if (valid && code < R.q && sums.y < best) { best = sums.y; nv = vp; }
${indent}if (nv >= 0.0) { P[NMLP + j] = nv; }`;
  const meet = cooperative ? `      RED[lid] = vec3(dm, dp, e0);
      workgroupBarrier();
      for (var h = lanes / 2u; h > 0u; h = h / 2u) {
        if (lane < h) { RED[lid] += RED[lid + h]; }
        workgroupBarrier();
      }
      if (lane == 0u) {
        let sums = RED[lid];
${decide('        ')}
        STEP[slot] = nv;
      }
      workgroupBarrier();
      v = STEP[slot];` : `      let sums = vec3(dm, dp, e0);
${decide('      ')}
      v = nv;`;
  return `${bindings(s)}
${texelErrWgsl(s)}
${cooperative ? `var<workgroup> RED: array<vec3<f32>, 64>;
var<workgroup> STEP: array<f32, 64>;
` : ''}@compute @workgroup_size(64) fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  Z = R.zero;
  // ${cooperative ? 'Workgroup barriers below: every invocation reaches them (no early return), and their loops are bounded by\n  // uniform values (R), not by Z.' : 'One invocation a latent (R.lanes is 1 for this kernel).'}
  let all = R.all != 0u;
  let lanes = ${cooperative ? 'select(R.lanes, 1u, all)' : '1u'}; let lane = lid % lanes; let slot = lid / lanes;
  let k = (wid.x + wid.y * nwg.x) * (64u / lanes) + slot;
  let ncx = (R.lw + 1u - R.c) / 2u; let ncy = (R.lh + 1u - R.a) / 2u;
  let valid = select(k < ncx * ncy, k < T, all);
  let lx = R.c + 2u * (k % ncx); let ly = R.a + 2u * (k / ncx);
  let li = ly * R.lw + lx; let j = select(R.off + li * R.fg + R.f, 0u, all);
  let code = select(round(P[NMLP + min(j, NLAT - 1u)] * R.q), 0.0, all || !valid);
  let vm = max(code - 1.0, 0.0) / R.q; let vp = min(code + 1.0, R.q) / R.q;
  ${range('lx', 'R.lw', 'W', 'x')}
  ${range('ly', 'R.lh', 'HT', 'y')}
  let fw = x1 + 1u - x0; let n = select(select(fw * (y1 + 1u - y0), 0u, !valid), u32(valid), all);
  var dm = 0.0; var dp = 0.0; var e0 = 0.0; var v = -1.0;
  // Phase 0 sums each step's change of error over the footprint; phase 1, once a step is taken, refreshes the
  // footprint's cached errors. A refresh of every texel is phase 1 alone over a footprint of texel k.
  for (var phase = select(R.zero, 1u, all); phase < 2u; phase++) {
    if (phase == 1u && !all) {
${meet}
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
}`;
}

/** The channel-weighted squared error of the clamped decode per texel and channel (as the trainer's loss), before and after the passes. */
export interface RefineResult { before: number; after: number }

export interface RefinerOptions {
  /** Several invocations a latent, meeting in workgroup memory (default: on hardware adapters; refineWgsl says why not on CPU ones). */
  cooperative?: boolean;
}

export interface Refiner {
  /** Run the passes in order (one submit), reading and writing the trainer's parameters in place. */
  run(passes: RefinePass[]): Promise<RefineResult>;
  destroy(): void;
}

/**
 * Pipelines and buffers of refinement for level shape `s` over the trainer's parameters `P` (latents dequantized to
 * code / (2^bits − 1)), targets and channel weights.
 */
export async function makeRefiner(device: GPUDevice, s: TrainShape, P: GPUBuffer, target: GPUBuffer, cw: GPUBuffer, o: RefinerOptions = {}): Promise<Refiner> {
  const T = s.width * s.height, gc = gridConsts(s);
  const cooperative = o.cooperative ?? !deviceInfo(device).software;
  const E = device.createBuffer({ label: 'wgmat refine texel errors', size: Math.max(16, T * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  // The error cache before and after the passes, read back: what refinement gained is reported, not assumed.
  const back = device.createBuffer({ label: 'wgmat refine errors readback', size: Math.max(16, 2 * T * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  // Slot 0 refreshes every texel's error; then one per grid, feature and class. 256 bytes apart: minUniformBufferOffsetAlignment.
  const slot = new Map<string, number>(), words: number[][] = [[0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0]];
  gc.forEach(({ off, g }, grid) => { for (let f = 0; f < g.features; f++) for (let a = 0; a < 2; a++) for (let c = 0; c < 2; c++) { slot.set(`${grid} ${f} ${a} ${c}`, words.length); words.push([f, a, c, 0, g.lw, g.lh, g.features, off, (1 << g.bits) - 1, 0, cooperative ? refineLanes(s.width, s.height, g.lw, g.lh) : 1, +ownGrid(s, g)]); } });
  const R = device.createBuffer({ label: 'wgmat refine passes', size: 256 * words.length, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const data = new ArrayBuffer(256 * words.length), u32 = new Uint32Array(data), f32 = new Float32Array(data);
  words.forEach((w, i) => { u32.set(w, 64 * i); f32[64 * i + 8] = w[8]!; });
  device.queue.writeBuffer(R, 0, data);
  const storage = (type: GPUBufferBindingType) => ({ visibility: GPUShaderStage.COMPUTE, buffer: { type } });
  const bgl = device.createBindGroupLayout({ label: 'wgmat refine', entries: [
    { binding: 0, ...storage('storage') }, { binding: 1, ...storage('read-only-storage') }, { binding: 2, ...storage('read-only-storage') },
    { binding: 3, ...storage('storage') }, { binding: 4, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: 48 } }] });
  const { pipe, group } = await withErrorScope(device, 'building the material refinement pipeline', async () => ({
    pipe: await device.createComputePipelineAsync({ label: 'wgmat refine', layout: device.createPipelineLayout({ label: 'wgmat refine', bindGroupLayouts: [bgl] }), compute: { module: device.createShaderModule({ label: 'wgmat refine', code: refineWgsl(s, cooperative) }), entryPoint: 'main' } }),
    group: device.createBindGroup({ label: 'wgmat refine', layout: bgl, entries: [...[P, target, cw, E].map((buffer, binding) => ({ binding, resource: { buffer } as GPUBufferBinding })), { binding: 4, resource: { buffer: R, size: 48 } }] }),
  }));
  // n latents (or texels), 64 / lanes of them a workgroup.
  const dispatch = (pass: GPUComputePassEncoder, slotIndex: number, n: number) => {
    const g = Math.ceil((n * words[slotIndex]![10]!) / 64), x = Math.min(g, 65535);
    if (g) { pass.setBindGroup(0, group, [256 * slotIndex]); pass.dispatchWorkgroups(x, Math.ceil(g / x)); }
  };
  return {
    async run(passes) {
      const slots = passes.map((r) => {
        const at = slot.get(`${r.grid} ${r.feature} ${r.a} ${r.c}`);
        if (at === undefined) throw new RangeError(`refinement pass ${JSON.stringify(r)}: the shape has no such grid, feature or parity class`);
        const g = s.grids[r.grid]!;
        return { at, n: Math.ceil((g.lw - r.c) / 2) * Math.ceil((g.lh - r.a) / 2) };
      });
      await withErrorScope(device, 'material code refinement', () => {
        const enc = device.createCommandEncoder({ label: 'wgmat refine' });
        let pass = enc.beginComputePass({ label: 'wgmat refine errors' });
        pass.setPipeline(pipe);
        // The error cache first: the decoder or the channel weights may have changed since the last run.
        dispatch(pass, 0, T);
        pass.end();
        enc.copyBufferToBuffer(E, 0, back, 0, T * 4);
        pass = enc.beginComputePass({ label: 'wgmat refine' });
        pass.setPipeline(pipe);
        for (const { at, n } of slots) dispatch(pass, at, n);
        pass.end();
        enc.copyBufferToBuffer(E, 0, back, T * 4, T * 4);
        device.queue.submit([enc.finish()]);
      });
      await back.mapAsync(GPUMapMode.READ);
      const e = new Float32Array(back.getMappedRange()), mean = (a: Float32Array) => a.reduce((m, v) => m + v, 0) / (T * s.channels);
      const r = { before: mean(e.subarray(0, T)), after: mean(e.subarray(T)) };
      back.unmap();
      return r;
    },
    destroy: () => { E.destroy(); R.destroy(); back.destroy(); },
  };
}
