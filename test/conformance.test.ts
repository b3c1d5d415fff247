/**
 * ONNX backend node tests (Debian's libonnx-testdata) on the GPU. Every case ends as exactly one of:
 * pass, fail (the test fails), refused (a typed WgmlError saying why), or unimplemented (an op wgml's
 * table lacks). test/conformance-report.md lists all of them per op, so nothing is skipped silently.
 */
import { describe, it, afterAll, expect } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Graph, HostTensor } from '../src/ir/types.js';
import { isFloat } from '../src/ir/types.js';
import { loadOnnx } from '../src/onnx/load.js';
import { unsupportedNodes } from '../src/onnx/check.js';
import { lookupOp, lookupFailure } from '../src/ops/registry.js';
import { runNode } from '../src/runtime/single.js';
import { DeviceLostError, GpuValidationError, WgmlError } from '../src/errors.js';
import { testDevice } from './helpers/gpu.js';
import { SUITES, listCases, loadCase, type TestCase } from './helpers/onnx-testdata.js';

type Status = 'pass' | 'fail' | 'refused' | 'unimplemented';
interface Result { name: string; status: Status; ops: string[]; detail: string; ms: number }

const RTOL = 1e-3, ATOL = 1e-4;
const REPORT = fileURLToPath(new URL('./conformance-report.md', import.meta.url));
const results: Result[] = [];
const cases = listCases();

type RunModel = (device: GPUDevice, model: Graph, inputs: Record<string, HostTensor>) => Promise<Record<string, HostTensor>>;
let runModel: RunModel | null | undefined;

/** The lead's whole-graph runner when it exists; until then each node runs on the GPU in turn. */
async function wholeGraphRunner(): Promise<RunModel | null> {
  if (runModel !== undefined) return runModel;
  const url = new URL('../src/runtime/run.ts', import.meta.url);
  runModel = existsSync(fileURLToPath(url)) ? ((await import(/* @vite-ignore */ url.href)) as { runModel?: RunModel }).runModel ?? null : null;
  return runModel;
}

