/**
 * The side panel: the model summary as a table, and a node's details (op, overlay numbers, what was
 * fused into it, kernels, FLOPs, the heap view, inputs and outputs with their places and neighbours,
 * attributes, captured statistics and previews). Links carry data-id; main.ts jumps to them.
 */
import type { PageData, PageNode, PagePlace, PageValue } from './types.js';
import { esc, fmtBytes, fmtNs, fmtNum, fmtShape, fmtSi } from './format.js';
import { FAMILY_COLOURS, OVERLAY_TITLES } from './overlay.js';
import { heapLifetimes, heapView, type Lifetime } from './heap.js';

const link = (n: PageNode | undefined, text = n?.label ?? '') => (n ? `<a href="#" class="node-link" data-id="${esc(n.id)}">${esc(text)}</a>` : esc(text));
const row = (key: string, label: string, value: number | undefined, text: string) =>
  value === undefined ? '' : `<tr data-key="${key}"><th>${esc(label)}</th><td data-value="${value}" title="${value}">${esc(text)}</td></tr>`;
const io = (vs: PageValue[]) => vs.map((v) => `<div><b>${esc(v.name)}</b> <span class="dim">${esc(v.dtype ?? '')} [${esc(fmtShape(v.shape))}]</span></div>`).join('');

export class Panel {
  readonly byId: Map<string, PageNode>;
  /** Value name → the node that writes it, and the nodes that read it. */
  readonly producer = new Map<string, PageNode>();
  readonly consumers = new Map<string, PageNode[]>();
  #life: Lifetime[] | null = null;

  constructor(readonly data: PageData, readonly summaryEl: HTMLElement, readonly detailsEl: HTMLElement) {
    this.byId = new Map(data.nodes.map((n) => [n.id, n]));
    for (const n of data.nodes) {
      for (const o of n.outputs) this.producer.set(o.name, n);
      for (const i of n.inputs) { const l = this.consumers.get(i.name) ?? []; l.push(n); this.consumers.set(i.name, l); }
    }
  }

  renderSummary(): void {
    const s = this.data.summary, d = this.data;
    let h = `<table class="summary"><tr data-key="inputs"><th>Inputs</th><td>${io(s.inputs)}</td></tr><tr data-key="outputs"><th>Outputs</th><td>${io(s.outputs)}</td></tr>`;
    h += row('nodes', 'Nodes', s.nodes, String(s.nodes)) + row('dispatches', 'Dispatches', s.dispatches, String(s.dispatches));
    h += row('flops', 'FLOPs', s.flops, fmtSi(s.flops ?? 0, 'FLOP'));
    h += row('intermediatesHeapSize', 'Intermediates heap', s.intermediatesHeapSize, fmtBytes(s.intermediatesHeapSize ?? 0));
    h += row('peakLiveBytes', 'Peak live bytes', s.peakLiveBytes, fmtBytes(s.peakLiveBytes ?? 0));
    h += row('weightsBytes', 'Weights', s.weightsBytes, fmtBytes(s.weightsBytes ?? 0));
    h += row('gpuTimeNs', 'GPU time (sum of nodes)', s.gpuTimeNs, fmtNs(s.gpuTimeNs ?? 0));
    h += '</table>';
    if (d.firstBad) h += `<p class="badreason">⚠ first bad node: ${link(this.byId.get(d.firstBad.id))}<br>${esc(d.firstBad.reason)}</p>`;
    else if (d.mode === 'debug' || d.mode === 'reference') h += `<p class="ok">✓ no node ${d.mode === 'reference' ? 'differs from the reference beyond rtol' : 'holds NaN/Inf or explodes'}</p>`;
    if (s.gpuTimeNs) {
      const top = d.nodes.filter((n) => typeof n.metrics.time === 'number').sort((a, b) => b.metrics.time! - a.metrics.time!).slice(0, 8);
      h += `<h3>Slowest nodes</h3><table class="top">${top.map((n) => `<tr><td>${link(n)}</td><td class="num">${esc(fmtNs(n.metrics.time!))}</td><td class="num dim">${(100 * n.metrics.time! / s.gpuTimeNs!).toFixed(1)}%</td></tr>`).join('')}</table>`;
    }
    this.summaryEl.innerHTML = h;
  }

