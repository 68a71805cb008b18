import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * vitest globalSetup: every test file's temporary files (databases, configs, journals, browser
 * profiles) go under one directory of the run, removed at its end, whatever a test forgot. Test
 * workers and the servers they spawn inherit TMPDIR, which `os.tmpdir()` reads.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'cidgate-tests-'));
  chmodSync(dir, 0o755); // a private PostgreSQL server started as user postgres works under it
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
