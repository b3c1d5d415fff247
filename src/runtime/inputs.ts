/**
 * Host inputs checked against a model's inputs before anything runs. A misspelled name or a
 * float64 array given to a float32 input is refused rather than ignored or cast: an int32 image fed
 * to a float32 model runs, and gives different numbers. Converting is an explicit opt-in
 * (`castInputs`, `wgml run --cast-inputs`).
 */
import type { Dim, ElemType, HostTensor } from '../ir/types.js';
import { fmtShape, hostArrayFor } from '../ir/types.js';
import { BindingError, DTypeError } from '../errors.js';

export interface InputCheckOptions {
  /** Convert inputs whose dtype differs from the model's instead of refusing them. */
  castInputs?: boolean;
  /** Where each input came from (a file name), named in errors. */
  sources?: Record<string, string>;
}

/** An input as the model declares it. */
export interface DeclaredInput { name: string; dtype: ElemType; shape: readonly Dim[] }

const fmtInput = (i: DeclaredInput) => `${i.name} (${i.dtype} ${fmtShape(i.shape)})`;

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

/** The declared name a misspelled one most likely meant, if any is close. */
export function closestName(name: string, names: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const prefix = names.filter((n) => n.toLowerCase().startsWith(lower) || lower.startsWith(n.toLowerCase()));
  if (prefix.length === 1) return prefix[0];
  let best: string | undefined, bestD = Infinity;
  for (const n of names) { const dd = distance(lower, n.toLowerCase()); if (dd < bestD) { bestD = dd; best = n; } }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** Refuse names the model does not have, listing the ones it has. `also` are further accepted names (initializers). */
export function checkInputNames(declared: readonly DeclaredInput[], given: Record<string, unknown>, also: ReadonlySet<string> = new Set()): void {
  const known = new Set(declared.map((i) => i.name));
  for (const name of Object.keys(given)) {
    if (known.has(name) || also.has(name)) continue;
    const near = closestName(name, [...known]);
    const list = declared.map(fmtInput).join(', ') || '(none)';
    throw new BindingError(`the model has no input '${name}'${near ? ` (did you mean '${near}'?)` : ''}`, `the model's inputs are: ${list}`, { input: name, inputs: [...known] })
      .withCliHint(`give --input ${near ?? declared[0]?.name ?? 'NAME'}=FILE.npy; the model's inputs are: ${list}`);
  }
}

/**
 * Check each given input's dtype against the declared one; convert only with `castInputs`.
 * Returns the inputs to use (the same objects when nothing was converted).
 */
export function checkInputDtypes(declared: readonly DeclaredInput[], given: Record<string, HostTensor>, opts: InputCheckOptions = {}): Record<string, HostTensor> {
  const out = { ...given };
  for (const d of declared) {
    const h = given[d.name];
    if (!h || h.dtype === d.dtype) continue;
    if (!opts.castInputs) {
      const from = opts.sources?.[d.name];
      throw new DTypeError(`input '${d.name}'${from ? ` (${from})` : ''} is ${h.dtype}, but the model takes ${d.dtype}`,
        `convert it to ${d.dtype} (numpy: a.astype(np.${d.dtype})), or pass castInputs: true to have wgml convert it`, { input: d.name, given: h.dtype, expected: d.dtype })
        .withCliHint(`save it as ${d.dtype} (numpy: np.save(f, a.astype(np.${d.dtype}))), or pass --cast-inputs to have wgml convert it`);
    }
    const data = hostArrayFor(d.dtype, h.data.length);
    // Float → integer truncates toward zero, as numpy's astype does.
    for (let i = 0; i < data.length; i++) data[i] = h.data[i]!;
    out[d.name] = { dtype: d.dtype, shape: [...h.shape], data };
  }
  return out;
}
