/**
 * A split-K GEMM's two dispatches from one module (issue 18): the tile kernel's partial products and
 * the reduce (with `finish` and any fused LayerNorm) become phase functions of one shader whose entry
 * point picks the phase by the dispatch's shape — the GEMM grid has nz·nSplit ≥ 2 workgroups along z,
 * the reduce grid one — so both dispatches use one pipeline and recording sets it once for the pair.
 * Built from the two kernels' phase variants (tileKernel's `phase`, the reduces' phase sizes).
 * The module binds the union of the two kernels' buffers (A, B, the partials S, then the reduce's) and
 * takes the reduce's parameters (a superset of the tile's). The reduce runs in workgroups of the tile's
 * size: the module has one workgroup size.
 */
import { signature, type BufferDecl } from '../../gpu/signature.js';
import { declaredKernel, type KernelArg, type KernelSpec } from '../types.js';
import { PHASE_ARGS } from './gemm-tile.js';

/** Both dispatches of the pair, from the tile kernel and the reduce built with their phase options. */
export function pairKernels(tile: KernelSpec, reduce: KernelSpec, threads: number): KernelSpec[] {
  const tSig = tile.sig, rSig = reduce.sig;
  // Tile: A, B, S (written). Reduce: S (read), then its own inputs and outputs.
  if (tSig.buffers[2]?.name !== 'S' || rSig.buffers[0]?.name !== 'S') throw new Error('internal: a split-K pair needs the partials as the tile\'s third and the reduce\'s first buffer');
  const buffers: BufferDecl[] = [tSig.buffers[0]!, tSig.buffers[1]!, { ...tSig.buffers[2]!, writes: true }, ...rSig.buffers.slice(1)];
  const args: KernelArg[] = [tile.args[0]!, tile.args[1]!, { scratch: 0 }, ...reduce.args.slice(1)];
  const sig = signature({ params: { ...rSig.params }, buffers });
  const key = `gemm_pair|${tile.key}|${reduce.key}`;
  const source = () => {
    const t = tile.source(), r = reduce.source();
    return {
      requires: [...(t.requires ?? []), ...(r.requires ?? [])],
      body: `${t.body}
${r.body}
@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  if (nwg.z > 1u) { tile_phase(${PHASE_CALL}); } else { reduce_phase(${PHASE_CALL}); }
}`,
    };
  };
  return [
    declaredKernel({ name: tile.name, key, sig, args, params: reduce.params, workgroups: tile.workgroups, source }),
    declaredKernel({ name: reduce.name, key, sig, args, params: reduce.params, workgroups: reduce.workgroups, source }),
  ];
}

const PHASE_CALL = PHASE_ARGS.split(', ').map((a) => a.split(':')[0]).join(', ');
