/**
 * From a specialized graph to a program: one entry per dispatch, each binding resolved to a place
 * (heap range, weights range, uniform range, or a caller tensor), plus the memory plan.
 * Pure of GPU calls, so `wgml inspect` can show the plan without a device.
 */
import { Attrs } from '../ir/attrs.js';
import type { Graph, HostTensor, Node, ValueType } from '../ir/types.js';
import { shapeSize } from '../ir/types.js';
import { opsetOf, guardRule } from '../ir/infer.js';
import { fmtShape } from '../ir/types.js';
import { LimitError, NodeError, UnsupportedOpsError, type UnsupportedNode } from '../errors.js';
import { lookupOp, lookupFailure } from '../ops/registry.js';
import type { DeviceCaps, KernelContext, KernelSpec, SplitKPairs } from '../ops/types.js';
import { alignUp, planMemory, type PlanValue } from '../plan/planner.js';
import { inferContext } from './single.js';
import { bindingSignature } from './kernels.js';
import { nodeFlops } from './flops.js';
import { halfBytes, halfEligible, withHalfBuffers, type WeightsPrecision } from './half-weights.js';
import { fmtView, hasViews, nodeViews, viewedTypes, viewExtent } from '../ir/view.js';

// The program's types live in program.ts so modules that only read a program (shared.ts, which
// kernels.ts imports and this file imports in turn) do not import the compiler back. Re-exported: this
// stays the place callers take them from.
export type { CompiledNode, Dispatch, Place, Program } from './program.js';
import type { CompiledNode, Dispatch, Place, Program } from './program.js';

export interface CompileOptions {
  caps: DeviceCaps;
  /** Alignment of bound ranges: the device's minStorageBufferOffsetAlignment. */
  storageAlign: number;
  uniformAlign: number;
  /** Keep every intermediate alive to the end (debug capture): no memory reuse. */
  noReuse?: boolean;
  /** See KernelContext.splitKPairs (default 'conv'). */
  splitKPairs?: SplitKPairs;
  /** See KernelContext.intTile. */
  intTile?: string;
  /** Which weights are stored at half width (half-weights.ts; default 'auto'). */
  weights?: WeightsPrecision;
}

const bytesOf = (t: ValueType) => shapeSize(t.shape) * 4;

/**
 * Refuse, before any GPU work, what a device could not bind or dispatch: a value (input, output,
 * intermediate, scratch) over maxStorageBufferBindingSize, a kernel with more storage bindings than
 * maxStorageBuffersPerShaderStage, workgroup counts over maxComputeWorkgroupsPerDimension.
 */
function checkLimits(steps: { node: Node; plan: { kernels: KernelSpec[]; scratch: number[] } | null }[], types: Map<string, ValueType>, constants: Map<string, HostTensor>, caps: DeviceCaps): void {
  const maxBind = caps.maxStorageBufferBindingSize;
  for (const s of steps) {
    if (!s.plan) continue;
    // Weights are checked where they are packed, with their own message.
    const vals = [...s.node.inputs, ...s.node.outputs].filter((v) => v && !constants.has(v));
    for (const v of vals) {
      const t = types.get(v);
      if (!t) throw new NodeError(s.node, `value '${v}' has no type: the node lists ${s.node.outputs.length} output(s), more than ${s.node.opType} produces`, 'remove the extra outputs; the model does not follow the ONNX spec', { value: v });
      const bytes = bytesOf(t);
      if (bytes > maxBind)
        throw new LimitError(`node '${s.node.name}' (${s.node.opType}): value '${v}' of shape ${fmtShape(t.shape)} needs ${bytes} bytes, over this device's maxStorageBufferBindingSize (${maxBind})`,
          'use smaller input dimensions (e.g. tile the image), or a device with a larger maxStorageBufferBindingSize', { node: s.node.name, op: s.node.opType, value: v, shape: t.shape, bytes, limit: maxBind });
    }
    s.plan.scratch.forEach((b, k) => {
      if (b > maxBind) throw new LimitError(`node '${s.node.name}' (${s.node.opType}): scratch buffer ${k} needs ${b} bytes, over this device's maxStorageBufferBindingSize (${maxBind})`,
        'use smaller input dimensions, or a device with a larger maxStorageBufferBindingSize', { node: s.node.name, op: s.node.opType, bytes: b, limit: maxBind });
    });
    for (const k of s.plan.kernels) {
      for (const a of k.args) {
        const missing = 'input' in a ? !s.node.inputs[a.input] : 'output' in a ? !s.node.outputs[a.output] : s.plan.scratch[a.scratch] === undefined;
        if (missing) throw new NodeError(s.node, `kernel '${k.name}' binds ${JSON.stringify(a)}, which the node does not have (inputs: [${s.node.inputs.join(', ')}], outputs: [${s.node.outputs.join(', ')}])`,
          `give the node the inputs and outputs the ONNX spec of ${s.node.opType} requires`, { kernel: k.name, arg: a });
      }
      if (k.args.length > caps.maxStorageBuffersPerShaderStage)
        throw new NodeError(s.node, `kernel '${k.name}' binds ${k.args.length} storage buffers, over this device's maxStorageBuffersPerShaderStage (${caps.maxStorageBuffersPerShaderStage})`,
          'split the node (e.g. fewer inputs per Concat/Sum), or use a device with a larger limit', { kernel: k.name, buffers: k.args.length, limit: caps.maxStorageBuffersPerShaderStage });
      if (k.workgroups.some((w) => !Number.isInteger(w) || w < 0 || w > caps.maxComputeWorkgroupsPerDimension))
        throw new LimitError(`node '${s.node.name}' (${s.node.opType}): kernel '${k.name}' would dispatch [${k.workgroups.join(', ')}] workgroups, over this device's maxComputeWorkgroupsPerDimension (${caps.maxComputeWorkgroupsPerDimension})`,
          'use smaller input dimensions', { node: s.node.name, op: s.node.opType, kernel: k.name, workgroups: k.workgroups, limit: caps.maxComputeWorkgroupsPerDimension });
    }
  }
}

