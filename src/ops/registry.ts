/** The op table: registering an op is one line here. */
import type { OpDef } from './types.js';
import type { OpFacts } from '../passes/op-facts.js';
import { OPS as ELEMENTWISE } from './tables/elementwise.js';
import { OPS as CONV } from './tables/conv.js';
import { OPS as LINALG } from './tables/linalg.js';
import { OPS as SHAPE } from './tables/shape.js';
import { OPS as QUANT } from './tables/quant.js';
import { OPS as SIGNAL } from './tables/signal.js';
import { FusedElementwise } from './elementwise/fused.js';
import { copyOp } from './misc/copy.js';
import { dropoutOp } from './misc/dropout.js';
import { ifOp } from './misc/if.js';
import { resolvedOps } from './misc/resolved.js';
import { TfIdfVectorizer } from './misc/tfidf-vectorizer.js';
import { Compress, NonZero } from './misc/data-shaped.js';
import { unsupportedReason } from './unsupported.js';

const OPS: OpDef[] = [...ELEMENTWISE, FusedElementwise, ...CONV, ...LINALG, ...SHAPE, ...QUANT, ...SIGNAL, copyOp, dropoutOp, ifOp, ...resolvedOps, TfIdfVectorizer, NonZero, Compress];

const byKey = new Map<string, OpDef[]>();
export function registerOp(op: OpDef): void {
  const key = `${op.domain ?? ''}:${op.type}`;
  const list = byKey.get(key) ?? [];
  list.push(op);
  byKey.set(key, list);
}
for (const op of OPS) registerOp(op);

/** Normalizes 'ai.onnx' to ''. */
export function normDomain(domain: string): string {
  return domain === 'ai.onnx' ? '' : domain;
}

/** The implementation for this op type, domain and opset, or undefined. */
export function lookupOp(type: string, domain: string, opset: number): OpDef | undefined {
  const list = byKey.get(`${normDomain(domain)}:${type}`);
  return list?.find((o) => opset >= (o.opsets?.[0] ?? 1) && opset <= (o.opsets?.[1] ?? 99));
}

/** Why lookupOp failed: unknown op, or known op outside its opset range. */
export function lookupFailure(type: string, domain: string, opset: number): string {
  const list = byKey.get(`${normDomain(domain)}:${type}`);
  if (!list) return unsupportedReason(type, normDomain(domain)) || 'wgml has no kernel for this op';
  return `wgml implements ${type} for opsets ${list.map((o) => `${o.opsets?.[0] ?? 1}–${o.opsets?.[1] ?? 99}`).join(', ')}, not ${opset}`;
}

/**
 * What fusion passes ask about a node, answered from its op definitions (any opset: the node's op
 * was already resolved when the graph was specialized).
 */
export const opFacts: OpFacts = {
  isFusable: (n) => !!byKey.get(`${normDomain(n.domain)}:${n.opType}`)?.some((o) => o.fusable),
  epilogueActivation(n, constants) {
    const op = byKey.get(`${normDomain(n.domain)}:${n.opType}`)?.find((o) => o.epilogueActivation);
    return op ? op.epilogueActivation!(n, constants) : null;
  },
};

/** The op table in the shape ir/ and onnx/ take as a parameter. */
export const opRules = {
  lookup: lookupOp,
  failure: lookupFailure,
};
