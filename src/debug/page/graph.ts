/**
 * The graph drawn as SVG: edges as smoothed dagre routes with arrows, nodes as a header in the op
 * family's colour (op type, the overlay's number) over a body (node name, or an input's shape) that
 * the overlay fills. Also selection, search matches and the first-bad-node marker.
 */
import type { PageData, PageNode } from './types.js';
import { FAMILY_COLOURS, isLight, type Scale } from './overlay.js';
import { fmtShape, middleEllipsis } from './format.js';
import { TEXT_MIN_SCALE } from './view.js';

const NS = 'http://www.w3.org/2000/svg';

export function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const k in attrs) e.setAttribute(k, String(attrs[k]));
  parent?.appendChild(e);
  return e;
}

/** d3's curveBasis through dagre's route points: the smooth edges Netron draws. */
export function basisPath(p: { x: number; y: number }[]): string {
  const r = (v: number) => Math.round(v * 10) / 10;
  if (p.length < 3) return `M${p[0]!.x},${p[0]!.y}L${p.at(-1)!.x},${p.at(-1)!.y}`;
  let x0 = p[0]!.x, y0 = p[0]!.y, x1 = p[1]!.x, y1 = p[1]!.y;
  let d = `M${x0},${y0}L${r((5 * x0 + x1) / 6)},${r((5 * y0 + y1) / 6)}`;
  const bez = (x: number, y: number) => {
    d += `C${r((2 * x0 + x1) / 3)},${r((2 * y0 + y1) / 3)} ${r((x0 + 2 * x1) / 3)},${r((y0 + 2 * y1) / 3)} ${r((x0 + 4 * x1 + x) / 6)},${r((y0 + 4 * y1 + y) / 6)}`;
    x0 = x1; y0 = y1; x1 = x; y1 = y;
  };
  for (let i = 2; i < p.length; i++) bez(p[i]!.x, p[i]!.y);
  bez(x1, y1);
  return `${d}L${x1},${y1}`;
}

/** A drawn node; `badge` prints the overlay's number in the header, `side` it (or the name) beside the node when zoomed out. */
export interface NodeView { node: PageNode; g: SVGGElement; body: SVGRectElement; badge: SVGTextElement | null; side: SVGTextElement | null; edges: SVGPathElement[]; sideChars: number }

/**
 * How many characters fit beside each node, right up to the next node of its row, at the smallest
 * scale that shows them (TEXT_MIN_SCALE): chains get whole names, branches none.
 */
function sideRoom(nodes: PageNode[]): Map<string, number> {
  const room = new Map<string, number>();
  for (const n of nodes) {
    let free = Infinity;
    for (const m of nodes) if (m !== n && m.x > n.x && Math.abs(m.y - n.y) < (m.h + n.h) / 2) free = Math.min(free, m.x - m.w / 2 - (n.x + n.w / 2));
    room.set(n.id, Math.floor(((free - 8) * TEXT_MIN_SCALE) / 5.8));
  }
  return room;
}

const HEAD = 15;

function tooltip(n: PageNode): string {
  const outs = n.outputs.map((o) => `${o.name} [${fmtShape(o.shape)}]`).join(', ');
  return n.kind === 'op' ? `${n.label}\n${n.op}${n.fused.length ? ` + ${n.fused.length} fused` : ''}\n→ ${outs}${n.bad ? `\n⚠ ${n.bad}` : ''}` : `${n.kind} ${n.label}`;
}

