import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/paths.js';

/** README.md and every page of docs/. */
const PAGES = ['README.md', ...readdirSync(join(PACKAGE_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (page: string) => readFileSync(join(PACKAGE_ROOT, page), 'utf8');

/** The lines outside fenced code blocks (a `# comment` in a shell block is no heading, a `[x](y)` there no link). */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').filter((line) => {
    if (/^\s*(```|~~~)/.test(line)) { fenced = !fenced; return false; }
    return !fenced;
  });
}

/**
 * GitHub's anchor for a heading (github-slugger over the rendered text): the markup goes (links keep
 * their text, code its content), then lowercase, then everything but letters, digits, marks, spaces,
 * `-` and `_` goes, then each space becomes `-`. Accented letters stay (`é`).
 */
function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/(\*\*|\*)(\S(?:.*?\S)?)\1/g, '$2')
    .replace(/(?<!\w)(__|_)(\S(?:.*?\S)?)\1(?!\w)/g, '$2')
    .replace(/<[^>]+>/g, '');
  return text.trim().toLowerCase().replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** A page's anchors, in order: a heading repeated gets -1, -2… as on GitHub. */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of prose(text)) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** The relative links and images of a page (inline `[text](target)`; absolute URLs aside). */
function linksOf(text: string): string[] {
  return prose(text).map((line) => line.replace(/`[^`]*`/g, ''))
    .flatMap((line) => [...line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!))
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** What is wrong with one link of `page` (null: it resolves). */
function brokenLink(page: string, target: string): string | null {
  const [path, anchor] = target.split('#', 2) as [string, string | undefined];
  const file = path === '' ? join(PACKAGE_ROOT, page) : resolve(dirname(join(PACKAGE_ROOT, page)), decodeURIComponent(path));
  if (!existsSync(file)) return `${page}: ${target}: no such file`;
  if (anchor === undefined) return null;
  if (!file.endsWith('.md') || statSync(file).isDirectory()) return `${page}: ${target}: an anchor into a file that is not a page`;
  return anchorsOf(readFileSync(file, 'utf8')).has(decodeURIComponent(anchor)) ? null : `${page}: ${target}: no such heading`;
}

describe('GitHub\'s anchors, as the links test computes them', () => {
  it('lowercases, drops punctuation but - and _, turns spaces into -', () => {
    expect(slug('Which caller ID (all campaigns)')).toBe('which-caller-id-all-campaigns');
    expect(slug('Quick start (a fresh machine with Node.js 20)')).toBe('quick-start-a-fresh-machine-with-nodejs-20');
    expect(slug('Database, audit trail and logs')).toBe('database-audit-trail-and-logs');
    expect(slug('What was optimised, from the profiles (`node --cpu-prof`)')).toBe('what-was-optimised-from-the-profiles-node---cpu-prof');
    expect(slug('snake_case and dash-case — kept')).toBe('snake_case-and-dash-case--kept');
    expect(slug('`max_attempts` and `window_days`, _emphasis_')).toBe('max_attempts-and-window_days-emphasis');
  });

  it('keeps accented letters, the text of links and code, and numbers duplicates', () => {
    expect(slug('Décision 2022-1583 à l\'ARCEP')).toBe('décision-2022-1583-à-larcep');
    expect(slug('The [`cidgate report`](cli.md) **proofs**')).toBe('the-cidgate-report-proofs');
    expect([...anchorsOf('# A\n## Tests\n```sh\n# Tests (a comment)\n```\n### Tests\n## Tests\n')]).toEqual(['a', 'tests', 'tests-1', 'tests-2']);
  });

  it('catches a broken link (the check sees what it looks for)', () => {
    expect(brokenLink('README.md', 'docs/rules.md#where-the-callee-is')).toBeNull();
    expect(brokenLink('README.md', 'docs/rules.md#where-the-callee-was')).toMatch(/no such heading/);
    expect(brokenLink('docs/rules.md', 'nowhere.md')).toMatch(/no such file/);
    expect(brokenLink('docs/rules.md', '#how-a-decision-is-made')).toBeNull();
    expect(linksOf('[a](x.md) `[b](y.md)` [c](https://e.org) ![d](p.png)\n```\n[e](z.md)\n```')).toEqual(['x.md', 'p.png']);
  });
});

describe('the documentation\'s links', () => {
  it.each(PAGES)('every relative link and #anchor of %s resolves', (page) => {
    expect(linksOf(read(page)).map((target) => brokenLink(page, target)).filter((e) => e !== null)).toEqual([]);
  });

  it('every page of docs/ is linked from README.md or docs/README.md', () => {
    const linked = new Set(['README.md', 'docs/README.md'].flatMap((index) => linksOf(read(index))
      .map((target) => relative(PACKAGE_ROOT, resolve(dirname(join(PACKAGE_ROOT, index)), target.split('#')[0]!)))));
    expect(PAGES.filter((page) => page.startsWith('docs/') && page !== 'docs/README.md' && !linked.has(page))).toEqual([]);
  });

  it('README.md stays short: what cidgate is, the quick start, the rules, links (at most ~250 lines)', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(260);
  });
});
