/**
 * Search by node name, op type or value name: matches are highlighted (the rest dimmed) and listed;
 * Enter / ↓ jump to the next, Shift+Enter / ↑ to the previous, Escape clears.
 */
import type { PageData, PageNode } from './types.js';
import { esc } from './format.js';

export class Search {
  matches: PageNode[] = [];
  current = -1;

  constructor(readonly input: HTMLInputElement, readonly countEl: HTMLElement, readonly listEl: HTMLElement, readonly data: PageData,
    readonly onMarks: (ids: Set<string> | null) => void, readonly onJump: (n: PageNode) => void) {
    input.addEventListener('input', () => this.run(input.value));
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === 'ArrowDown' || e.key === 'ArrowUp') { e.preventDefault(); this.step(e.shiftKey || e.key === 'ArrowUp' ? -1 : 1); }
      else if (e.key === 'Escape') { this.clear(); input.blur(); }
      e.stopPropagation();
    });
    listEl.addEventListener('mousedown', (e) => {
      const li = (e.target as Element).closest('li[data-k]');
      if (!li) return;
      e.preventDefault();
      this.go(Number(li.getAttribute('data-k')));
    });
    input.addEventListener('blur', () => setTimeout(() => listEl.classList.remove('open'), 150));
    input.addEventListener('focus', () => { if (this.matches.length) listEl.classList.add('open'); });
  }

  /** Nodes whose name, op or values contain `q` (any case): name hits first, then op, then values. */
  find(q: string): PageNode[] {
    const s = q.trim().toLowerCase();
    if (!s) return [];
    const rank = (n: PageNode) => {
      const l = n.label.toLowerCase();
      if (l === s) return 0;
      if (l.includes(s)) return l.startsWith(s) ? 1 : 2;
      if (n.op.toLowerCase().includes(s)) return 3;
      return [...n.inputs, ...n.outputs].some((v) => v.name.toLowerCase().includes(s)) ? 4 : -1;
    };
    return this.data.nodes.map((n) => ({ n, r: rank(n) })).filter((x) => x.r >= 0).sort((a, b) => a.r - b.r || a.n.index - b.n.index).map((x) => x.n);
  }

  run(q: string): void {
    this.matches = this.find(q);
    this.current = -1;
    this.onMarks(q.trim() ? new Set(this.matches.map((n) => n.id)) : null);
    this.listEl.innerHTML = this.matches.slice(0, 40).map((n, k) => `<li data-k="${k}" data-id="${esc(n.id)}"><b>${esc(n.label)}</b> <span class="dim">${esc(n.op)}</span></li>`).join('')
      + (this.matches.length > 40 ? `<li class="dim">… ${this.matches.length - 40} more (Enter steps through all)</li>` : '');
    this.listEl.classList.toggle('open', this.matches.length > 0);
    this.#count();
  }

  #count(): void {
    const q = this.input.value.trim();
    this.countEl.textContent = !q ? '' : this.matches.length ? `${this.current + 1 || '–'} / ${this.matches.length}` : 'no match';
  }

  go(k: number): void {
    if (!this.matches.length) return;
    this.current = ((k % this.matches.length) + this.matches.length) % this.matches.length;
    for (const li of this.listEl.querySelectorAll('li')) li.classList.toggle('cur', li.getAttribute('data-k') === String(this.current));
    this.#count();
    this.onJump(this.matches[this.current]!);
  }

  step(dir: 1 | -1): void { this.go(this.current < 0 && dir < 0 ? -1 : this.current + dir); }

  clear(): void {
    this.input.value = '';
    this.run('');
  }
}
