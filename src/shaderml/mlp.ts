/**
 * Inline networks: a small MLP whose weights live in a storage buffer (or in the shader text) and
 * which any WGSL stage calls as a plain function, e.g. `fn decodeMaterial(x: array<f32, 18>) -> array<f32, 8>`.
 * @example
 * const mlp = ShaderMLP.fromLayers([18, 32, 32, 8], weights, ['relu', 'relu', 'none']);
 * const net = mlp.wgsl({ name: 'decodeMaterial', device, group: 1 });
 * const code = resolveWgsl({ bindings: [], requires: [net.module], body: `... decodeMaterial(x) ...` });
 * const layout = device.createBindGroupLayout({ entries: net.layoutEntries(GPUShaderStage.FRAGMENT) });
 * const group = device.createBindGroup({ layout, entries: net.bindGroupEntries(device) });
 */
import { flattenWgsl, type WgslModule } from '../gpu/wgsl.js';
import type { FloatPrecision, MlpLayer, MlpModel, MlpPrecision, MlpScope, MlpStorage, MlpWgsl, MlpWgslOptions } from './mlp-types.js';
import { type Activation, ACTIVATIONS, activationModule, applyActivation, defaultAlpha } from './activations.js';
import { MlpDimensionError, ShaderMLFeatureError, WeightFileError } from './errors.js';
import { packHalf, precisionLit } from './half.js';
import { readSafetensors, tensorAsF32, writeSafetensors, type SafeInput } from '../tensor/safetensors.js';
import { subgroupMlpWgsl, subgroupSizeOf, subgroupSupport } from './subgroup.js';
import { unrolledMlpWgsl } from './unrolled.js';
import { dot4MlpWgsl } from './dot4.js';

export type { MlpLayer, MlpScope, MlpPrecision, FloatPrecision, MlpStorage, MlpWgslOptions, MlpWgsl } from './mlp-types.js';

export class ShaderMLP implements MlpModel {
  readonly sizes: readonly number[];
  readonly layers: readonly MlpLayer[];
  /** [min, max] of each layer's input over the calibration sample, for int8 quantization (see {@link calibrate}). */
  inputBounds: [number, number][] | null = null;
  private readonly gpu = new WeakMap<GPUDevice, Map<string, GPUBuffer[]>>();

  private constructor(sizes: number[], layers: MlpLayer[]) {
    this.sizes = sizes;
    this.layers = layers;
  }

