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

interface Import {
  /** The imported module, relative to src/ (`rules/fr/index.ts`). */
  readonly module: string;
  /** `import type` / `export type`: erased at compile time. */
  readonly typeOnly: boolean;
}

/** A file's relative imports and re-exports: static (`import type` told apart), side-effect and dynamic. */
function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const resolve = (specifier: string) => relative(SRC, normalize(join(dirname(file), specifier)).replace(/\.js$/, '.ts'));
  const statements = [...text.matchAll(/^(?:import|export)(\s+type)?\s[^;]*?\bfrom\s*'(\.{1,2}\/[^']+)'/gm)]
    .map((m) => ({ module: resolve(m[2]!), typeOnly: m[1] !== undefined }));
  const bare = [...text.matchAll(/\bimport\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => ({ module: resolve(m[1]!), typeOnly: false }));
  return [...statements, ...bare];
}

/** Folder → folders it imports from. */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    const from = unitOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const { module } of importsOf(file)) {
      const to = unitOf(join(SRC, module));
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

  it('no two store modules import each other, types included (the rows both return sit below both)', () => {
    const files = new Map(sourceFiles(join(SRC, 'store')).map((f) => [relative(SRC, f), new Set(importsOf(f).map((i) => i.module))]));
    expect([...files.keys()].filter((f) => reachable(files, f).has(f))).toEqual([]);
  });

  it('the shared types sit below both the rules and the policy', () => {
    expect(graph.get('rules')?.has('policy')).toBe(false);
    expect(graph.get('model')?.has('rules')).toBe(false);
    expect(graph.get('numbers')?.has('model')).toBe(false);
  });
});

/** A country's own modules: its rules, and the numbering data and questions its rules read. */
const COUNTRY_RULES = /^rules\/[a-z]{2}\//;
const COUNTRY_NUMBERING = /^numbers\/(france|departements|[a-z]{2}-numbering)\.ts$/;

/**
 * French law written outside the rules: the country, its time zone, its texts' references (D.223-9,
 * loi 2025-594, décision 2022-1583) and the legal periods and ceilings. Comments may name them.
 */
