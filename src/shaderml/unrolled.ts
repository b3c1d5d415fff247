/**
 * Thread-scope f32 networks as straight-line code: every multiply-add written out with a constant
 * index, so nothing lands in a local array (no spills) and the weights are either literals in the
 * shader ('constants': the GPU compiler folds them into the FMA instructions as immediates) or
 * uniform-buffer words at fixed offsets ('uniform': NVIDIA reads those as constant-bank operands of
 * the FMA). Either way a weight costs no load, so the decode runs at the FMA rate. 'constants' means
 * one pipeline per set of weights (like a shader permutation); 'uniform' shares one per shape.
 */
import { flattenWgsl, type WgslModule } from '../gpu/wgsl.js';
import { activationModule } from './activations.js';
import { MlpDimensionError } from './errors.js';
import type { FloatPrecision, MlpWgsl, MlpModel } from './mlp-types.js';
import { precisionLit } from './half.js';

/** Max uniform binding is 64 KiB by default: 16384 f32 weights and biases. */
export const UNIFORM_MAX_PARAMS = 16384;

export function unrolledMlpWgsl(mlp: MlpModel, name: string, mode: 'constants' | 'uniform', p: FloatPrecision, group: number, binding: number, withLane: boolean): MlpWgsl {
  const { data, offsets } = mlp.packed();
  if (mode === 'uniform' && data.length > UNIFORM_MAX_PARAMS) {
    throw new MlpDimensionError(`'${name}': ${data.length} parameters do not fit a 64 KiB uniform buffer`, "use storage 'buffer' or 'constants' for networks over 16384 parameters", { params: data.length });
  }
  const T = p, u = `${name}_u`;
  // Uniform arrays need 16-byte elements: parameter j is u[j / 4][j % 4].
  const w = (j: number) => mode === 'constants' ? precisionLit(data[j]!, p) : (p === 'f32' ? `${u}[${j >> 2}][${j & 3}]` : `${T}(${u}[${j >> 2}][${j & 3}])`);
  const lines: string[] = [];
  const IN = mlp.inputs, OUT = mlp.outputs;
  for (let i = 0; i < IN; i++) lines.push(`  let h0_${i} = ${T}(x[${i}]);`);
  mlp.layers.forEach((l, li) => {
    const inp = mlp.sizes[li]!, out = mlp.sizes[li + 1]!;
    for (let o = 0; o < out; o++) {
      // One accumulator per output, inputs in order: each FMA depends on the previous one, but the
      // `out` chains are independent, which is the parallelism the scheduler interleaves.
      lines.push(`  var a${li + 1}_${o}: ${T} = ${w(offsets[li]!.b + o)};`);
      for (let i = 0; i < inp; i++) lines.push(`  a${li + 1}_${o} = fma(h${li}_${i}, ${w(offsets[li]!.w + o * inp + i)}, a${li + 1}_${o});`);
      lines.push(`  let h${li + 1}_${o} = sml_${l.activation}_${T}(a${li + 1}_${o}, ${T}(${precisionLit(l.alpha, p)}));`);
    }
  });
  const nL = mlp.layers.length;
  const args = `x: array<f32, ${IN}>${withLane ? ', lane: u32' : ''}`;
  const signature = `fn ${name}(${args}) -> array<f32, ${OUT}>`;
  const body = `${signature} {
${lines.join('\n')}
  return array<f32, ${OUT}>(${Array.from({ length: OUT }, (_, o) => `f32(h${nL}_${o})`).join(', ')});
}`;
  const decl = mode === 'uniform' ? `@group(${group}) @binding(${binding}) var<uniform> ${u}: array<vec4<f32>, ${Math.ceil(data.length / 4)}>;\n` : '';
  const act = activationModule(T);
  const module: WgslModule = { name: `shaderml_${name}_${p}_${mode}`, code: decl + body, requires: [act], enables: p === 'f16' ? ['f16'] : [] };
  const padded = new Float32Array(Math.ceil(data.length / 4) * 4);
  padded.set(data);
  return {
    name, scope: 'thread', precision: p, storage: mode, signature, module,
    code: (p === 'f16' ? 'enable f16;\n' : '') + flattenWgsl(act).code + '\n' + module.code,
    layoutEntries: (visibility) => mode === 'uniform' ? [{ binding, visibility, buffer: { type: 'uniform' } }] : [],
    bindGroupEntries: (device) => mode === 'uniform'
      ? [{ binding, resource: { buffer: mlp.buffersFor(device, 'uniform_f32', () => [{ label: `${name} weights (uniform)`, bytes: new Uint8Array(padded.buffer) }], GPUBufferUsage.UNIFORM)[0]! } }]
      : [],
  };
}
