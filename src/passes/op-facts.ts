/**
 * What fusion passes need to know about ops, asked through one interface. The answers live on the op
 * definitions (OpDef.fusable, OpDef.epilogueActivation) and ops/registry.ts `opFacts` reads them;
 * passes take the table as a parameter because they never import ops/ (imports point one way).
 */
import type { HostTensor, Node } from '../ir/types.js';

/** An activation a producing kernel applies before its store (the kinds of ops/epilogue.ts). */
export interface EpilogueActivation { act: string; params: number[] }

export interface OpFacts {
  /** `n` is an elementwise op that wgml.FusedElementwise (and GEMM epilogues) can evaluate as one step. */
  isFusable(n: Node): boolean;
  /**
   * The activation that replaces `n` when a Conv/ConvTranspose applies it in its epilogue, or null when
   * `n` is none (or needs values not known at load time, e.g. Clip bounds computed at run time).
   */
  epilogueActivation(n: Node, constants: ReadonlyMap<string, HostTensor>): EpilogueActivation | null;
}

/** Domains whose ops elementwise and GEMM-epilogue fusion take (wgml's: the quantization ops of passes/fold-qdq.ts). */
export const fusableDomain = (d: string): boolean => d === '' || d === 'ai.onnx' || d === 'com.microsoft' || d === 'wgml';

/** How a fused program names `n`'s op: its type, or 'domain.type' outside the ONNX domain. */
export function stepName(n: Node): string {
  return n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType;
}
