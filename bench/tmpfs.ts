import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A size-limited filesystem of its own (tmpfs), for full-disk faults: null when mounting is not permitted (not root). */
export function mountTmpfs(sizeMb: number): { dir: string; unmount(): void } | null {
  const dir = mkdtempSync(join(tmpdir(), 'cidgate-tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    unmount() {
      spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A runaway writer in a process of its own (a log gone wild): fills the filesystem, then takes every
 * block freed, as fast as it can, until stopped (its file is then deleted).
 */
export async function keepFull(path: string): Promise<{ stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['-e', `
    const fs = require('node:fs');
    const fd = fs.openSync(${JSON.stringify(path)}, 'a');
    const big = Buffer.alloc(65536, 1), small = Buffer.alloc(512, 1);
    let told = false;
    const fill = () => {
      try { for (;;) fs.writeSync(fd, big); } catch {}
      try { for (;;) fs.writeSync(fd, small); } catch {}
      if (!told) { told = true; process.stdout.write('full\\n'); }
      setImmediate(fill);
    };
    fill();
  `], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => child.stdout!.once('data', r));
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(path, { force: true });
    },
  };
}
