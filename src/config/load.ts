import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { LineCounter, isNode, isScalar, isSeq, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { CidgateError, type ErrorArgs } from '../errors.js';
import { EXAMPLE_CONFIG } from '../paths.js';
import { compileConfig, type Config, type Problem } from './compile.js';
import { configSchema } from './schema.js';

const MAX_CONFIG_BYTES = 1024 * 1024;

export interface LoadedConfig {
  readonly path: string;
  readonly config: Config;
  /** Every problem, errors and warnings, each with its line. */
  readonly problems: readonly LocatedProblem[];
}

export interface LocatedProblem extends Problem {
  readonly key: string;
  readonly line: number | null;
}

/**
 * Reads, validates and compiles a config file (the embedded example when none is given).
 * Throws CONFIG_INVALID listing every error with its key and line, unless `lenient` (config check).
 */
export function loadConfig(file?: string | null, opts: { lenient?: boolean } = {}): LoadedConfig {
  const path = file ? (isAbsolute(file) ? file : resolve(file)) : EXAMPLE_CONFIG;
  let text: string;
  try {
    if (statSync(path).size > MAX_CONFIG_BYTES) throw new Error(`larger than ${MAX_CONFIG_BYTES} bytes`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CidgateError('CONFIG_UNREADABLE', [path, (err as Error).message], { path });
  }
  return parseConfig(text, path, opts);
}

export function parseConfig(text: string, path: string, opts: { lenient?: boolean } = {}): LoadedConfig {
  const lineCounter = new LineCounter();
  // maxAliasCount bounds "billion laughs" alias expansion; uniqueKeys rejects duplicate keys.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineOf = (p: readonly (string | number)[]): number | null => {
    for (let n = p.length; n >= 0; n--) {
      const node = doc.getIn(p.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return null;
  };
  keepNumbersAsWritten(doc);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new CidgateError('CONFIG_INVALID', [`${path}:${lineCounter.linePos(e.pos[0]).line}`, e.message.split('\n')[0]!], { path });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 }) ?? {};
  } catch (err) {
    throw new CidgateError('CONFIG_INVALID', [path, (err as Error).message], { path });
  }
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => locate(zodProblem(i), lineOf));
    throw new CidgateError('CONFIG_INVALID', formatProblems(path, problems), { path, problems });
  }
  const { config, problems } = compileConfig(parsed.data);
  const located = problems.map((p) => locate(p, lineOf));
  if (!opts.lenient && located.some((p) => p.level === 'error')) {
    throw new CidgateError('CONFIG_INVALID', formatProblems(path, located.filter((p) => p.level === 'error')), { path, problems: located });
  }
  return { path, config, problems: located };
}

/**
 * YAML reads an unquoted 0612345678 as the integer 612345678 and +33145678901 as 33145678901.
 * Telephone numbers are text: under `pool` and `ownedNumbers` every scalar keeps its source.
 */
function keepNumbersAsWritten(doc: Document): void {
  visit(doc, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? pair.key.value : null;
      if ((key !== 'pool' && key !== 'ownedNumbers') || !isSeq(pair.value)) return;
      for (const item of pair.value.items) {
        if (isScalar(item) && typeof item.value === 'number' && typeof item.source === 'string') item.value = item.source;
      }
    },
  });
}

function zodProblem(issue: z.core.$ZodIssue): Problem {
  const path = issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k));
  if (issue.code === 'unrecognized_keys') {
    return { level: 'error', path, message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
  }
  return { level: 'error', path, message: issue.message };
}

function locate(p: Problem, lineOf: (p: readonly (string | number)[]) => number | null): LocatedProblem {
  return { ...p, key: p.path.join('.') || '(top level)', line: lineOf(p.path) };
}

/** CONFIG_INVALID's values: each problem as `FILE:LINE: KEY: message`, one a line (the first line is the template's). */
function formatProblems(path: string, problems: readonly LocatedProblem[]): ErrorArgs<'CONFIG_INVALID'> {
  const [first, ...others] = problems.map((p) => [`${path}${p.line ? `:${p.line}` : ''}`, `${p.key}: ${p.message}`] as const);
  return [first![0], [first![1], ...others.map(([where, what]) => `${where}: ${what}`)].join('\n')];
}
