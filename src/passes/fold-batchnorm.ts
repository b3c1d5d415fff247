/**
 * Fold inference-mode BatchNormalization into the Conv that feeds it:
 * W'[o] = W[o]·s[o], b'[o] = (b[o] − mean[o])·s[o] + beta[o], with s = gamma / sqrt(var + eps).
 * Only when every tensor involved is a compile-time constant and the conv output has no other reader.
 */
import type { Graph, HostTensor } from '../ir/types.js';
import { consumers, graphOutputNames, singleUse } from './graph-util.js';

export function foldBatchNorm(g: Graph, constants: Map<string, HostTensor>): Graph {
  const uses = consumers(g);
  const outs = graphOutputNames(g);
  const removed = new Set<object>();
  const nodes = g.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: { ...n.attrs } }));
  const byOrig = new Map(g.nodes.map((n, i) => [n, nodes[i]!]));
  for (const orig of g.nodes) {
    if (orig.opType !== 'Conv' || orig.domain !== '') continue;
    const bnOrig = singleUse(orig.outputs[0]!, uses, outs);
    if (!bnOrig || bnOrig.opType !== 'BatchNormalization' || bnOrig.domain !== '' || bnOrig.inputs[0] !== orig.outputs[0]) continue;
    if ((bnOrig.attrs.training_mode?.value ?? 0) !== 0 || bnOrig.outputs.filter(Boolean).length > 1) continue;
    const [, sN, bN, mN, vN] = bnOrig.inputs;
    const W = constants.get(orig.inputs[1]!);
    const B = orig.inputs[2] ? constants.get(orig.inputs[2]) : undefined;
    const gamma = constants.get(sN!), beta = constants.get(bN!), mean = constants.get(mN!), vari = constants.get(vN!);
    if (!W || !gamma || !beta || !mean || !vari || (orig.inputs[2] && !B) || W.dtype !== 'float32') continue;
    const eps = (bnOrig.attrs.epsilon?.value as number | undefined) ?? 1e-5;
    const O = W.shape[0]!;
    const per = W.data.length / O;
    const w2 = new Float32Array(W.data.length);
    const b2 = new Float32Array(O);
    for (let o = 0; o < O; o++) {
      const s = gamma.data[o]! / Math.sqrt(vari.data[o]! + eps);
      for (let k = 0; k < per; k++) w2[o * per + k] = W.data[o * per + k]! * s;
      b2[o] = ((B ? B.data[o]! : 0) - mean.data[o]!) * s + beta.data[o]!;
    }
    const wName = `${orig.name || orig.outputs[0]}::bnfold_w`;
    const bName = `${orig.name || orig.outputs[0]}::bnfold_b`;
    constants.set(wName, { dtype: 'float32', shape: [...W.shape], data: w2 });
    constants.set(bName, { dtype: 'float32', shape: [O], data: b2 });
    const conv = byOrig.get(orig)!;
    conv.inputs[1] = wName;
    conv.inputs[2] = bName;
    conv.outputs[0] = bnOrig.outputs[0]!;
    removed.add(byOrig.get(bnOrig)!);
  }
  return { ...g, nodes: nodes.filter((n) => !removed.has(n)) };
}