const FRENCH_CONSTANTS: readonly RegExp[] = [
  /['"`]FR['"`]/, /Europe\/Paris/, /\bARCEP\b/, /\b[DLR]\.\s?\d{3,4}-\d+/,
  /\b(loi|décret|décision|n°)\s*(n°\s*)?\d{2,4}-\d+/i, /\b(4 attempts|30 days|60 days)\b/,
  /\b10(:00)?–13(:00)?\b/, // the calling window's hours (report titles and legends once spelled them)
];

/** What may stay, and why: the defaults of a site that says nothing, and the list of the modelled countries. */
const ALLOWED: Readonly<Record<string, readonly RegExp[]>> = {
  'config/schema.ts': [/['"`]FR['"`]/, /Europe\/Paris/], // `country: FR` and `siteTimeZone: Europe/Paris` by default
  'model/types.ts': [/['"`]FR['"`]/], // CountryCode: 'FR' | 'ES'
};

function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"\w])\/\/.*$/gm, '$1');
}

describe('each country\'s law stays in its own place', () => {
  const outside = (...folders: string[]) => sourceFiles(SRC).filter((file) => !folders.includes(unitOf(file)));

  it('no module outside rules/ imports a country\'s rules: everyone goes through rules/index.ts (CountryRules)', () => {
    const leaks = outside('rules').flatMap((file) => importsOf(file)
      .filter((i) => COUNTRY_RULES.test(i.module)).map((i) => `${relative(SRC, file)} → ${i.module}`));
    expect(leaks).toEqual([]);
  });

  it('no module outside rules/ and numbers/ reads a country\'s numbering plan at run time (types aside)', () => {
    const leaks = outside('rules', 'numbers').flatMap((file) => importsOf(file)
      .filter((i) => COUNTRY_NUMBERING.test(i.module) && !i.typeOnly).map((i) => `${relative(SRC, file)} → ${i.module}`));
    expect(leaks).toEqual([]);
  });

  it('no module outside rules/ and numbers/ writes French law\'s constants, the allowed defaults aside', () => {
    const found = outside('rules', 'numbers').flatMap((file) => {
      const name = relative(SRC, file);
      const code = withoutComments(readFileSync(file, 'utf8'));
      return FRENCH_CONSTANTS
        .filter((pattern) => pattern.test(code) && !(ALLOWED[name] ?? []).some((a) => a.source === pattern.source))
        .map((pattern) => `${name}: ${pattern.source}`);
    });
    expect(found).toEqual([]);
  });

  it('the scans see what they look for (they would catch the old leaks)', () => {
    expect(FRENCH_CONSTANTS.filter((p) => p.test("callRulesFor('FR'); 'Europe/Paris'; (D.223-9); (loi 2025-594); for 60 days; Mon–Fri 10–13, 14–20")).length).toBe(6);
    expect(withoutComments("// 'FR'\nconst url = 'http://x'; /* Europe/Paris */")).toBe("\nconst url = 'http://x'; ");
    expect(importsOf(join(SRC, 'rules/index.ts')).map((i) => i.module)).toContain('rules/fr/index.ts');
    expect(importsOf(join(SRC, 'model/types.ts')).find((i) => i.module === 'numbers/france.ts')?.typeOnly).toBe(true);
  });
});

/**
 * docs/design.md's import table: `| \`folder/\` or \`file.ts\` | \`a/\`, \`b.ts\` |` rows under "## Import rules".
 * A module belongs to the longest entry that holds it, so a subfolder (`service/parts/`) may have a row of its own.
 */
function designImportTable(): Map<string, Set<string>> {
  const design = readFileSync(join(SRC, '../docs/design.md'), 'utf8');
  const section = design.split(/^## Import rules$/m)[1]?.split(/^## /m)[0] ?? '';
  const rows = [...section.matchAll(/^\| `([^`]+)` \| (.+) \|$/gm)];
  return new Map(rows.map((m) => [m[1]!, new Set([...m[2]!.matchAll(/`([^`]+)`/g)].map((n) => n[1]!))]));
}

/** The table's entry a module (relative to src/) belongs to: the longest folder holding it, or the file itself. */
function entryOf(table: Map<string, Set<string>>, module: string): string | undefined {
  return [...table.keys()]
    .filter((entry) => (entry.endsWith('/') ? module.startsWith(entry) : module === entry))
    .sort((a, b) => b.length - a.length)[0];
}

function forbiddenImports(table: Map<string, Set<string>>): string[] {
  return sourceFiles(SRC).flatMap((file) => {
    const name = relative(SRC, file);
    const from = entryOf(table, name);
    if (from === undefined) return [`${name}: no row in docs/design.md's import table`];
    return importsOf(file).flatMap(({ module }) => {
      const to = entryOf(table, module);
      return to === from || (to !== undefined && table.get(from)!.has(to)) ? [] : [`${name} → ${module} (${from} may not import ${to ?? module})`];
    });
  });
}

describe('docs/design.md\'s import table holds', () => {
  const table = designImportTable();

  it('the table is there and names only folders and files that exist', () => {
    expect(table.size).toBeGreaterThan(10);
    const units = new Set(sourceFiles(SRC).map((file) => entryOf(table, relative(SRC, file))));
    const named = [...new Set([...table.keys(), ...[...table.values()].flatMap((s) => [...s])])];
    expect(named.filter((entry) => !units.has(entry))).toEqual([]);
  });

  it('every import of src/**/*.ts is one the table allows', () => {
    expect(forbiddenImports(table)).toEqual([]);
  });

  it('the check sees a forbidden edge (the store with an empty row), and a subfolder has a row of its own', () => {
    const strict = new Map(table);
    strict.set('store/', new Set());
    expect(forbiddenImports(strict).some((line) => line.includes('store/ may not import'))).toBe(true);
    expect(entryOf(new Map([['service/', new Set<string>()], ['service/parts/', new Set<string>()]]), 'service/parts/x.ts')).toBe('service/parts/');
  });
});
