#!/usr/bin/env node
// npm's `prepare` (run by `npm ci`): builds dist/ with TypeScript when it is installed. A production
// install (`npm ci --omit=dev`) has no TypeScript: it keeps the dist/ built beforehand
// (`npm ci && npm run build && npm prune --omit=dev`, docs/operations.md, "Running as a service"), and says so.
// Plain JavaScript on purpose: it must run where nothing is compiled yet.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const built = join(root, 'dist', 'src', 'cli', 'main.js');

let tsc = null;
try {
  tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  // not installed: a production install
}

if (tsc) {
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
} else if (existsSync(built)) {
  process.stdout.write('cidgate prepare: TypeScript is not installed (production install): keeping the existing build in dist/\n');
} else {
  process.stderr.write('cidgate prepare: TypeScript is not installed and there is no build in dist/: '
    + 'build first (`npm ci && npm run build`), then `npm prune --omit=dev` (docs/operations.md, "Running as a service")\n');
  process.exit(1);
}
