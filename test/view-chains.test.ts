/**
 * View chains (passes/view-chains.ts with the op table's view rules) against running the same chains
 * of Transpose/Reshape/Slice/Gather/Split/Expand nodes through their CPU references.
 */
import { describe, it, expect } from 'vitest';
import type { Graph, HostTensor, Node, ValueType } from '../src/ir/types.js';
import { hostTensor } from '../src/ir/types.js';
import { gatherView, scatterView } from '../src/ir/view.js';
import { producers, resolveInputView, resolveOutputView } from '../src/passes/view-chains.js';
import { consumers } from '../src/passes/graph-util.js';
import { viewRules } from '../src/runtime/view-rules.js';
import { referenceNode } from '../src/runtime/single.js';
import { rng, testSeed } from './helpers/random.js';

const ints = (v: number[]) => hostTensor('int64', [v.length], v);
const node = (opType: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node => ({ name: outputs[0]!, opType, domain: '', inputs, outputs, attrs });
const perm = (p: number[]) => ({ perm: { kind: 'ints' as const, value: p } });

/** Runs the nodes in order on the CPU; returns every value and its type. */
function run(nodes: Node[], x: HostTensor, constants: Map<string, HostTensor>): { values: Map<string, HostTensor>; types: Map<string, ValueType> } {
  const values = new Map<string, HostTensor>([['x', x], ...constants]);
  for (const n of nodes) {
    const outs = referenceNode(n, n.inputs.map((i) => (i ? values.get(i)! : null)));
    n.outputs.forEach((o, k) => values.set(o, outs[k]!));
  }
  const types = new Map([...values].map(([k, v]) => [k, { dtype: v.dtype, shape: v.shape }]));
  return { values, types };
}

function graphOf(nodes: Node[], out: string, constants: Map<string, HostTensor>): Graph {
  return { name: 't', inputs: [{ name: 'x', dtype: 'float32', shape: [] }], outputs: [{ name: out, dtype: 'float32', shape: [] }], nodes, initializers: constants, valueInfo: new Map(), opsets: { '': 17 } };
}

describe('view chains', () => {
  it('a consumer reads q, k and v of a packed QKV projection through one view each (the attention case)', () => {
    const S = 5, H = 2, D = 3, E = H * D;
    const r = rng(testSeed());
    const x = hostTensor('float32', [S, 3 * E], Array.from({ length: S * 3 * E }, () => r()));
    const c = new Map<string, HostTensor>([
      ['s0', ints([0])], ['s1', ints([E])], ['s2', ints([2 * E])], ['s3', ints([3 * E])], ['ax', ints([1])],
      ['shp', ints([S, H, D])], ['three', hostTensor('int64', [], [1])],
    ]);
    const nodes = [
      node('Slice', ['x', 's1', 's2', 'ax'], ['k0']),           // k = x[:, E:2E]
      node('Reshape', ['k0', 'shp'], ['k1']),                   // [S, H, D]
      node('Transpose', ['k1'], ['k2'], perm([1, 2, 0])),       // [H, D, S]: Kᵀ per head
      node('Unsqueeze', ['k2', 's0'], ['k3']),                  // [1, H, D, S]
      node('Gather', ['k3', 'three'], ['k4'], { axis: { kind: 'int', value: 1 } }), // head 1: [1, D, S]
    ];
    const { values, types } = run(nodes, x, c);
    const g = graphOf(nodes, 'k4', c);
    const rules = viewRules(g, types, c);
    const got = resolveInputView('k4', producers(g), types, rules);
    expect(got.base).toBe('x');
    expect(got.chain.length).toBe(5);
    expect(Array.from(gatherView(x.data as Float32Array, got.view))).toEqual(Array.from(values.get('k4')!.data));
  });

  it('stops where strides cannot express the chain, and starts again from there', () => {
    const x = hostTensor('float32', [2, 3, 4], Array.from({ length: 24 }, (_, i) => i));
    const c = new Map<string, HostTensor>([['shp', ints([6, 4])], ['shp2', ints([2, 12])]]);
    const nodes = [
      node('Transpose', ['x'], ['t'], perm([1, 0, 2])),  // [3, 2, 4]
      node('Reshape', ['t', 'shp'], ['r']),              // [6, 4]: (3,2) merge — 3's stride 4 ≠ 2·12: impossible as a view of x
      node('Reshape', ['r', 'shp2'], ['r2']),            // [2, 12]: a reshape of r, which is dense
    ];
    const { values, types } = run(nodes, x, c);
    const g = graphOf(nodes, 'r2', c);
    const got = resolveInputView('r2', producers(g), types, viewRules(g, types, c));
    expect(got.base).toBe('t'); // the Transpose must run (r is an alias of its output); r2 re-views it
    expect(Array.from(gatherView(values.get('t')!.data as Float32Array, got.view))).toEqual(Array.from(values.get('r2')!.data));
  });

  it('a producer writes through the inverse of a Transpose → Reshape chain (the attention output case)', () => {
    const B = 1, H = 3, S = 4, D = 2;
    const x = hostTensor('float32', [B, H, S, D], Array.from({ length: B * H * S * D }, (_, i) => i * 0.5));
    const c = new Map<string, HostTensor>([['shp', ints([B * S, H * D])]]);
    const nodes = [
      node('Transpose', ['x'], ['t'], perm([0, 2, 1, 3])), // [B, S, H, D]
      node('Reshape', ['t', 'shp'], ['y']),                // [B·S, H·D]
    ];
    const { values, types } = run(nodes, x, c);
    const g = graphOf(nodes, 'z', c); // y is not a graph output
    const res = resolveOutputView('x', consumers(g), new Set(['z']), types, viewRules(g, types, c))!;
    expect(res.target).toBe('y');
    const mem = new Float32Array(B * S * H * D);
    scatterView(mem, res.view, x.data);
    expect(Array.from(mem)).toEqual(Array.from(values.get('y')!.data));
  });

  it('random permutation chains: input and output views agree with the references', () => {
    const r = rng(testSeed() + 1);
    for (let trial = 0; trial < 30; trial++) {
      const shape = [1 + Math.floor(r() * 3), 2 + Math.floor(r() * 3), 1 + Math.floor(r() * 4)];
      const n = shape.reduce((a, b) => a * b, 1);
      const x = hostTensor('float32', shape, Array.from({ length: n }, (_, i) => i));
      const p1 = [0, 1, 2].sort(() => r() - 0.5), p2 = [0, 1].sort(() => r() - 0.5);
      const mid = p1.map((k) => shape[k]!);
      const c = new Map<string, HostTensor>([['shp', ints([mid[0]! * mid[1]!, mid[2]!])]]);
      const nodes = [node('Transpose', ['x'], ['a'], perm(p1)), node('Reshape', ['a', 'shp'], ['b']), node('Transpose', ['b'], ['y'], perm(p2))];
      const { values, types } = run(nodes, x, c);
      const g = graphOf(nodes, 'z', c);
      const rules = viewRules(g, types, c);
      const inV = resolveInputView('y', producers(g), types, rules);
      expect(Array.from(gatherView(values.get(inV.base)!.data as Float32Array, inV.view))).toEqual(Array.from(values.get('y')!.data));
      const outV = resolveOutputView('x', consumers(g), new Set(['z']), types, rules);
      if (!outV) continue;
      const mem = new Float32Array(n);
      scatterView(mem, outV.view, x.data);
      expect(Array.from(mem)).toEqual(Array.from(values.get(outV.target)!.data));
    }
  });
});
