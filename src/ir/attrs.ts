/** Typed access to a node's attributes, with errors that name the node. */
import { NodeError } from '../errors.js';
import type { AttrValue, Graph, HostTensor, Node } from './types.js';

export class Attrs {
  constructor(readonly node: Node) {}

  has(name: string): boolean { return name in this.node.attrs; }

  private get(name: string, kind: AttrValue['kind']): AttrValue | undefined {
    const a = this.node.attrs[name];
    if (a === undefined) return undefined;
    if (a.kind !== kind) throw this.error(`attribute '${name}' should be of type ${kind}, got ${a.kind}`, 're-export the model; this attribute does not follow the ONNX spec');
    return a;
  }

  int(name: string, def?: number): number {
    const a = this.get(name, 'int');
    if (a) return a.value as number;
    if (def === undefined) throw this.error(`required attribute '${name}' is missing`, 'the ONNX spec requires it; re-export the model');
    return def;
  }
  float(name: string, def?: number): number {
    const a = this.get(name, 'float');
    if (a) return a.value as number;
    if (def === undefined) throw this.error(`required attribute '${name}' is missing`, 'the ONNX spec requires it; re-export the model');
    return def;
  }
  string(name: string, def?: string): string {
    const a = this.get(name, 'string');
    if (a) return a.value as string;
    if (def === undefined) throw this.error(`required attribute '${name}' is missing`, 'the ONNX spec requires it; re-export the model');
    return def;
  }
  ints(name: string, def?: number[]): number[] {
    const a = this.get(name, 'ints');
    if (a) return [...(a.value as number[])];
    if (def === undefined) throw this.error(`required attribute '${name}' is missing`, 'the ONNX spec requires it; re-export the model');
    return def;
  }
  floats(name: string, def?: number[]): number[] {
    const a = this.get(name, 'floats');
    if (a) return [...(a.value as number[])];
    if (def === undefined) throw this.error(`required attribute '${name}' is missing`, 'the ONNX spec requires it; re-export the model');
    return def;
  }
  strings(name: string, def?: string[]): string[] {
    const a = this.get(name, 'strings');
    if (a) return [...(a.value as string[])];
    if (def === undefined) throw this.error(`required attribute '${name}' is missing`, 'the ONNX spec requires it; re-export the model');
    return def;
  }
  tensor(name: string): HostTensor | undefined {
    return this.get(name, 'tensor')?.value as HostTensor | undefined;
  }
  graph(name: string): Graph {
    const a = this.get(name, 'graph');
    if (!a) throw this.error(`required graph attribute '${name}' is missing`, 're-export the model');
    return a.value as Graph;
  }

  /** A typed error about this node. */
  error(message: string, hint: string, details: Record<string, unknown> = {}): NodeError {
    return new NodeError(this.node, message, hint, details);
  }
}
