/**
 * Graph view: one self-contained HTML page (no network access needed) with the graph laid out left
 * to right by dagre at write time, each node clickable for its op, attributes, shapes, FLOPs, heap
 * place, what was fused into it and, from a debug capture, statistics and small previews.
 */
import { writeFile } from 'node:fs/promises';
import dagre from '@dagrejs/dagre';
import type { DebugCapture } from './capture.js';
import { plainAttrs } from './capture.js';
import type { Program } from '../runtime/compile.js';
import { nodeFlops } from '../runtime/flops.js';
import { fmtStats } from './stats.js';
import { previewDataUrl } from './viewer.js';

/** The parts of `wgml inspect --json` the page shows. */
export interface InspectLike {
  inputs: { name: string; dtype: string; shape: number[] }[];
  outputs: { name: string; dtype: string; shape: number[] }[];
  nodes: {
    name: string; op: string; flops: number; kernels: string[]; attrs: Record<string, unknown>;
    inputs: { name: string; shape?: number[]; place?: unknown }[];
    outputs: { name: string; shape?: number[]; place?: unknown }[];
  }[];
  flops?: number; intermediatesHeapSize?: number; peakLiveBytes?: number; weightsBytes?: number; dispatches?: number;
}

interface ViewNode {
  id: string; kind: 'op' | 'input' | 'output'; label: string; op: string; x: number; y: number; w: number; h: number;
  fused: string[]; info: Record<string, unknown>; stats: string[]; previews: { name: string; url: string }[]; bad: string;
}

/** The inspect shape from a compiled program (e.g. a capture's), for pages made from code. */
export function inspectOfProgram(p: Program): InspectLike {
  const t = (n: string) => p.values.get(n)?.type;
  const io = (n: string) => ({ name: n, shape: t(n)?.shape, place: p.values.get(n)?.place });
  const nodes = p.nodes.map((n) => ({
    name: n.name, op: n.domain ? `${n.domain}.${n.opType}` : n.opType, attrs: plainAttrs(n.attrs),
    inputs: n.inputs.filter(Boolean).map(io), outputs: n.outputs.filter(Boolean).map(io),
    kernels: n.dispatches.map((d) => p.dispatches[d]!.kernel.name), flops: nodeFlops(n.opType, n.inputs.map(t), n.outputs.map(t)),
  }));
  return {
    inputs: p.inputs.map((i) => ({ name: i.name, dtype: i.type.dtype, shape: i.type.shape })), outputs: p.outputs.map((o) => ({ name: o.name, dtype: o.type.dtype, shape: o.type.shape })),
    nodes, flops: nodes.reduce((a, n) => a + n.flops, 0), dispatches: p.dispatches.length,
    intermediatesHeapSize: p.intermediatesHeapSize, peakLiveBytes: p.peakLiveBytes, weightsBytes: p.weightsBytes,
  };
}

/** What the fusion passes folded into a node, from its attributes. */
export function fusedParts(op: string, attrs: Record<string, unknown>): string[] {
  const parts: string[] = [];
  if ('wgml_residual' in attrs) parts.push(`residual Add (${JSON.stringify(attrs.wgml_residual)})`);
  if ('wgml_act' in attrs) parts.push(`activation ${String(attrs.wgml_act)}${attrs.wgml_act_params ? ` ${JSON.stringify(attrs.wgml_act_params)}` : ''}`);
  if (op.endsWith('FusedElementwise')) for (const [k, v] of Object.entries(attrs)) if (!k.startsWith('wgml_act') && k !== 'wgml_residual') parts.push(`${k}: ${JSON.stringify(v)}`);
  return parts;
}

