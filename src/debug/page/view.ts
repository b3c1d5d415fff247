/**
 * Pan and zoom of the graph: one transform on the SVG's root group (graph coordinates → screen pixels),
 * wheel (Netron's convention: scroll pans, Ctrl/⌘+wheel and trackpad pinch zoom at the pointer), drag
 * on the canvas, and the calls the keyboard, search and minimap use. Text is hidden when it would be
 * unreadably small, which also keeps big graphs fast to repaint on a software rasterizer.
 */

export interface Box { x: number; y: number; w: number; h: number }

/** Below this scale no text is drawn (unreadable, and the slowest part to repaint). */
export const TEXT_MIN_SCALE = 0.25;
/** Below this scale nodes are drawn as blocks labelled in screen-sized type. */
export const BLOCK_SCALE = 0.6;

export class Viewport {
  scale = 1;
  tx = 0;
  ty = 0;
  /** Called after every change of the transform. */
  readonly onChange: (() => void)[] = [];
  #dragged = false;
  /** Pixels at the bottom that the legend covers: fitting leaves them free. */
  bottomInset = 0;

  constructor(readonly host: HTMLElement, readonly root: SVGGElement, readonly width: number, readonly height: number) {}

  /** The canvas size in CSS pixels. */
  get size(): { w: number; h: number } { return { w: this.host.clientWidth, h: this.host.clientHeight }; }

  /** The scale at which the whole graph fits, with a margin; never above 1.5 (tiny graphs stay node-sized). */
  fitScale(): number {
    const { w, h } = this.size;
    return Math.min(1.5, (w - 24) / this.width, (h - 24 - this.bottomInset) / this.height);
  }

  #clampScale(s: number): number { return Math.min(4, Math.max(Math.min(0.5 * this.fitScale(), 0.2), s)); }

  set(scale: number, tx: number, ty: number): void {
    const { w, h } = this.size;
    this.scale = this.#clampScale(scale);
    // Keep some of the graph on screen: panning stops 60 px before it leaves.
    const gw = this.width * this.scale, gh = this.height * this.scale;
    this.tx = Math.min(w - 60, Math.max(60 - gw, tx));
    this.ty = Math.min(h - 60, Math.max(60 - gh, ty));
    this.root.setAttribute('transform', `translate(${this.tx.toFixed(2)},${this.ty.toFixed(2)}) scale(${this.scale.toFixed(5)})`);
    this.host.classList.toggle('lod-mid', this.scale < BLOCK_SCALE);
    // Type that stays ~10 px on screen (the CSS caps it inside a node).
    if (this.scale < BLOCK_SCALE) this.host.style.setProperty('--fs', `${(10 / this.scale).toFixed(1)}px`);
    this.host.classList.toggle('lod-far', this.scale < TEXT_MIN_SCALE);
    for (const f of this.onChange) f();
  }

  /** The whole graph, centred. */
  fit(): void {
    const s = this.#clampScale(this.fitScale()), { w, h } = this.size;
    this.set(s, (w - this.width * s) / 2, (h - this.bottomInset - this.height * s) / 2);
  }

  /** Zoom by `factor` keeping the graph point under (px, py) (canvas pixels) in place. */
  zoomAt(factor: number, px: number, py: number): void {
    const s = this.#clampScale(this.scale * factor), gx = (px - this.tx) / this.scale, gy = (py - this.ty) / this.scale;
    this.set(s, px - gx * s, py - gy * s);
  }

  panBy(dx: number, dy: number): void { this.set(this.scale, this.tx + dx, this.ty + dy); }

  /** Put graph point (gx, gy) at the centre of the canvas. */
  centerOn(gx: number, gy: number, scale = this.scale): void {
    const s = this.#clampScale(scale), { w, h } = this.size;
    this.set(s, w / 2 - gx * s, h / 2 - gy * s);
  }

  /** The part of the graph on screen, in graph coordinates. */
  visible(): Box {
    const { w, h } = this.size;
    return { x: -this.tx / this.scale, y: -this.ty / this.scale, w: w / this.scale, h: h / this.scale };
  }

  /** Wheel and drag on the canvas. */
  attach(): void {
    this.host.addEventListener('wheel', (e) => {
      e.preventDefault();
      const r = this.host.getBoundingClientRect(), unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? this.size.h : 1;
      if (e.ctrlKey || e.metaKey) this.zoomAt(Math.exp(-e.deltaY * unit * 0.0025), e.clientX - r.left, e.clientY - r.top);
      else if (e.shiftKey && !e.deltaX) this.panBy(-e.deltaY * unit, 0);
      else this.panBy(-e.deltaX * unit, -e.deltaY * unit);
    }, { passive: false });
    let start: { x: number; y: number; tx: number; ty: number; id: number } | null = null;
    this.host.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      start = { x: e.clientX, y: e.clientY, tx: this.tx, ty: this.ty, id: e.pointerId };
      this.#dragged = false;
    });
    this.host.addEventListener('pointermove', (e) => {
      if (!start || e.pointerId !== start.id) return;
      const dx = e.clientX - start.x, dy = e.clientY - start.y;
      if (!this.#dragged && Math.hypot(dx, dy) < 4) return;
      if (!this.#dragged) { this.#dragged = true; this.host.setPointerCapture(e.pointerId); this.host.classList.add('dragging'); }
      this.set(this.scale, start.tx + dx, start.ty + dy);
    });
    const end = () => { start = null; this.host.classList.remove('dragging'); };
    this.host.addEventListener('pointerup', end);
    this.host.addEventListener('pointercancel', end);
    // A drag that ends over a node is not a click on it.
    this.host.addEventListener('click', (e) => { if (this.#dragged) { e.stopPropagation(); this.#dragged = false; } }, true);
  }
}
