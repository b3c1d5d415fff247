/**
 * Kernel signatures: a kernel declares its parameters (typed fields) and buffers (name, element type,
 * whether it writes) once; the WGSL struct and binding declarations, the buffer accessors, the byte
 * packing of the parameters and the bind-group layout all follow from that one declaration. Nothing
 * is kept in two lists that must agree, and read-only versus read_write is a property of the
 * declaration, not a rewrite of generated text.
 *
 * Kernel bodies read parameters as `P.name` (arrays: `P_name(i)`), buffers through accessors
 * (`X_ld(i)`, `Y_st(i, v)`; sizes come in parameters, never from arrayLength), and start `main` with
 * `let P = wgml_init();` (a uniform copy of the parameters, which branches before barriers need): the same body
 * then runs with one bind group per dispatch ('groups': a uniform block and one binding per buffer) or
 * with the network's shared bind group ('shared': every buffer a range of the heap, the weights or a
 * caller tensor, parameters in one storage buffer at an offset fixed per pipeline), so recording a
 * dispatch needs no bind-group change.
 * @example
 * const SIG = signature({ params: { n: 'u32', scale: 'f32', dims: ['u32', 8] }, buffers: [{ name: 'X', elem: 'f32' }, { name: 'Y', elem: 'f32', writes: true }] });
 * const code = kernelWgsl(SIG, 'rw', { body: `@compute @workgroup_size(64) fn main(...) { let P = wgml_init(); ... Y_st(i, X_ld(i) * P.scale); }` });
 * const bytes = packParams(SIG, { n: 1024, scale: 0.5, dims: [4, 256] });
 */
import { resolveWgsl, type WgslModule } from './wgsl.js';

export type Word = 'f32' | 'i32' | 'u32';
/** A scalar, or an array of `n` scalars (stored four to a vec4, as uniform arrays must be). */
export type ParamField = Word | readonly [Word, number];

export interface BufferDecl {
  name: string;
  elem: Word;
  /** The kernel writes it (outputs, scratch). Buffers it only reads may still bind writable (see kernelWgsl). */
  writes?: boolean;
  /**
   * Also read/written four elements at a time: `X_ld4(j)` / `X_st4(j, v)` address element 4j..4j+3
   * (the buffer's first element must sit at a multiple of 4 elements, which every binding wgml makes
   * does). Scalar accessors keep working on it.
   */
  vec4?: boolean;
  /**
   * Stored as float16, two to a u32 word (element i in the low half of word i/2 when i is even), read
   * as f32: the accessors unpack (`unpack2x16float`, core WGSL, so no `shader-f16` is needed) and the
   * body is unchanged. Read-only, `elem` 'f32'. The runtime sets it on weights it stores at half width
   * (runtime/half-weights.ts); a kernel never declares it itself.
   */
  half?: boolean;
}

export interface KernelSignature {
  readonly params: Readonly<Record<string, ParamField>>;
  readonly buffers: readonly BufferDecl[];
  /** Byte layout of the parameter block (WGSL uniform rules), computed once. */
  readonly layout: readonly { name: string; field: ParamField; offset: number }[];
  readonly paramBytes: number;
}

export type ParamValues = Record<string, number | readonly number[]>;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Declare a kernel's signature; field and buffer names must be WGSL identifiers. */
export function signature(s: { params?: Record<string, ParamField>; buffers: readonly BufferDecl[] }): KernelSignature {
  const params = s.params ?? {};
  const layout: { name: string; field: ParamField; offset: number }[] = [];
  let off = 0;
  for (const [name, field] of Object.entries(params)) {
    if (!IDENT.test(name)) throw new Error(`kernel parameter '${name}' is not a WGSL identifier`);
    if (typeof field === 'string') { layout.push({ name, field, offset: off }); off += 4; continue; }
    if (!(field[1] > 0)) throw new Error(`kernel parameter '${name}' is an array of ${field[1]} elements`);
    off = Math.ceil(off / 16) * 16;
    layout.push({ name, field, offset: off });
    off += Math.ceil(field[1] / 4) * 16;
  }
  const names = new Set<string>();
  for (const b of s.buffers) {
    if (!IDENT.test(b.name) || names.has(b.name)) throw new Error(`kernel buffer '${b.name}' is not a unique WGSL identifier`);
    names.add(b.name);
  }
  return { params, buffers: s.buffers, layout, paramBytes: Math.max(16, Math.ceil(off / 16) * 16) };
}

