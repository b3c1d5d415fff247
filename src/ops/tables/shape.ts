/** Op table for the shape family: one line per op. */
import type { OpDef } from '../types.js';

export const OPS: OpDef[] = [
];
