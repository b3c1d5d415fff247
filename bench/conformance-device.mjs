#!/usr/bin/env node
// The ONNX backend node tests (libonnx-testdata) on whatever device wgml gets — the conformance run of
// test/conformance.test.ts for a GPU machine without vitest (the H200: bench/h200-conformance.sh). Same
// rules: constant-like operands promoted to initializers, whole-graph runModel, rtol 1e-3 / atol 1e-4 for
// floats, exact otherwise. Prints one line per case that does not pass and a summary; with OUT set, writes
// OUT/conformance.json.   node bench/conformance-device.mjs [DATA_ROOT]   (needs `npx tsc -p .`)
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as wgml from '../dist/index.js';
import { parseTensorProto } from '../dist/onnx/tensor-proto.js';
import { lookupOp } from '../dist/ops/registry.js';
import { isFloat } from '../dist/ir/types.js';

const root = process.argv[2] ?? '/usr/share/libonnx-testdata/data';
const SUITES = ['node', 'simple', 'pytorch-converted', 'pytorch-operator'];
const numbered = (dir, p) => readdirSync(dir).filter((f) => f.startsWith(p) && f.endsWith('.pb')).sort((a, b) => Number(a.slice(p.length, -3)) - Number(b.slice(p.length, -3)));
const asDeclared = (t, dtype) => {
  if (dtype !== 'bfloat16' || t.dtype !== 'uint16') return t;
  const f = new Float32Array(t.data.length), u = new Uint32Array(f.buffer);
  t.data.forEach((v, i) => { u[i] = (v & 0xffff) << 16; });
  return { dtype: 'bfloat16', shape: t.shape, data: f };
};
function compare(got, exp) {
  if (!got) return 'missing';
  if (got.dtype !== exp.dtype || got.shape.join() !== exp.shape.join()) return `${got.dtype} [${got.shape}] against ${exp.dtype} [${exp.shape}]`;
  const rtol = exp.dtype === 'bfloat16' ? 2 ** -7 : 1e-3, float = isFloat(exp.dtype);
  for (let i = 0; i < exp.data.length; i++) {
    const a = got.data[i], e = exp.data[i];
    const ok = float ? (a === e || (Number.isNaN(a) && Number.isNaN(e)) || Math.abs(a - e) <= 1e-4 + rtol * Math.abs(e)) : a === e;
    if (!ok) return `element ${i}: got ${a}, expected ${e}`;
  }
  return null;
}
const device = await wgml.requestDevice({ quiet: true });
const info = wgml.deviceInfo(device);
const counts = { pass: 0, fail: 0, refused: 0, unimplemented: 0 }, rows = [];
for (const suite of SUITES) {
  if (!existsSync(join(root, suite))) continue;
  for (const d of readdirSync(join(root, suite)).sort()) {
    const dir = join(root, suite, d), set = join(dir, 'test_data_set_0');
    if (!existsSync(join(dir, 'model.onnx')) || !existsSync(set)) continue;
    const name = suite === 'node' ? d : `${suite}/${d}`;
    let status, detail = '';
    try {
      const g = await wgml.loadOnnx(readFileSync(join(dir, 'model.onnx')));
      if (g.nodes.some((n) => !lookupOp(n.opType, n.domain, g.opsets[n.domain] ?? 1))) { counts.unimplemented++; continue; }
      const ins = numbered(set, 'input_').map((f) => parseTensorProto(readFileSync(join(set, f))));
      const outs = numbered(set, 'output_').map((f) => parseTensorProto(readFileSync(join(set, f))));
      const feeds = Object.fromEntries(g.inputs.flatMap((v, i) => (ins[i] ? [[v.name, asDeclared(ins[i], v.dtype)]] : [])));
      for (const n of g.nodes) for (const i of lookupOp(n.opType, n.domain, g.opsets[n.domain] ?? 1)?.constInputs ?? []) {
        const v = n.inputs[i];
        if (v && feeds[v] && g.inputs.some((x) => x.name === v)) { g.initializers.set(v, feeds[v]); delete feeds[v]; g.inputs = g.inputs.filter((x) => x.name !== v); }
      }
      const got = await wgml.runModel(device, g, feeds);
      const errs = g.outputs.map((o, i) => (outs[i] ? compare(got[o.name], asDeclared(outs[i], o.dtype)) : null)).filter((x) => x);
      status = errs.length ? 'fail' : 'pass'; detail = errs.join('; ');
    } catch (e) {
      const refusal = e instanceof wgml.WgmlError && !(e instanceof wgml.GpuValidationError) && !(e instanceof wgml.DeviceLostError);
      status = refusal ? 'refused' : 'fail'; detail = `${e.name}: ${e.message.split('\n')[0]}`;
    }
    counts[status]++;
    rows.push({ name, status, detail });
    if (status === 'fail') console.log(`FAIL ${name}: ${detail}`);
  }
}
const summary = { adapter: info.adapter?.description || info.adapter?.device || '', ...counts };
console.log(JSON.stringify(summary));
if (process.env.OUT) writeFileSync(join(process.env.OUT, 'conformance.json'), JSON.stringify({ summary, rows }, null, 1));