async function runNodeByNode(device: GPUDevice, g: Graph, feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>> {
  const values = new Map<string, HostTensor>([...g.initializers, ...Object.entries(feeds)]);
  const consts = new Set(g.initializers.keys());
  for (const n of g.nodes) {
    const ins = n.inputs.map((x) => (x ? values.get(x) ?? null : null));
    const outs = await runNode(device, n, ins, { opset: g.opsets[n.domain] ?? 1, constants: n.inputs.flatMap((x, i) => (consts.has(x) ? [i] : [])) });
    n.outputs.forEach((o, i) => { if (o && outs[i]) values.set(o, outs[i]!); });
    if (n.inputs.every((x) => !x || consts.has(x))) n.outputs.forEach((o) => consts.add(o));
  }
  return Object.fromEntries(g.outputs.map((o) => [o.name, values.get(o.name)!]));
}

function compare(got: HostTensor | undefined, exp: HostTensor, name: string): string | null {
  if (!got) return `output '${name}' missing`;
  if (got.dtype !== exp.dtype) return `output '${name}': dtype ${got.dtype}, expected ${exp.dtype}`;
  if (got.shape.join(',') !== exp.shape.join(',')) return `output '${name}': shape [${got.shape}], expected [${exp.shape}]`;
  const float = isFloat(exp.dtype);
  // bfloat16 is compared to one ulp: the test data was made by truncation, and wgml rounds (expected
  // values truncate where round-to-nearest differs by that ulp).
  const rtol = exp.dtype === 'bfloat16' ? 2 ** -7 : RTOL;
  let bad = 0, first = '';
  for (let i = 0; i < exp.data.length; i++) {
    const a = got.data[i]!, e = exp.data[i]!;
    const ok = float ? (a === e || (Number.isNaN(a) && Number.isNaN(e)) || Math.abs(a - e) <= ATOL + rtol * Math.abs(e)) : a === e;
    if (!ok && bad++ === 0) first = `element ${i}: got ${a}, expected ${e}`;
  }
  return bad ? `output '${name}': ${bad}/${exp.data.length} elements differ; ${first}` : null;
}

/** The message without its hint, on one line (UnsupportedOpsError lists its nodes on the lines below). */
/**
 * ONNX 1.12 stores bfloat16 test tensors as their uint16 bit patterns; read those as the bfloat16
 * values the model declares. Any other dtype mismatch is left for compare() to report.
 */
function asDeclared(t: HostTensor, dtype: string | undefined): HostTensor {
  if (dtype !== 'bfloat16' || t.dtype !== 'uint16') return t;
  const f = new Float32Array(t.data.length), u = new Uint32Array(f.buffer);
  t.data.forEach((v, i) => { u[i] = (v & 0xffff) << 16; });
  return { dtype: 'bfloat16', shape: t.shape, data: f };
}

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n  hint:')[0]!.replace(/\n\s*/g, ' ');
/** GPU validation errors and lost devices are wgml bugs, never refusals. */
const isRefusal = (e: unknown) => e instanceof WgmlError && !(e instanceof GpuValidationError) && !(e instanceof DeviceLostError);

/**
 * The backend tests feed shape-like operands (Reshape's shape, Slice's starts…) as graph inputs; in a
 * real model they are initializers, and wgml compiles them as constants. Inputs an op declares in
 * `constInputs` become initializers here; data operands stay graph inputs, so kernels still run.
 */
function promoteConstInputs(g: Graph, feeds: Record<string, HostTensor>): string[] {
  const moved = new Set<string>();
  for (const n of g.nodes) {
    const op = lookupOp(n.opType, n.domain, g.opsets[n.domain] ?? 1);
    for (const i of op?.constInputs ?? []) {
      const name = n.inputs[i];
      if (name && feeds[name] && g.inputs.some((v) => v.name === name)) moved.add(name);
    }
  }
  for (const name of moved) { g.initializers.set(name, feeds[name]!); delete feeds[name]; }
  g.inputs = g.inputs.filter((v) => !moved.has(v.name));
  return [...moved];
}

async function runCase(c: TestCase): Promise<Omit<Result, 'name' | 'ms'>> {
  let data, g: Graph;
  try {
    // The model first: its refusal (sequence/optional values) explains why the data files do not parse.
    g = await loadOnnx(readFileSync(join(c.dir, 'model.onnx')));
    data = loadCase(c);
  } catch (e) {
    if (isRefusal(e)) return { status: 'refused', ops: [], detail: `load: ${firstLine(e)}` };
    throw e;
  }
  const ops = [...new Set(g.nodes.map((n) => (n.domain ? `${n.domain}.` : '') + n.opType))];
  const missing = unsupportedNodes(g, { lookup: lookupOp, why: lookupFailure });
  if (missing.length) return { status: 'unimplemented', ops, detail: [...new Set(missing.map((m) => m.opType))].join(', ') };
  const feeds: Record<string, HostTensor> = Object.fromEntries(g.inputs.flatMap((v, i) => (data.inputs[i] ? [[v.name, asDeclared(data.inputs[i]!, v.dtype)]] : [])));
  const outputs = g.outputs.map((o) => o.name);
  const promoted = promoteConstInputs(g, feeds);
  // With no runtime input left, specialization folds everything: only the CPU reference is checked.
  const note = !promoted.length ? '' : g.inputs.length ? ` (constant inputs: ${promoted.join(', ')})` : ` (all inputs constant: ${promoted.join(', ')}; folded, CPU reference only)`;
  let outs: Record<string, HostTensor>;
  const device = await testDevice();
  try {
    const whole = await wholeGraphRunner();
    outs = whole ? await whole(device, g, feeds) : await runNodeByNode(device, g, feeds);
  } catch (e) {
    if (isRefusal(e)) return { status: 'refused', ops, detail: firstLine(e) + note };
    return { status: 'fail', ops, detail: `threw ${(e as Error).name}: ${firstLine(e)}${note}` };
  }
  const errs = outputs.map((o, i) => (data.outputs[i] ? compare(outs[o], asDeclared(data.outputs[i]!, g.outputs[i]?.dtype), o) : null)).filter((x) => x);
  return errs.length ? { status: 'fail', ops, detail: errs.join('; ') + note } : { status: 'pass', ops, detail: note.trim() };
}

function writeReport(): void {
  const count = (s: Status) => results.filter((r) => r.status === s).length;
  const perOp = new Map<string, Record<Status, number>>();
  for (const r of results) {
    for (const op of r.ops.length ? r.ops : ['(not loaded)']) {
      const row = perOp.get(op) ?? { pass: 0, fail: 0, refused: 0, unimplemented: 0 };
      row[r.status]++;
      perOp.set(op, row);
    }
  }
  const claimed = [...perOp].filter(([, r]) => r.pass + r.fail + r.refused > 0).sort(([a], [b]) => a.localeCompare(b));
  const lines = [
    '# ONNX backend node tests on wgml', '',
    `Generated by \`npx vitest run test/conformance.test.ts\` from ${cases.length} cases of libonnx-testdata (ONNX 1.12), suites ${SUITES.join(', ')}.`,
    `Tolerance: rtol ${RTOL}, atol ${ATOL} for float outputs (bfloat16: rtol 2^-7, one ulp); exact for integers and bools; bfloat16 test tensors stored as uint16 bits are read as bfloat16. Runner: ${runModel ? 'runModel (whole graph)' : 'runNode, node by node on the GPU'}.`, '',
    `**${count('pass')} passed, ${count('fail')} failed, ${count('refused')} refused, ${count('unimplemented')} use ops wgml does not implement**.`, '',
    '## Per op (cases whose ops are all implemented)', '', '| op | passed | failed | refused |', '|---|---|---|---|',
    ...claimed.map(([op, r]) => `| ${op} | ${r.pass} | ${r.fail} | ${r.refused} |`), '',
    '## Failed', '', ...results.filter((r) => r.status === 'fail').map((r) => `- \`${r.name}\` (${r.ops.join(', ')}): ${r.detail}`), '',
    '## Refused', '', ...results.filter((r) => r.status === 'refused').map((r) => `- \`${r.name}\`: ${r.detail.replace(/\|/g, '\\|')}`), '',
    '## Not implemented', '', 'Ops missing from the table, with the cases that need them:', '',
  ];
  const needs = new Map<string, string[]>();
  for (const r of results.filter((x) => x.status === 'unimplemented')) for (const op of r.detail.split(', ')) needs.set(op, [...(needs.get(op) ?? []), r.name]);
  for (const [op, names] of [...needs].sort(([a], [b]) => a.localeCompare(b))) lines.push(`- ${op} (${names.length}): ${names.join(', ')}`);
  // A filtered run (vitest -t) sees some cases only, and a run on a second device (WGML_REPORT=0,
  // scripts/test-swiftshader.sh) another device's: the committed report stays as it is.
  if (results.length === cases.length && process.env.WGML_REPORT !== '0') writeFileSync(REPORT, lines.join('\n') + '\n');
}

/**
 * Cases the committed report did not count as passing (refused, failed, or needing ops wgml lacks). A case
 * that passed there and is now refused is a regression even though refusals are typed: the test fails.
 */
function notPassingBefore(): Set<string> | null {
  if (!existsSync(REPORT)) return null;
  const names = new Set<string>();
  for (const line of readFileSync(REPORT, 'utf8').split('\n')) {
    const refused = /^- `([^`]+)`:/.exec(line);
    if (refused) names.add(refused[1]!);
    else if (/^- \w+ \(\d+\): /.test(line)) for (const n of line.slice(line.indexOf(':') + 1).split(',')) names.add(n.trim());
  }
  return names;
}
const before = notPassingBefore();

describe.skipIf(cases.length === 0)('ONNX backend node tests', () => {
  afterAll(() => writeReport());
  for (const c of cases) {
    it(c.name, async () => {
      const start = Date.now();
      const r = await runCase(c);
      results.push({ name: c.name, ...r, ms: Date.now() - start });
      expect(r.status === 'fail' ? r.detail : null, c.name).toBeNull();
      if (before && r.status !== 'pass') expect(before.has(c.name) ? null : `passed in the committed report, now ${r.status}: ${r.detail}`, c.name).toBeNull();
    });
  }
});
