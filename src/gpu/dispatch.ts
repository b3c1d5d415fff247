/**
 * `pass.dispatchWorkgroups` as the recording paths call it: trailing counts of 1 left out. Dawn-node converts
 * every argument it is given; (x, 1, 1) measured ~0.25 µs a dispatch slower than (x) on a 2-core VM, and a
 * network's recording loop 0.4–3.6% slower on an H200 host (bench/RESULTS.md, issue 18).
 */
export function dispatchWorkgroups(pass: GPUComputePassEncoder, wg: readonly [number, number, number]): void {
  if (wg[2] !== 1) pass.dispatchWorkgroups(wg[0], wg[1], wg[2]);
  else if (wg[1] !== 1) pass.dispatchWorkgroups(wg[0], wg[1]);
  else pass.dispatchWorkgroups(wg[0]);
}