  #place(p?: PagePlace): string {
    if (!p) return '';
    return p.kind === 'heap' || p.kind === 'weights' ? `${p.kind} @${p.offset} +${p.bytes} B` : `${p.kind} ${esc(p.name ?? '')}${p.offset ? ` @${p.offset}` : ''}`;
  }

  #values(vs: PageValue[], side: 'in' | 'out'): string {
    return `<div class="values">${vs.map((v) => {
      const near = side === 'in' ? [this.producer.get(v.name)].filter((n): n is PageNode => !!n) : this.consumers.get(v.name) ?? [];
      return `<div class="value"><div><b>${esc(v.name)}</b> ${near.map((n) => link(n, `${side === 'in' ? '← ' : '→ '}${n.label}`)).join(' ')}</div><div class="dim">[${esc(fmtShape(v.shape))}] ${esc(this.#place(v.place))}</div></div>`;
    }).join('')}</div>`;
  }

  #metrics(n: PageNode): string {
    const m = n.metrics, rows: string[] = [];
    const total = this.data.summary.gpuTimeNs;
    if (typeof m.time === 'number') rows.push(`<tr data-key="time"><th>${OVERLAY_TITLES.time}</th><td>${esc(fmtNs(m.time))}${total ? ` (${(100 * m.time / total).toFixed(1)}% of the model)` : ''}</td></tr>`);
    if (m.err !== undefined) rows.push(`<tr data-key="err"><th>${OVERLAY_TITLES.err}</th><td>${m.err === null ? 'not compared' : esc(fmtNum(m.err))}${m.err !== null && this.data.rtol !== undefined ? (m.err > this.data.rtol ? ' ✗ over rtol' : ' ✓') : ''}</td></tr>`);
    if (typeof m.naninf === 'number') rows.push(`<tr data-key="naninf"><th>${OVERLAY_TITLES.naninf}</th><td>${m.naninf}</td></tr>`);
    if (typeof m.absmax === 'number') rows.push(`<tr data-key="absmax"><th>${OVERLAY_TITLES.absmax}</th><td>${esc(fmtNum(m.absmax))}</td></tr>`);
    return rows.length ? `<table class="metrics">${rows.join('')}</table>` : '';
  }

  /** Details of a node, or the hint when none is selected. */
  renderDetails(n: PageNode | null): void {
    if (!n) { this.detailsEl.innerHTML = '<p class="dim">Click a node for its details, its heap ranges and its neighbours.</p>'; return; }
    const ops = this.data.summary.nodes;
    let h = `<h2>${esc(n.label)}</h2><div class="op"><span class="chip" style="background:${FAMILY_COLOURS[n.cat] ?? '#555'}">${esc(n.op)}</span>${n.kind === 'op' ? ` <span class="dim">#${n.index} of ${ops}</span>` : ''}</div>`;
    if (n.bad) h += `<p class="badreason">⚠ ${esc(n.bad)}</p>`;
    h += this.#metrics(n);
    if (n.fused.length) h += `<details class="fused" open><summary>fused into this node (${n.fused.length})</summary><ul>${n.fused.map((f) => `<li>${esc(f)}</li>`).join('')}</ul></details>`;
    if (n.kind === 'op') {
      h += `<table class="facts"><tr><th>FLOPs</th><td>${n.flops} <span class="dim">(${esc(fmtSi(n.flops, 'FLOP'))})</span></td></tr><tr><th>kernels</th><td>${esc(n.kernels.join(', ') || 'none (alias)')}</td></tr></table>`;
      h += `<h3>inputs</h3>${this.#values(n.inputs, 'in')}<h3>outputs</h3>${this.#values(n.outputs, 'out')}`;
      h += `<h3>memory</h3>${heapView(this.data, (this.#life ??= heapLifetimes(this.data)), n)}`;
      const attrs = Object.entries(n.attrs);
      if (attrs.length) h += `<h3>attributes</h3><table class="attrs">${attrs.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`).join('')}</table>`;
    } else {
      const v = (n.outputs[0] ?? n.inputs[0])!;
      h += `<p>${esc(v.dtype ?? '')} [${esc(fmtShape(v.shape))}]</p>${this.#values(n.kind === 'input' ? n.outputs : n.inputs, n.kind === 'input' ? 'out' : 'in')}`;
    }
    if (n.stats.length) h += `<h3>statistics</h3><pre class="stats">${esc(n.stats.join('\n'))}</pre>`;
    for (const p of n.previews) h += `<div>${esc(p.name)} (channel 0)<br><img class="preview" src="${p.url}"></div>`;
    this.detailsEl.innerHTML = h;
  }
}
