/**
 * GEMM test helpers: nodes whose inputs/outputs are strided views (attributes the views pass writes),
 * and chains of elementwise nodes after a GEMM that fuseGemmEpilogues folds into it.
 */
import { expect } from 'vitest';
import type { AttrValue, Graph, HostTensor, Node, ValueType } from '../../../src/ir/types.js';
import { inputViewAttr, OUTPUT_VIEW_ATTR, viewAttr, type View } from '../../../src/ir/view.js';
import { opFacts } from '../../../src/ops/registry.js';
import { fuseElementwise } from '../../../src/passes/fuse-elementwise.js';
import { fuseGemmEpilogues } from '../../../src/passes/fuse-gemm-epilogue.js';
import { referenceNode, runNode } from '../../../src/runtime/single.js';
import { compareClose } from '../../helpers/random.js';
import { testDevice } from '../../helpers/gpu.js';
import { seed } from './util.js';

/** Attributes that re-view inputs (index → view) and the output. */
export function viewAttrs(inputs: Record<number, View>, out?: View): Record<string, AttrValue> {
  const a: Record<string, AttrValue> = {};
  for (const [i, v] of Object.entries(inputs)) a[inputViewAttr(Number(i))] = viewAttr(v);
  if (out) a[OUTPUT_VIEW_ATTR] = viewAttr(out);
  return a;
}

export const force = (choice: string): Record<string, AttrValue> => ({ wgml_gemm: { kind: 'string', value: choice } });

/** GPU vs CPU reference of one node; the kernel names it ran are not observable here, the values are. */
export async function checkNode(n: Node, inputs: (HostTensor | null)[], rtol = 1e-4, atol = 1e-5, opset = 17): Promise<HostTensor> {
  const device = await testDevice();
  const [gpu] = await runNode(device, n, inputs, { opset });
  const [ref] = referenceNode(n, inputs, opset);
  expect(gpu!.shape).toEqual(ref!.shape);
  expect(compareClose(gpu!.data, ref!.data, rtol, atol), `${n.opType} ${JSON.stringify(Object.keys(n.attrs))}, seed ${seed}`).toBeNull();
  return ref!;
}

/**
 * Fold the elementwise chain after `nodes[0]` (a MatMul/Gemm) into it with the real passes, then check
 * that the fused node equals the unfused chain: its CPU reference exactly, its GPU kernel within
 * tolerance. Returns the fused node.
 */
export async function checkFused(nodes: Node[], values: Map<string, HostTensor>, out: string, opts: { expectSteps?: string[] } = {}): Promise<Node> {
  const vals = new Map(values);
  const types = new Map<string, ValueType>([...vals].map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape }]));
  for (const n of nodes) {
    const outs = referenceNode(n, n.inputs.map((v) => (v ? vals.get(v)! : null)));
    n.outputs.forEach((o, k) => { vals.set(o, outs[k]!); types.set(o, { dtype: outs[k]!.dtype, shape: outs[k]!.shape }); });
  }
  const g: Graph = { name: 'g', nodes, inputs: [], outputs: [{ name: out, dtype: 'float32', shape: types.get(out)!.shape }], initializers: new Map(), valueInfo: new Map(), opsets: { '': 17 } };
  const fused = fuseGemmEpilogues(fuseElementwise(g, types, opFacts), types, opFacts);
  expect(fused.nodes.length, fused.nodes.map((n) => n.opType).join(', ')).toBe(1);
  const f = fused.nodes[0]!;
  expect(f.outputs).toEqual([out]);
  if (opts.expectSteps) expect((JSON.parse(f.attrs.wgml_epilogue!.value as string) as { steps: { op: string }[] }).steps.map((s) => s.op)).toEqual(opts.expectSteps);
  const ins = f.inputs.map((v) => (v ? vals.get(v)! : null));
  const [ref] = referenceNode(f, ins);
  expect(Array.from(ref!.data), 'the fused reference equals the chain').toEqual(Array.from(vals.get(out)!.data));
  const [gpu] = await runNode(await testDevice(), f, ins);
  expect(compareClose(gpu!.data, ref!.data, 1e-4, 1e-5), `seed ${seed}`).toBeNull();
  return f;
}