/** The parameter block's bytes: every declared field must be given, arrays up to their length. */
export function packParams(sig: KernelSignature, values: ParamValues): ArrayBuffer {
  const buf = new ArrayBuffer(sig.paramBytes);
  const dv = new DataView(buf);
  const put = (w: Word, at: number, v: number) => {
    if (w === 'f32') dv.setFloat32(at, v, true);
    else if (w === 'i32') dv.setInt32(at, v, true);
    else dv.setUint32(at, v >>> 0, true);
  };
  for (const { name, field, offset } of sig.layout) {
    const v = values[name];
    if (v === undefined) throw new Error(`kernel parameter '${name}' has no value`);
    if (typeof field === 'string') {
      if (typeof v !== 'number') throw new Error(`kernel parameter '${name}' is a ${field}, got an array`);
      put(field, offset, v);
    } else {
      if (typeof v === 'number' || v.length > field[1]) throw new Error(`kernel parameter '${name}' takes up to ${field[1]} values`);
      v.forEach((x, i) => put(field[0], offset + 4 * i, x));
    }
  }
  for (const k of Object.keys(values)) if (!(k in sig.params)) throw new Error(`'${k}' is not a parameter of this kernel`);
  return buf;
}

/** The Params struct: scalars in order, arrays as vec4 arrays at 16-byte offsets, padding named. */
function paramsStruct(sig: KernelSignature): string {
  const fields: string[] = [];
  let at = 0, pad = 0;
  for (const { name, field, offset } of sig.layout) {
    while (at < offset) { fields.push(`_pad${pad++}: u32`); at += 4; }
    if (typeof field === 'string') { fields.push(`${name}: ${field}`); at += 4; } else { fields.push(`${name}: array<vec4<${field[0]}>, ${Math.ceil(field[1] / 4)}>`); at += Math.ceil(field[1] / 4) * 16; }
  }
  return `struct Params { ${fields.join(', ')}${fields.length ? ',' : '_pad0: u32,'} }`;
}

function arrayGetters(sig: KernelSignature): string[] {
  return sig.layout.filter((l) => typeof l.field !== 'string')
    .map((l) => `fn P_${l.name}(i: u32) -> ${(l.field as readonly [Word, number])[0]} { return P.${l.name}[i / 4u][i % 4u]; }`);
}

/**
 * `X_ld(i)` (and `X_ld4(j)` for vec4 buffers) of a half-width buffer: element e = at + i is half e & 1 of word
 * e >> 1; a vec4 is the two words of elements 4j..4j+3 (at is a multiple of 4, as for f32 vec4 reads).
 */
function halfAccessors(b: BufferDecl, word: (w: string) => string, at: string): string[] {
  const e = at === '0u' ? 'i' : `(${at} + i)`;
  const out = [`fn ${b.name}_ld(i: u32) -> f32 { return unpack2x16float(${word(`${e} >> 1u`)})[${e} & 1u]; }`];
  if (b.vec4) {
    const w0 = at === '0u' ? '2u * j' : `(${at} >> 1u) + 2u * j`;
    out.push(`fn ${b.name}_ld4(j: u32) -> vec4<f32> { return vec4<f32>(unpack2x16float(${word(w0)}), unpack2x16float(${word(`${w0} + 1u`)})); }`);
  }
  return out;
}

/**
 * How a kernel binds when dispatches share the network's bind group: `declarations` declares the
 * physical bindings (the heap, the weights, caller tensors, the parameter words with
 * `fn wgml_word(i: u32) -> u32` to read them) and
 * `bindings[k]` names the one holding buffer k. Where in it (an element offset) and the parameters come
 * from the parameter block at word `wgml_params_at`, an override constant fixed per pipeline: the
 * {@link packShared} layout, so the same pipeline serves another input size of the same network.
 */
export type BindMode =
  | { kind: 'groups' }
  | { kind: 'shared'; declarations: string | ((vec4Bindings: ReadonlySet<string>) => string); bindings: readonly string[] };

/**
 * Words of a kernel's 'shared' parameter block that its pipeline takes as override constants `wgml_k<word>`:
 * every integer parameter and every buffer offset. Floats stay reads of the parameter buffer: a
 * constant-expression float may not be infinite or NaN, and masks pass -inf.
 */
export function sharedConstantWords(sig: KernelSignature): number[] {
  const out: number[] = [];
  for (const { field, offset } of sig.layout) {
    const w = offset / 4;
    if (typeof field === 'string') { if (field !== 'f32') out.push(w); continue; }
    if (field[0] !== 'f32') for (let q = 0; q < 4 * Math.ceil(field[1] / 4); q++) out.push(w + q);
  }
  sig.buffers.forEach((_, k) => out.push(sig.paramBytes / 4 + k));
  return out.sort((a, b) => a - b);
}

