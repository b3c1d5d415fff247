/**
 * Progress of long CLI work on stderr. On a terminal: a bar with the count, percentage and ETA
 * (cli-progress), shown once a phase has run for a second. Otherwise (a pipe, a log file, CI): a
 * plain line every few seconds and one when a reported phase ends, so a job that takes minutes is
 * never silent and a job that takes a second prints nothing. `WGML_PROGRESS=0` turns it off.
 */
import cliProgress from 'cli-progress';

export interface ProgressOptions {
  /** Where to draw (default process.stderr). */
  stream?: NodeJS.WriteStream;
  /** Seconds before anything is shown (default 1 on a terminal, 3 otherwise). */
  delay?: number;
  /** Seconds between plain lines (default 5). */
  every?: number;
}

export function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s - 60 * m)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export class Progress {
  readonly #label: string;
  readonly #stream: NodeJS.WriteStream;
  readonly #tty: boolean;
  readonly #off: boolean;
  readonly #delay: number;
  readonly #every: number;
  #phase = '';
  #phaseStart = 0;
  #lastLine = 0;
  #printed = false;
  #done = 0;
  #total = 0;
  #extra = '';
  #bar: cliProgress.SingleBar | null = null;
  // Ticks between updates, so one long step (a kernel compiling for 7 s) still shows progress.
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(label: string, opts: ProgressOptions = {}) {
    this.#label = label;
    this.#stream = opts.stream ?? process.stderr;
    this.#tty = !!this.#stream.isTTY;
    this.#off = process.env.WGML_PROGRESS === '0';
    this.#delay = (opts.delay ?? (this.#tty ? 1 : 3)) * 1000;
    this.#every = (opts.every ?? 5) * 1000;
  }

  /** Report `done` of `total` in `phase`; `extra` is shown after the count (e.g. 'loss 1.2e-3'). */
  update(phase: string, done: number, total: number, extra = ''): void {
    if (this.#off) return;
    const now = performance.now();
    if (phase !== this.#phase) {
      this.#endPhase();
      this.#phase = phase; this.#phaseStart = now; this.#lastLine = now;
      this.#timer = setInterval(() => this.#tick(), Math.min(250, Math.max(20, this.#every / 4)));
      this.#timer.unref();
    }
    this.#done = done; this.#total = total; this.#extra = extra;
    this.#tick();
  }

  #tick(): void {
    const now = performance.now();
    if (now - this.#phaseStart < this.#delay) return;
    if (this.#tty) {
      if (!this.#bar && this.#done < this.#total) {
        this.#bar = new cliProgress.SingleBar({
          stream: this.#stream, hideCursor: true, clearOnComplete: false, etaBuffer: 20, etaAsynchronousUpdate: true, fps: 5,
          format: `wgml ${this.#label}: {phase} [{bar}] {value}/{total} {percentage}% | ETA {eta_formatted} | {duration_formatted}{extra}`,
        }, cliProgress.Presets.shades_classic);
        this.#bar.start(this.#total, this.#done, { phase: this.#phase, extra: '' });
      }
      this.#bar?.setTotal(this.#total);
      this.#bar?.update(this.#done, { phase: this.#phase, extra: this.#extra ? ` | ${this.#extra}` : '' });
      return;
    }
    if (now - this.#lastLine >= (this.#printed ? this.#every : this.#delay)) {
      this.#line(now);
      this.#lastLine = now;
    }
  }

  #line(now: number, final = false): void {
    const elapsed = (now - this.#phaseStart) / 1000;
    const pct = this.#total ? Math.floor((100 * this.#done) / this.#total) : 0;
    const eta = final ? '' : this.#done > 0 ? `, ETA ${fmtSeconds((elapsed / this.#done) * (this.#total - this.#done))}` : '';
    this.#stream.write(`wgml ${this.#label}: ${this.#phase} ${this.#done}/${this.#total} (${pct}%)${this.#extra ? `, ${this.#extra}` : ''}, ${fmtSeconds(elapsed)}${final ? ' in all' : ' elapsed'}${eta}\n`);
    this.#printed = true;
  }

  #endPhase(): void {
    if (this.#timer) { clearInterval(this.#timer); this.#timer = null; }
    if (this.#bar) { this.#bar.stop(); this.#bar = null; }
    else if (!this.#tty && this.#printed) this.#line(performance.now(), true);
    this.#printed = false;
  }

  /** End the last phase (a bar is left showing its final state; a plain log gets a final line). */
  stop(): void {
    if (this.#off) return;
    this.#endPhase();
    this.#phase = '';
  }

  /** A ProgressCallback for createPipeline / runModel / debugRun. */
  get callback(): (phase: string, done: number, total: number) => void {
    return (phase, done, total) => this.update(phase === 'compile' ? 'compiling kernels' : phase === 'first run' ? 'first run (the driver compiles each kernel)' : phase, done, total);
  }
}