/** Lay the graph out and collect everything the page shows. */
export function graphViewData(j: InspectLike, capture?: DebugCapture): { nodes: ViewNode[]; edges: { from: string; to: string; value: string; points: { x: number; y: number }[] }[]; width: number; height: number; summary: Record<string, unknown> } {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 46, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  const producer = new Map<string, string>();
  const nodes: ViewNode[] = [];
  const reports = new Map(capture?.nodes.map((n) => [n.name, n]) ?? []);
  const add = (n: Omit<ViewNode, 'x' | 'y' | 'w' | 'h'>) => {
    const w = Math.max(90, 8 * Math.max(n.label.length, n.op.length) + 20), h = n.kind === 'op' ? 44 : 30;
    nodes.push({ ...n, x: 0, y: 0, w, h });
    g.setNode(n.id, { width: w, height: h });
  };
  for (const i of j.inputs) { add({ id: `in:${i.name}`, kind: 'input', label: i.name, op: `input ${i.dtype} [${i.shape.join('×')}]`, fused: [], info: i, stats: [], previews: [], bad: '' }); producer.set(i.name, `in:${i.name}`); }
  j.nodes.forEach((n, k) => {
    const id = `n${k}`;
    const r = reports.get(n.name);
    const stats = r ? [...r.inputs.map((v) => `in  ${v.name}: ${fmtStats(v.stats)}`), ...r.outputs.map((v) => `out ${v.name}: ${fmtStats(v.stats)}`)] : [];
    const previews: ViewNode['previews'] = [];
    if (capture && j.nodes.length <= 400) for (const o of n.outputs) { const t = capture.values.get(o.name); const url = t && previewDataUrl(t); if (url) previews.push({ name: o.name, url }); }
    add({ id, kind: 'op', label: n.name, op: n.op, fused: fusedParts(n.op, n.attrs), info: { name: n.name, op: n.op, attrs: n.attrs, inputs: n.inputs, outputs: n.outputs, flops: n.flops, kernels: n.kernels }, stats, previews, bad: r?.reason ?? '' });
    for (const o of n.outputs) producer.set(o.name, id);
  });
  for (const o of j.outputs) add({ id: `out:${o.name}`, kind: 'output', label: o.name, op: `output ${o.dtype} [${o.shape.join('×')}]`, fused: [], info: o, stats: [], previews: [], bad: '' });
  const edges: { from: string; to: string; value: string }[] = [];
  j.nodes.forEach((n, k) => { for (const i of n.inputs) { const p = producer.get(i.name); if (p) edges.push({ from: p, to: `n${k}`, value: i.name }); } });
  for (const o of j.outputs) { const p = producer.get(o.name); if (p) edges.push({ from: p, to: `out:${o.name}`, value: o.name }); }
  edges.forEach((e, k) => g.setEdge(e.from, e.to, {}, `e${k}`));
  dagre.layout(g);
  for (const n of nodes) { const l = g.node(n.id); n.x = l.x; n.y = l.y; }
  const laid = edges.map((e, k) => ({ ...e, points: (g.edge({ v: e.from, w: e.to, name: `e${k}` }) as { points: { x: number; y: number }[] }).points }));
  const gg = g.graph() as { width?: number; height?: number };
  const { nodes: _n, inputs: _i, outputs: _o, ...summary } = j;
  return { nodes, edges: laid, width: gg.width ?? 400, height: gg.height ?? 200, summary };
}

const CSS = `body{margin:0;font:13px system-ui,sans-serif;display:flex;height:100vh;color:#222}
#canvas{flex:1;overflow:auto;background:#fafafa}#side{width:380px;overflow:auto;border-left:1px solid #ccc;padding:10px;box-sizing:border-box}
.node rect{fill:#fff;stroke:#557;stroke-width:1.2;rx:5}.node.input rect,.node.output rect{fill:#eef6ee}.node.fused rect{fill:#eef0ff}
.node.bad rect{stroke:#c00;stroke-width:2.5}.node.sel rect{stroke:#f80;stroke-width:3}.node{cursor:pointer}.node text{font-size:11px;pointer-events:none}
.edge{fill:none;stroke:#99a;stroke-width:1.2}pre{white-space:pre-wrap;font-size:11px;background:#f4f4f4;padding:4px}
h2{font-size:15px;margin:4px 0}img{image-rendering:pixelated;border:1px solid #ccc;margin:2px}table{border-collapse:collapse}td{padding:1px 6px;vertical-align:top}`;