/** The override constants of a 'shared' kernel's pipeline whose parameter block starts at word `paramsAt` of `words`. */
export function sharedConstants(sig: KernelSignature, words: Uint32Array, paramsAt: number): Record<string, number> {
  const out: Record<string, number> = { wgml_params_at: paramsAt };
  for (const w of sharedConstantWords(sig)) out[`wgml_k${w}`] = words[paramsAt + w]!;
  return out;
}

/** The 'shared' parameter block: the parameters as packParams lays them out, then one word per buffer: its element offset. */
export function packShared(sig: KernelSignature, values: ParamValues, offsets: readonly number[]): ArrayBuffer {
  if (offsets.length !== sig.buffers.length) throw new Error(`${offsets.length} offsets for ${sig.buffers.length} buffers`);
  const buf = new ArrayBuffer(sig.paramBytes + 4 * offsets.length);
  new Uint8Array(buf).set(new Uint8Array(packParams(sig, values)));
  new Uint32Array(buf, sig.paramBytes).set(offsets);
  return buf;
}

/**
 * The WGSL of a kernel: declarations from the signature, then `requires` and the body.
 * `access` has one letter per buffer: 'r' binds it read-only storage, 'w' read_write (a buffer the
 * kernel only reads still binds writable when it lives in a written buffer such as the heap: WebGPU
 * tracks storage usage per buffer, not per range). 'shared' mode is described at {@link BindMode}.
 */
