/**
 * Constants derived from a model's tensors by passes (folded BatchNorm weights, recomposed LayerNorm
 * scales, re-laid-out GEMM weights), kept per source tensor while it lives. Planning the same graph
 * again (another sequence length) then costs no recomputation, and the derived tensors are the same
 * objects, which lets pipelines share one uploaded weights buffer (runtime/pipeline.ts compares large
 * weights by identity).
 */
import type { HostTensor } from './types.js';

const cache = new WeakMap<object, Map<string, { deps: HostTensor[]; value: HostTensor }>>();

/**
 * `make()`, or what it returned before for the same `key` and the very same `deps` tensors (compared
 * by identity). With no deps nothing is kept.
 * @example const wt = derivedConstant([w], 'transpose', () => transpose(w));
 */
export function derivedConstant(deps: HostTensor[], key: string, make: () => HostTensor): HostTensor {
  if (!deps.length) return make();
  const anchor = deps[0]!.data;
  let byKey = cache.get(anchor);
  const hit = byKey?.get(key);
  if (hit && hit.deps.length === deps.length && hit.deps.every((d, i) => d.data === deps[i]!.data)) return hit.value;
  const value = make();
  if (!byKey) { byKey = new Map(); cache.set(anchor, byKey); }
  byKey.set(key, { deps, value });
  return value;
}
