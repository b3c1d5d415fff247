/**
 * The data a graph page embeds (one JSON block), shared by the writer (graph-data.ts, Node) and the
 * page's script (this folder, browser). Types only: nothing here exists at run time.
 */

/** What nodes can be coloured by. 'op' is the op family; the rest are numbers per node. */
export type OverlayKey = 'op' | 'time' | 'err' | 'naninf' | 'absmax' | 'flops';

/** Where a value lives: the heap and the weights buffer by byte range, inputs/outputs by tensor name. */
export interface PagePlace { kind: 'heap' | 'weights' | 'input' | 'output'; offset: number; bytes: number; name?: string }

export interface PageValue { name: string; shape?: number[]; dtype?: string; place?: PagePlace }

export interface PageNode {
  id: string;
  kind: 'op' | 'input' | 'output';
  label: string;
  /** Op type (with domain) for ops; 'input'/'output' otherwise. */
  op: string;
  /** Op family, for the header colour (conv, act, pool, norm, shape, quant, math, io). */
  cat: string;
  /** Centre and size in graph coordinates. */
  x: number; y: number; w: number; h: number;
  /** Execution order of op nodes; -1 for graph inputs, the node count for outputs. */
  index: number;
  fused: string[];
  flops: number;
  kernels: string[];
  attrs: Record<string, unknown>;
  inputs: PageValue[];
  outputs: PageValue[];
  /** Debug capture: one line per input/output with its statistics. */
  stats: string[];
  previews: { name: string; url: string }[];
  /** Why the debugger flagged the node ('' when it did not). */
  bad: string;
  /** Numbers the overlays colour by. Infinite values are written as Number.MAX_VALUE (JSON has no Infinity). */
  metrics: Partial<Record<Exclude<OverlayKey, 'op'>, number | null>>;
}

export interface PageEdge { from: string; to: string; value: string; shape?: number[]; points: { x: number; y: number }[] }

export interface PageSummary {
  inputs: PageValue[];
  outputs: PageValue[];
  nodes: number;
  dispatches?: number;
  flops?: number;
  intermediatesHeapSize?: number;
  peakLiveBytes?: number;
  weightsBytes?: number;
  /** Sum of the per-node GPU times (ns) when the page comes from the profiler. */
  gpuTimeNs?: number;
}

export interface PageData {
  title: string;
  /** What made the page: `wgml inspect`, `wgml debug` (health or reference), `wgml profile`. */
  mode: 'inspect' | 'debug' | 'reference' | 'profile';
  width: number;
  height: number;
  nodes: PageNode[];
  edges: PageEdge[];
  summary: PageSummary;
  overlays: OverlayKey[];
  defaultOverlay: OverlayKey;
  /** The debugger's first bad node: highlighted, selected and focused on open. */
  firstBad: { id: string; reason: string } | null;
  /** Relative error that fails a node in reference mode. */
  rtol?: number;
}