/** Draw every node and edge under `root`; `onPick(id)` on click. */
export function drawGraph(root: SVGGElement, data: PageData, onPick: (id: string) => void): Map<string, NodeView> {
  const defs = svgEl('defs', {}, root);
  // Arrow size in graph units: highlighted (thicker) edges keep the same heads.
  const marker = svgEl('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' }, defs);
  svgEl('path', { d: 'M0,1L9,5L0,9z', class: 'arrowhead' }, marker);
  const edgeLayer = svgEl('g', { class: 'edges' }, root), nodeLayer = svgEl('g', { class: 'nodes' }, root);
  const views = new Map<string, NodeView>();
  const room = sideRoom(data.nodes);
  for (const n of data.nodes) {
    const g = svgEl('g', { class: `node ${n.kind} cat-${n.cat}${n.fused.length ? ' fused' : ''}${n.bad ? ' bad' : ''}`, 'data-id': n.id, 'data-name': n.label, transform: `translate(${n.x - n.w / 2},${n.y - n.h / 2})` }, nodeLayer);
    svgEl('title', {}, g).textContent = tooltip(n);
    const io = n.kind !== 'op';
    const body = svgEl('rect', { class: 'body', width: n.w, height: n.h, rx: io ? n.h / 2 : 4 }, g);
    const chars = Math.floor((n.w - 12) / 6.1);
    let badge: SVGTextElement | null = null, side: SVGTextElement | null = null;
    // Zoomed out, a node becomes one block labelled in screen-sized type (view.ts sets --fs; --fit keeps it inside).
    const midLabel = (text: string) => {
      g.style.setProperty('--fit', `${((n.w - 8) / (0.62 * Math.max(4, text.length))).toFixed(1)}px`);
      svgEl('text', { class: 'mid', x: n.w / 2, y: n.h / 2, 'text-anchor': 'middle', 'dominant-baseline': 'central' }, g).textContent = text;
    };
    if (io) {
      svgEl('text', { class: 'name', x: n.w / 2, y: 13, 'text-anchor': 'middle' }, g).textContent = middleEllipsis(n.label, chars);
      svgEl('text', { class: 'shape', x: n.w / 2, y: 25, 'text-anchor': 'middle' }, g).textContent = fmtShape((n.outputs[0] ?? n.inputs[0])?.shape);
      midLabel(n.label);
    } else {
      svgEl('path', { class: 'head', d: `M0,${HEAD}V4Q0,0 4,0H${n.w - 4}Q${n.w},0 ${n.w},4V${HEAD}Z`, fill: FAMILY_COLOURS[n.cat] ?? '#555' }, g);
      const op = n.op.slice(n.op.lastIndexOf('.') + 1);
      svgEl('text', { class: 'op', x: 6, y: 11 }, g).textContent = op + (n.fused.length ? ` +${n.fused.length}` : '');
      badge = svgEl('text', { class: 'badge', x: n.w - 5, y: 11, 'text-anchor': 'end' }, g);
      svgEl('text', { class: 'name', x: 6, y: HEAD + 14 }, g).textContent = middleEllipsis(n.label, chars);
      g.style.setProperty('--fam', FAMILY_COLOURS[n.cat] ?? '#555');
      midLabel(op);
      side = svgEl('text', { class: 'side', x: n.w + 4, y: n.h / 2, 'dominant-baseline': 'central' }, g);
    }
    if (data.firstBad?.id === n.id) {
      g.classList.add('firstbad');
      // Left of the node: the incoming edge runs above it and the overlay's number to its right.
      svgEl('text', { class: 'badtag', x: -6, y: n.h / 2, 'text-anchor': 'end', 'dominant-baseline': 'central' }, g).textContent = '⚠ first bad node';
    }
    g.addEventListener('click', () => onPick(n.id));
    views.set(n.id, { node: n, g, body, badge, side, edges: [], sideChars: Math.min(40, room.get(n.id)!) });
  }
  for (const e of data.edges) {
    const p = svgEl('path', { class: 'edge', d: basisPath(e.points), 'marker-end': 'url(#arrow)', 'data-value': e.value }, edgeLayer);
    svgEl('title', {}, p).textContent = `${e.value} [${fmtShape(e.shape)}]`;
    views.get(e.from)?.edges.push(p);
    views.get(e.to)?.edges.push(p);
  }
  return views;
}

/** Fill every node by the overlay's scale and print its number. */
export function applyOverlay(views: Map<string, NodeView>, scale: Scale): void {
  for (const v of views.values()) {
    if (v.node.kind !== 'op') continue;
    const fill = scale.fill(v.node);
    v.body.style.fill = fill ?? '';
    v.g.classList.toggle('dark', !!fill && !isLight(fill));
    const b = scale.badge(v.node);
    if (v.badge) v.badge.textContent = b;
    if (v.side) v.side.textContent = scale.key !== 'op' ? (b.length <= v.sideChars ? b : '') : v.sideChars >= 8 ? middleEllipsis(v.node.label, v.sideChars) : '';
    v.g.dataset.metric = scale.key === 'op' ? '' : String(v.node.metrics[scale.key] ?? '');
  }
}

/** Mark one node selected (and its edges), or none. */
export function selectView(views: Map<string, NodeView>, id: string | null): void {
  for (const v of views.values()) {
    const on = v.node.id === id;
    if (v.g.classList.contains('sel') === on) continue;
    v.g.classList.toggle('sel', on);
    for (const e of v.edges) e.classList.toggle('hl', on);
  }
}

/** Search: matches highlighted, the rest dimmed; null clears. */
export function markMatches(root: SVGGElement, views: Map<string, NodeView>, ids: Set<string> | null): void {
  root.classList.toggle('searching', !!ids);
  for (const v of views.values()) v.g.classList.toggle('match', !!ids?.has(v.node.id));
}

