/**
 * Structural validation of a `.wgml` manifest's graph JSON before it becomes a {@link Graph}: the
 * checksum only covers the weights, so a hand-edited or corrupted manifest must be refused here with
 * a ModelFormatError, not surface later as a TypeError deep in planning.
 */
import { ModelFormatError } from '../errors.js';
import type { ElemType } from '../ir/types.js';

const ELEM_TYPES = new Set<string>(['float32', 'float16', 'float64', 'bfloat16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool']);
const ATTR_KINDS = new Set(['float', 'int', 'string', 'tensor', 'graph', 'floats', 'ints', 'strings']);
/** Same bound as ONNX import: a u32 index must reach every element. */
const MAX_ELEMENTS = 2 ** 31 - 1;

function bad(what: string, path: string): never {
  throw new ModelFormatError(`the package manifest is malformed at ${path}: ${what}`, 'the file is corrupt or was edited by hand; convert the model again with `wgml convert`', { path });
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkElemType(t: unknown, path: string): ElemType {
  if (typeof t !== 'string' || !ELEM_TYPES.has(t)) bad(`unknown element type ${JSON.stringify(t)}`, path);
  return t as ElemType;
}

/** Static dims: non-negative integers whose product stays under the element limit. */
export function checkStaticShape(s: unknown, path: string): number[] {
  if (!Array.isArray(s) || s.length > 8) bad('a shape must be an array of at most 8 dimensions', path);
  let n = 1;
  for (const d of s as unknown[]) {
    if (!Number.isSafeInteger(d) || (d as number) < 0) bad(`invalid dimension ${JSON.stringify(d)}`, path);
    n *= d as number;
  }
  if (n > MAX_ELEMENTS) bad(`shape [${(s as number[]).join(', ')}] has ${n} elements, more than ${MAX_ELEMENTS}`, path);
  return s as number[];
}

function checkValueInfo(v: unknown, path: string): void {
  if (!isObj(v) || typeof v.name !== 'string') bad('a value needs a string name', path);
  const o = v as Record<string, unknown>;
  checkElemType(o.dtype, `${path}.dtype`);
  if (!Array.isArray(o.shape) || o.shape.length > 8) bad('a shape must be an array of at most 8 dimensions', `${path}.shape`);
  let n = 1;
  for (const d of o.shape as unknown[]) {
    if (!(typeof d === 'string' || (Number.isSafeInteger(d) && (d as number) >= 0))) bad(`invalid dimension ${JSON.stringify(d)}`, `${path}.shape`);
    if (typeof d === 'number') n *= d;
  }
  if (n > MAX_ELEMENTS) bad(`shape [${(o.shape as unknown[]).join(', ')}] has more than ${MAX_ELEMENTS} elements`, `${path}.shape`);
}

const strings = (v: unknown, path: string): void => {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) bad('expected an array of strings', path);
};

function checkAttr(a: unknown, path: string): void {
  if (!isObj(a) || typeof a.kind !== 'string' || !ATTR_KINDS.has(a.kind)) bad('an attribute needs a known kind', path);
  const { kind, value } = a as { kind: string; value: unknown };
  const num = (x: unknown) => typeof x === 'number' || x === null; // JSON turns NaN/Infinity into null
  switch (kind) {
    case 'float': if (!num(value)) bad('a float attribute needs a number', path); break;
    case 'int': if (!Number.isSafeInteger(value)) bad('an int attribute needs an integer', path); break;
    case 'string': if (typeof value !== 'string') bad('a string attribute needs a string', path); break;
    case 'floats': if (!Array.isArray(value) || !value.every(num)) bad('a floats attribute needs numbers', path); break;
    case 'ints': if (!Array.isArray(value) || !value.every((x) => Number.isSafeInteger(x))) bad('an ints attribute needs integers', path); break;
    case 'strings': strings(value, path); break;
    case 'tensor':
      if (!isObj(value) || typeof value.data !== 'string') bad('a tensor attribute needs dtype, shape and base64 data', path);
      checkElemType((value as Record<string, unknown>).dtype, `${path}.dtype`);
      checkStaticShape((value as Record<string, unknown>).shape, `${path}.shape`);
      break;
    case 'graph': checkGraphJson(value, `${path}.value`); break;
  }
}

/** Throws ModelFormatError naming the JSON path of the first malformed field. */
export function checkGraphJson(j: unknown, path = 'graph'): void {
  if (!isObj(j)) bad('expected an object', path);
  const g = j as Record<string, unknown>;
  for (const k of ['inputs', 'outputs', 'nodes'] as const) if (!Array.isArray(g[k])) bad(`'${k}' must be an array`, `${path}.${k}`);
  (g.inputs as unknown[]).forEach((v, i) => checkValueInfo(v, `${path}.inputs.${i}`));
  (g.outputs as unknown[]).forEach((v, i) => checkValueInfo(v, `${path}.outputs.${i}`));
  if (g.valueInfo !== undefined) {
    if (!Array.isArray(g.valueInfo)) bad("'valueInfo' must be an array", `${path}.valueInfo`);
    (g.valueInfo as unknown[]).forEach((v, i) => checkValueInfo(v, `${path}.valueInfo.${i}`));
  }
  if (!isObj(g.opsets) || Object.values(g.opsets).some((v) => !Number.isSafeInteger(v))) bad("'opsets' must map domains to integer versions", `${path}.opsets`);
  (g.nodes as unknown[]).forEach((n, i) => {
    const p = `${path}.nodes.${i}`;
    if (!isObj(n)) bad('a node must be an object', p);
    const o = n as Record<string, unknown>;
    for (const k of ['name', 'opType', 'domain'] as const) if (typeof o[k] !== 'string') bad(`'${k}' must be a string`, `${p}.${k}`);
    strings(o.inputs, `${p}.inputs`);
    strings(o.outputs, `${p}.outputs`);
    if (!isObj(o.attrs)) bad("'attrs' must be an object", `${p}.attrs`);
    for (const [k, a] of Object.entries(o.attrs as object)) checkAttr(a, `${p}.attrs.${k}`);
  });
}
