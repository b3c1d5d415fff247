/**
 * IsInf — https://onnx.ai/onnx/operators/onnx__IsInf.html
 * detect_positive / detect_negative (default 1) select which infinities count; tested on the bits.
 */
import { unary } from './op.js';

export const IsInf = unary({
  type: 'IsInf', fusable: true, kinds: ['float'], out: 'bool',
  params: (a) => ({ pos: a.int('detect_positive', 1) !== 0, neg: a.int('detect_negative', 1) !== 0 }),
  wgsl: (x, _s, p) => `ew_b(${[p.pos ? `bitcast<u32>(${x}) == 0x7f800000u` : '', p.neg ? `bitcast<u32>(${x}) == 0xff800000u` : ''].filter(Boolean).join(' || ') || 'false'})`,
  cpu: (x, _s, p) => ((p.pos && x === Infinity) || (p.neg && x === -Infinity) ? 1 : 0),
});