/**
 * Concat elimination: when a Concat's inputs are contiguous slices of its output (every dim before the
 * axis is 1, as in a U-Net's skip connections at batch 1), their producers write straight into the
 * output and the Concat runs no kernel. Parts must be heap values made by kernels, each used once in
 * the Concat, at offsets the binding alignment allows. Returns part → (whole, byte offset).
 */
function elideConcats(steps: { node: Node; plan: unknown }[], types: Map<string, ValueType>, alias: Map<string, string>,
  root: (v: string) => string, heapish: (v: string) => boolean, align: number): Map<string, { of: string; offset: number }> {
  const slices = new Map<string, { of: string; offset: number }>();
  const byKernel = new Set(steps.filter((s) => s.plan).flatMap((s) => s.node.outputs));
  const aliased = new Set(alias.values());
  for (const s of steps) {
    // A part read through a view is not where its producer writes: such a Concat runs its kernel.
    if (!s.plan || s.node.opType !== 'Concat' || s.node.domain !== '' || hasViews(s.node)) continue;
    const o = s.node.outputs[0];
    if (!o || !heapish(o)) continue;
    const shape = types.get(o)!.shape;
    let axis = (s.node.attrs.axis?.value as number | undefined) ?? 0;
    if (axis < 0) axis += shape.length;
    if (shape.slice(0, axis).some((d) => d !== 1)) continue;
    const inner = shapeSize(shape.slice(axis + 1)) * 4;
    const parts: { v: string; offset: number }[] = [];
    let at = 0, ok = true;
    for (const i of s.node.inputs) {
      const t = i ? types.get(i) : undefined;
      if (!i || !t || root(i) !== i || !heapish(i) || !byKernel.has(i) || aliased.has(i) || slices.has(i) || parts.some((p) => p.v === i) || (at * inner) % align) { ok = false; break; }
      parts.push({ v: i, offset: at * inner });
      at += t.shape[axis]!;
    }
    if (!ok) continue;
    for (const p of parts) slices.set(p.v, { of: o, offset: p.offset });
    s.plan = null;
  }
  return slices;
}

/**
 * The constants stored at half width, and every kernel reading one told so (its buffer declared `half`). A
 * constant qualifies when each kernel reading it declares an f32 buffer for it and its values allow `mode`.
 */
function halfWeights(steps: { node: Node; plan: { kernels: KernelSpec[] } | null }[], constants: Map<string, HostTensor>, root: (v: string) => string, mode: WeightsPrecision): Set<string> {
  if (mode === 'f32') return new Set();
  const constantOf = (node: Node, a: KernelSpec['args'][number]) => {
    const v = 'input' in a ? node.inputs[a.input] : undefined;
    const r = v ? root(v) : '';
    return r && constants.has(r) ? r : null;
  };
  const readable = new Map<string, boolean>();
  for (const s of steps) for (const k of s.plan?.kernels ?? []) k.args.forEach((a, i) => {
    const r = constantOf(s.node, a);
    if (r) readable.set(r, (readable.get(r) ?? true) && k.sig.buffers[i]!.elem === 'f32' && !k.sig.buffers[i]!.writes);
  });
  const half = new Set([...readable].filter(([r, ok]) => ok && halfEligible(constants.get(r)!, mode)).map(([r]) => r));
  if (half.size) for (const s of steps) if (s.plan) {
    s.plan.kernels = s.plan.kernels.map((k) => withHalfBuffers(k, new Set(k.args.flatMap((a, i) => { const r = constantOf(s.node, a); return r && half.has(r) ? [i] : []; }))));
  }
  return half;
}