export function kernelWgsl(sig: KernelSignature, access: string, src: { body: string; requires?: readonly WgslModule[]; enables?: readonly string[] }, mode: BindMode = { kind: 'groups' }): string {
  if (access.length !== sig.buffers.length) throw new Error(`access '${access}' does not name each of ${sig.buffers.length} buffers`);
  sig.buffers.forEach((b, k) => { if (b.writes && access[k] !== 'w') throw new Error(`buffer '${b.name}' is written by the kernel but bound read-only`); });
  sig.buffers.forEach((b, k) => { if (b.half && (b.writes || access[k] === 'w' || b.elem !== 'f32')) throw new Error(`buffer '${b.name}' is half-width: it must be an f32 buffer bound read-only`); });
  const hasParams = sig.layout.length > 0;
  const decl: string[] = [];
  if (mode.kind === 'groups') {
    decl.push(paramsStruct(sig));
    const bindings = [
      ...(hasParams ? [{ name: 'P', kind: 'uniform' as const, type: 'Params' }] : []),
      ...sig.buffers.map((b, k) => ({ name: b.name, kind: access[k] === 'w' ? 'read_write' as const : 'read' as const, type: b.half ? 'array<u32>' : b.vec4 ? `array<vec4<${b.elem}>>` : `array<${b.elem}>` })),
    ];
    sig.buffers.forEach((b, k) => {
      const w = access[k] === 'w';
      if (b.half) decl.push(...halfAccessors(b, (word) => `${b.name}[${word}]`, '0u'));
      else if (b.vec4) {
        decl.push(`fn ${b.name}_ld(i: u32) -> ${b.elem} { return ${b.name}[i >> 2u][i & 3u]; }`, `fn ${b.name}_ld4(j: u32) -> vec4<${b.elem}> { return ${b.name}[j]; }`);
        if (w) decl.push(`fn ${b.name}_st(i: u32, v: ${b.elem}) { ${b.name}[i >> 2u][i & 3u] = v; }`, `fn ${b.name}_st4(j: u32, v: vec4<${b.elem}>) { ${b.name}[j] = v; }`);
      } else {
        decl.push(`fn ${b.name}_ld(i: u32) -> ${b.elem} { return ${b.name}[i]; }`);
        if (w) decl.push(`fn ${b.name}_st(i: u32, v: ${b.elem}) { ${b.name}[i] = v; }`);
      }
    });
    decl.push(...arrayGetters(sig), `fn wgml_init() -> Params { return ${hasParams ? 'P' : 'Params(0u)'}; }`);
    return resolveWgsl({ bindings, requires: src.requires, enables: src.enables, body: `${decl.join('\n')}\n${src.body}` });
  }
  // shared: physical bindings come from the network (mode.declarations); buffers are offsets into them.
  const conv = (w: Word, e: string) => (w === 'u32' ? e : `bitcast<${w}>(${e})`);
  const back = (w: Word, v: string) => (w === 'u32' ? v : `bitcast<u32>(${v})`);
  // P is also a module-scope private copy for helper functions; main's `let P = wgml_init();` is built
  // from uniform loads only, so branching on it before a barrier passes WGSL's uniformity analysis
  // (a private variable never does).
  decl.push(paramsStruct(sig), 'var<private> P: Params;');
  // Integer parameters and buffer offsets are override constants of the site's pipeline (sharedConstantWords):
  // the driver compiles constant shapes and offsets (EfficientNet's kernels ran ~10% faster alone on an H200
  // than with per-dispatch parameters, bench/recording-2026-12-02).
  const constant = new Set(sharedConstantWords(sig));
  decl.push('override wgml_params_at: u32;', ...[...constant].map((w) => `override wgml_k${w}: u32;`));
  const word = (w: number) => (constant.has(w) ? `wgml_k${w}` : `wgml_word(wgml_params_at + ${w}u)`);
  // A physical binding some buffer reads four at a time is declared array<vec4<u32>> (in this shader;
  // the bind group does not care): every buffer on it then addresses vector components.
  const wide = new Set(sig.buffers.filter((b) => b.vec4 && !b.half).map((b) => mode.bindings[sig.buffers.indexOf(b)]!));
  const conv4 = (w: Word, e: string) => (w === 'u32' ? e : `bitcast<vec4<${w}>>(${e})`);
  sig.buffers.forEach((b, k) => {
    const phys = mode.bindings[k]!;
    const el = (i: string) => (wide.has(phys) ? `${phys}[(${b.name}_at + ${i}) >> 2u][(${b.name}_at + ${i}) & 3u]` : `${phys}[${b.name}_at + ${i}]`);
    decl.push(`var<private> ${b.name}_at: u32;`);
    // A half-width buffer's offset counts halves (runtime/shared.ts placeBinding): word = (at + i) / 2.
    if (b.half) { decl.push(...halfAccessors(b, (word) => (wide.has(phys) ? `${phys}[(${word}) >> 2u][(${word}) & 3u]` : `${phys}[${word}]`), `${b.name}_at`)); return; }
    decl.push(`fn ${b.name}_ld(i: u32) -> ${b.elem} { return ${conv(b.elem, el('i'))}; }`);
    if (access[k] === 'w') decl.push(`fn ${b.name}_st(i: u32, v: ${b.elem}) { ${el('i')} = ${back(b.elem, 'v')}; }`);
    if (b.vec4) {
      decl.push(`fn ${b.name}_ld4(j: u32) -> vec4<${b.elem}> { return ${conv4(b.elem, `${phys}[(${b.name}_at >> 2u) + j]`)}; }`);
      if (access[k] === 'w') decl.push(`fn ${b.name}_st4(j: u32, v: vec4<${b.elem}>) { ${phys}[(${b.name}_at >> 2u) + j] = ${b.elem === 'u32' ? 'v' : 'bitcast<vec4<u32>>(v)'}; }`);
    }
  });
  decl.push(...arrayGetters(sig));
  const loads = sig.layout.flatMap(({ name, field, offset }) => {
    const w = offset / 4;
    if (typeof field === 'string') return [`p.${name} = ${conv(field, word(w))};`];
    return Array.from({ length: Math.ceil(field[1] / 4) }, (_, q) => {
      const v = `vec4<u32>(${[0, 1, 2, 3].map((c) => word(w + q * 4 + c)).join(', ')})`;
      return `p.${name}[${q}] = ${field[0] === 'u32' ? v : `bitcast<vec4<${field[0]}>>(${v})`};`;
    });
  });
  decl.push(`fn wgml_load_params() -> Params {\n  var p: Params;${loads.length ? `\n  ${loads.join('\n  ')}` : ''}\n  return p;\n}`);
  const at = sig.buffers.map((b, k) => `${b.name}_at = ${word(sig.paramBytes / 4 + k)};`);
  decl.push(`fn wgml_init() -> Params {\n  let p = wgml_load_params();\n  P = p;${at.length ? `\n  ${at.join('\n  ')}` : ''}\n  return p;\n}`);
  if (typeof mode.declarations === 'string' && wide.size) throw new Error(`buffers read four at a time need declarations that can declare ${[...wide].join(', ')} as vec4 arrays`);
  const declarations = typeof mode.declarations === 'string' ? mode.declarations : mode.declarations(wide);
  return resolveWgsl({ bindings: [], requires: src.requires, enables: src.enables, body: `${declarations}\n${decl.join('\n')}\n${src.body}` });
}
