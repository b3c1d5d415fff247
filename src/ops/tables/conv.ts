/** Op table for the conv family: one line per op. */
import type { OpDef } from '../types.js';

export const OPS: OpDef[] = [
];
