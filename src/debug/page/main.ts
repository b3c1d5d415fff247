/**
 * The graph page's entry point: reads the embedded data, draws the graph, and wires the toolbar,
 * keyboard, search, overlays, minimap and side panel together. Opens fitted to the window; on the
 * first bad node when the debugger found one; at the top at a readable zoom when fitting a long model
 * would make its nodes specks (the minimap then gives the overview).
 */
import type { OverlayKey, PageData } from './types.js';
import { Viewport } from './view.js';
import { applyOverlay, drawGraph, markMatches, selectView } from './graph.js';
import { FAMILY_COLOURS, makeScale, OVERLAY_TITLES } from './overlay.js';
import { Minimap } from './minimap.js';
import { Panel } from './panel.js';
import { Search } from './search.js';

/** The zoom below which node names are hard to read: where a long graph opens. */
const READABLE_SCALE = 0.6;
const KEYS = 'drag or wheel: pan · Ctrl+wheel / pinch / + −: zoom · F or 0: fit · 1: 100% · arrows: pan · / : search (Enter: next) · [ ]: previous/next node · B: first bad node · M: minimap · Esc: clear';

export function main(): void {
  const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
  const data = JSON.parse($('data').textContent!) as PageData;
  const host = $('canvas'), root = document.getElementById('view') as unknown as SVGGElement;
  const view = new Viewport(host, root, data.width, data.height);
  const panel = new Panel(data, $('summary-body'), $('details'));
  const ops = data.nodes.filter((n) => n.kind === 'op');
  let selected: string | null = null;
  let marks: Set<string> | null = null;

  const focus = (id: string) => { const n = panel.byId.get(id)!; view.centerOn(n.x, n.y, Math.max(view.scale, 1)); };
  const select = (id: string | null, andFocus: boolean) => {
    selected = id;
    selectView(views, id);
    panel.renderDetails(id ? panel.byId.get(id)! : null);
    if (id) $<HTMLDetailsElement>('summary').open = false;
    if (id && andFocus) focus(id);
  };
  const views = drawGraph(root, data, (id) => select(id, false));

  const minimap = new Minimap($<HTMLCanvasElement>('minimap'), data, view);
  const overlaySel = $<HTMLSelectElement>('overlay');
  overlaySel.innerHTML = data.overlays.map((k) => `<option value="${k}">${OVERLAY_TITLES[k]}</option>`).join('');
  let scale = makeScale(data.defaultOverlay, data);
  const fillOf = (id: string) => { const n = panel.byId.get(id)!; return scale.fill(n) ?? FAMILY_COLOURS[n.cat] ?? '#999'; };
  const setOverlay = (k: OverlayKey) => {
    scale = makeScale(k, data);
    overlaySel.value = k;
    applyOverlay(views, scale);
    host.classList.toggle('ov', k !== 'op');
    $('legend').innerHTML = scale.legend;
    view.bottomInset = $('legendbox').offsetHeight + 10;
    minimap.paint(fillOf, marks);
  };
  overlaySel.addEventListener('change', () => setOverlay(overlaySel.value as OverlayKey));

  const search = new Search($<HTMLInputElement>('search'), $('count'), $('results'), data,
    (ids) => { marks = ids; markMatches(root, views, ids); minimap.paint(fillOf, marks); }, (n) => select(n.id, true));

  // Toolbar, panel links, keyboard.
  const centre = () => { const { w, h } = view.size; return [w / 2, h / 2] as const; };
  $('fit').addEventListener('click', () => view.fit());
  $('zoomin').addEventListener('click', () => view.zoomAt(1.25, ...centre()));
  $('zoomout').addEventListener('click', () => view.zoomAt(0.8, ...centre()));
  const bad = $<HTMLButtonElement>('badbtn');
  if (data.firstBad) { bad.hidden = false; bad.title = data.firstBad.reason; bad.addEventListener('click', () => select(data.firstBad!.id, true)); }
  view.onChange.push(() => { $('zoom').textContent = `${Math.round(view.scale * 100)}%`; });
  $('side').addEventListener('click', (e) => {
    const a = (e.target as Element).closest('[data-id]');
    if (!a) return;
    e.preventDefault();
    select(a.getAttribute('data-id')!, true);
  });
  $('legendbox').addEventListener('pointerdown', (e) => e.stopPropagation());
  $('help').title = KEYS;
  $('keys').textContent = KEYS;
  const step = (d: number) => {
    const cur = selected ? panel.byId.get(selected)! : null;
    const k = cur?.kind === 'op' ? cur.index + d : d > 0 ? 0 : ops.length - 1;
    const n = ops[Math.min(ops.length - 1, Math.max(0, k))];
    if (n) select(n.id, true);
  };
  document.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement;
    if ((e.ctrlKey || e.metaKey) && e.key === 'f') { e.preventDefault(); search.input.focus(); search.input.select(); return; }
    if (t.tagName === 'INPUT' || t.tagName === 'SELECT' || e.ctrlKey || e.metaKey || e.altKey) return;
    const pan = e.shiftKey ? 320 : 80;
    const act: Record<string, () => void> = {
      '/': () => { search.input.focus(); search.input.select(); },
      '+': () => view.zoomAt(1.25, ...centre()), '=': () => view.zoomAt(1.25, ...centre()), '-': () => view.zoomAt(0.8, ...centre()),
      '0': () => view.fit(), f: () => view.fit(), F: () => view.fit(), '1': () => view.zoomAt(1 / view.scale, ...centre()),
      ArrowLeft: () => view.panBy(pan, 0), ArrowRight: () => view.panBy(-pan, 0), ArrowUp: () => view.panBy(0, pan), ArrowDown: () => view.panBy(0, -pan),
      n: () => search.step(1), N: () => search.step(-1), '[': () => step(-1), ']': () => step(1),
      b: () => data.firstBad && select(data.firstBad.id, true), B: () => data.firstBad && select(data.firstBad.id, true),
      m: () => { minimap.hidden = !minimap.hidden; minimap.draw(); }, M: () => { minimap.hidden = !minimap.hidden; minimap.draw(); },
      Escape: () => { search.clear(); select(null, false); },
    };
    const f = act[e.key];
    if (f) { e.preventDefault(); f(); }
  });
  window.addEventListener('resize', () => minimap.paint(fillOf, marks));

  panel.renderSummary();
  panel.renderDetails(null);
  view.attach();
  setOverlay(data.defaultOverlay);
  const fs = view.fitScale();
  if (fs >= 0.3) view.fit();
  else {
    // A long model opens at its top at a readable zoom (a wide layout is not shrunk into specks), centred
    // on the nodes of its first rows; the minimap gives the overview.
    const { w } = view.size, s = Math.max(READABLE_SCALE, Math.min(1, (w - 24) / data.width));
    const top = data.nodes.filter((n) => n.y - data.nodes.reduce((m, o) => Math.min(m, o.y), Infinity) < 200);
    const cx = (Math.min(...top.map((n) => n.x - n.w / 2)) + Math.max(...top.map((n) => n.x + n.w / 2))) / 2;
    view.set(s, w / 2 - cx * s, 8);
  }
  // The first bad node is what the page is about: selected, and zoomed to unless the graph fits legibly.
  if (data.firstBad) select(data.firstBad.id, fs < 0.8);
  (window as unknown as Record<string, unknown>).wgmlGraph = { data, view, select, focus, search, setOverlay, views };
  document.body.dataset.ready = String(Math.round(performance.now()));
}
