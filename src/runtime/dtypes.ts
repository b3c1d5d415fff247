/** Which tensor dtype carries each model element type (one 32-bit word per element). */
import type { ElemType } from '../ir/types.js';
import { storageType } from '../ir/types.js';

export function tensorDTypeOf(t: ElemType): 'f32' | 'i32' | 'u32' {
  return storageType(t);
}
