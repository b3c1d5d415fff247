// Types for scripts/check-imports.mjs, so test/architecture.test.ts type-checks against it.
export declare const LAYERS: string[];
export declare const ALLOWED_UPWARD: Map<string, string>;
export declare function layerOf(id: string): number;
export declare function importGraph(srcDir: string): Map<string, Set<string>>;
export declare function findCycles(graph: Map<string, Set<string>>): string[][];
export declare function findUpward(graph: Map<string, Set<string>>): string[];
export declare function findStaleAllowances(graph: Map<string, Set<string>>): string[];
export declare function checkImports(srcDir: string): { modules: number; cycles: string[][]; upward: string[]; stale: string[] };
