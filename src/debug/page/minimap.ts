/**
 * The overview in the canvas's corner: every node as a coloured mark (the overlay's colours, so GPU
 * time or NaNs show across the whole model), search matches and the first bad node marked, and the
 * part on screen as a rectangle; click or drag in it to move there. Long chains (transformers) are
 * thin strips, so each axis may be stretched up to 8× the other to stay usable. Drawn on a canvas:
 * nodes are painted once per overlay, then only the rectangle per view change.
 */
import type { PageData } from './types.js';
import type { Viewport } from './view.js';

export class Minimap {
  #base = document.createElement('canvas');
  #sx = 1;
  #sy = 1;
  #pending = false;
  hidden = false;

  constructor(readonly canvas: HTMLCanvasElement, readonly data: PageData, readonly view: Viewport) {
    view.onChange.push(() => this.schedule());
    const go = (e: PointerEvent) => {
      const r = canvas.getBoundingClientRect();
      view.centerOn((e.clientX - r.left) / this.#sx, (e.clientY - r.top) / this.#sy);
    };
    canvas.addEventListener('pointerdown', (e) => { e.stopPropagation(); canvas.setPointerCapture(e.pointerId); go(e); });
    canvas.addEventListener('pointermove', (e) => { if (canvas.hasPointerCapture(e.pointerId)) go(e); });
    canvas.addEventListener('click', (e) => e.stopPropagation());
    canvas.addEventListener('wheel', (e) => { e.stopPropagation(); e.preventDefault(); const { w, h } = view.size; view.zoomAt(Math.exp(-e.deltaY * 0.0025), w / 2, h / 2); }, { passive: false });
  }

  /** Paint the nodes (after the overlay or the window size changed). */
  paint(fill: (id: string) => string, marks: Set<string> | null): void {
    const { w, h } = this.view.size, gw = this.data.width, gh = this.data.height;
    const maxW = Math.min(200, w * 0.25), maxH = Math.max(80, Math.min(h - 70, 480));
    const s = Math.min(maxW / gw, maxH / gh);
    this.#sx = gw * s < 60 ? Math.min(60 / gw, 8 * s) : s;
    this.#sy = gh * s < 60 ? Math.min(60 / gh, 8 * s) : s;
    const cw = Math.ceil(gw * this.#sx), ch = Math.ceil(gh * this.#sy), dpr = window.devicePixelRatio || 1;
    for (const c of [this.canvas, this.#base]) { c.width = cw * dpr; c.height = ch * dpr; }
    this.canvas.style.width = `${cw}px`;
    this.canvas.style.height = `${ch}px`;
    const g = this.#base.getContext('2d')!;
    g.scale(dpr, dpr);
    g.fillStyle = '#fff';
    g.fillRect(0, 0, cw, ch);
    for (const n of this.data.nodes) {
      g.fillStyle = fill(n.id);
      g.fillRect((n.x - n.w / 2) * this.#sx, (n.y - n.h / 2) * this.#sy, Math.max(1.5, n.w * this.#sx), Math.max(1.5, n.h * this.#sy));
    }
    const ring = (id: string, colour: string, r: number) => {
      const n = this.data.nodes.find((m) => m.id === id);
      if (!n) return;
      g.strokeStyle = colour; g.lineWidth = 2;
      g.beginPath(); g.arc(n.x * this.#sx, n.y * this.#sy, r, 0, 2 * Math.PI); g.stroke();
    };
    for (const id of marks ?? []) ring(id, '#1a73e8', 4);
    if (this.data.firstBad) ring(this.data.firstBad.id, '#d00', 6);
    this.schedule();
  }

  schedule(): void {
    if (this.#pending) return;
    this.#pending = true;
    requestAnimationFrame(() => { this.#pending = false; this.draw(); });
  }

  /** The nodes and the visible rectangle; hidden while the whole graph is on screen. */
  draw(): void {
    const v = this.view.visible();
    const all = v.x <= 0 && v.y <= 0 && v.x + v.w >= this.data.width && v.y + v.h >= this.data.height;
    this.canvas.classList.toggle('off', this.hidden || all);
    if (this.hidden || all) return;
    const g = this.canvas.getContext('2d')!, dpr = window.devicePixelRatio || 1;
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.drawImage(this.#base, 0, 0);
    g.scale(dpr, dpr);
    g.fillStyle = 'rgba(26,115,232,0.12)';
    g.strokeStyle = '#1a73e8';
    g.lineWidth = 1.5;
    const x = v.x * this.#sx, y = v.y * this.#sy, w = Math.max(3, v.w * this.#sx), h = Math.max(3, v.h * this.#sy);
    g.fillRect(x, y, w, h);
    g.strokeRect(x, y, w, h);
  }
}
