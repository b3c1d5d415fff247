// Thin wrapper: the runnable code is src/shaderml/bench.ts (built to dist/shaderml/bench.js).
// Usage: node dist/shaderml/bench.js [width height reps]
export { main } from '../src/shaderml/bench.js';
