#!/usr/bin/env node
// Generates src/onnx/onnx-proto.json from the official onnx.proto, so that wgml never parses .proto
// text at run time (protobufjs' parser is large and slow to start; the JSON descriptor loads at once).
// Usage: node scripts/gen-onnx-proto.mjs [path/to/onnx.proto]
import { readFileSync, writeFileSync } from 'node:fs';
import protobuf from 'protobufjs';

const src = process.argv[2] ?? '/usr/lib/python3/dist-packages/onnx/onnx.proto';
const parsed = protobuf.parse(readFileSync(src, 'utf8'), { keepCase: true });
const root = parsed.root;
// Fields newer ONNX releases added (onnx.proto of 1.13+): declared here when the installed proto
// predates them, so models from new exporters keep their function attribute defaults and overloads.
const add = (type, field, spec) => { const t = root.lookupType(`onnx.${type}`); if (!t.fields[field]) t.add(new protobuf.Field(field, spec.id, spec.type, spec.rule)); };
add('FunctionProto', 'attribute_proto', { id: 11, type: 'AttributeProto', rule: 'repeated' });
add('FunctionProto', 'value_info', { id: 12, type: 'ValueInfoProto', rule: 'repeated' });
add('FunctionProto', 'overload', { id: 13, type: 'string' });
add('NodeProto', 'overload', { id: 8, type: 'string' });
const json = root.toJSON();
const out = new URL('../src/onnx/onnx-proto.json', import.meta.url);
writeFileSync(out, JSON.stringify(json, null, 1) + '\n');
console.log(`wrote ${out.pathname} from ${src}`);
