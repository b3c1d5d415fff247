/** Numpy (multidirectional) broadcasting: the shape rule and the CPU reference's index math. */
import type { HostTensor } from '../../ir/types.js';
import { fmtShape, shapeSize } from '../../ir/types.js';
import type { Fail } from './formula.js';

/** Broadcast shape of the present inputs (https://onnx.ai/onnx/repo-docs/Broadcasting.html). */
export function broadcastShapes(shapes: (readonly number[] | null)[], fail: Fail): number[] {
  const present = shapes.filter((s): s is readonly number[] => s !== null);
  const rank = Math.max(0, ...present.map((s) => s.length));
  const out: number[] = [];
  for (let d = 0; d < rank; d++) {
    let dim = 1;
    for (const s of present) {
      const k = s.length - rank + d;
      const v = k >= 0 ? s[k]! : 1;
      if (v === 1) continue;
      if (dim !== 1 && dim !== v) {
        throw fail(`shapes ${present.map(fmtShape).join(', ')} do not broadcast (dim ${d}: ${dim} vs ${v})`,
          'each dimension must be equal across inputs or 1 (numpy broadcasting); check the producers of these inputs', { shapes: present });
      }
      dim = v;
    }
    out.push(dim);
  }
  return out;
}

/**
 * For each output element, the element offset into `shape` (right-aligned, size-1 dims repeat).
 * Written as a plain nested index walk, independent of the kernels' stride uniforms.
 */
export function broadcastOffsets(shape: readonly number[], out: readonly number[]): Int32Array {
  const n = shapeSize(out);
  const offs = new Int32Array(n);
  if (shapeSize(shape) === 1) return offs; // scalars (even of higher rank, e.g. Clip's min) repeat
  const idx = new Array<number>(out.length).fill(0);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let d = 0; d < shape.length; d++) {
      const od = out.length - shape.length + d;
      off = off * shape[d]! + (shape[d] === 1 ? 0 : idx[od]!);
    }
    offs[i] = off;
    for (let d = out.length - 1; d >= 0; d--) { if (++idx[d]! < out[d]!) break; idx[d] = 0; }
  }
  return offs;
}

/** Gather each present input at the broadcast offsets: values[k][i] is input k's value for output element i. */
export function broadcastInputs(inputs: (HostTensor | null)[], out: readonly number[]): (ArrayLike<number> | null)[] {
  return inputs.map((t) => {
    if (!t) return null;
    const offs = broadcastOffsets(t.shape, out);
    const v = new Float64Array(offs.length);
    for (let i = 0; i < offs.length; i++) v[i] = t.data[offs[i]!]!;
    return v;
  });
}
