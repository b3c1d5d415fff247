/** Op table for the conv family: one line per op. */
import type { OpDef } from '../types.js';
import { Conv } from '../conv/conv.js';

export const OPS: OpDef[] = [
  Conv,
];
