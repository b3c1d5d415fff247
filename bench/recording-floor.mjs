// Issue 18: how much of encodeNetwork's CPU time is wgml's own. Records a network's shared recording (one bind group,
// a pipeline per dispatch) by encodeNetwork and by a bare loop of the same Dawn calls, then the floor of the calls
// themselves: dispatches alone (one pipeline) and an empty pass. Median µs of 300 recordings each.
// Usage: npx tsc -p . && node bench/recording-floor.mjs MODEL.onnx [dims of its first input, default 1,3,32,32]
import { loadGraph } from '../dist/runtime/library.js';
import { createPipeline } from '../dist/runtime/pipeline.js';
import { createHeap } from '../dist/runtime/heap.js';
import { encodeNetwork } from '../dist/runtime/encode.js';
import { dispatchWorkgroups } from '../dist/gpu/dispatch.js';
import { tensor } from '../dist/tensor/tensor.js';
import { requestDevice } from '../dist/gpu/device.js';
const device = await requestDevice({ quiet: true });
const model = process.argv[2];
const { graph } = await loadGraph(model);
const p0 = graph.inputs[0];
const p = await createPipeline(device, graph, { inputDimensions: { [p0.name]: (process.argv[3] ?? '1,3,32,32').split(',').map(Number) }, recording: 'shared' });
const args = {};
for (const s of [...p.inputs, ...p.outputs]) args[s.name] = tensor(device, { dtype: s.dtype, shape: s.shape, label: s.name });
const bound = p.bind(args, createHeap(device, p.intermediatesHeapSize));
const pipes = p.gpuPipelines, group = bound.bindGroups[0], ds = p.program.dispatches;
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
// The variants take turns, recording by recording, so drift in the machine's speed falls on all of them alike.
const variants = {
  wgmlUs: (e) => encodeNetwork(e, bound),
  // The same calls as encodeNetwork makes (trailing 1s of the workgroup count left out), and with all three given.
  bareUs: (e) => { const pass = e.beginComputePass(); pass.setBindGroup(0, group); for (let i = 0; i < ds.length; i++) { pass.setPipeline(pipes[i]); dispatchWorkgroups(pass, ds[i].kernel.workgroups); } pass.end(); },
  bareXyzUs: (e) => { const pass = e.beginComputePass(); pass.setBindGroup(0, group); for (let i = 0; i < ds.length; i++) { pass.setPipeline(pipes[i]); const w = ds[i].kernel.workgroups; pass.dispatchWorkgroups(w[0], w[1], w[2]); } pass.end(); },
  dispatchOnlyUs: (e) => { const pass = e.beginComputePass(); pass.setBindGroup(0, group); pass.setPipeline(pipes[0]); for (let i = 0; i < ds.length; i++) pass.dispatchWorkgroups(1, 1, 1); pass.end(); },
  emptyPassUs: (e) => { const pass = e.beginComputePass(); pass.end(); },
  emptyLabelledPassUs: (e) => { const pass = e.beginComputePass(p.passDescriptor); pass.end(); },
};
const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let i = 0; i < 300; i++) {
  for (const [k, f] of Object.entries(variants)) {
    const e = device.createCommandEncoder();
    const c = performance.now();
    f(e);
    times[k].push((performance.now() - c) * 1000);
    if (i % 10 === 0) device.queue.submit([e.finish()]);
  }
}
const r = Object.fromEntries(Object.entries(times).map(([k, t]) => [k, +med(t).toFixed(1)]));
console.log(JSON.stringify({ model: model.split('/').pop(), dispatches: ds.length, pre: bound.pre.length, post: bound.post.length, distinctGroups: new Set(bound.bindGroups).size, ...r, wgmlOverBare: +(r.wgmlUs / r.bareUs).toFixed(3) }));
process.exit(0);
