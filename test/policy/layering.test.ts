import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');

/** The folder (or, for files at the root of src/, the file) a module belongs to. */
function unitOf(file: string): string {
  const parts = relative(SRC, file).split('/');
  return parts.length > 1 ? parts[0]! : parts[0]!.replace(/\.ts$/, '');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/** Folder → folders it imports from (static, type-only and dynamic imports alike). */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    const from = unitOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const to = unitOf(normalize(join(dirname(file), m[1]!)).replace(/\.js$/, '.ts'));
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

/** Every folder reachable from `start`. */
function reachable(graph: Map<string, Set<string>>, start: string): Set<string> {
  const seen = new Set<string>();
  const todo = [...(graph.get(start) ?? [])];
  while (todo.length > 0) {
    const next = todo.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    todo.push(...(graph.get(next) ?? []));
  }
  return seen;
}

describe('layering of the decision core', () => {
  // time < numbers < model < rules < policy: each imports only what sits below it.
  const CORE = ['time', 'numbers', 'model', 'rules', 'policy'];
  const graph = folderGraph();

  it.each(CORE)('%s/ is in no import cycle between folders', (folder) => {
    expect(reachable(graph, folder).has(folder)).toBe(false);
  });

  it('config/, service/ and policy/ reach a country\'s rules only through rules/index.ts (CountryRules)', () => {
    const leaks = sourceFiles(SRC)
      .filter((file) => ['config', 'service', 'policy'].includes(unitOf(file)))
      .filter((file) => /from '[./]*\/rules\/[a-z]{2}\//.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file));
    expect(leaks).toEqual([]);
  });

  it('the shared types sit below both the rules and the policy', () => {
    expect(graph.get('rules')?.has('policy')).toBe(false);
    expect(graph.get('model')?.has('rules')).toBe(false);
    expect(graph.get('numbers')?.has('model')).toBe(false);
  });
});
