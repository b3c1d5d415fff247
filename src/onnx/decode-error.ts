/** Protobuf decode failures → ModelFormatError with the byte offset where protobufjs stopped. */
import protobuf from 'protobufjs';
import { ModelFormatError } from '../errors.js';

/** Decode with a reader we keep, so a failure can say at which byte decoding stopped. */
export function decodeAt<T>(type: protobuf.Type, bytes: Uint8Array, what: string): T {
  const reader = protobuf.Reader.create(bytes);
  try {
    return type.decode(reader) as unknown as T;
  } catch (e) {
    throw decodeError(e, what, bytes.byteLength, Math.min(reader.pos, bytes.byteLength));
  }
}

/** `pos`: the reader's position when decoding threw (where protobufjs stopped). */
export function decodeError(e: unknown, what: string, size: number, pos?: number): ModelFormatError {
  const msg = e instanceof Error ? e.message : String(e);
  // protobufjs reports "index out of range: POS + N > LEN" and "invalid wire type W at offset POS".
  const m = /index out of range: (\d+) \+ (\d+) > (\d+)/.exec(msg) ?? /at offset (\d+)/.exec(msg);
  const offset = m ? Number(m[1]) : pos;
  const where = offset === undefined ? '' : ` at byte ${offset} of ${size}`;
  return new ModelFormatError(`cannot decode the ${what}${where}: ${msg}`,
    'the file is truncated or not an ONNX protobuf; check the download and that it is a .onnx file', { offset, size, cause: msg });
}
