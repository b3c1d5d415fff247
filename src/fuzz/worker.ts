/** Fuzz child process: runs a range of cases and reports each one, so the parent can time out a hang. */
import { requestDevice } from '../gpu/device.js';
import { loadCorpus, runCase } from './case.js';

interface Job { seed: number; from: number; to: number; gpuFraction: number; testdata: boolean }

const job = JSON.parse(process.argv[2]!) as Job;
const port = { postMessage: (m: unknown) => new Promise<void>((res) => process.send!(m, () => res())) };
const corpus = await loadCorpus({ testdata: job.testdata });
let device: GPUDevice | undefined;
const uncaptured: string[] = [];
if (job.gpuFraction > 0) {
  device = await requestDevice({ quiet: true });
  device.onuncapturederror = (ev) => { uncaptured.push(ev.error.message); };
}
port.postMessage({ type: 'ready', seeds: corpus.onnx.length + corpus.wgml.length });
for (let i = job.from; i < job.to; i++) {
  await port.postMessage({ type: 'start', index: i });
  const res = await runCase(corpus, job.seed, i, { device, gpuFraction: job.gpuFraction });
  if (uncaptured.length) { res.outcome = 'fail'; res.error = `uncaptured GPU error: ${uncaptured.splice(0).join('; ')}`; }
  await port.postMessage({ type: 'done', result: res });
}
device?.destroy();
await port.postMessage({ type: 'finished' });
process.exit(0);
