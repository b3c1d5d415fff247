/**
 * Overlays: what colours the nodes (op family, or a number per node from the profiler and the
 * debugger on a colour ramp), the value printed on each node, and the legend that explains both.
 */
import type { OverlayKey, PageData, PageNode } from './types.js';
import { esc, fmtNs, fmtNum, fmtSi } from './format.js';

// Netron's family colours for the node headers.
export const FAMILY_COLOURS: Record<string, string> = {
  conv: '#335588', act: '#70281f', pool: '#335533', norm: '#2f5a4a', shape: '#6c4f47', quant: '#5b3f8a', fused: '#2f6f7e', math: '#4a4f58', io: '#5f6368',
};
const FAMILY_NAMES: Record<string, string> = {
  conv: 'Conv, MatMul, Gemm', act: 'activation', pool: 'pooling', norm: 'normalization', shape: 'shape, layout, copy',
  quant: 'quantization', fused: 'fused elementwise', math: 'elementwise, reductions', io: 'graph input/output',
};

export const OVERLAY_TITLES: Record<OverlayKey, string> = {
  op: 'op family', time: 'GPU time', err: 'error vs reference', naninf: 'NaN/Inf count', absmax: 'max |x|', flops: 'FLOPs',
};

type Rgb = [number, number, number];
const hex = (h: string): Rgb => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)) as Rgb;
// Sequential (time, FLOPs, magnitudes, counts): ColorBrewer YlOrRd. Diverging (error): green below rtol, red above.
const HEAT = ['#ffffcc', '#fed976', '#fd8d3c', '#e31a1c', '#800026'].map(hex);
const DIVERGE = ['#1a9850', '#a6d96a', '#ffffbf', '#fdae61', '#d7191c'].map(hex);
const NO_DATA = '#e8eaed', CLEAN = '#d9f0dc';

function ramp(stops: Rgb[], t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 1)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x)), f = x - i, a = stops[i]!, b = stops[i + 1]!;
  return `rgb(${a.map((v, k) => Math.round(v + (b[k]! - v) * f)).join(',')})`;
}
const gradient = (stops: Rgb[]) => `linear-gradient(to right,${stops.map((s) => `rgb(${s.join(',')})`).join(',')})`;

/** Whether dark text reads on a fill (relative luminance of an rgb()/#hex colour). */
export function isLight(colour: string): boolean {
  const c = colour.startsWith('#') ? hex(colour) : (colour.match(/\d+/g) ?? []).map(Number);
  return 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]! > 140;
}

export interface Scale {
  key: OverlayKey;
  /** Body fill of a node; null keeps the plain style. */
  fill(n: PageNode): string | null;
  /** The number printed on a node ('' for none). */
  badge(n: PageNode): string;
  /** Legend HTML. */
  legend: string;
}

const bar = (stops: Rgb[], lo: string, hi: string, mid = '') =>
  `<span class="ramp"><span class="lo">${esc(lo)}</span><span class="bar" style="background:${gradient(stops)}"></span><span class="hi">${esc(hi)}</span></span>${mid}`;
const swatch = (c: string, label: string) => `<span class="sw"><i style="background:${c}"></i>${esc(label)}</span>`;

/** The scale of one overlay over the page's nodes. */
export function makeScale(key: OverlayKey, data: PageData): Scale {
  const ops = data.nodes.filter((n) => n.kind === 'op');
  if (key === 'op') {
    const fams = [...new Set(data.nodes.map((n) => n.cat))];
    return { key, fill: () => null, badge: () => '', legend: fams.map((f) => swatch(FAMILY_COLOURS[f] ?? '#888', FAMILY_NAMES[f] ?? f)).join('') };
  }
  const m = (n: PageNode) => n.metrics[key];
  const vals = ops.map(m).filter((v): v is number => typeof v === 'number');
  const max = vals.length ? Math.max(...vals) : 0;
  const posMin = Math.min(...vals.filter((v) => v > 0), max);
  const log = (v: number) => (max > posMin ? Math.log(Math.max(v, posMin) / posMin) / Math.log(max / posMin) : 1);
  const noData = swatch(NO_DATA, 'no data');
  switch (key) {
    case 'time': {
      // Linear up to the 95th percentile, darkest above it: one slow outlier (a cold first pass) would
      // otherwise leave every other node pale.
      const total = vals.reduce((a, b) => a + b, 0), sorted = [...vals].sort((a, b) => a - b);
      const cap = sorted[Math.max(0, Math.ceil(0.95 * sorted.length) - 1)] ?? 0;
      return { key, fill: (n) => (typeof m(n) === 'number' ? ramp(HEAT, cap ? m(n)! / cap : 0) : NO_DATA), badge: (n) => (typeof m(n) === 'number' ? fmtNs(m(n)!) : ''),
        legend: bar(HEAT, '0', `${cap < max ? '≥ ' : ''}${fmtNs(cap)}`, `<span class="note">total ${esc(fmtNs(total))}</span>`) + noData };
    }
    case 'flops':
      return { key, fill: (n) => (m(n) ? ramp(HEAT, log(m(n)!)) : NO_DATA), badge: (n) => (m(n) ? fmtSi(m(n)!, 'FLOP') : ''),
        legend: bar(HEAT, fmtSi(posMin, 'FLOP'), fmtSi(max, 'FLOP'), '<span class="note">log</span>') + noData };
    case 'absmax':
      return { key, fill: (n) => (typeof m(n) === 'number' ? ramp(HEAT, m(n)! > 0 ? log(m(n)!) : 0) : NO_DATA), badge: (n) => (typeof m(n) === 'number' ? fmtNum(m(n)!) : ''),
        legend: bar(HEAT, fmtNum(posMin), fmtNum(max), '<span class="note">log, outputs</span>') + noData };
    case 'naninf': {
      const hot = HEAT.slice(1), t = (v: number) => (max > 1 ? Math.log1p(v) / Math.log1p(max) : 1);
      return { key, fill: (n) => (typeof m(n) !== 'number' ? NO_DATA : m(n) ? ramp(hot, t(m(n)!)) : CLEAN), badge: (n) => (m(n) ? `${m(n)} NaN/Inf` : ''),
        legend: swatch(CLEAN, 'none') + (max ? bar(hot, '1', String(max), '<span class="note">in outputs</span>') : '') + noData };
    }
    case 'err': {
      // Three decades either side of rtol: green passes, yellow at rtol, red fails.
      const rtol = data.rtol ?? 1e-3;
      const t = (v: number) => (v <= 0 ? 0 : 0.5 + (Math.log10(v) - Math.log10(rtol)) / 6);
      return { key, fill: (n) => (typeof m(n) === 'number' ? ramp(DIVERGE, t(m(n)!)) : NO_DATA), badge: (n) => (typeof m(n) === 'number' ? `err ${fmtNum(m(n)!)}` : ''),
        legend: bar(DIVERGE, fmtNum(rtol / 1e3), fmtNum(rtol * 1e3), `<span class="note">rtol ${esc(fmtNum(rtol))} at the middle</span>`) + noData };
    }
  }
}
