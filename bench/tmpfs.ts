import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
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

/** Writes `path` until the filesystem has no space left; returns the bytes written. */
export function fillDisk(path: string): number {
  const fd = openSync(path, 'a');
  const chunk = Buffer.alloc(64 * 1024, 1);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk);
  } catch {
    // ENOSPC: full. Smaller writes take the last partial chunk.
    try {
      for (;;) written += writeSync(fd, chunk, 0, 512);
    } catch {
      // full to the last block
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

/** A runaway writer: fills the filesystem, then takes every block freed, until stopped (the file is then deleted). */
export function keepFull(path: string): { stop(): void } {
  fillDisk(path);
  const timer = setInterval(() => fillDisk(path), 2);
  return {
    stop() {
      clearInterval(timer);
      rmSync(path, { force: true });
    },
  };
}
