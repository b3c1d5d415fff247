/**
 * Ops specialization resolves before any kernel (ir/sequences.ts, ir/loops.ts), registered so models with them
 * load: the sequence ops (SequenceEmpty, SequenceConstruct, SequenceInsert, SequenceErase, SequenceAt,
 * SequenceLength, ConcatFromSequence, SplitToSequence; opset 11+), whose lists are known at compile time, and
 * Loop and Scan, unrolled. Their nodes never reach shape inference.
 */
import { SEQUENCE_OPS } from '../../ir/sequences.js';
import type { OpDef } from '../types.js';

const resolved = (type: string, opsets: [number, number], how: string): OpDef<Record<string, never>> => ({
  type, opsets,
  attrs: () => ({}),
  infer: (ctx) => { throw ctx.error(`${type} reached shape inference unresolved`, `this is a wgml bug: specialization ${how}`); },
  reference: (_i, _a, ctx) => { throw ctx.error(`${type} has no direct reference`, `specialization ${how}`); },
});

export const resolvedOps: OpDef<Record<string, never>>[] = [
  ...[...SEQUENCE_OPS].map((type) => resolved(type, [11, 99], 'resolves sequences into tensor ops')),
  resolved('Loop', [1, 99], 'unrolls Loop'), resolved('Scan', [8, 99], 'unrolls Scan'),
];
