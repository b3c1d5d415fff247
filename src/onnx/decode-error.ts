/** Protobuf decode failures → ModelFormatError with the byte offset where protobufjs stopped. */
import { ModelFormatError } from '../errors.js';

export function decodeError(e: unknown, what: string, size: number): ModelFormatError {
  const msg = e instanceof Error ? e.message : String(e);
  // protobufjs reports "index out of range: POS + N > LEN" and "invalid wire type W at offset POS".
  const m = /index out of range: (\d+) \+ (\d+) > (\d+)/.exec(msg) ?? /at offset (\d+)/.exec(msg);
  const offset = m ? Number(m[1]) : undefined;
  const where = offset === undefined ? '' : ` at byte ${offset} of ${size}`;
  return new ModelFormatError(`cannot decode the ${what}${where}: ${msg}`,
    'the file is truncated or not an ONNX protobuf; check the download and that it is a .onnx file', { offset, size, cause: msg });
}