export function compileProgram(g: Graph, types: Map<string, ValueType>, constants: Map<string, HostTensor>, opts: CompileOptions): Program {
  const inputNames = new Set(g.inputs.filter((i) => !constants.has(i.name)).map((i) => i.name));
  const outputNames = g.outputs.map((o) => o.name);
  const outputSet = new Set(outputNames);
  const refused: UnsupportedNode[] = [];
  const alias = new Map<string, string>();
  const root = (v: string): string => { while (alias.has(v)) v = alias.get(v)!; return v; };

  interface Step { node: Node; plan: { kernels: KernelSpec[]; scratch: number[] } | null; aliasOf: string | null; flops: number }
  const steps: Step[] = [];
  const addNode = (node: Node) => {
    const opset = opsetOf(g, node.domain);
    const op = lookupOp(node.opType, node.domain, opset);
    if (!op) { refused.push({ name: node.name, opType: node.opType, domain: node.domain, opset, reason: lookupFailure(node.opType, node.domain, opset) }); return; }
    const views = nodeViews(node);
    const ins = viewedTypes(node, node.inputs.map((n) => (n ? types.get(n)! : null)), views.inputs, op.viewInputs ?? []);
    const a = guardRule(node, 'attrs', ins, () => op.attrs(new Attrs(node), opset));
    const ictx = inferContext(node, ins, (i) => (node.inputs[i] && !views.inputs[i] ? constants.get(node.inputs[i]!) : undefined), opset);
    const outs = node.outputs.map((o) => types.get(o)!);
    if (views.output) {
      if (!op.viewOutput || !outs[0] || viewExtent(views.output) > shapeSize(outs[0].shape))
        throw new NodeError(node, `output view ${fmtView(views.output)} does not fit the node's ${op.viewOutput ? `output ${outs[0] ? `of ${shapeSize(outs[0].shape)} elements` : ''}` : 'op, which writes dense outputs only'}`, 'this is a bug in a wgml pass', { internal: true });
      outs[0] = { dtype: outs[0].dtype, shape: views.output.shape };
    }
    // A node with no output at all (a malformed or fuzzed model) is refused here rather than inside
    // each op's kernel planner. Leading outputs may be omitted ('') where the op allows (LSTM's Y).
    if (!node.outputs.some((o, k) => o && outs[k])) throw new NodeError(node, 'the node has no outputs', 'give the node the outputs the ONNX spec of its op requires', { outputs: node.outputs });
    if (op.alias) {
      const src = node.inputs[op.alias(a)]!;
      alias.set(node.outputs[0]!, src);
      steps.push({ node, plan: null, aliasOf: src, flops: 0 });
      return;
    }
    if (!op.gpu) { refused.push({ name: node.name, opType: node.opType, domain: node.domain, opset, reason: 'no GPU kernel for runtime (non-constant) inputs' }); return; }
    // Nothing to write: a node whose outputs are all empty runs no kernel (whose bindings could not even be valid:
    // an empty value binds 4 bytes, under a vec4 array's 16; fuzzer, seed 1005)
    if (node.outputs.every((o, k) => !o || !outs[k] || shapeSize(outs[k]!.shape) === 0)) {
      steps.push({ node, plan: { kernels: [], scratch: [] }, aliasOf: null, flops: 0 });
      return;
    }
    const kctx: KernelContext = { ...ictx, outputs: outs, caps: opts.caps, views: views.inputs, outView: views.output, splitKPairs: opts.splitKPairs ?? 'conv', intTile: opts.intTile };
    const plan = guardRule(node, 'gpu', ins, () => op.gpu!(kctx, a));
    if (typeof plan === 'string') { refused.push({ name: node.name, opType: node.opType, domain: node.domain, opset, reason: plan }); return; }
    steps.push({ node, plan: { kernels: plan.kernels, scratch: plan.scratch ?? [] }, aliasOf: null, flops: nodeFlops(node.opType, ins.map((t) => t ?? undefined), outs) });
  };
  // A kernel reading one value through two bindings (Mul(x, x), or x beside a Reshape of x) would bind
  // one writable range twice, which WebGPU rejects: give the second reader its own copy. Weights bind
  // read-only and may repeat. Ops with sharedInputs bind each input name once, so a name may repeat
  // (q, k and v read through views of one value), but another name for the same memory still gets a copy.
  let dups = 0;
  const made = new Set<string>();
  for (const n of g.nodes) {
    for (const o of n.outputs) if (o) {
      if (made.has(o)) throw new NodeError(n, `writes '${o}', which another node writes too`, 'this is a bug in a wgml pass or a malformed model (values are assigned once)', { internal: true, value: o });
      made.add(o);
    }
    const seen = new Map<string, string>();
    const shared = !!lookupOp(n.opType, n.domain, opsetOf(g, n.domain))?.sharedInputs;
    const inputs = n.inputs.map((i) => {
      if (!i) return i;
      const r = root(i);
      if (constants.has(r) || !seen.has(r)) { seen.set(r, i); return i; }
      if (shared && seen.get(r) === i) return i;
      const copy = `${i}::dup${dups++}`;
      types.set(copy, types.get(i)!);
      addNode({ name: `copy:${copy}`, opType: 'Copy', domain: 'wgml', inputs: [i], outputs: [copy], attrs: {} });
      return copy;
    });
    addNode(inputs.some((x, k) => x !== n.inputs[k]) ? { ...n, inputs } : n);
  }
  // Outputs that are not written by a kernel of their own get a copy into the caller's tensor.
  const written = new Set(steps.filter((s) => s.plan).flatMap((s) => s.node.outputs));
  outputNames.forEach((o, i) => {
    // an output that is an input by name is the caller's tensor already: copying it onto itself would bind one
    // buffer writable twice (fuzzer, seed 901 case 3837)
    if (written.has(o) || inputNames.has(o)) return;
    const src = `${o}::src${i}`;
    // rename: whatever produced `o` (alias, constant, input) now produces `src`
    for (const s of steps) s.node = { ...s.node, outputs: s.node.outputs.map((x) => (x === o ? src : x)), inputs: s.node.inputs.map((x) => (x === o ? src : x)) };
    if (alias.has(o)) { alias.set(src, alias.get(o)!); alias.delete(o); }
    if (constants.has(o)) { constants.set(src, constants.get(o)!); constants.delete(o); }
    if (inputNames.has(o)) { alias.set(src, o); }
    types.set(src, types.get(o)!);
    addNode({ name: `copy:${o}`, opType: 'Copy', domain: 'wgml', inputs: [src], outputs: [o], attrs: {} });
  });
  if (refused.length) throw new UnsupportedOpsError(refused);
  checkLimits(steps, types, constants, opts.caps);

  const half = halfWeights(steps, constants, root, opts.weights ?? 'auto');
  // Weights: every constant a kernel reads, packed at storage alignment.
  const weights: Program['weights'] = [];
  const weightOffsets = new Map<string, number>();
  let wOff = 0;
  for (const s of steps) for (const i of s.node.inputs) {
    const r = i ? root(i) : '';
    if (r && constants.has(r) && !weightOffsets.has(r) && s.plan) {
      const t = constants.get(r)!;
      const bytes = half.has(r) ? halfBytes(t.data.length) : t.data.length * 4;
      if (bytes > opts.caps.maxStorageBufferBindingSize)
        throw new LimitError(`node '${s.node.name}' (${s.node.opType}): weight '${r}' of shape ${fmtShape(t.shape)} is ${bytes} bytes, over this device's maxStorageBufferBindingSize (${opts.caps.maxStorageBufferBindingSize})`,
          'use a device with a larger limit; wgml splits only the constant B of Gemm and MatMul (by columns) across bindings', { node: s.node.name, op: s.node.opType, weight: r, shape: t.shape, bytes, limit: opts.caps.maxStorageBufferBindingSize });
      weightOffsets.set(r, wOff);
      weights.push({ name: r, offset: wOff, tensor: t, ...(half.has(r) ? { half: true } : {}) });
      wOff = alignUp(wOff + Math.max(bytes, 4), opts.storageAlign);
    }
  }

  const heapish = (v: string) => !constants.has(v) && !inputNames.has(v) && !outputSet.has(v);
  const slices = elideConcats(steps, types, alias, root, heapish, opts.storageAlign);
  /** The planned value holding v's bytes: through reinterpretations and through elided Concats. */
  const holder = (v: string): string => { let r = root(v); while (slices.has(r)) r = root(slices.get(r)!.of); return r; };

  // Lifetimes of heap values (intermediates and scratch), with reads through aliases counted on the holder.
  const life = new Map<string, PlanValue>();
  steps.forEach((s, idx) => {
    for (const i of s.node.inputs) if (i) {
      const h = holder(i);
      const pv = life.get(h);
      if (pv) pv.last = Math.max(pv.last, idx);
      // a heap value read before any kernel wrote it: a pass dropped or reordered its producer
      else if (heapish(h)) throw new NodeError(s.node, `reads '${i}', which no kernel before it writes`, 'this is a bug in a wgml pass', { internal: true, value: i });
    }
    if (s.plan) {
      for (const o of s.node.outputs) {
        const h = o ? holder(o) : '';
        if (!h || !heapish(h)) continue;
        const pv = life.get(h);
        if (pv) { pv.first = Math.min(pv.first, idx); pv.last = Math.max(pv.last, idx); }
        else life.set(h, { id: h, bytes: bytesOf(types.get(h)!), first: idx, last: idx });
      }
      s.plan.scratch.forEach((b, k) => life.set(`${s.node.name}::scratch${k}`, { id: `${s.node.name}::scratch${k}`, bytes: b, first: idx, last: idx }));
    }
  });
  if (opts.noReuse) for (const v of life.values()) v.last = steps.length;
  const mem = planMemory([...life.values()], opts.storageAlign);

  const placeOf = (v: string): Place => {
    const r = root(v);
    const t = types.get(v)!;
    const bytes = Math.max(4, bytesOf(t));
    const sl = slices.get(r);
    if (sl) { const whole = placeOf(sl.of); return { ...whole, offset: whole.offset + sl.offset, bytes }; }
    if (constants.has(r)) return half.has(r) ? { kind: 'weights', offset: weightOffsets.get(r) ?? -1, bytes: halfBytes(shapeSize(t.shape)), half: true } : { kind: 'weights', offset: weightOffsets.get(r) ?? -1, bytes };
    if (inputNames.has(r)) return { kind: 'input', name: r, offset: 0, bytes };
    if (outputSet.has(r)) return { kind: 'output', name: r, offset: 0, bytes };
    return { kind: 'heap', offset: mem.offsets.get(r)!, bytes };
  };

  const dispatches: Dispatch[] = [];
  const nodes: CompiledNode[] = [];
  const uniformChunks: { off: number; data: ArrayBuffer }[] = [];
  let uOff = 0;
  for (const s of steps) {
    const cn: CompiledNode = { name: s.node.name, opType: s.node.opType, domain: s.node.domain, inputs: s.node.inputs, outputs: s.node.outputs, attrs: s.node.attrs, dispatches: [], alias: !s.plan, flops: s.flops };
    nodes.push(cn);
    if (!s.plan) continue;
    for (const k of s.plan.kernels) {
      const places = k.args.map((a): Place => {
        if ('input' in a) return placeOf(s.node.inputs[a.input]!);
        if ('output' in a) return placeOf(s.node.outputs[a.output]!);
        const id = `${s.node.name}::scratch${a.scratch}`;
        return { kind: 'heap', offset: mem.offsets.get(id)!, bytes: Math.max(4, s.plan!.scratch[a.scratch]!) };
      });
      let uniformOffset = -1;
      if (k.uniforms) { uniformOffset = uOff; uniformChunks.push({ off: uOff, data: k.uniforms }); uOff = alignUp(uOff + k.uniforms.byteLength, opts.uniformAlign); }
      cn.dispatches.push(dispatches.length);
      const signature = bindingSignature(k, (i) => places[i]!.kind === 'weights');
      dispatches.push({ node: s.node.name, op: s.node.opType, kernel: k, places, uniformOffset, signature });
    }
  }
  const uniforms = new ArrayBuffer(Math.max(16, uOff));
  for (const c of uniformChunks) new Uint8Array(uniforms, c.off, c.data.byteLength).set(new Uint8Array(c.data));

  // every value a step names (one pass over the steps: `types` also holds values passes removed)
  const named = new Set(steps.flatMap((s) => [...s.node.inputs, ...s.node.outputs]));
  const values = new Map<string, { type: ValueType; place: Place }>();
  for (const [name, type] of types) if (named.has(name)) values.set(name, { type, place: placeOf(name) });
  return {
    nodes, dispatches, values, weights, weightsBytes: wOff, uniforms,
    inputs: [...inputNames].map((name) => ({ name, type: types.get(name)! })),
    outputs: outputNames.map((name) => ({ name, type: types.get(name)! })),
    intermediatesHeapSize: mem.heapSize,
    peakLiveBytes: mem.peakLiveBytes,
  };
}
