/**
 * fuseLayerNorm on hand-built decompositions: the variants exporters write (Pow or Mul for the square,
 * Div or Reciprocal·Mul, scale/bias in either operand order, with leading 1s, or absent) fold into one
 * LayerNormalization equal to the chain; near misses (other axes, a runtime eps, an
 * intermediate read elsewhere, exponent 3) stay as they are. torch's own opset 13/14 exports are in
 * views-models.test.ts.
 */
import { describe, it, expect } from 'vitest';
import * as wgml from '../src/index.js';
import type { Graph, HostTensor, Node } from '../src/ir/types.js';
import { hostTensor } from '../src/ir/types.js';
import { specialize } from '../src/ir/infer.js';
import { opRules } from '../src/ops/registry.js';
import { fuseLayerNorm } from '../src/passes/fuse-layernorm.js';
import { referenceNode } from '../src/runtime/single.js';
import { testDevice } from './helpers/gpu.js';
import { graph, node, f32, int, ints } from './helpers/graph.js';
import { compareClose, rng, testSeed, randomTensors } from './helpers/random.js';

const seed = testSeed();
const r = rng(seed);
const rand = randomTensors(r);
const scalar = (v: number) => hostTensor('float32', [], [v]);

interface Variant { square?: 'pow' | 'mul'; inv?: 'div' | 'recip'; scale?: HostTensor | null; bias?: HostTensor | null; swap?: boolean; axes?: number[]; keepdims?: number; eps?: 'const' | 'input'; exponent?: number; leak?: boolean }

/** x [2, 3, 8] → the decomposition over `axes` (default the last) → y. */
function decomposed(v: Variant): Graph {
  const nodes: Node[] = [
    node('ReduceMean', ['x'], ['m'], { axes: ints(v.axes ?? [-1]), keepdims: int(v.keepdims ?? 1) }),
    node('Sub', ['x', 'm'], ['d']),
    v.square === 'mul' ? node('Mul', ['d', 'd'], ['q']) : node('Pow', ['d', 'two'], ['q']),
    node('ReduceMean', ['q'], ['var'], { axes: ints(v.axes ?? [-1]), keepdims: int(v.keepdims ?? 1) }),
    node('Add', v.swap ? ['eps', 'var'] : ['var', 'eps'], ['ve']),
    node('Sqrt', ['ve'], ['s']),
  ];
  if (v.inv === 'recip') nodes.push(node('Reciprocal', ['s'], ['rs']), node('Mul', v.swap ? ['rs', 'd'] : ['d', 'rs'], ['n']));
  else nodes.push(node('Div', ['d', 's'], ['n']));
  let last = 'n';
  if (v.scale) { nodes.push(node('Mul', v.swap ? ['sc', last] : [last, 'sc'], ['ns'])); last = 'ns'; }
  if (v.bias) { nodes.push(node('Add', v.swap ? ['bi', last] : [last, 'bi'], ['nb'])); last = 'nb'; }
  nodes.push(node('Identity', [last], ['y']));
  const inits: Record<string, HostTensor> = { two: scalar(v.exponent ?? 2) };
  if (v.eps !== 'input') inits.eps = scalar(1e-5);
  if (v.scale) inits.sc = v.scale;
  if (v.bias) inits.bi = v.bias;
  const outs = [f32('y', [2, 3, 8]), ...(v.leak ? [f32('d', [2, 3, 8])] : [])];
  return graph([f32('x', [2, 3, 8]), ...(v.eps === 'input' ? [f32('eps', [])] : [])], outs, nodes, inits, 13);
}

function fused(v: Variant): { g: Graph; before: Graph } {
  const sg = specialize(decomposed(v), {}, opRules);
  return { g: fuseLayerNorm(sg.graph, sg.types, sg.constants), before: sg.graph };
}

function cpuRun(g: Graph, inputs: Record<string, HostTensor>): Record<string, HostTensor> {
  const env = new Map<string, HostTensor>([...g.initializers, ...Object.entries(inputs)]);
  for (const n of g.nodes) {
    const outs = referenceNode(n, n.inputs.map((i) => (i ? env.get(i)! : null)), g.opsets[''] ?? 17);
    n.outputs.forEach((o, k) => env.set(o, outs[k]!));
  }
  return Object.fromEntries(g.outputs.map((o) => [o.name, env.get(o.name)!]));
}

describe('fuseLayerNorm', () => {
  const variants: [string, Variant][] = [
    ['Pow, Div, scale and bias', { scale: rand([8]), bias: rand([8]) }],
    ['Mul(d, d), Reciprocal·Mul, swapped operands, scale [1, 1, 8]', { square: 'mul', inv: 'recip', swap: true, scale: rand([1, 1, 8]), bias: rand([8]) }],
    ['no affine part', {}],
    ['over the last two dims, scale [3, 1] broadcast', { axes: [-2, -1], scale: rand([3, 1]), bias: rand([1]) }],
  ];
  for (const [what, v] of variants) {
    it(`folds ${what} into one LayerNormalization equal to the chain`, async () => {
      const { g } = fused(v);
      expect(g.nodes.map((n) => n.opType)).toEqual(['LayerNormalization', 'Identity']);
      const device = await testDevice();
      const x = rand([2, 3, 8], 3);
      const got = await wgml.runModel(device, decomposed(v), { x });
      const want = cpuRun(decomposed(v), { x });
      expect(compareClose(got.y!.data, want.y!.data, 1e-4, 1e-5), `WGML_SEED=${seed}`).toBeNull();
    });
  }

  const misses: [string, Variant][] = [
    ['axes that are not the last dims', { axes: [1] }],
    ['a runtime eps', { eps: 'input' }],
    ['x − mean also read elsewhere', { leak: true }],
    ['a cube instead of a square', { exponent: 3 }],
  ];
  for (const [what, v] of misses) {
    it(`leaves ${what} alone`, () => {
      const { g, before } = fused(v);
      expect(g.nodes.some((n) => n.opType === 'LayerNormalization')).toBe(false);
      expect(g.nodes.length).toBe(before.nodes.length);
    });
  }
});
