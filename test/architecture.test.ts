/**
 * The source tree's shape (issue 14): imports point one way through the layers DEVELOPERS.md lists,
 * with no cycles, type-only ones included. Runs scripts/check-imports.mjs in-process: no GPU, no build.
 */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { checkImports, findCycles, findUpward, layerOf } from '../scripts/check-imports.mjs';

const srcDir = fileURLToPath(new URL('../src', import.meta.url));

describe('architecture', () => {
  it('src has no import cycles and no import against the layer order', () => {
    const { modules, cycles, upward, stale } = checkImports(srcDir);
    expect(modules).toBeGreaterThan(300); // the walk found the tree, not an empty folder
    expect(cycles).toEqual([]);
    expect(upward).toEqual([]);
    expect(stale).toEqual([]);
  });

  // The checker itself: a checker that cannot fail guards nothing.
  it('the checker reports a cycle, type-only or not, and an upward import', () => {
    const g = new Map<string, Set<string>>([
      ['runtime/a', new Set(['runtime/b'])],
      ['runtime/b', new Set(['runtime/a', 'ir/types'])],
      ['ir/types', new Set(['ops/registry'])],
      ['ops/registry', new Set()],
    ]);
    expect(findCycles(g)).toEqual([['runtime/a', 'runtime/b']]);
    expect(findUpward(g)).toEqual(['ir/types -> ops/registry']);
    expect(layerOf('gpu/device')).toBeLessThan(layerOf('cli/main'));
  });
});
