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
  /** The message without the hint. */
  readonly what: string;
  /**
   * The hint in command-line terms (`--dims x=1x3x224x224` rather than `inputDimensions`) where
   * the fix differs there; the `wgml` command prints it instead of {@link hint}.
   */
  cliHint?: string;

  constructor(code: string, message: string, hint = '', details: Record<string, unknown> = {}) {
    super(hint ? `${message}\n  hint: ${hint}` : message);
    this.name = new.target.name;
    this.code = code;
    this.hint = hint;
    this.details = details;
    this.what = message;
  }

  /** Set {@link cliHint} (chainable: `throw new BindingError(…).withCliHint('give --dims …')`). */
  withCliHint(hint: string): this {
    this.cliHint = hint;
    return this;
  }
}

/** A file or folder that cannot be read or written; `details.path` names it. */
export class FileError extends WgmlError {
  constructor(message: string, hint: string, details: Record<string, unknown> = {}) {
    super('E_FILE', message, hint, details);
  }
}

const FS_REASONS: Record<string, string> = {
  EACCES: 'permission denied', EPERM: 'permission denied', EISDIR: 'it is a folder, not a file', ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'it exists and is not a folder', ENOSPC: 'no space left on the device', EROFS: 'the file system is read-only', EMFILE: 'too many open files',
  ELOOP: 'too many symbolic links', ENAMETOOLONG: 'the name is too long', EBUSY: 'the file is busy',
};

/**
 * A {@link FileError} for a failed file-system call (Node's `ENOENT`, `EACCES`…), naming the path,
 * what it was (`what`: 'model', 'input x'…) and what was being done with it.
 */
export function fileError(e: unknown, path: string, doing: 'read' | 'write' | 'create', what = 'file'): FileError {
  const code = (e as { code?: string })?.code ?? '';
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const dir = slash > 0 ? path.slice(0, slash) : '.';
  const details = { path, code, doing };
  if (code === 'ENOENT' && doing === 'read') return new FileError(`cannot read ${what}: there is no '${path}'`, 'check the path (relative paths start in the current folder)', details);
  if (code === 'ENOENT') return new FileError(`cannot ${doing} ${what} '${path}': the folder '${dir}' does not exist`, `create it first (mkdir -p ${dir}) or choose another path`, details);
  if (code === 'EACCES' || code === 'EPERM') return new FileError(`cannot ${doing} ${what} '${path}': permission denied`, doing === 'read' ? `make '${path}' readable, or copy it somewhere you can read` : `choose a folder you can write to, or change the permissions of '${dir}'`, details);
  if (code === 'EISDIR') return new FileError(`cannot ${doing} ${what} '${path}': it is a folder, not a file`, doing === 'read' ? 'give the path of a file inside it' : 'give a file name, e.g. a path inside that folder', details);
  if (code === 'EEXIST') return new FileError(`cannot ${doing} ${what} '${path}': it exists and is not a folder`, 'give a folder path, or remove or rename the file in the way', details);
  if (code === 'ENOTDIR') return new FileError(`cannot ${doing} ${what} '${path}': a part of the path is a file, not a folder`, 'check the path: each part before the last must be a folder', details);
  const reason = FS_REASONS[code] ?? ((e as Error)?.message || String(e));
  return new FileError(`cannot ${doing} ${what} '${path}': ${reason}`, 'check the path, its permissions and the free space', details);
}

/** A command-line argument that is missing, misspelled or out of range. */
export class UsageError extends WgmlError {
  constructor(message: string, hint: string, details: Record<string, unknown> = {}) {
    super('E_CLI', message, hint, details);
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

/** How many nodes of one op an UnsupportedOpsError message lists before it counts the rest. */
const UNSUPPORTED_LISTED = 4;

/** Load-time refusal listing every node wgml cannot run on the GPU. */
export class UnsupportedOpsError extends WgmlError {
  readonly nodes: UnsupportedNode[];
  constructor(nodes: UnsupportedNode[]) {
    // A detector's post-processing can hold 180 NonZero nodes: past a few of one op the message counts the rest
    // (`nodes` keeps them all).
    const op = (n: UnsupportedNode) => `${n.domain ? n.domain + '.' : ''}${n.opType}`;
    const counts = new Map<string, number>(), listed = new Map<string, number>(), lines: string[] = [];
    for (const n of nodes) counts.set(op(n), (counts.get(op(n)) ?? 0) + 1);
    const folds = (o: string) => counts.get(o)! > UNSUPPORTED_LISTED + 1;
    for (const n of nodes) {
      const o = op(n), k = listed.get(o) ?? 0;
      listed.set(o, k + 1);
      if (!folds(o) || k < UNSUPPORTED_LISTED) lines.push(`  - ${n.name || '(unnamed)'}: ${o} (opset ${n.opset}): ${n.reason}`);
    }
    for (const [o, c] of counts) if (folds(o)) lines.push(`  - … and ${c - UNSUPPORTED_LISTED} more ${o} node(s) (the error's \`nodes\` lists them all)`);
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

/**
 * A node whose output shape would depend on values known only at run time (NonZero, Compress on a run-time input).
 * Specialization goes on past it, so a model with several is refused once, listing them all (UnsupportedOpsError);
 * a model with only this one gets this error itself.
 */
export class RuntimeValueError extends NodeError {
  /** The message without the node's name, and the hint: a line of UnsupportedOpsError. */
  readonly reason: string;
  constructor(node: { name: string; opType: string }, message: string, hint: string, details: Record<string, unknown> = {}) {
    super(node, message, hint, details);
    this.reason = `${message}: ${hint}`;
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
