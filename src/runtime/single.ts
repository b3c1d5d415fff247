/**
 * Run one node on the GPU with separate buffers: the harness op tests and the debugger use to check a
 * kernel against its CPU reference without building a whole network.
 */
import { Attrs } from '../ir/attrs.js';
import type { HostTensor, Node, ValueType } from '../ir/types.js';
import { hostArrayFor, shapeSize } from '../ir/types.js';
import { NodeError, UnsupportedOpsError } from '../errors.js';
import { lookupOp, lookupFailure } from '../ops/registry.js';
import type { DeviceCaps, InferContext, KernelContext, OpDef } from '../ops/types.js';
import { withErrorScope } from '../gpu/scope.js';
import { deviceLimits, int8MatrixSupport, subgroupSizeOf } from '../gpu/device.js';
import { bindGroupLayout, bindingSignature, pipelineFor } from './kernels.js';
import { gatherView, nodeViews, scatterView, viewedTypes, viewExtent } from '../ir/view.js';

export function deviceCaps(device: GPUDevice): DeviceCaps {
  const l = deviceLimits(device);
  return {
    f16: device.features.has('shader-f16'),
    subgroups: device.features.has('subgroups'),
    subgroupMatrix: device.features.has('chromium-experimental-subgroup-matrix' as GPUFeatureName),
    int8Matrix: int8MatrixSupport(device, 16, 16, 32) === null && subgroupSizeOf(device) === 32,
    maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
    maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
  };
}

export function inferContext(node: Node, inputs: (ValueType | null)[], constant: (i: number) => HostTensor | undefined, opset: number): InferContext {
  return { node, inputs, constant, opset, error: (m, h, d) => new NodeError(node, m, h, d) };
}

export interface RunNodeOptions {
  opset?: number;
  /** Input indices whose values the compiler may treat as known constants (besides the op's constInputs). */
  constants?: number[];
}

/** Resolve the op for a node or throw UnsupportedOpsError. */
export function opFor(node: Node, opset: number): OpDef {
  const op = lookupOp(node.opType, node.domain, opset);
  if (!op) throw new UnsupportedOpsError([{ name: node.name, opType: node.opType, domain: node.domain, opset, reason: lookupFailure(node.opType, node.domain, opset) }]);
  return op;
}

/** CPU reference of one node. */
export function referenceNode(node: Node, inputs: (HostTensor | null)[], opset = 17): HostTensor[] {
  const op = opFor(node, opset);
  const a = op.attrs(new Attrs(node), opset);
  // Re-viewed inputs are gathered into dense tensors: the op's reference never sees strides.
  const views = nodeViews(node);
  const viewed = inputs.map((t, i) => {
    const v = views.inputs[i];
    return t && v ? { dtype: t.dtype, shape: [...v.shape], data: gatherView(t.data, v) } : t;
  });
  const ctx = inferContext(node, viewed.map((t) => (t ? { dtype: t.dtype, shape: t.shape } : null)), (i) => viewed[i] ?? undefined, opset);
  const outs = op.reference(viewed, a, ctx);
  return views.output ? [viewedOutput(outs[0]!, views.output), ...outs.slice(1)] : outs;
}

/** A strided output as its buffer holds it: the view's extent, zero where the view does not write. */
function viewedOutput(t: HostTensor, v: NonNullable<ReturnType<typeof nodeViews>['output']>): HostTensor {
  const data = hostArrayFor(t.dtype, viewExtent(v));
  scatterView(data, v, t.data);
  return { dtype: t.dtype, shape: [data.length], data };
}

