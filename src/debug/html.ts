/**
 * Graph view: one self-contained HTML file (inline data, CSS and script; no network) with the graph
 * laid out top-down at write time (graph-data.ts). The page fits the window, zooms and pans, searches,
 * shows a minimap for long models, the model summary as a table, and each node's details and heap
 * ranges; with a debug capture, reference comparison or profile it colours nodes by their numbers and
 * opens on the first bad node. The page's script lives in src/debug/page/ (see page-script.ts).
 */
import { writeFile } from 'node:fs/promises';
import type { DebugCapture } from './capture.js';
import type { DebugReport } from './model.js';
import { graphPageData, type GraphPageOptions, type InspectLike } from './graph-data.js';
import { graphPageScript } from './page-script.js';

export { inspectOfProgram, fusedParts, opFamily, graphPageData, type InspectLike, type GraphPageOptions } from './graph-data.js';
export type { PageData, PageNode, OverlayKey } from './page/types.js';

const CSS = `*{box-sizing:border-box}body{margin:0;font:12.5px system-ui,sans-serif;color:#202124;height:100vh;display:flex;flex-direction:column;overflow:hidden}
#bar{height:42px;flex:none;display:flex;align-items:center;gap:10px;padding:0 10px;border-bottom:1px solid #dadce0;background:#fff}
#title{font-weight:600;max-width:22vw;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.group{display:flex;align-items:center;gap:2px}
button{font:inherit;border:1px solid #dadce0;background:#fff;border-radius:4px;padding:3px 8px;cursor:pointer}button:hover{background:#f1f3f4}
#zoom{min-width:44px;text-align:center;color:#5f6368}.search{position:relative}#search{font:inherit;width:260px;padding:4px 8px;border:1px solid #dadce0;border-radius:4px}
#count{color:#5f6368;min-width:56px;padding-left:6px}#results{display:none;position:absolute;top:30px;left:0;width:360px;max-height:50vh;overflow:auto;margin:0;padding:4px 0;list-style:none;background:#fff;border:1px solid #dadce0;border-radius:4px;box-shadow:0 2px 8px rgba(0,0,0,.15);z-index:5}
#results.open{display:block}#results li{padding:3px 10px;cursor:pointer;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}#results li:hover,#results li.cur{background:#e8f0fe}
#badbtn{color:#fff;background:#d93025;border-color:#d93025}#badbtn:hover{background:#b3261e}.spacer{flex:1}#help{color:#5f6368;cursor:help;border:1px solid #dadce0;border-radius:50%;width:22px;height:22px;text-align:center;line-height:20px}
main{flex:1;display:flex;min-height:0}#canvas{flex:1;position:relative;overflow:hidden;background:#f7f8fa;cursor:grab;touch-action:none;user-select:none}#canvas.dragging{cursor:grabbing}
#graph{position:absolute;inset:0;width:100%;height:100%}
.edge{fill:none;stroke:#9aa3ae;stroke-width:1.2}.edge.hl{stroke:#f57c00;stroke-width:2.2}.arrowhead{fill:#9aa3ae}
.node{cursor:pointer}.node text{pointer-events:none;font-size:10.5px}.node .body{fill:#fff;stroke:#b8bec8;stroke-width:1}
.node .op{fill:#fff;font-weight:600}.node .badge{fill:#fff;font-size:9.5px}.node .name{fill:#202124}.node.dark .name{fill:#fff}
.node.input .body,.node.output .body{fill:#eef1f5;stroke:#8f98a3}.node.input .name,.node.output .name{font-weight:600}.node .shape{fill:#5f6368;font-size:9.5px}
.node:hover .body{stroke:#5f6368;stroke-width:1.6}.node.bad .body{stroke:#d93025;stroke-width:2.5}.node.firstbad .body{filter:drop-shadow(0 0 5px rgba(217,48,37,.9))}
.badtag{fill:#d93025;font-weight:700;font-size:11px}.node.sel .body{stroke:#f57c00;stroke-width:3}
.searching .node:not(.match){opacity:.2}.searching .edge{opacity:.3}.node.match .body{stroke:#1a73e8;stroke-width:2.5}
.node .mid,.node .side{display:none}.lod-mid .node .name,.lod-mid .node .shape,.lod-mid .node .badge,.lod-mid .node .op,.lod-mid .node .head{display:none}
.lod-mid .node.op .body{fill:var(--fam)}.lod-mid .node .mid{display:inline;fill:#fff;font-weight:600;font-size:min(var(--fs),var(--fit),28px)}.lod-mid.ov .node:not(.dark) .mid,.lod-mid .node:not(.op) .mid{fill:#202124}
.lod-mid .node .side{display:inline;fill:#5f6368;font-size:var(--fs);pointer-events:auto}.lod-mid .badtag{font-size:var(--fs)}.lod-mid.ov .node .side{fill:#202124}#canvas.lod-far .node text{display:none}.lod-far .edge{marker-end:none}
#legendbox{position:absolute;left:10px;bottom:10px;max-width:calc(100% - 260px);background:rgba(255,255,255,.95);border:1px solid #dadce0;border-radius:6px;padding:6px 8px;box-shadow:0 1px 4px rgba(0,0,0,.1);cursor:default;font-size:11.5px}
#legendbox select{font:inherit;margin-left:4px}#legend{margin-top:4px;display:flex;flex-wrap:wrap;gap:4px 10px;align-items:center}
.ramp{display:inline-flex;align-items:center;gap:4px}.ramp .bar{display:inline-block;width:130px;height:10px;border-radius:2px;border:1px solid #ccc}.note{color:#5f6368}
.sw{display:inline-flex;align-items:center}.sw i{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:4px;border:1px solid rgba(0,0,0,.15)}
#minimap{position:absolute;right:10px;bottom:10px;border:1px solid #bdc1c6;border-radius:3px;box-shadow:0 1px 4px rgba(0,0,0,.15);cursor:crosshair;background:#fff}#minimap.off{display:none}
#side{width:390px;flex:none;overflow:auto;border-left:1px solid #dadce0;padding:8px 12px;background:#fff}
#summary>summary{font-weight:600;cursor:pointer;padding:2px 0}h2{font-size:15px;margin:6px 0 4px;word-break:break-all}h3{font-size:12.5px;margin:12px 0 4px;color:#3c4043}
table{border-collapse:collapse}th{text-align:left;font-weight:500;color:#5f6368;padding:2px 10px 2px 0;vertical-align:top;white-space:nowrap}td{padding:2px 6px 2px 0;vertical-align:top}
table.summary{width:100%;margin:4px 0}table.summary td[data-value]{text-align:right;font-variant-numeric:tabular-nums}td.num{text-align:right;font-variant-numeric:tabular-nums}
div.value{margin:3px 0;word-break:break-all;font-size:12px}table.attrs td{word-break:break-all;font-family:ui-monospace,monospace;font-size:11px}.dim{color:#5f6368}.chip{color:#fff;border-radius:3px;padding:1px 6px;font-weight:600}
.badreason{color:#b3261e;background:#fce8e6;border-radius:4px;padding:6px 8px}.ok{color:#137333}a.node-link{color:#1a73e8;text-decoration:none}a.node-link:hover{text-decoration:underline}
pre{white-space:pre-wrap;font-size:11px;background:#f4f5f7;padding:6px;border-radius:4px;margin:0}img{image-rendering:pixelated;border:1px solid #ccc;margin:2px}
.heap .k{display:inline-block;padding:0 4px;border-radius:2px;color:#fff}.k.read{background:#1a73e8}.k.write{background:#f57c00}.k.other{background:#bdc1c6;color:#202124}
.heapmap,.weightsmap{display:block;margin-top:4px}.heapmap rect,.weightsmap rect{cursor:pointer}.frame{fill:#fafbfc;stroke:#dadce0}
rect.other{fill:#d5d9e0}rect.read{fill:#1a73e8}rect.write{fill:#f57c00}line.now{stroke:#202124;stroke-dasharray:3 2}.axis{display:flex;justify-content:space-between;color:#5f6368;font-size:10.5px;width:340px}
#keys{margin-top:14px;color:#80868b;font-size:11px}`;

