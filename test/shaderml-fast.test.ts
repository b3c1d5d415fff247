/**
 * subgroup-fast.ts kernels without subgroup matrices: lavapipe lacks them, so the test rewrites each
 * subgroupMatrixLoad/Store/MultiplyAccumulate into per-invocation WGSL (every lane holds the whole
 * matrix, loads and stores whole tiles) with the README's semantics: i8 operands packed four to an
 * i32 word, offsets and strides of i8 matrices in bytes, of i32 matrices in i32 elements, row-major.
 * That checks every index, barrier interval, fold and packing against the CPU int8 reference; what it
 * cannot check (the real builtins' spelling and fragment layout) the H100 bench checks.
 */
import { describe, it, expect } from 'vitest';
import { ShaderMLP } from '../src/shaderml/mlp.js';
import { forwardInt8 } from '../src/shaderml/quant.js';
import { subgroupFastKernel, type FastKernelOptions } from '../src/shaderml/subgroup-fast.js';
import { subgroupBatchKernel } from '../src/shaderml/subgroup-batch.js';
import { MlpDimensionError } from '../src/shaderml/errors.js';
import { testDevice, scoped } from './helpers/gpu.js';
import { rng, testSeed } from './helpers/random.js';

const EMU = `struct Mat { r: u32, c: u32, v: array<i32, 512> }
fn mzero(c: u32, r: u32) -> Mat { var m: Mat; m.r = r; m.c = c; return m; }
fn mma(a: Mat, b: Mat, c: Mat) -> Mat {
  var o = c;
  for (var i = 0u; i < a.r; i++) { for (var j = 0u; j < b.c; j++) {
    var s = c.v[i * c.c + j];
    for (var k = 0u; k < a.c; k++) { s += a.v[i * a.c + k] * b.v[k * b.c + j]; }
    o.v[i * o.c + j] = s;
  } }
  return o;
}`;

