/**
 * Every error wgml throws is a {@link WgmlError}: it carries a stable `code`, the fields that
 * locate the problem (node, op, shapes, file offset…) and a `hint` that says how to fix it.
 * Catch `WgmlError` to tell wgml's refusals from bugs.
 */
export class WgmlError extends Error {
  /** Stable machine-readable code, e.g. `E_SHAPE`. */
  readonly code: string;
  /** How to fix it, in one sentence. */
  readonly hint: string;
  /** Structured details: node name, op type, shapes, offsets… */
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, hint = '', details: Record<string, unknown> = {}) {
    super(hint ? `${message}\n  hint: ${hint}` : message);
    this.name = new.target.name;
    this.code = code;
    this.hint = hint;
    this.details = details;
  }
}

/** No WebGPU adapter or device could be had. */
export class DeviceUnavailableError extends WgmlError {
  constructor(message: string, hint: string, details: Record<string, unknown> = {}) {
    super('E_NO_DEVICE', message, hint, details);
  }
}

/** The device was lost; rebuild pipelines and heaps on a new device. */
export class DeviceLostError extends WgmlError {
  constructor(reason: string, message: string) {
    super('E_DEVICE_LOST', `the GPU device was lost (${reason}): ${message}`,
      'request a new device with requestDevice(), then reload libraries and recreate pipelines and heaps on it', { reason });
  }
}

/** A GPU validation or out-of-memory error caught in an error scope. */
export class GpuValidationError extends WgmlError {
  constructor(what: string, message: string) {
    super('E_GPU_VALIDATION', `GPU error while ${what}: ${message}`, 'this is a wgml bug unless the inputs were GPU objects in a bad state; please report it', { what });
  }
}

/** A dtype the device or the operation cannot handle. */
export class DTypeError extends WgmlError {
  constructor(message: string, hint: string, details: Record<string, unknown> = {}) {
    super('E_DTYPE', message, hint, details);
  }
}

/** Shapes, strides or offsets that do not fit. */
export class ShapeError extends WgmlError {
  constructor(message: string, hint: string, details: Record<string, unknown> = {}) {
    super('E_SHAPE', message, hint, details);
  }
}

/** A resource used after destroy(), or from another device. */
export class ResourceStateError extends WgmlError {
  constructor(message: string, hint: string, details: Record<string, unknown> = {}) {
    super('E_RESOURCE_STATE', message, hint, details);
  }
}

/** A model file that cannot be decoded or is inconsistent; `offset` names the byte where known. */
export class ModelFormatError extends WgmlError {
  constructor(message: string, hint: string, details: Record<string, unknown> = {}) {
    super('E_MODEL_FORMAT', message, hint, details);
  }
}

/** One entry of {@link UnsupportedOpsError}. */
export interface UnsupportedNode {
  name: string;
  opType: string;
  domain: string;
  opset: number;
  reason: string;
}

/** Load-time refusal listing every node wgml cannot run on the GPU. */
export class UnsupportedOpsError extends WgmlError {
  readonly nodes: UnsupportedNode[];
  constructor(nodes: UnsupportedNode[]) {
    const lines = nodes.map((n) => `  - ${n.name || '(unnamed)'}: ${n.domain ? n.domain + '.' : ''}${n.opType} (opset ${n.opset}): ${n.reason}`);
    super('E_UNSUPPORTED_OP', `${nodes.length} node(s) cannot run on the GPU with wgml:\n${lines.join('\n')}`,
      'wgml never falls back to the CPU: re-export the model without these ops, or open an issue asking for them', { nodes });
    this.nodes = nodes;
  }
}

/** A safetensors file or a .wgmat file that cannot be decoded. */
export class WeightFileError extends ModelFormatError {
  constructor(message: string, hint: string, details: Record<string, unknown> = {}) {
    super(message, hint, details);
  }
}

/** A node whose attributes or inputs are invalid for its op. */
export class NodeError extends WgmlError {
  constructor(node: { name: string; opType: string }, message: string, hint: string, details: Record<string, unknown> = {}) {
    super('E_NODE', `node '${node.name}' (${node.opType}): ${message}`, hint, { node: node.name, op: node.opType, ...details });
  }
}

/** Wrong arguments at bind()/run(): missing inputs, wrong shapes or dtypes, heap too small. */
export class BindingError extends WgmlError {
  constructor(message: string, hint: string, details: Record<string, unknown> = {}) {
    super('E_BIND', message, hint, details);
  }
}

/** A size over a device limit (binding size, buffer size, workgroup storage…). */
export class LimitError extends WgmlError {
  constructor(message: string, hint: string, details: Record<string, unknown> = {}) {
    super('E_LIMIT', message, hint, details);
  }
}