  /**
   * Build from layer sizes `[in, h1, …, out]`, one `{weight, bias}` per layer (weight out×in
   * row-major) and an activation per layer (or one for the hidden layers; the last is then 'none').
   */
  static fromLayers(sizes: number[], weights: { weight: ArrayLike<number>; bias: ArrayLike<number> }[],
    activations: Activation | Activation[] = 'relu', alphas?: number[]): ShaderMLP {
    if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new MlpDimensionError(`layer sizes ${JSON.stringify(sizes)} are not a network`, 'give [inputs, hidden…, outputs], all positive integers', { sizes });
    }
    const n = sizes.length - 1;
    if (weights.length !== n) throw new MlpDimensionError(`${weights.length} weight sets for ${n} layers (sizes ${JSON.stringify(sizes)})`, 'give one {weight, bias} per layer', { sizes, layers: weights.length });
    const acts = Array.isArray(activations) ? activations : sizes.slice(1).map((_, i) => (i === n - 1 ? 'none' : activations));
    if (acts.length !== n) throw new MlpDimensionError(`${acts.length} activations for ${n} layers`, 'give one activation per layer', { sizes });
    const layers = weights.map((w, i): MlpLayer => {
      const inp = sizes[i]!, out = sizes[i + 1]!;
      if (w.weight.length !== inp * out) {
        throw new MlpDimensionError(`layer ${i}: weight has ${w.weight.length} values, expected ${out}×${inp} = ${out * inp}`, `layer ${i} maps ${inp} → ${out}: give its weight as out×in row-major`, { layer: i, expected: [out, inp], got: w.weight.length });
      }
      if (w.bias.length !== out) throw new MlpDimensionError(`layer ${i}: bias has ${w.bias.length} values, expected ${out}`, `layer ${i} has ${out} outputs`, { layer: i, expected: out, got: w.bias.length });
      const act = acts[i]!;
      if (!ACTIVATIONS.includes(act)) throw new MlpDimensionError(`layer ${i}: unknown activation '${act}'`, `use one of ${ACTIVATIONS.join(', ')}`, { layer: i });
      return { weight: Float32Array.from(w.weight), bias: Float32Array.from(w.bias), activation: act, alpha: alphas?.[i] ?? defaultAlpha(act) };
    });
    return new ShaderMLP([...sizes], layers);
  }

  /** Seeded He-initialised network (for tests and as a training start). */
  static random(sizes: number[], activations: Activation | Activation[], seed = 1, scale = 1): ShaderMLP {
    let s = seed >>> 0 || 1;
    const r = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
    const w = sizes.slice(1).map((out, i) => {
      const inp = sizes[i]!, k = scale * Math.sqrt(6 / inp);
      return { weight: Float32Array.from({ length: out * inp }, () => (r() * 2 - 1) * k), bias: Float32Array.from({ length: out }, () => (r() * 2 - 1) * 0.1 * scale) };
    });
    return ShaderMLP.fromLayers(sizes, w, activations);
  }

  /** Read `layers.<i>.weight` / `layers.<i>.bias` and `__metadata__.activations` (JSON list). */
  static fromSafetensors(bytes: Uint8Array): ShaderMLP {
    const f = readSafetensors(bytes);
    const ws: { weight: Float32Array; bias: Float32Array }[] = [];
    const sizes: number[] = [];
    for (let i = 0; f.tensors.has(`layers.${i}.weight`); i++) {
      const w = f.tensors.get(`layers.${i}.weight`)!, b = f.tensors.get(`layers.${i}.bias`);
      if (!b) throw new WeightFileError(`safetensors has layers.${i}.weight but no layers.${i}.bias`, 'write a bias per layer (zeros if the layer has none)', { tensor: `layers.${i}.bias` });
      if (w.shape.length !== 2) throw new WeightFileError(`layers.${i}.weight has shape ${JSON.stringify(w.shape)}`, 'weights are [out, in]', { tensor: `layers.${i}.weight` });
      if (i === 0) sizes.push(w.shape[1]!);
      else if (sizes[i] !== w.shape[1]) throw new MlpDimensionError(`layers.${i}.weight takes ${w.shape[1]} inputs but layer ${i - 1} gives ${sizes[i]}`, 'consecutive layers must chain: weight i is [out_i, out_{i-1}]', { layer: i });
      sizes.push(w.shape[0]!);
      ws.push({ weight: tensorAsF32(w), bias: tensorAsF32(b) });
    }
    if (!ws.length) throw new WeightFileError('safetensors has no layers.0.weight', 'name tensors layers.<i>.weight / layers.<i>.bias', {});
    const acts = f.metadata.activations ? (JSON.parse(f.metadata.activations) as Activation[]) : 'relu';
    const alphas = f.metadata.alphas ? (JSON.parse(f.metadata.alphas) as number[]) : undefined;
    return ShaderMLP.fromLayers(sizes, ws, acts, alphas);
  }

  toSafetensors(dtype: 'F32' | 'F16' = 'F32'): Uint8Array {
    const t: Record<string, SafeInput> = {};
    this.layers.forEach((l, i) => {
      t[`layers.${i}.weight`] = { dtype, shape: [this.sizes[i + 1]!, this.sizes[i]!], data: l.weight };
      t[`layers.${i}.bias`] = { dtype, shape: [this.sizes[i + 1]!], data: l.bias };
    });
    return writeSafetensors(t, { activations: JSON.stringify(this.layers.map((l) => l.activation)), alphas: JSON.stringify(this.layers.map((l) => l.alpha)) });
  }

  get inputs(): number { return this.sizes[0]!; }
  get outputs(): number { return this.sizes[this.sizes.length - 1]!; }

  /** CPU reference: `x` holds `batch` rows of `inputs` values. */
  forward(x: ArrayLike<number>): Float32Array {
    if (x.length % this.inputs !== 0) throw new MlpDimensionError(`input has ${x.length} values, not a multiple of ${this.inputs}`, `give rows of ${this.inputs} inputs`, { got: x.length });
    const batch = x.length / this.inputs;
    let cur = Float64Array.from(x);
    this.layers.forEach((l, li) => {
      const inp = this.sizes[li]!, out = this.sizes[li + 1]!;
      const next = new Float64Array(batch * out);
      for (let b = 0; b < batch; b++) {
        for (let o = 0; o < out; o++) {
          let acc = l.bias[o]!;
          for (let i = 0; i < inp; i++) acc += l.weight[o * inp + i]! * cur[b * inp + i]!;
          next[b * out + o] = applyActivation(l.activation, acc, l.alpha);
        }
      }
      cur = next;
    });
    return Float32Array.from(cur);
  }

  /**
   * Record [min, max] of every layer's input over sample inputs (rows of `inputs` values): the int8
   * paths (precision 'int8', scope 'subgroup') quantize each layer's input over that range.
   */
  calibrate(x: ArrayLike<number>): [number, number][] {
    if (x.length === 0 || x.length % this.inputs) throw new MlpDimensionError(`calibration sample of ${x.length} values is not rows of ${this.inputs} inputs`, `give n × ${this.inputs} values, n ≥ 1`, { values: x.length });
    const bounds: [number, number][] = [];
    let cur: Float32Array = Float32Array.from(x);
    for (let li = 0; li < this.layers.length; li++) {
      let lo = Infinity, hi = -Infinity;
      for (const v of cur) { if (v < lo) lo = v; if (v > hi) hi = v; }
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new MlpDimensionError(`calibration: layer ${li} input is not finite (min ${lo}, max ${hi})`, 'calibrate on finite inputs', { layer: li });
      bounds.push([lo, hi]);
      const sub = ShaderMLP.fromLayers([this.sizes[li]!, this.sizes[li + 1]!], [this.layers[li]!], [this.layers[li]!.activation], [this.layers[li]!.alpha]);
      cur = sub.forward(cur);
    }
    this.inputBounds = bounds;
    return bounds;
  }

  /** The packed f32 parameters: per layer, weight (out×in) then bias. */
  packed(): { data: Float32Array; offsets: { w: number; b: number }[] } {
    const offsets: { w: number; b: number }[] = [];
    let n = 0;
    for (const l of this.layers) { offsets.push({ w: n, b: n + l.weight.length }); n += l.weight.length + l.bias.length; }
    const data = new Float32Array(n);
    this.layers.forEach((l, i) => { data.set(l.weight, offsets[i]!.w); data.set(l.bias, offsets[i]!.b); });
    return { data, offsets };
  }

  /** GPU buffers for one device and layout variant, created once and reused. */
  buffersFor(device: GPUDevice, key: string, make: () => { label: string; bytes: Uint8Array }[], usage: number = GPUBufferUsage.STORAGE): GPUBuffer[] {
    let m = this.gpu.get(device);
    if (!m) { m = new Map(); this.gpu.set(device, m); }
    let bufs = m.get(key);
    if (!bufs) {
      bufs = make().map(({ label, bytes }) => {
        const size = Math.max(4, Math.ceil(bytes.length / 4) * 4);
        const b = device.createBuffer({ label, size, usage: usage | GPUBufferUsage.COPY_DST, mappedAtCreation: true });
        new Uint8Array(b.getMappedRange()).set(bytes);
        b.unmap();
        return b;
      });
      m.set(key, bufs);
    }
    return bufs;
  }

  /** Release the GPU buffers made for `device`. */
  destroy(device: GPUDevice): void {
    for (const bufs of this.gpu.get(device)?.values() ?? []) bufs.forEach((b) => b.destroy());
    this.gpu.delete(device);
  }

  /** WGSL for this network as a function `name`; see {@link MlpWgslOptions}. */
  wgsl(opts: MlpWgslOptions): MlpWgsl {
    const group = opts.group ?? 1, binding = opts.binding ?? 0;
    const storage = opts.storage ?? 'buffer';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(opts.name)) throw new MlpDimensionError(`'${opts.name}' is not a WGSL identifier`, 'use letters, digits and _', {});
    // Subgroup scope is int8; where it cannot run, the int8 thread path keeps the same numbers.
    if (opts.precision === 'int8' || (opts.scope === 'subgroup' && opts.precision === undefined)) {
      const why = opts.scope === 'subgroup' ? subgroupSupport(opts.device) : 'thread scope asked';
      if (!why) return subgroupMlpWgsl(this, opts.name, group, binding, subgroupSizeOf(opts.device!) ?? 32);
      const t = dot4MlpWgsl(this, opts.name, opts.storage ?? 'constants', group, binding, opts.scope === 'subgroup');
      return opts.scope === 'subgroup' ? { ...t, fallbackReason: why } : t;
    }
    let precision: FloatPrecision;
    if (opts.precision === 'auto') precision = opts.device?.features.has('shader-f16') ? 'f16' : 'f32';
    else precision = opts.precision ?? 'f32';
    if (precision === 'f16' && opts.device && !opts.device.features.has('shader-f16')) {
      throw new ShaderMLFeatureError(`'${opts.name}': precision f16 needs the shader-f16 feature, which this device lacks`, "use precision 'f32' or 'auto'", { name: opts.name });
    }
    if (opts.scope === 'subgroup') {
      const why = subgroupSupport(opts.device);
      if (!why) return subgroupMlpWgsl(this, opts.name, group, binding, subgroupSizeOf(opts.device!) ?? 32);
      const t = storage === 'constants' || storage === 'uniform' ? unrolledMlpWgsl(this, opts.name, storage, precision, group, binding, true) : this.threadWgsl(opts.name, precision, storage, group, binding, true);
      return { ...t, fallbackReason: why };
    }
    if (storage === 'constants' || storage === 'uniform') return unrolledMlpWgsl(this, opts.name, storage, precision, group, binding, false);
    return this.threadWgsl(opts.name, precision, storage, group, binding, false);
  }

  private threadWgsl(name: string, p: FloatPrecision, storage: 'buffer' | 'inline', group: number, binding: number, withLane: boolean): MlpWgsl {
    const { data, offsets } = this.packed();
    const T = p;
    const pv = `${name}_params`;
    const parts: string[] = [];
    if (storage === 'buffer') parts.push(`@group(${group}) @binding(${binding}) var<storage, read> ${pv}: array<${T}>;`);
    this.layers.forEach((l, li) => {
      const inp = this.sizes[li]!, out = this.sizes[li + 1]!;
      let src = pv, wo = offsets[li]!.w, bo = offsets[li]!.b, local = '';
      if (storage === 'inline') {
        const vals = [...l.weight, ...l.bias].map((v) => precisionLit(v, p)).join(', ');
        local = `  var p = array<${T}, ${l.weight.length + l.bias.length}>(${vals});\n`;
        src = 'p'; wo = 0; bo = l.weight.length;
      }
      parts.push(`fn ${name}_l${li}(x: array<${T}, ${inp}>) -> array<${T}, ${out}> {
${local}  var xv = x;
  var y: array<${T}, ${out}>;
  for (var o = 0u; o < ${out}u; o++) {
    var acc = ${src}[${bo}u + o];
    let row = ${wo}u + o * ${inp}u;
    for (var i = 0u; i < ${inp}u; i++) { acc += ${src}[row + i] * xv[i]; }
    y[o] = sml_${l.activation}_${T}(acc, ${T}(${precisionLit(l.alpha, p)}));
  }
  return y;
}`);
    });
    const nL = this.layers.length, IN = this.inputs, OUT = this.outputs;
    const calls = this.layers.map((_, i) => `  let h${i + 1} = ${name}_l${i}(h${i});`).join('\n');
    const args = `x: array<f32, ${IN}>${withLane ? ', lane: u32' : ''}`;
    const signature = `fn ${name}(${args}) -> array<f32, ${OUT}>`;
    parts.push(`${signature} {
  var h0: array<${T}, ${IN}>;
  var xv = x;
  for (var i = 0u; i < ${IN}u; i++) { h0[i] = ${T}(xv[i]); }
${calls}
  var hv = h${nL};
  var y: array<f32, ${OUT}>;
  for (var i = 0u; i < ${OUT}u; i++) { y[i] = f32(hv[i]); }
  return y;
}`);
    const act = activationModule(T);
    const module: WgslModule = { name: `shaderml_${name}_${p}_${storage}`, code: parts.join('\n'), requires: [act], enables: p === 'f16' ? ['f16'] : [] };
    const code = (p === 'f16' ? 'enable f16;\n' : '') + flattenWgsl(act).code + '\n' + module.code;
    const bytes = p === 'f16' ? (() => { const h = packHalf(data); return new Uint8Array(h.buffer); })() : new Uint8Array(data.buffer);
    return {
      name, scope: 'thread', precision: p, storage, signature, module, code,
      layoutEntries: (visibility) => storage === 'inline' ? [] : [{ binding, visibility, buffer: { type: 'read-only-storage' } }],
      bindGroupEntries: (device) => storage === 'inline' ? [] : [{ binding, resource: { buffer: this.buffersFor(device, `thread_${p}`, () => [{ label: `${name} weights (${p})`, bytes }])[0]! } }],
    };
  }
}
