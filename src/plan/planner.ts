/**
 * The memory planner: a pure function from value lifetimes to offsets in one heap.
 *
 * Greedy by size (largest first, lowest free gap among values whose lifetimes overlap), the
 * strategy TFLite's arena planner uses; it lands within a few percent of the live-bytes lower bound
 * on CNN schedules. Lifetimes are inclusive step ranges, so a node's output never shares memory
 * with its own inputs: WebGPU forbids binding one range writable and read-only in one dispatch.
 */

export interface PlanValue {
  id: string;
  bytes: number;
  /** Step that writes it first. */
  first: number;
  /** Last step that reads it (≥ first). */
  last: number;
}

export interface MemoryPlan {
  offsets: Map<string, number>;
  /** Bytes the heap must hold. */
  heapSize: number;
  /** Lower bound: the most bytes (aligned) live at any one step. */
  peakLiveBytes: number;
}

export function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

type Sized = PlanValue & { size: number };

/** Orders to try; the smallest heap wins. Size-first is usually best, first-use wins on long chains. */
const ORDERS: ((a: Sized, b: Sized) => number)[] = [
  (a, b) => b.size - a.size || a.first - b.first || (a.id < b.id ? -1 : 1),
  (a, b) => b.size * (b.last - b.first + 1) - a.size * (a.last - a.first + 1) || (a.id < b.id ? -1 : 1),
  (a, b) => a.first - b.first || b.size - a.size || (a.id < b.id ? -1 : 1),
  (a, b) => (b.last - b.first) - (a.last - a.first) || b.size - a.size || (a.id < b.id ? -1 : 1),
];

/** Offsets (multiples of `align`) such that values live at the same step never overlap. */
export function planMemory(values: readonly PlanValue[], align = 256): MemoryPlan {
  const sized: Sized[] = values.map((v) => ({ ...v, size: alignUp(Math.max(v.bytes, 4), align) }));
  let best: { offsets: Map<string, number>; heapSize: number } | null = null;
  for (const order of ORDERS) for (const bestFit of [true, false]) {
    const p = greedy([...sized].sort(order), bestFit);
    if (!best || p.heapSize < best.heapSize) best = p;
  }
  const steps = new Map<number, number>();
  for (const v of sized) for (let s = v.first; s <= v.last; s++) steps.set(s, (steps.get(s) ?? 0) + v.size);
  const peakLiveBytes = Math.max(0, ...steps.values());
  // Still far from the bound: perturb the size order (deterministic seed) and keep the best packing.
  // Each try is O(n²) in the values, so only small-to-medium schedules get many tries.
  const tries = best!.heapSize > peakLiveBytes * 1.05 ? Math.min(200, Math.floor(4e6 / Math.max(1, sized.length ** 2))) : 0;
  let seed = 0x9e3779b9;
  const rand = () => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed / 4294967296; };
  for (let t = 0; t < tries && best!.heapSize > peakLiveBytes; t++) {
    const keyed = sized.map((v) => ({ v, k: v.size * (0.75 + 0.5 * rand()) }));
    const p = greedy(keyed.sort((a, b) => b.k - a.k).map((x) => x.v), t % 2 === 0);
    if (p.heapSize < best!.heapSize) best = p;
  }
  return { offsets: best!.offsets, heapSize: best!.heapSize, peakLiveBytes };
}

function greedy(order: Sized[], bestFit: boolean): { offsets: Map<string, number>; heapSize: number } {
  const placed: { first: number; last: number; off: number; size: number }[] = [];
  const offsets = new Map<string, number>();
  let heapSize = 0;
  for (const v of order) {
    const overlapping = placed.filter((p) => p.first <= v.last && v.first <= p.last).sort((a, b) => a.off - b.off);
    let off = 0;
    let best = -1;
    let bestGap = Infinity;
    for (const p of overlapping) {
      const gap = p.off - off;
      if (gap >= v.size && gap < bestGap) { best = off; bestGap = bestFit ? gap : -1; }
      off = Math.max(off, p.off + p.size);
    }
    const at = best >= 0 ? best : off;
    placed.push({ first: v.first, last: v.last, off: at, size: v.size });
    offsets.set(v.id, at);
    heapSize = Math.max(heapSize, at + v.size);
  }
  return { offsets, heapSize };
}

/** Check a plan (tests and debug builds): no two overlapping lifetimes overlap in memory. */
export function verifyPlan(values: readonly PlanValue[], plan: MemoryPlan, align = 256): string | null {
  const sized = values.map((v) => ({ ...v, size: alignUp(Math.max(v.bytes, 4), align), off: plan.offsets.get(v.id) }));
  for (const v of sized) {
    if (v.off === undefined) return `value ${v.id} has no offset`;
    if (v.off % align) return `value ${v.id} at ${v.off} is not aligned to ${align}`;
    if (v.off + v.size > plan.heapSize) return `value ${v.id} ends past the heap`;
  }
  for (let i = 0; i < sized.length; i++) for (let j = i + 1; j < sized.length; j++) {
    const a = sized[i]!, b = sized[j]!;
    if (a.first <= b.last && b.first <= a.last && a.off! < b.off! + b.size && b.off! < a.off! + a.size)
      return `values ${a.id} and ${b.id} are live together and overlap in memory`;
  }
  return null;
}
