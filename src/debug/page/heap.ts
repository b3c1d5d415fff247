/**
 * The memory view of a node: the planner's heap as offset (down) over execution order (across), each
 * intermediate a rectangle from the node that writes it to the last node that reads it, with the
 * selected node's reads and writes picked out; and the weights buffer with the ranges it reads.
 * Where the planner reuses bytes, rectangles stack in time at one offset.
 */
import type { PageData, PageNode, PageValue } from './types.js';
import { esc, fmtBytes, fmtShape } from './format.js';

export interface Lifetime { name: string; producer: string | null; first: number; last: number; offset: number; bytes: number }

/** Every heap value with its byte range and the span of nodes it is live over. */
export function heapLifetimes(data: PageData): Lifetime[] {
  const byName = new Map<string, Lifetime>();
  for (const n of data.nodes) {
    if (n.kind !== 'op') continue;
    const touch = (v: PageValue, writes: boolean) => {
      if (v.place?.kind !== 'heap') return;
      let l = byName.get(v.name);
      if (!l) { l = { name: v.name, producer: null, first: n.index, last: n.index, offset: v.place.offset, bytes: v.place.bytes }; byName.set(v.name, l); }
      if (writes) { l.producer = n.id; l.first = Math.min(l.first, n.index); }
      l.last = Math.max(l.last, n.index);
    };
    n.inputs.forEach((v) => touch(v, false));
    n.outputs.forEach((v) => touch(v, true));
  }
  return [...byName.values()];
}

const W = 340, H = 150;

/** SVG (as markup) of the heap over time for `node`: rect.read / rect.write are its ranges. */
export function heapView(data: PageData, life: Lifetime[], node: PageNode): string {
  const heap = data.summary.intermediatesHeapSize ?? Math.max(0, ...life.map((l) => l.offset + l.bytes));
  const steps = Math.max(1, data.summary.nodes);
  const reads = new Set(node.inputs.filter((v) => v.place?.kind === 'heap').map((v) => v.name));
  const writes = new Set(node.outputs.filter((v) => v.place?.kind === 'heap').map((v) => v.name));
  let body = '';
  if (heap > 0) {
    const x = (i: number) => (i / steps) * W, y = (o: number) => (o / heap) * H;
    // The selected node's ranges last, so they draw over the others.
    const order = [...life].sort((a, b) => Number(reads.has(a.name) || writes.has(a.name)) - Number(reads.has(b.name) || writes.has(b.name)));
    for (const l of order) {
      const cls = writes.has(l.name) ? 'write' : reads.has(l.name) ? 'read' : 'other';
      body += `<rect class="${cls}" data-name="${esc(l.name)}" data-offset="${l.offset}" data-bytes="${l.bytes}"${l.producer ? ` data-id="${l.producer}"` : ''} x="${x(l.first).toFixed(1)}" y="${y(l.offset).toFixed(1)}" width="${Math.max(1.5, x(l.last + 1) - x(l.first)).toFixed(1)}" height="${Math.max(cls === 'other' ? 1.5 : 4, y(l.offset + l.bytes) - y(l.offset)).toFixed(1)}"><title>${esc(l.name)}: bytes [${l.offset}, ${l.offset + l.bytes}) — ${fmtBytes(l.bytes)}, live #${l.first}–#${l.last}</title></rect>`;
    }
    if (node.index >= 0 && node.index < steps) body += `<line class="now" x1="${x(node.index + 0.5)}" x2="${x(node.index + 0.5)}" y1="0" y2="${H}"/>`;
  }
  const heapSvg = heap > 0
    ? `<svg class="heapmap" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><rect class="frame" width="${W}" height="${H}"/>${body}</svg>
<div class="axis"><span>#0</span><span>node order →</span><span>#${steps - 1}</span></div>`
    : '<p class="dim">no intermediates heap</p>';
  const wts = node.inputs.filter((v) => v.place?.kind === 'weights');
  const wb = data.summary.weightsBytes ?? 0;
  const wSvg = wts.length && wb > 0
    ? `<div class="dim">weights buffer (${fmtBytes(wb)})</div><svg class="weightsmap" width="${W}" height="14"><rect class="frame" width="${W}" height="14"/>${wts.map((v) => `<rect class="read" data-name="${esc(v.name)}" data-offset="${v.place!.offset}" x="${((v.place!.offset / wb) * W).toFixed(1)}" y="0" width="${Math.max(1.5, (v.place!.bytes / wb) * W).toFixed(1)}" height="14"><title>${esc(v.name)} [${fmtShape(v.shape)}]: bytes [${v.place!.offset}, ${v.place!.offset + v.place!.bytes})</title></rect>`).join('')}</svg>`
    : '';
  return `<div class="heap"><div class="dim">intermediates heap (${fmtBytes(heap)}): offset ↓ over node order →; <span class="k read">reads</span> <span class="k write">writes</span> <span class="k other">other values</span></div>${heapSvg}${wSvg}</div>`;
}
