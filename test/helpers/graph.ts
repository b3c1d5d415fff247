/** Build small IR graphs in tests. */
import type { AttrValue, Graph, HostTensor, Node, ValueInfo } from '../../src/ir/types.js';

export function node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, name?: string, domain = ''): Node {
  return { name: name ?? `${opType}_${outputs[0]}`, opType, domain, inputs, outputs, attrs };
}

export function graph(inputs: ValueInfo[], outputs: ValueInfo[], nodes: Node[], initializers: Record<string, HostTensor> = {}, opset = 17): Graph {
  return { name: 'test', inputs, outputs, nodes, initializers: new Map(Object.entries(initializers)), valueInfo: new Map(), opsets: { '': opset } };
}

export const f32 = (name: string, shape: (number | string)[]): ValueInfo => ({ name, dtype: 'float32', shape });
export const ints = (v: number[]): AttrValue => ({ kind: 'ints', value: v });
export const int = (v: number): AttrValue => ({ kind: 'int', value: v });
export const flt = (v: number): AttrValue => ({ kind: 'float', value: v });
