#!/usr/bin/env node
// Generates src/onnx/onnx-proto.json from the official onnx.proto, so that wgml never parses .proto
// text at run time (protobufjs' parser is large and slow to start; the JSON descriptor loads at once).
// Usage: node scripts/gen-onnx-proto.mjs [path/to/onnx.proto]
import { readFileSync, writeFileSync } from 'node:fs';
import protobuf from 'protobufjs';

const src = process.argv[2] ?? '/usr/lib/python3/dist-packages/onnx/onnx.proto';
const parsed = protobuf.parse(readFileSync(src, 'utf8'), { keepCase: true });
const json = parsed.root.toJSON();
const out = new URL('../src/onnx/onnx-proto.json', import.meta.url);
writeFileSync(out, JSON.stringify(json, null, 1) + '\n');
console.log(`wrote ${out.pathname} from ${src}`);
