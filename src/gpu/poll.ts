/**
 * Dawn for Node resolves WebGPU promises (mapAsync, onSubmittedWorkDone, createComputePipelineAsync) by
 * calling `setImmediate` → `ProcessEvents` → `setImmediate` … for as long as any is pending
 * (dawn/node AsyncRunner): one CPU core spins at 100% while the GPU works. On a software GPU, whose
 * work runs on the same cores, that spinning takes their time: a kernel compiled in 7.3 s with it took
 * 4.3 s without (lavapipe, 2 cores). wgml keeps Dawn's immediate polling for the first 2 ms of a wait
 * (so short waits stay short) and then polls every millisecond. Only Dawn's own callbacks (native
 * functions) are affected; `WGML_DAWN_POLL=spin` keeps Dawn's behaviour.
 */
const SPIN_MS = 2;

let installed = false;

export function installDawnPollBackoff(): void {
  if (installed || typeof globalThis.setImmediate !== 'function' || process.env.WGML_DAWN_POLL === 'spin') return;
  installed = true;
  const immediate = globalThis.setImmediate;
  const toString = Function.prototype.toString;
  let polling = false, since = 0;
  const patched = function (this: unknown, fn: (...a: unknown[]) => void, ...args: unknown[]) {
    if (typeof fn !== 'function' || !toString.call(fn).includes('[native code]')) return immediate(fn, ...args);
    // A native callback scheduled from inside another continues the same wait.
    const now = performance.now();
    if (!polling) since = now;
    const run = () => { polling = true; try { fn(...args); } finally { polling = false; } };
    return now - since > SPIN_MS ? setTimeout(run, 1) : immediate(run);
  };
  globalThis.setImmediate = Object.assign(patched, immediate) as typeof setImmediate;
}
