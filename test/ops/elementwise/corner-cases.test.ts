/**
 * Spec corner cases with hand-written expected values: both the CPU reference and the GPU kernel
 * must produce them (NaN/±Inf/0 handling, Round half-to-even, Mod sign rules, Pow, Cast wrapping).
 */
import { describe, it, expect } from 'vitest';
import { runNode, referenceNode } from '../../../src/runtime/single.js';
import type { AttrValue, ElemType, HostTensor, Node } from '../../../src/ir/types.js';
import { hostTensor } from '../../../src/ir/types.js';
import { testDevice } from '../../helpers/gpu.js';
import { compareClose } from '../../helpers/random.js';

const NaN_ = Number.NaN, Inf = Infinity;
const t = (dtype: ElemType, values: number[], shape = [values.length]): HostTensor => hostTensor(dtype, shape, values);
const int = (value: number): AttrValue => ({ kind: 'int', value });

function node(opType: string, nIn: number, attrs: Record<string, AttrValue> = {}): Node {
  return { name: `${opType}_edge`, opType, domain: '', inputs: Array.from({ length: nIn }, (_, i) => `x${i}`), outputs: ['y'], attrs };
}

interface Edge { op: string; ins: HostTensor[]; want: number[]; attrs?: Record<string, AttrValue>; opset?: number; rtol?: number; dtype?: ElemType }
const f32 = (...v: number[]) => t('float32', v);
const i32 = (...v: number[]) => t('int32', v);
const EDGES: Edge[] = [
  { op: 'Max', ins: [f32(1, NaN_, 3, -Inf), f32(NaN_, 2, 1, 5)], want: [NaN_, NaN_, 3, 5] },
  { op: 'Min', ins: [f32(1, NaN_, 3, Inf), f32(NaN_, 2, 1, 5)], want: [NaN_, NaN_, 1, 5] },
  { op: 'Pow', ins: [f32(0, 0, -2, -2, -8, 2, 1, NaN_, 4, NaN_, 0.5, -1), f32(2, -1, 3, 0.5, 1 / 3, 0, NaN_, 0, 0.5, 2, Inf, Inf)],
    want: [0, Inf, -8, NaN_, NaN_, 1, 1, 1, 2, NaN_, 0, 1], opset: 15, rtol: 1e-6 },
  { op: 'Pow', ins: [i32(2, -3, 5, 1, -1, 2), i32(10, 3, 0, -4, -3, -1)], want: [1024, -27, 1, 1, -1, 0], opset: 15 },
  { op: 'Round', ins: [f32(0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6, Inf, -Inf, NaN_)], want: [0, 2, 2, -0, -2, -2, 2, -3, Inf, -Inf, NaN_] },
  { op: 'Floor', ins: [f32(-0.5, 1.5, Inf, -Inf)], want: [-1, 1, Inf, -Inf] },
  { op: 'Ceil', ins: [f32(-0.5, 1.5, Inf, -Inf)], want: [-0, 2, Inf, -Inf] },
  { op: 'Mod', ins: [i32(5, -5, 5, -5, 7, 0, 3), i32(3, 3, -3, -3, 7, 2, 0)], want: [2, 1, -1, -2, 0, 0, 0] },
  { op: 'Mod', ins: [i32(5, -5, 5, -5, 7, 0), i32(3, 3, -3, -3, 7, 2)], want: [2, -2, 2, -2, 0, 0], attrs: { fmod: int(1) } },
  { op: 'Mod', ins: [f32(5.5, -5.5, 5.5, -5.5), f32(2, 2, -2, -2)], want: [1.5, -1.5, 1.5, -1.5], attrs: { fmod: int(1) } },
  { op: 'Div', ins: [i32(7, -7, 7, -7, 6), i32(2, 2, -2, -2, 3)], want: [3, -3, -3, 3, 2] },
  { op: 'Div', ins: [f32(1, -1, 0, Inf), f32(0, 0, 0, Inf)], want: [Inf, -Inf, NaN_, NaN_] },
  { op: 'Sqrt', ins: [f32(-1, 0, Inf, 4)], want: [NaN_, 0, Inf, 2] },
  { op: 'Log', ins: [f32(-1, 0, Inf, 1)], want: [NaN_, -Inf, Inf, 0] },
  { op: 'Exp', ins: [f32(-Inf, Inf, 0, 100)], want: [0, Inf, 1, Inf] },
  { op: 'Sigmoid', ins: [f32(-Inf, Inf, 0, -100)], want: [0, 1, 0.5, 0], rtol: 1e-6 },
  { op: 'Tanh', ins: [f32(-Inf, Inf, 0, 50, NaN_)], want: [-1, 1, 0, 1, NaN_] },
  { op: 'Softplus', ins: [f32(-Inf, Inf, 0, 100, -100)], want: [0, Inf, Math.LN2, 100, 3.720076e-44], rtol: 1e-5 },
  { op: 'Reciprocal', ins: [f32(0, -0, Inf)], want: [Inf, -Inf, 0] },
  { op: 'Relu', ins: [f32(NaN_, -Inf, Inf, -0)], want: [NaN_, 0, Inf, 0] },
  { op: 'Abs', ins: [i32(-2147483648, -3, 3)], want: [-2147483648, 3, 3] },
  { op: 'Neg', ins: [i32(-2147483648, 0, 3)], want: [-2147483648, 0, -3] },
  { op: 'Add', ins: [i32(2147483647), i32(1)], want: [-2147483648] },
  { op: 'Mul', ins: [i32(65536, -3), i32(65536, 5)], want: [0, -15] },
  { op: 'IsNaN', ins: [f32(NaN_, Inf, -Inf, 0, 1)], want: [1, 0, 0, 0, 0] },
  { op: 'IsInf', ins: [f32(NaN_, Inf, -Inf, 0, 1)], want: [0, 1, 1, 0, 0] },
  { op: 'IsInf', ins: [f32(NaN_, Inf, -Inf, 0, 1)], want: [0, 1, 0, 0, 0], attrs: { detect_negative: int(0) } },
  { op: 'Equal', ins: [f32(NaN_, 1, 0), f32(NaN_, 1, -0)], want: [0, 1, 1] },
  { op: 'Less', ins: [f32(NaN_, 1, -Inf), f32(1, NaN_, Inf)], want: [0, 0, 1] },
  { op: 'Clip', ins: [f32(NaN_, -5, 5, 0.5), f32(-1), f32(1)], want: [NaN_, -1, 1, 0.5], opset: 13 },
  { op: 'Clip', ins: [f32(-5, 5, 0.5), f32(2), f32(1)], want: [1, 1, 1], opset: 13 },
  { op: 'Sign', ins: [f32(-2, 0, 3, -Inf)], want: [-1, 0, 1, -1] },
  { op: 'Sign', ins: [i32(-7, 0, 9)], want: [-1, 0, 1] },
  { op: 'Cast', ins: [f32(1.7, -1.7, 2.5, -0.5, NaN_)], want: [1, -1, 2, 0, 0], attrs: { to: int(6) } },
  { op: 'Cast', ins: [f32(0, -0, NaN_, 0.1, -Inf)], want: [0, 0, 1, 1, 1], attrs: { to: int(9) } },
  { op: 'Cast', ins: [i32(200, -129, 127, 128)], want: [-56, 127, 127, -128], attrs: { to: int(3) } },
  { op: 'Cast', ins: [i32(261, -1)], want: [5, 255], attrs: { to: int(2) } },
  { op: 'Cast', ins: [i32(-1)], want: [4294967295], attrs: { to: int(12) } },
  { op: 'Cast', ins: [t('uint32', [4294967295])], want: [-1], attrs: { to: int(6) } },
  // float16: ties to even (1 + 2^-11 → 1, 1 + 3·2^-11 → 1 + 2^-9), overflow to Inf, subnormals on a 2^-24 grid.
  { op: 'Cast', ins: [f32(1 + 2 ** -11, 1 + 3 * 2 ** -11, 70000, -70000, 1e-8, 3 * 2 ** -25, 65504)], want: [1, 1 + 2 ** -9, Inf, -Inf, 0, 2 ** -23, 65504], attrs: { to: int(10) } },
  { op: 'Cast', ins: [f32(1 + 2 ** -8, 1 + 3 * 2 ** -8, NaN_)], want: [1, 1 + 2 ** -6, NaN_], attrs: { to: int(16) } },
  { op: 'BitShift', ins: [t('uint8', [1, 255, 7]), t('uint8', [7, 1, 8])], want: [128, 254, 0], attrs: { direction: { kind: 'string', value: 'LEFT' } } },
  { op: 'BitShift', ins: [t('uint32', [0x80000000, 16, 5]), t('uint32', [31, 2, 32])], want: [1, 4, 0], attrs: { direction: { kind: 'string', value: 'RIGHT' } } },
  { op: 'Where', ins: [t('bool', [1, 0], [2, 1]), f32(1, 2, 3), f32(NaN_)], want: [1, 2, 3, NaN_, NaN_, NaN_] },
  { op: 'Gelu', ins: [f32(0, 1, -1, 10, -10)], want: [0, 0.8413447, -0.1586553, 10, -7.6e-23], opset: 20, rtol: 1e-5 },
  { op: 'Erf', ins: [f32(0, 0.1, 1, -2, Inf)], want: [0, 0.1124629, 0.8427008, -0.9953223, 1], rtol: 1e-5 },
];

describe('elementwise corner cases: CPU reference and GPU both give the spec values', () => {
  for (const e of EDGES) {
    it(`${e.op} ${e.attrs ? JSON.stringify(e.attrs) : ''} ${e.ins.map((x) => x.dtype).join(',')}`, async () => {
      const device = await testDevice();
      const n = node(e.op, e.ins.length, e.attrs);
      const opset = e.opset ?? 17;
      const [ref] = referenceNode(n, e.ins, opset);
      const [gpu] = await runNode(device, n, e.ins, { opset });
      const tol = e.rtol ?? 0;
      expect(compareClose(ref!.data, e.want, tol, tol), `CPU reference of ${e.op}: ${Array.from(ref!.data)}`).toBeNull();
      expect(compareClose(gpu!.data, e.want, tol, tol), `GPU kernel of ${e.op}: ${Array.from(gpu!.data)}`).toBeNull();
    });
  }
});
