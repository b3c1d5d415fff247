/**
 * The sequence ops (SequenceEmpty, SequenceConstruct, SequenceInsert, SequenceErase, SequenceAt,
 * SequenceLength, ConcatFromSequence, SplitToSequence; opset 11+): registered so models with them load; the
 * nodes never reach a kernel, since specialization resolves every sequence to a list of tensors known at
 * compile time (see ir/sequences.ts).
 */
import { SEQUENCE_OPS } from '../../ir/sequences.js';
import type { OpDef } from '../types.js';

export const sequenceOps: OpDef<Record<string, never>>[] = [...SEQUENCE_OPS].map((type) => ({
  type, opsets: [11, 99],
  attrs: () => ({}),
  infer: (ctx) => { throw ctx.error(`${type} reached shape inference unresolved`, 'this is a wgml bug: specialization resolves sequences'); },
  reference: (_i, _a, ctx) => { throw ctx.error(`${type} has no direct reference`, 'specialization resolves sequences into tensor ops'); },
}));