function emulate(code: string, accName: string): string {
  let m = code.replace('enable chromium_experimental_subgroup_matrix;\n', '').replace('enable subgroups;\n', '')
    .replace(/subgroup_matrix_result<i32, (\d+), (\d+)>\(\)/g, 'mzero($1u, $2u)');
  const loads = new Map<string, string>();
  m = m.replace(/subgroupMatrixLoad<subgroup_matrix_(?:left|right|result)<(i8|i32), (\d+), (\d+)>>\(&(\w+), /g, (_, ty: string, c: string, r: string, arr: string) => {
    loads.set(`${arr}_${ty}`, ty === 'i8' ? `(${arr}[idx / 4u] << (24u - 8u * (idx % 4u))) >> 24u` : `${arr}[idx]`);
    return `mload_${arr}_${ty}(${c}u, ${r}u, `;
  });
  m = m.replace(/subgroupMatrixStore\(&(\w+), /g, 'mstore_$1(').replace(/subgroupMatrixMultiplyAccumulate\(/g, 'mma(');
  expect(m).not.toMatch(/subgroup_matrix|subgroupMatrix/);
  m += `\n${EMU}\nfn mstore_${accName}(off: u32, v: Mat, cm: bool, stride: u32) {
  for (var i = 0u; i < v.r; i++) { for (var j = 0u; j < v.c; j++) { ${accName}[off + i * stride + j] = v.v[i * v.c + j]; } }
}\n`;
  for (const [key, el] of loads) {
    m += `fn mload_${key}(c: u32, r: u32, off: u32, cm: bool, stride: u32) -> Mat {
  var o: Mat; o.r = r; o.c = c;
  for (var i = 0u; i < r; i++) { for (var j = 0u; j < c; j++) { let idx = off + i * stride + j; o.v[i * c + j] = ${el}; } }
  return o;
}\n`;
  }
  return m;
}

async function runEmulated(device: GPUDevice, mlp: ShaderMLP, x: Float32Array, opts: Partial<FastKernelOptions> | 'default', groups: number): Promise<Float32Array> {
  const rows = x.length / mlp.inputs, IN = mlp.inputs, OUT = mlp.outputs;
  const base = { name: 'dec', inputFn: 'read_x', storeFn: 'write_y', rows, group: 1 };
  const k = opts === 'default' ? subgroupBatchKernel(mlp, base) : subgroupFastKernel(mlp, { ...base, ...opts });
  const code = emulate(k.code, 'dec_acc') + `
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;
fn read_x(r: u32) -> array<f32, ${IN}> { var x: array<f32, ${IN}>; for (var i = 0u; i < ${IN}u; i++) { x[i] = X[r * ${IN}u + i]; } return x; }
fn write_y(r: u32, y: array<f32, ${OUT}>) { for (var o = 0u; o < ${OUT}u; o++) { Y[r * ${OUT}u + o] = y[o]; } }`;
  return scoped(device, async () => {
    const xb = device.createBuffer({ size: x.byteLength, usage: GPUBufferUsage.STORAGE, mappedAtCreation: true });
    new Float32Array(xb.getMappedRange()).set(x); xb.unmap();
    const yb = device.createBuffer({ size: rows * OUT * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(yb, 0, new Float32Array(rows * OUT).fill(Number.NaN));
    const l0 = device.createBindGroupLayout({ entries: [0, 1].map((b) => ({ binding: b, visibility: GPUShaderStage.COMPUTE, buffer: { type: b ? 'storage' : 'read-only-storage' } as GPUBufferBindingLayout })) });
    const l1 = device.createBindGroupLayout({ entries: k.layoutEntries(GPUShaderStage.COMPUTE) });
    const pipe = await device.createComputePipelineAsync({ layout: device.createPipelineLayout({ bindGroupLayouts: [l0, l1] }), compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
    const rb = device.createBuffer({ size: rows * OUT * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipe);
    pass.setBindGroup(0, device.createBindGroup({ layout: l0, entries: [{ binding: 0, resource: { buffer: xb } }, { binding: 1, resource: { buffer: yb } }] }));
    pass.setBindGroup(1, device.createBindGroup({ layout: l1, entries: k.bindGroupEntries(device) }));
    pass.dispatchWorkgroups(k.groups(groups));
    pass.end();
    enc.copyBufferToBuffer(yb, 0, rb, 0, rows * OUT * 4);
    device.queue.submit([enc.finish()]);
    await rb.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(rb.getMappedRange().slice(0));
    rb.unmap();
    return out;
  });
}

/** Worst |got − ref| in units of the output's int8 step, and how many outputs differ by more than `tol` steps. */
function compareInt8(got: Float32Array, ref: Float32Array, step: number, tol: number): { worst: number; bad: number } {
  let worst = 0, bad = 0;
  got.forEach((v, i) => { const d = Number.isFinite(v) ? Math.abs(v - ref[i]!) / step : Infinity; worst = Math.max(worst, d); if (d > tol) bad++; });
  return { worst, bad };
}

describe('subgroup-fast int8 kernels (subgroup matrices emulated)', () => {
  // 'default' is subgroupBatchKernel's kernel (fold 'init', N8 last layer, one block per subgroup).
  const CASES: (Partial<FastKernelOptions> | 'default')[] = [
    'default',
    { fold: 'none', n8: false },
    { fold: 'int', blocks: 2, pack: 'pack4xU8' },
    { tail: 'dot4' },
    { head: 'dot4', tail: 'dot4' },
    { head: 'dot4' },
  ];
  for (const opts of CASES) {
    it(`matches the CPU int8 reference: ${JSON.stringify(opts)}`, async () => {
      const device = await testDevice();
      const seed = testSeed();
      const r = rng(seed);
      // 18 → 32 → 16 → 8 with leaky ReLU in one hidden layer: two hidden widths and both hidden activations
      // (the dot4 cases get the leaky one first, so head and tail each see the other activation).
      const dot4 = opts !== 'default' && opts.tail === 'dot4' && !opts.head;
      const acts = dot4 ? (['leaky_relu', 'relu', 'none'] as const) : (['relu', 'leaky_relu', 'none'] as const);
      const mlp = ShaderMLP.fromLayers([18, 32, 16, 8], ShaderMLP.random([18, 32, 16, 8], 'relu', seed).layers, [...acts], acts.map((a) => (a === 'leaky_relu' ? 0.1 : 0)));
      const rows = 150; // not a multiple of any block: exercises the clamped reads and skipped stores
      const x = Float32Array.from({ length: rows * 18 }, () => r() * 1.5 - 0.25); // off-centre: a non-zero input zero point
      mlp.calibrate(x);
      const got = await runEmulated(device, mlp, x, opts, 2); // 2 groups: the persistent loop iterates
      const ref = forwardInt8(mlp, x);
      // Outputs are f32 from i32 sums: only requantization ties and the fixed-point multiplier ('int'/'init')
      // may move one hidden int8 by one step; compare in units of the last layer's accumulator scale.
      const scale = Math.max(...Array.from(ref, Math.abs));
      const { worst, bad } = compareInt8(got, ref, scale / 127, 3);
      expect(bad, `worst ${worst.toFixed(2)} steps`).toBeLessThanOrEqual(Math.ceil(rows * 8 * 0.01));
      expect(worst).toBeLessThan(12);
    }, 600_000);
  }

  it('refuses shapes it cannot run', () => {
    const mlp = ShaderMLP.random([18, 32, 32, 8], 'relu', 1);
    const base = { name: 'd', inputFn: 'f', storeFn: 'g', rows: 64 };
    expect(() => subgroupFastKernel(mlp, { ...base, blocks: 3 })).toThrow(MlpDimensionError);
    expect(() => subgroupFastKernel(mlp, { ...base, accStride: 34 })).toThrow(/multiple of 4/);
    expect(() => subgroupFastKernel(ShaderMLP.random([18, 32, 8], 'silu', 1), base)).toThrow(/silu/);
    expect(() => subgroupFastKernel(mlp, { ...base, tail: 'dot4', fold: 'int' })).toThrow(/tail 'dot4' needs fold 'init'/);
    expect(() => subgroupFastKernel(ShaderMLP.random([18, 32, 8], 'relu', 1), { ...base, head: 'dot4', tail: 'dot4' })).toThrow(/head 'dot4' needs/);
  });
});
