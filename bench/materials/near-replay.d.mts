// Types for bench/materials/near-replay.mjs, so test/material-search-replay.test.ts type-checks against it.
import type * as Search from '../../src/shaderml/material/search.js';
export interface Recorded { min: number; seconds: number; stepSeconds?: number; row?: Record<string, unknown> }
export interface RecordedSearch { chosen: string; reached?: boolean; trials: string[]; trainSeconds: number }
export interface Traces { known: Map<string, Recorded>; search: Map<string, RecordedSearch>; current: Map<string, RecordedSearch>; whole: Map<string, RecordedSearch>; admitted: Map<string, RecordedSearch>; twin2: Map<string, RecordedSearch>; bc: Record<string, number> }
export declare const CHANNELS: Record<string, number>;
export declare function traces(): Traces;
export declare function replay(S: typeof Search, t: Traces, set: string, nearMiss: number, belowTwin?: boolean, secondTwin?: boolean, timeLimit?: number): Promise<{
  o: Search.SearchOutcome<Recorded | undefined>;
  missing: string[];
  used: { rung: string; steps?: number; k?: Recorded }[];
  bits: number;
  bcb: number;
}>;
