/**
 * TfIdfVectorizer — https://onnx.ai/onnx/operators/onnx__TfIdfVectorizer.html (opset 9)
 * N-gram counts of token ids: X [C] or [N, C] (int32/int64; strings are refused at load with every string
 * tensor) → Y [max(ngram_indexes) + 1] or [N, that], float. The pool (`pool_int64s`, split by `ngram_counts`
 * into 1-grams, 2-grams, …) lists the n-grams counted; n-gram j of the pool (in that order) counts into output
 * `ngram_indexes[j]`. As onnxruntime counts: a 1-gram once per position; an n-gram of n ≥ 2 once per start
 * position and per skip distance d = 1 … max_skip_count + 1, its items d apart; only lengths in
 * [min_gram_length, max_gram_length]. Modes: TF the counts, IDF weight (or 1) where the count is positive,
 * TFIDF count · weight, weights indexed by output position as onnxruntime does.
 * GPU: one thread per output element scans its row for the n-grams that count into it; the pool is compiled
 * into the shader (it is an attribute, so part of the kernel's key).
 */
import { signature } from '../../gpu/signature.js';
import { hostTensor, type HostTensor } from '../../ir/types.js';
import type { Attrs } from '../../ir/attrs.js';
import { floatLit } from '../../gpu/wgsl-literal.js';
import { declaredKernel, dispatch1d, type InferContext, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';

interface A { mode: 'TF' | 'IDF' | 'TFIDF'; minN: number; maxN: number; skips: number; grams: { items: number[]; out: number }[]; size: number; weights: number[] | null }

const WG = 64;
const SIG = signature({ params: { rows: 'u32', C: 'u32', size: 'u32' }, buffers: [{ name: 'X', elem: 'i32' }, { name: 'Y', elem: 'f32', writes: true }] });

function attrs(a: Attrs): A {
  const mode = a.string('mode', '');
  if (mode !== 'TF' && mode !== 'IDF' && mode !== 'TFIDF') throw a.error(`mode '${mode}'`, 'give mode TF, IDF or TFIDF');
  const minN = a.int('min_gram_length', 0), maxN = a.int('max_gram_length', 0), skips = a.int('max_skip_count', -1);
  const counts = a.has('ngram_counts') ? a.ints('ngram_counts') : [], indexes = a.has('ngram_indexes') ? a.ints('ngram_indexes') : [];
  if (a.has('pool_strings')) throw a.error('a pool of strings', 'wgml counts token ids: give pool_int64s');
  const pool = a.has('pool_int64s') ? a.ints('pool_int64s') : [];
  if (!(minN >= 1 && maxN >= minN && maxN <= counts.length && skips >= 0)) throw a.error(`gram lengths ${minN}…${maxN} over ${counts.length} ngram_counts, max_skip_count ${skips}`, 'give 1 ≤ min_gram_length ≤ max_gram_length ≤ the number of ngram_counts, and max_skip_count ≥ 0');
  if (!pool.length || !indexes.length || indexes.some((i) => i < 0)) throw a.error('an empty pool or ngram_indexes, or a negative index', 'give the pool and one non-negative output index per n-gram');
  // The pool's n-grams in order, each with its output index; lengths outside [minN, maxN] take ids but never count.
  const grams: A['grams'] = [];
  let id = 0;
  counts.forEach((start, k) => {
    const n = k + 1, end = k + 1 < counts.length ? counts[k + 1]! : pool.length;
    if (!(start >= 0 && end >= start && end <= pool.length) || (end - start) % n) throw a.error(`ngram_counts ${k} (${start}…${end}) does not hold whole ${n}-grams of the pool`, 'give ngram_counts as the pool offsets of the 1-grams, 2-grams, …');
    for (let p = start; p < end; p += n, id++) {
      if (id >= indexes.length) throw a.error(`the pool has more n-grams than ngram_indexes (${indexes.length})`, 'give one output index per n-gram of the pool');
      if (n >= minN && n <= maxN) grams.push({ items: pool.slice(p, p + n), out: indexes[id]! });
    }
  });
  const weights = a.has('weights') ? a.floats('weights') : null;
  if (weights && weights.length !== indexes.length) throw a.error(`${weights.length} weights for ${indexes.length} ngram_indexes`, 'give one weight per n-gram');
  return { mode, minN, maxN, skips, grams, size: Math.max(...indexes) + 1, weights };
}

function rows(ctx: InferContext): { N: number; C: number; batched: boolean } {
  const s = ctx.inputs[0]!.shape;
  if (s.length > 2) throw ctx.error(`X has shape [${s.join(', ')}]`, 'TfIdfVectorizer takes [C] or [N, C] token ids');
  if (ctx.inputs[0]!.dtype !== 'int32' && ctx.inputs[0]!.dtype !== 'int64') throw ctx.error(`X is ${ctx.inputs[0]!.dtype}`, 'TfIdfVectorizer counts int32 or int64 token ids');
  return s.length === 2 ? { N: s[0]!, C: s[1]!, batched: true } : { N: 1, C: s[0] ?? 1, batched: false };
}

/** The count of n-gram `items` in `row` (length C), as onnxruntime counts it. */
function count(row: (p: number) => number, C: number, items: number[], skips: number): number {
  const n = items.length;
  let c = 0;
  for (let d = 1; d <= (n === 1 ? 1 : skips + 1); d++) {
    for (let p = 0; p + (n - 1) * d < C; p++) if (items.every((v, k) => row(p + k * d) === v)) c++;
  }
  return c;
}

const weigh = (a: A, c: number, o: number) => (a.mode === 'TF' ? c : a.mode === 'IDF' ? (c > 0 ? a.weights?.[o] ?? 1 : 0) : c * (a.weights?.[o] ?? 1));

export const TfIdfVectorizer: OpDef<A> = {
  type: 'TfIdfVectorizer', opsets: [9, 99],
  attrs,
  infer(ctx, a) {
    const r = rows(ctx);
    return [{ dtype: 'float32', shape: r.batched ? [r.N, a.size] : [a.size] }];
  },
  reference([x], a, ctx): HostTensor[] {
    const r = rows(ctx);
    const y = hostTensor('float32', r.batched ? [r.N, a.size] : [a.size]);
    for (let b = 0; b < r.N; b++) {
      const counts = new Array(a.size).fill(0);
      for (const g of a.grams) counts[g.out] += count((p) => x!.data[b * r.C + p]!, r.C, g.items, a.skips);
      counts.forEach((c, o) => { y.data[b * a.size + o] = weigh(a, c, o); });
    }
    return [y];
  },
  gpu(ctx, a) {
    const r = rows(ctx), n = r.N * a.size;
    if (!n) return { kernels: [] };
    // per output index, the n-grams counting into it: flat items, and (start, length) per n-gram
    const byOut = Array.from({ length: a.size }, (_, o) => a.grams.filter((g) => g.out === o));
    const items = a.grams.length ? byOut.flat().flatMap((g) => g.items) : [0];
    const starts: number[] = [], lens: number[] = [], first = [0];
    let at = 0;
    for (const list of byOut) { for (const g of list) { starts.push(at); lens.push(g.items.length); at += g.items.length; } first.push(starts.length); }
    const arr = (t: string, v: number[]) => `array<${t}, ${Math.max(1, v.length)}>(${(v.length ? v : [0]).map((x) => (t === 'f32' ? floatLit(Math.fround(x)) : `${x}${t === 'u32' ? 'u' : 'i'}`)).join(', ')})`;
    const weighed = a.mode === 'TF' ? 'c' : a.mode === 'IDF' ? `select(0.0, ${a.weights ? 'W[o]' : '1.0'}, c > 0.0)` : `c * ${a.weights ? 'W[o]' : '1.0'}`;
    const body = `const ITEMS = ${arr('i32', items)};
const START = ${arr('u32', starts)};
const LEN = ${arr('u32', lens)};
const FIRST = ${arr('u32', first)};
${a.weights ? `const W = ${arr('f32', a.weights)};` : ''}
${perItemMain(WG, 'i', 'P.rows * P.size', `  let b = i / P.size; let o = i % P.size;
  let row = b * P.C;
  var c = 0.0;
  for (var g = FIRST[o]; g < FIRST[o + 1u]; g++) {
    let s = START[g]; let n = LEN[g];
    let dMax = select(${a.skips + 1}u, 1u, n == 1u);
    for (var d = 1u; d <= dMax; d++) {
      for (var p = 0u; p + (n - 1u) * d < P.C; p++) {
        var hit = true;
        for (var k = 0u; k < n && hit; k++) { hit = X_ld(row + p + k * d) == ITEMS[s + k]; }
        if (hit) { c += 1.0; }
      }
    }
  }
  Y_st(i, ${weighed});`)}`;
    return { kernels: [declaredKernel({
      name: 'tfidf_vectorizer', key: `tfidf|${a.mode}|${a.skips}|${JSON.stringify(a.grams)}|${a.weights?.join(',') ?? ''}`, sig: SIG,
      params: { rows: r.N, C: r.C, size: a.size }, args: [{ input: 0 }, { output: 0 }],
      workgroups: dispatch1d(n, WG, ctx.caps.maxComputeWorkgroupsPerDimension),
      source: () => ({ requires: [linearIndex(WG)], body }),
    })] };
  },
};