/** Run one node's GPU kernels on fresh buffers and read the outputs back. */
export async function runNode(device: GPUDevice, node: Node, inputs: (HostTensor | null)[], opts: RunNodeOptions = {}): Promise<HostTensor[]> {
  const opset = opts.opset ?? 17;
  const op = opFor(node, opset);
  const a = op.attrs(new Attrs(node), opset);
  const known = new Set([...(op.constInputs ?? []), ...(opts.constants ?? [])]);
  const views = nodeViews(node);
  const types = viewedTypes(node, inputs.map((t) => (t ? { dtype: t.dtype, shape: [...t.shape] } : null)), views.inputs, op.viewInputs ?? []);
  const ictx = inferContext(node, types, (i) => (known.has(i) && !views.inputs[i] ? inputs[i] ?? undefined : undefined), opset);
  const outTypes = op.infer(ictx, a);
  // A strided output is read back as its buffer: the view's extent (see referenceNode).
  const bufTypes = outTypes.map((t, k) => (k === 0 && views.output ? { dtype: t.dtype, shape: [viewExtent(views.output)] } : t));
  if (views.output && (!op.viewOutput || shapeSize(views.output.shape) !== shapeSize(outTypes[0]!.shape)))
    throw new NodeError(node, `output view of shape [${views.output.shape.join(', ')}] does not fit ${node.opType}'s output`, 'this is a bug in the test or pass', { internal: true });
  if (op.alias) {
    const src = inputs[op.alias(a)]!;
    return [{ dtype: outTypes[0]!.dtype, shape: outTypes[0]!.shape, data: src.data.slice() as HostTensor['data'] }];
  }
  if (!op.gpu) throw new UnsupportedOpsError([{ name: node.name, opType: node.opType, domain: node.domain, opset, reason: 'no GPU kernel' }]);
  const kctx: KernelContext = { ...ictx, outputs: outTypes, caps: deviceCaps(device), views: views.inputs, outView: views.output };
  const plan = op.gpu(kctx, a);
  if (typeof plan === 'string') throw new UnsupportedOpsError([{ name: node.name, opType: node.opType, domain: node.domain, opset, reason: plan }]);
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const made: GPUBuffer[] = [];
  const mk = (bytes: number, label: string, u = usage) => { const b = device.createBuffer({ label, size: Math.max(16, Math.ceil(bytes / 4) * 4), usage: u }); made.push(b); return b; };
  try {
    return await withErrorScope(device, `running node '${node.name}' (${node.opType})`, async () => {
      const inBufs = inputs.map((t, i) => {
        if (!t) return null;
        const b = mk(t.data.byteLength, `in${i}`);
        if (t.data.byteLength) device.queue.writeBuffer(b, 0, t.data.buffer, t.data.byteOffset, t.data.byteLength);
        return b;
      });
      const outBufs = bufTypes.map((t, i) => mk(shapeSize(t.shape) * 4, `out${i}`));
      const scratch = (plan.scratch ?? []).map((n, i) => mk(n, `scratch${i}`));
      const enc = device.createCommandEncoder({ label: `wgml runNode ${node.name}` });
      const pass = enc.beginComputePass({ label: node.name });
      for (const k of plan.kernels) {
        const pipeline = await pipelineFor(device, k);
        const entries: GPUBindGroupEntry[] = [];
        if (k.uniforms) {
          const ub = mk(k.uniforms.byteLength, 'uniforms', GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
          device.queue.writeBuffer(ub, 0, k.uniforms);
          entries.push({ binding: 0, resource: { buffer: ub } });
        }
        k.args.forEach((arg) => {
          const buf = 'input' in arg ? inBufs[arg.input] : 'output' in arg ? outBufs[arg.output] : scratch[arg.scratch];
          if (!buf) throw new NodeError(node, `kernel '${k.name}' binds a missing buffer ${JSON.stringify(arg)}`, 'this is a bug in the op');
          entries.push({ binding: entries.length, resource: { buffer: buf } });
        });
        const bg = device.createBindGroup({ label: k.name, layout: bindGroupLayout(device, bindingSignature(k)), entries });
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, bg);
        if (k.workgroups.every((w) => w > 0)) pass.dispatchWorkgroups(...k.workgroups);
      }
      pass.end();
      const staging = bufTypes.map((t, i) => { const b = mk(outBufs[i]!.size, `read${i}`, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST); enc.copyBufferToBuffer(outBufs[i]!, 0, b, 0, b.size); return b; });
      device.queue.submit([enc.finish()]);
      const outs: HostTensor[] = [];
      for (let i = 0; i < bufTypes.length; i++) {
        await staging[i]!.mapAsync(GPUMapMode.READ);
        const t = bufTypes[i]!;
        const data = hostArrayFor(t.dtype, shapeSize(t.shape));
        data.set(new (data.constructor as Float32ArrayConstructor)(staging[i]!.getMappedRange().slice(0, data.byteLength)));
        staging[i]!.unmap();
        outs.push({ dtype: t.dtype, shape: [...t.shape], data });
      }
      return outs;
    });
  } finally {
    for (const b of made) b.destroy();
  }
}
