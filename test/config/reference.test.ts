import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { PACKAGE_ROOT } from '../../src/paths.js';

const page = readFileSync(join(PACKAGE_ROOT, 'docs', 'configuration.md'), 'utf8');
/** The reference table's rows: the key cell (`a.b` / `.c`) and the whole row. */
const rows = [...page.matchAll(/^\| (`[^|]+) \|.*$/gm)].map((m) => ({ keys: m[1]!, text: m[0] }));

/** Every key path of the schema; a record's keys are `NAME` (`campaigns.NAME.pool`). */
function keyPaths(schema: any, prefix: string[] = []): string[][] {
  const def = schema._zod.def;
  switch (def.type) {
    case 'object':
      return Object.entries(def.shape).flatMap(([k, v]) => [[...prefix, k], ...keyPaths(v, [...prefix, k])]);
    case 'record': return keyPaths(def.valueType, [...prefix, 'NAME']);
    case 'optional': case 'nullable': case 'default': case 'prefault': return keyPaths(def.innerType, prefix);
    case 'union': return def.options.flatMap((o: unknown) => keyPaths(o, prefix));
    case 'array': return keyPaths(def.element, prefix);
    case 'pipe': return keyPaths(def.in, prefix);
    default: return [];
  }
}

/** A row's text, with the text of the row it refers to (`as \`fastagi\`, plus …`). */
function withReferred(text: string): string {
  const referred = /\| as `(\w+)`/.exec(text)?.[1];
  return referred ? text + (rows.find((r) => r.keys.includes(`.${referred}\``))?.text ?? '') : text;
}

/**
 * A key is documented by a row of its own, by rows of its own keys (`callerId` by `callerId.format`…),
 * or by the row of an enclosing key that names it (`asterisk.fastagi`: `enabled`, `host`…).
 */
function documented(path: string[]): boolean {
  const full = path.join('.');
  return rows.some(({ keys, text }) => {
    if (keys.includes(`\`${full}\``) || keys.includes(`\`${full}.`)) return true;
    const leaf = new RegExp(`\\b${path.at(-1)}\\b`);
    return path.slice(0, -1).some((_, i) => keys.includes(`\`${path.slice(0, i + 1).join('.')}`) && leaf.test(withReferred(text)));
  });
}

describe('docs/configuration.md documents every key of the config schema', () => {
  const paths = [...new Map(keyPaths(configSchema).map((p) => [p.join('.'), p])).values()];

  it('found the schema\'s keys and the page\'s table', () => {
    expect(paths.length).toBeGreaterThan(40);
    expect(rows.length).toBeGreaterThan(20);
  });

  it.each(paths.map((p) => [p.join('.'), p] as const))('%s', (_, path) => {
    expect(documented(path)).toBe(true);
  });

  it('lists no key the schema does not have', () => {
    const known = new Set(paths.map((p) => p.join('.')));
    const named = rows.flatMap(({ keys }) => [...keys.matchAll(/`([a-zA-Z][\w.]*)`/g)].map((m) => m[1]!));
    expect(named.filter((k) => !known.has(k))).toEqual([]);
  });
});
