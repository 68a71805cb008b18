import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { runCli } from '../helpers.js';

const page = readFileSync(join(PACKAGE_ROOT, 'docs', 'cli.md'), 'utf8');
const start = page.indexOf('# Command line reference\n');
const reference = page.slice(start);
/** The paragraph above the table: the options every command shares are described there once. */
const intro = reference.slice(0, reference.indexOf('\n|'));
const SHARED = ['--config', '--db'];

/** The lines of a commander help block (`Options:`, `Commands:`) that name an entry. */
function block(help: string, title: string): string[] {
  const at = help.indexOf(`\n${title}\n`);
  if (at < 0) return [];
  const lines = help.slice(at + title.length + 2).split('\n');
  const end = lines.findIndex((l) => l.trim() === '');
  return (end < 0 ? lines : lines.slice(0, end)).filter((l) => /^ {2}\S/.test(l));
}

const optionsOf = (help: string) => block(help, 'Options:').map((l) => /--[a-z][\w-]*/.exec(l)![0]).filter((o) => o !== '--help');
const subcommandsOf = (help: string) => block(help, 'Commands:').map((l) => l.trim().split(/\s/)[0]!).filter((c) => c !== 'help');

/** Every command of the CLI, as its words after `cidgate`, with its --help. */
async function commands(path: string[] = []): Promise<{ path: string[]; help: string }[]> {
  const help = (await runCli([...path, '--help'])).out;
  const subs = subcommandsOf(help);
  const below = await Promise.all(subs.map((s) => commands([...path, s])));
  return [{ path, help }, ...below.flat()];
}

describe('docs/cli.md, the command line reference, matches --help', () => {
  it('found the reference and its table', () => {
    expect(start).toBe(0);
    expect(reference).toMatch(/\n\| `cidgate /);
    for (const o of SHARED) expect(intro).toContain(`\`${o}`);
  });

  it('names every command with a row of its own, and every option of it', async () => {
    const missing: string[] = [];
    for (const { path, help } of await commands()) {
      if (subcommandsOf(help).length > 0 && path.length > 0) continue; // a group (`consent`): its commands have the rows
      const name = ['cidgate', ...path].join(' ');
      const rows = reference.split('\n').filter((l) => l.startsWith(`| \`${name} `) || l.startsWith(`| \`${name}\``));
      if (rows.length === 0) { missing.push(`${name}: no row`); continue; }
      for (const option of optionsOf(help)) {
        if (path.length > 0 && SHARED.includes(option)) continue;
        if (!rows.some((r) => r.includes(option))) missing.push(`${name}: ${option}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