/** Things to show besides the inspect output: a capture, a debug report (reference errors), GPU times. */
export type GraphExtras = GraphPageOptions & { report?: DebugReport };

function options(extras?: GraphExtras | DebugCapture): GraphPageOptions {
  if (!extras) return {};
  if ('program' in extras && 'values' in extras) return { capture: extras };
  const { report, ...o } = extras as GraphExtras;
  if (report) {
    if (report.mode === 'reference' && !o.relErr) o.relErr = new Map(report.nodes.map((n) => [n.name, n.relErr ?? null]));
    if (o.firstBad === undefined) o.firstBad = report.firstBadNode;
  }
  return o;
}

/** The page as a string. */
export function graphHtml(j: InspectLike, extras?: GraphExtras | DebugCapture, title?: string): string {
  const o = options(extras);
  const data = graphPageData(j, { ...o, title: title ?? o.title });
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const t = data.title.replace(/[<&]/g, '');
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${t}</title><link rel="icon" href="data:,"><style>${CSS}</style></head>
<body><header id="bar"><span id="title" title="${t.replace(/"/g, '')}">${t}</span>
<span class="group"><button id="fit" title="Fit the graph to the window (F)">Fit</button><button id="zoomout" title="Zoom out (−)">−</button><span id="zoom">100%</span><button id="zoomin" title="Zoom in (+)">+</button></span>
<span class="group search"><input id="search" type="search" placeholder="Search node, op or value  ( / )" autocomplete="off" spellcheck="false"><span id="count"></span><ul id="results"></ul></span>
<button id="badbtn" hidden>⚠ first bad node</button><span class="spacer"></span><span id="help">?</span></header>
<main><div id="canvas"><svg id="graph" xmlns="http://www.w3.org/2000/svg"><g id="view"></g></svg>
<div id="legendbox"><label>Colour by<select id="overlay"></select></label><div id="legend"></div></div><canvas id="minimap" class="off"></canvas></div>
<aside id="side"><details id="summary" open><summary>Model</summary><div id="summary-body"></div></details><div id="details"></div><div id="keys"></div></aside></main>
<script type="application/json" id="data">${json}</script><script>${graphPageScript()}</script></body></html>`;
}

/**
 * Write the graph view of `wgml inspect --json` output to one HTML file, optionally with what the
 * debugger (a capture, a reference report) and the profiler (GPU time per node name, ns) measured.
 * @example
 * await writeGraphHtml('graph.html', await inspectJson('model.onnx', {}, device));
 * const { report, capture } = await debugModel(device, 'model.onnx', { reference: true });
 * await writeGraphHtml('debug.html', inspectOfProgram(capture.program), { capture, report });
 */
export async function writeGraphHtml(file: string, inspect: InspectLike, extras?: GraphExtras | DebugCapture): Promise<void> {
  await writeFile(file, graphHtml(inspect, extras));
}
