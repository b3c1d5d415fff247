/**
 * Dawn prints warnings from native code straight to file descriptor 2 while it enumerates adapters
 * (on lavapipe: "maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16…",
 * twice, on every start). No Dawn toggle or limit request avoids them: they come from the driver's
 * own limits, before any device exists. The `wgml` command hides them by pointing fd 2 at /dev/null
 * for the duration of that synchronous call and reopening the original stderr after.
 *
 * Only where that is safe: Linux (/proc/self/fd), stderr a terminal or a pipe (reopening a regular
 * file would not share its offset, so a log file keeps the warnings), and only around a synchronous
 * call, so no other JavaScript writes to stderr meanwhile. WGML_DAWN_WARNINGS=1 shows them.
 */
type Fs = typeof import('node:fs');

export function withStderrSilenced<T>(fs: Fs | null, fn: () => T): T {
  if (!fs || process.platform !== 'linux' || process.env.WGML_DAWN_WARNINGS === '1') return fn();
  let saved = -1;
  try {
    const st = fs.fstatSync(2);
    if (!st.isFIFO() && !st.isCharacterDevice()) return fn();
    saved = fs.openSync('/proc/self/fd/2', 'w');
  } catch {
    return fn();
  }
  // close(2) then open() reuses the lowest free descriptor: 2. Checked, and undone if not.
  fs.closeSync(2);
  let nul = -1;
  try {
    nul = fs.openSync('/dev/null', 'w');
    return fn();
  } finally {
    if (nul >= 0) fs.closeSync(nul);
    const back = fs.openSync(`/proc/self/fd/${saved}`, 'w');
    fs.closeSync(saved);
    if (nul !== 2 || back !== 2) {
      // Another thread took descriptor 2 in between: leave stderr usable rather than silent.
      process.emitWarning(`wgml: could not restore stderr cleanly (descriptors ${nul}, ${back})`);
    }
  }
}
