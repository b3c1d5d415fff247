#!/usr/bin/env node
/**
 * Rewrites a float ONNX model the way onnxruntime's `quantize_dynamic` does for MatMul (its default, and
 * the form of the `*_quantized.onnx` models transformers.js ships): every MatMul whose B is a 2-D float
 * initializer becomes DynamicQuantizeLinear(A) → MatMulInteger(A_q, B_q, A_zp, 0) → Cast(float) ·
 * (A_scale · B_scale), with B quantized to int8, symmetric, per tensor. For benchmarks and checks
 * against onnxruntime when its Python quantizer is not at hand; not part of wgml.
 *   npx tsc -p . && node bench/quant/quantize-dynamic.mjs in.onnx out.onnx
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { protoType } from '../../dist/onnx/proto.js';
import { tensorFromProto } from '../../dist/onnx/tensor-proto.js';

const [src, dst] = process.argv.slice(2);
if (!src || !dst) { console.error('usage: quantize-dynamic.mjs in.onnx out.onnx'); process.exit(2); }
const T = protoType('ModelProto');
const model = T.toObject(T.decode(readFileSync(src)), { defaults: false });
const g = model.graph;
const inits = new Map(g.initializer.map((t) => [t.name, t]));
const FLOAT = 1, INT8 = 3;
const nodes = [];
let count = 0;
for (const n of g.node) {
  const w = n.op_type === 'MatMul' && (n.domain ?? '') === '' ? inits.get(n.input[1]) : undefined;
  if (!w || w.data_type !== FLOAT || w.dims.length !== 2) { nodes.push(n); continue; }
  const t = tensorFromProto(w);
  let amax = 0;
  for (const v of t.data) amax = Math.max(amax, Math.abs(v));
  const scale = Math.fround(amax / 127 || 1);
  const q = Int8Array.from(t.data, (v) => Math.max(-127, Math.min(127, Math.round(v / scale))));
  const p = `${n.name || n.output[0]}_q`;
  g.initializer.push(
    { name: `${p}_B`, data_type: INT8, dims: w.dims, raw_data: new Uint8Array(q.buffer) },
    { name: `${p}_Bs`, data_type: FLOAT, dims: [], float_data: [scale] },
    { name: `${p}_Bz`, data_type: INT8, dims: [], int32_data: [0] },
  );
  nodes.push(
    { op_type: 'DynamicQuantizeLinear', input: [n.input[0]], output: [`${p}_A`, `${p}_As`, `${p}_Az`], name: `${p}_dql` },
    { op_type: 'MatMulInteger', input: [`${p}_A`, `${p}_B`, `${p}_Az`, `${p}_Bz`], output: [`${p}_Y`], name: `${p}_mmi` },
    { op_type: 'Mul', input: [`${p}_As`, `${p}_Bs`], output: [`${p}_s`], name: `${p}_scale` },
    { op_type: 'Cast', input: [`${p}_Y`], output: [`${p}_Yf`], name: `${p}_cast`, attribute: [{ name: 'to', type: 2, i: FLOAT }] },
    { op_type: 'Mul', input: [`${p}_Yf`, `${p}_s`], output: n.output, name: `${p}_mul` },
  );
  count++;
}
g.node = nodes;
// the float weights nothing reads any more
const read = new Set(nodes.flatMap((n) => n.input));
g.initializer = g.initializer.filter((t) => read.has(t.name));
writeFileSync(dst, T.encode(T.fromObject(model)).finish());
console.log(`${count} MatMuls quantized (int8 weights, uint8 dynamic activations) → ${dst}`);
