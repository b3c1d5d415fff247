/**
 * Scatter — https://onnx.ai/onnx/operators/onnx__Scatter.html
 * Opsets 9–10 only (deprecated in 11 for ScatterElements, which it equals with reduction none).
 */
import type { OpDef } from '../types.js';
import { ScatterElements } from './scatter-elements.js';

export const Scatter: OpDef = {
  ...ScatterElements,
  type: 'Scatter', opsets: [9, 10],
  attrs: (a) => ({ axis: a.int('axis', 0), reduction: 'none' }),
};
