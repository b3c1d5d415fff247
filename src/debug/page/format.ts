/** Number and text formatting for the graph page (browser). */

export const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export const fmtShape = (s?: number[]): string => (s ? (s.length ? s.join('×') : 'scalar') : '?');

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1 << 30) return `${(n / (1 << 20)).toFixed(2)} MiB`;
  return `${(n / (1 << 30)).toFixed(2)} GiB`;
}

/** 3 significant digits with an SI prefix: 12.3 M, 4.56 G. */
export function fmtSi(n: number, unit: string): string {
  const abs = Math.abs(n);
  for (const [p, s] of [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) if (abs >= p) return `${+(n / p).toPrecision(3)} ${s}${unit}`;
  return `${+n.toPrecision(3)} ${unit}`;
}

export function fmtNs(ns: number): string {
  if (ns >= 1e6) return `${+(ns / 1e6).toPrecision(3)} ms`;
  if (ns >= 1e3) return `${+(ns / 1e3).toPrecision(3)} µs`;
  return `${Math.round(ns)} ns`;
}

/** A relative error or magnitude: exponent form outside [1e-3, 1e4); Number.MAX_VALUE stands for ∞. */
export function fmtNum(v: number): string {
  if (v >= Number.MAX_VALUE) return '∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(1) : String(+v.toPrecision(3));
}

/** Shorten to about `max` characters, keeping both ends (node names differ at both). */
export function middleEllipsis(s: string, max: number): string {
  if (s.length <= max) return s;
  const head = Math.ceil((max - 1) * 0.45);
  return `${s.slice(0, head)}…${s.slice(s.length - (max - 1 - head))}`;
}
