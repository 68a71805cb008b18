import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'cidgate-prepare-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** tools/prepare.js in a package directory without node_modules: what `npm ci --omit=dev` runs. */
function prepareWithoutTypescript(withBuild: boolean) {
  const root = mkdtempSync(join(tmp, 'pkg-'));
  mkdirSync(join(root, 'tools'));
  copyFileSync(join(PACKAGE_ROOT, 'tools', 'prepare.js'), join(root, 'tools', 'prepare.js'));
  writeFileSync(join(root, 'package.json'), '{"type":"module"}');
  if (withBuild) {
    mkdirSync(join(root, 'dist', 'src', 'cli'), { recursive: true });
    writeFileSync(join(root, 'dist', 'src', 'cli', 'main.js'), '');
  }
  return spawnSync(process.execPath, [join(root, 'tools', 'prepare.js')], { encoding: 'utf8', cwd: root });
}

describe('npm\'s prepare step on a production install (no TypeScript)', () => {
  it('keeps a build made beforehand, and says so', () => {
    const r = prepareWithoutTypescript(true);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/keeping the existing build in dist\//);
  });

  it('without a build, fails saying how to build then prune', () => {
    const r = prepareWithoutTypescript(false);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/npm run build.*npm prune --omit=dev/);
  });
});
