/**
 * Structured WGSL: a shader is a list of bindings plus a body; shared helpers are {@link WgslModule}s
 * that name what they need and are included exactly once, in dependency order, by {@link resolveWgsl}.
 */
import { NAN_CALL, NAN_MODULE } from './wgsl-literal.js';

/** A reusable piece of WGSL (helper functions, structs) with its dependencies. */
export interface WgslModule {
  readonly name: string;
  readonly code: string;
  readonly requires?: readonly WgslModule[];
  /** `enable` directives it needs, e.g. 'f16', 'subgroups'. */
  readonly enables?: readonly string[];
}

/** A binding declared by a kernel template. Binding numbers are assigned in order of the list. */
export type WgslBinding =
  | { name: string; kind: 'uniform'; type: string }
  | { name: string; kind: 'read' | 'read_write'; type: string };

export interface WgslShader {
  /** Bindings of group 0, numbered 0..n-1 in this order. */
  bindings: readonly WgslBinding[];
  /** Modules to include once before the body. */
  requires?: readonly WgslModule[];
  /** Struct declarations, constants, entry point. */
  body: string;
  enables?: readonly string[];
}

/** Collect modules depth-first, each once, dependencies before dependents. */
function collect(mods: readonly WgslModule[], seen: Set<string>, out: WgslModule[]): void {
  for (const m of mods) {
    if (seen.has(m.name)) continue;
    seen.add(m.name);
    collect(m.requires ?? [], seen, out);
    out.push(m);
  }
}

/**
 * Modules and their dependencies, each once and dependencies first, as one WGSL string plus the
 * `enable`s they need: for shaders assembled by hand (render pipelines, custom entry points) rather
 * than by {@link resolveWgsl}.
 */
export function flattenWgsl(...mods: readonly WgslModule[]): { code: string; enables: string[] } {
  const out: WgslModule[] = [];
  collect(withNan(mods, ''), new Set(), out);
  return { code: out.map((m) => m.code).join('\n'), enables: [...new Set(out.flatMap((m) => m.enables ?? []))] };
}

/** The modules, with NAN_MODULE first when they or `body` call it (wgsl-literal.ts floatLit writes the call for NaN). */
function withNan(mods: readonly WgslModule[], body: string): readonly WgslModule[] {
  const calls = (m: WgslModule): boolean => m.code.includes(NAN_CALL) || (m.requires ?? []).some(calls);
  return body.includes(NAN_CALL) || mods.some(calls) ? [NAN_MODULE, ...mods] : mods;
}

/** Resolve a shader template into one WGSL source string. */
export function resolveWgsl(shader: WgslShader, group = 0): string {
  const mods: WgslModule[] = [];
  collect(withNan(shader.requires ?? [], shader.body), new Set(), mods);
  const enables = new Set<string>([...(shader.enables ?? []), ...mods.flatMap((m) => m.enables ?? [])]);
  const parts: string[] = [];
  for (const e of [...enables].sort()) parts.push(`enable ${e};`);
  shader.bindings.forEach((b, i) => {
    const space = b.kind === 'uniform' ? 'uniform' : b.kind === 'read' ? 'storage, read' : 'storage, read_write';
    parts.push(`@group(${group}) @binding(${i}) var<${space}> ${b.name}: ${b.type};`);
  });
  for (const m of mods) parts.push(`// --- ${m.name}\n${m.code.trim()}`);
  parts.push(shader.body.trim());
  return parts.join('\n') + '\n';
}
