// wgml on torch_small_modules.py's exports against torch's outputs: node bench/coverage/run_small_modules.mjs /tmp/small11
import { readFileSync, readdirSync } from 'node:fs';
import * as wgml from '../../dist/index.js';
import { readNpy } from '../../dist/ir/npy.js';
const device = await wgml.requestDevice({ quiet: true });
for (const f of readdirSync(process.argv[2]).filter((f) => f.endsWith('.onnx')).sort()) {
  const name = f.slice(0, -5);
  try {
    const x = readNpy(readFileSync(`${process.argv[2]}/${name}.x.npy`)), y = readNpy(readFileSync(`${process.argv[2]}/${name}.y.npy`));
    const g = await wgml.loadOnnx(readFileSync(`${process.argv[2]}/${f}`));
    const out = await wgml.runModel(device, g, { x });
    const got = Object.values(out)[0];
    let err = 0, mx = 0;
    for (let i = 0; i < y.data.length; i++) { err = Math.max(err, Math.abs(got.data[i] - y.data[i])); mx = Math.max(mx, Math.abs(y.data[i])); }
    const shapeOk = got.shape.join(',') === y.shape.join(',');
    console.log(name.padEnd(16), shapeOk ? '' : `SHAPE ${got.shape} vs ${y.shape}`, `max err ${err.toExponential(2)} (max |y| ${mx.toFixed(2)})`, err > 1e-3 * Math.max(1, mx) ? 'BAD' : 'ok');
  } catch (e) { console.log(name.padEnd(16), 'ERROR', e.message.split('\n')[0].slice(0, 200)); }
}
