/**
 * Fold inference-mode BatchNormalization into the Conv that feeds it:
 * W'[o] = W[o]·s[o], b'[o] = (b[o] − mean[o])·s[o] + beta[o], with s = gamma / sqrt(var + eps).
 * Only when every tensor involved is a compile-time constant and the conv output has no other reader.
 */
import type { Graph, HostTensor } from '../ir/types.js';
import { consumers, graphOutputNames, singleUse } from './graph-util.js';
import { derivedConstant } from '../ir/derived.js';

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
    const scale = (o: number) => gamma.data[o]! / Math.sqrt(vari.data[o]! + eps);
    // kept per source tensors: planning the graph again gives the same objects (shared weights buffers)
    const deps = [W, gamma, beta, mean, vari, ...(B ? [B] : [])];
    const w2 = derivedConstant(deps, `bnfold_w ${eps}`, () => {
      const d = new Float32Array(W.data.length);
      for (let o = 0; o < O; o++) { const s = scale(o); for (let k = 0; k < per; k++) d[o * per + k] = W.data[o * per + k]! * s; }
      return { dtype: 'float32', shape: [...W.shape], data: d };
    });
    const b2 = derivedConstant(deps, `bnfold_b ${eps}`, () => {
      const d = new Float32Array(O);
      for (let o = 0; o < O; o++) d[o] = ((B ? B.data[o]! : 0) - mean.data[o]!) * scale(o) + beta.data[o]!;
      return { dtype: 'float32', shape: [O], data: d };
    });
    const wName = `${orig.name || orig.outputs[0]}::bnfold_w`;
    const bName = `${orig.name || orig.outputs[0]}::bnfold_b`;
    constants.set(wName, w2);
    constants.set(bName, b2);
    const conv = byOrig.get(orig)!;
    conv.inputs[1] = wName;
    conv.inputs[2] = bName;
    conv.outputs[0] = bnOrig.outputs[0]!;
    removed.add(byOrig.get(bnOrig)!);
  }
  return { ...g, nodes: nodes.filter((n) => !removed.has(n)) };
}
