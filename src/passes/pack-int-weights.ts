/**
 * Constant int8/uint8 weights of MatMulInteger and QLinearMatMul, four to a u32 word. wgml keeps every integer tensor one
 * 32-bit word per element, which makes a quantized model's weights as large on the GPU as the float
 * model's and reads them at a quarter of the useful bandwidth. A 2-D constant B [K, N] read by no view
 * becomes `<B>::p4`, u32 [K, ⌈N/4⌉] (column n in byte n % 4 of word n / 4, little-endian), made once even
 * when several nodes share B; the node records N and the signedness (`wgml_b_packed`, `wgml_b_signed`)
 * and its kernels unpack as they load (ops/quant/matmul-integer.ts). `constants` and `types` gain the value.
 */
import type { Graph, HostTensor, ValueType } from '../ir/types.js';
import { hasViews } from '../ir/view.js';
import { derivedConstant } from '../ir/derived.js';

/** Where each op's B is among its inputs. */
const B_INPUT: Record<string, number> = { MatMulInteger: 1, QLinearMatMul: 3 };

export function packIntWeights(g: Graph, constants: Map<string, HostTensor>, types: Map<string, ValueType>): Graph {
  let changed = false;
  const nodes = g.nodes.map((n) => {
    const bi = B_INPUT[n.opType];
    if (bi === undefined || n.domain !== '' || hasViews(n) || n.attrs.wgml_b_packed) return n;
    const name = n.inputs[bi]!;
    const w = constants.get(name);
    if (!w || w.shape.length !== 2 || (w.dtype !== 'int8' && w.dtype !== 'uint8')) return n;
    const [K, N] = w.shape as [number, number];
    const words = Math.ceil(N / 4);
    const pName = `${name}::p4`;
    if (!constants.has(pName)) {
      constants.set(pName, derivedConstant([w], 'int8 pack4', () => {
        const data = new Uint32Array(K * words);
        for (let k = 0; k < K; k++) for (let c = 0; c < N; c++) data[k * words + (c >> 2)]! |= ((w.data[k * N + c]! & 0xff) << (8 * (c & 3))) >>> 0;
        return { dtype: 'uint32', shape: [K, words], data };
      }));
      types.set(pName, { dtype: 'uint32', shape: [K, words] });
    }
    changed = true;
    return {
      ...n, inputs: n.inputs.map((v, k) => (k === bi ? pName : v)),
      attrs: { ...n.attrs, wgml_b_packed: { kind: 'int' as const, value: N }, wgml_b_signed: { kind: 'int' as const, value: w.dtype === 'int8' ? 1 : 0 } },
    };
  });
  return changed ? { ...g, nodes } : g;
}
