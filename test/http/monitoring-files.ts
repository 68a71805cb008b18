import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PACKAGE_ROOT } from '../../src/paths.js';

export const RULES_FILE = join(PACKAGE_ROOT, 'deploy', 'prometheus', 'cidgate-rules.yml');
export const GRAFANA_FILE = join(PACKAGE_ROOT, 'deploy', 'grafana', 'cidgate.json');

export interface Rule { alert: string; expr: string; for?: string; annotations: Record<string, string> }

/** The shipped alerting rules, parsed. */
export function shippedRules(): Rule[] {
  const doc = parse(readFileSync(RULES_FILE, 'utf8')) as { groups: { rules: Rule[] }[] };
  return doc.groups.flatMap((g) => g.rules);
}

/** The shipped rules file with every `for:` set to `holdFor` (a test cannot wait minutes). */
export function rulesWithFor(holdFor: string): string {
  const doc = parse(readFileSync(RULES_FILE, 'utf8')) as { groups: { rules: Rule[] }[] };
  for (const g of doc.groups) for (const r of g.rules) r.for = holdFor;
  return JSON.stringify(doc); // JSON is YAML
}

/** Every query of every panel of the shipped Grafana dashboard, with the `$instance` variable set to all nodes. */
export function grafanaQueries(): { panel: string; expr: string }[] {
  const doc = JSON.parse(readFileSync(GRAFANA_FILE, 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
  return doc.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, expr: t.expr.replaceAll('$instance', '.+') })));
}

/** A histogram's series, named after its family. */
const SUFFIXES = /_(bucket|sum|count)$/;

/** The metric families an expression reads (a histogram's _bucket/_sum/_count as its family). */
export function metricNames(expr: string): Set<string> {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const names = new Set<string>();
  for (const m of withoutStrings.matchAll(/\b((?:cidgate|process|nodejs)_[a-z0-9_]+)\b/g)) names.add(m[1]!.replace(SUFFIXES, ''));
  return names;
}