const SCRIPT = `const D=JSON.parse(document.getElementById('data').textContent);
const NS='http://www.w3.org/2000/svg',svg=document.getElementById('graph');
svg.setAttribute('width',D.width);svg.setAttribute('height',D.height);
const el=(t,a,p)=>{const e=document.createElementNS(NS,t);for(const k in a)e.setAttribute(k,a[k]);p.appendChild(e);return e;};
for(const e of D.edges)el('path',{class:'edge',d:'M'+e.points.map(p=>p.x+','+p.y).join('L'),'data-value':e.value},svg);
const side=document.getElementById('details');
const esc=s=>String(s).replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
function show(n,g){document.querySelectorAll('.node.sel').forEach(x=>x.classList.remove('sel'));g.classList.add('sel');
let h='<h2>'+esc(n.label)+'</h2><div class="op">'+esc(n.op)+'</div>';
if(n.bad)h+='<p style="color:#c00">'+esc(n.bad)+'</p>';
if(n.fused.length)h+='<details class="fused" open><summary>fused into this node ('+n.fused.length+')</summary><ul>'+n.fused.map(f=>'<li>'+esc(f)+'</li>').join('')+'</ul></details>';
const i=n.info;if(n.kind==='op'){h+='<table><tr><td>FLOPs</td><td>'+i.flops+'</td></tr><tr><td>kernels</td><td>'+esc(i.kernels.join(', '))+'</td></tr></table>';
h+='<h3>attributes</h3><pre>'+esc(JSON.stringify(i.attrs,null,1))+'</pre>';
const v=x=>'<tr><td>'+esc(x.name)+'</td><td>['+(x.shape||[]).join('×')+']</td><td>'+esc(x.place?(x.place.kind+(x.place.kind==='heap'||x.place.kind==='weights'?' @'+x.place.offset+' +'+x.place.bytes+' B':'')):'')+'</td></tr>';
h+='<h3>inputs</h3><table>'+i.inputs.map(v).join('')+'</table><h3>outputs</h3><table>'+i.outputs.map(v).join('')+'</table>';}
else h+='<pre>'+esc(JSON.stringify(i,null,1))+'</pre>';
if(n.stats.length)h+='<h3>statistics</h3><pre class="stats">'+esc(n.stats.join('\\n'))+'</pre>';
for(const p of n.previews)h+='<div>'+esc(p.name)+' (channel 0)<br><img class="preview" src="'+p.url+'"></div>';
side.innerHTML=h;}
for(const n of D.nodes){const g=el('g',{class:'node '+n.kind+(n.fused.length?' fused':'')+(n.bad?' bad':''),'data-name':n.label,'data-id':n.id,transform:'translate('+(n.x-n.w/2)+','+(n.y-n.h/2)+')'},svg);
el('rect',{width:n.w,height:n.h},g);const t1=el('text',{x:6,y:n.kind==='op'?17:19},g);t1.textContent=n.label;
if(n.kind==='op'){const t2=el('text',{x:6,y:34,fill:'#557'},g);t2.textContent=n.op+(n.fused.length?' +'+n.fused.length:'');}
g.addEventListener('click',()=>show(n,g));}
document.getElementById('summary').textContent=JSON.stringify(D.summary);`;

/** The page as a string. */
export function graphHtml(j: InspectLike, capture?: DebugCapture, title = 'wgml graph'): string {
  const data = JSON.stringify(graphViewData(j, capture)).replace(/</g, '\\u003c');
  const t = title.replace(/[<&]/g, '');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${t}</title><link rel="icon" href="data:,"><style>${CSS}</style></head>
<body><div id="canvas"><svg id="graph" xmlns="http://www.w3.org/2000/svg"></svg></div>
<div id="side"><div id="summary" style="font-size:11px;color:#666"></div><div id="details"><p>Click a node.</p></div></div>
<script type="application/json" id="data">${data}</script><script>${SCRIPT}</script></body></html>`;
}

/**
 * Write the graph view of `wgml inspect --json` output (and optionally a debug capture) to one HTML file.
 * @example await writeGraphHtml('graph.html', await inspectJson('model.onnx', {}, device), capture);
 */
export async function writeGraphHtml(file: string, inspect: InspectLike, capture?: DebugCapture): Promise<void> {
  await writeFile(file, graphHtml(inspect, capture));
}
