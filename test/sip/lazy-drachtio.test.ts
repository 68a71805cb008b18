import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const SERVE = pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'src', 'serve.js')).href;

describe('drachtio-srf is loaded only when SIP is enabled', () => {
  it('loading the service (the built dist/) does not load drachtio-srf; starting the B2BUA would', () => {
    const script = `
      import { createRequire } from 'node:module';
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('drachtio-srf'));
      await import(${JSON.stringify(SERVE)});
      const before = loaded();
      await import('drachtio-srf');
      console.log(JSON.stringify({ before, after: loaded() }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: join(import.meta.dirname, '..', '..'), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ before: false, after: true });
  });
});
