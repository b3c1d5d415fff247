/**
 * The debugger's browser-safe API (no Node modules): capture with statistics, and the GPU profiler.
 * Node-only tools (PNG/npy viewer, HTML graph view, onnxruntime reference) are imported from their modules.
 */
export { debugRun, analyze, fmtNode, type DebugCapture, type DebugRunOptions, type NodeReport, type ValueReport, type BadNode } from './capture.js';
export { tensorStats, explosion, histogram, fmtStats, fmtHistogram, type TensorStats, type Histogram, type ExplodeOptions } from './stats.js';
export {
  GpuProfiler, encodeNetworkProfiled, networkDependencies, checkDependencies, toChromeTrace, validateTrace, fmtDependencies,
  type ChromeTrace, type TraceEvent, type PassRecord, type PassDeps, type ResourceRange, type ResourceRef, type DependencyProblem,
} from './profiler.js';
