/**
 * Constant int8/uint8 weights of the integer GEMMs and convolutions, four to a u32 word. wgml keeps every
 * integer tensor one 32-bit word per element, which makes a quantized model's weights as large on the GPU
 * as the float model's and reads them at a quarter of the useful bandwidth.
 * - MatMulInteger / QLinearMatMul: a 2-D constant B [K, N] read by no view becomes `<B>::p4`, u32 [K, ⌈N/4⌉]
 *   (column n in byte n % 4 of word n / 4, little-endian, each row starting a word); the node records N and the
 *   sign (`wgml_b_packed`, `wgml_b_signed`).
 * - ConvInteger / QLinearConv: the weights, flat, become `<W>::p4`, u32 [⌈size/4⌉] (value i in byte i % 4 of
 *   word i / 4); the node records their shape and sign (`wgml_w_packed`, `wgml_w_signed`).
 * Each packed constant is made once even when several nodes share it; the kernels unpack as they load
 * (ops/quant/). `constants` and `types` gain the value.
 */
import type { AttrValue, Graph, HostTensor, ValueType } from '../ir/types.js';
import { hasViews } from '../ir/view.js';
import { derivedConstant } from '../ir/derived.js';

/** Where each op's weights are among its inputs, and whether they pack by rows (GEMMs) or flat (convs). */
const WEIGHT: Record<string, { input: number; rows: boolean }> = {
  MatMulInteger: { input: 1, rows: true }, QLinearMatMul: { input: 3, rows: true },
  ConvInteger: { input: 1, rows: false }, QLinearConv: { input: 3, rows: false },
};

export function packIntWeights(g: Graph, constants: Map<string, HostTensor>, types: Map<string, ValueType>): Graph {
  let changed = false;
  const nodes = g.nodes.map((n) => {
    const at = WEIGHT[n.opType];
    if (!at || n.domain !== '' || hasViews(n) || n.attrs.wgml_b_packed || n.attrs.wgml_w_packed) return n;
    const name = n.inputs[at.input]!;
    const w = constants.get(name);
    if (!w || (w.dtype !== 'int8' && w.dtype !== 'uint8') || (at.rows && w.shape.length !== 2)) return n;
    // rows: K rows of ⌈N/4⌉ words; flat: one row of every value
    const [K, N] = at.rows ? w.shape as [number, number] : [1, w.data.length];
    const words = Math.ceil(N / 4);
    const pName = `${name}::p4${at.rows ? '' : 'f'}`;
    const shape = at.rows ? [K, words] : [words];
    if (!constants.has(pName)) {
      constants.set(pName, derivedConstant([w], at.rows ? 'int8 pack4 rows' : 'int8 pack4 flat', () => {
        const data = new Uint32Array(K * words);
        for (let k = 0; k < K; k++) for (let c = 0; c < N; c++) data[k * words + (c >> 2)]! |= ((w.data[k * N + c]! & 0xff) << (8 * (c & 3))) >>> 0;
        return { dtype: 'uint32', shape, data };
      }));
      types.set(pName, { dtype: 'uint32', shape });
    }
    changed = true;
    const signed = { kind: 'int' as const, value: w.dtype === 'int8' ? 1 : 0 };
    const attrs: Record<string, AttrValue> = at.rows ? { wgml_b_packed: { kind: 'int' as const, value: N }, wgml_b_signed: signed } : { wgml_w_packed: { kind: 'ints' as const, value: [...w.shape] }, wgml_w_signed: signed };
    return { ...n, inputs: n.inputs.map((v, k) => (k === at.input ? pName : v)), attrs: { ...n.attrs, ...attrs } };
  });
  return changed ? { ...g, nodes } : g;
}
