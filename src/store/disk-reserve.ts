import { closeSync, openSync, renameSync, rmSync, statfsSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** The reserve for a filesystem of this size: 1/16 of it, at most 16 MiB (an 8 MB tmpfs keeps 512 KiB). */
const RESERVE_MAX_BYTES = 16 * 1024 * 1024;
const RESERVE_FRACTION = 16;
const ZEROS = Buffer.alloc(1024 * 1024);

/** Bytes free for an unprivileged writer on the filesystem holding `path`. */
export function freeBytes(path: string): number {
  const s = statfsSync(dirname(path));
  return s.bavail * s.bsize;
}

/**
 * A file of zeros kept next to the database (`<db>.reserve`) so that a full disk never leaves the
 * store stuck: the log can only be checkpointed (and then emptied) if the database file can grow by
 * the pages it copies back, and a writer under load takes any space freed within milliseconds.
 * Released the moment SQLite reports the disk full, re-created once free space is back to twice
 * its size (so it never takes the last bytes itself).
 */
export class DiskReserve {
  readonly path: string;
  readonly bytes: number;

  constructor(dbFile: string, bytes?: number) {
    this.path = `${dbFile}.reserve`;
    const s = statfsSync(dirname(dbFile));
    this.bytes = bytes ?? Math.min(RESERVE_MAX_BYTES, Math.floor((s.blocks * s.bsize) / RESERVE_FRACTION));
  }

  /** True when the reserve is on disk at its full size. */
  get inPlace(): boolean {
    try {
      return statSync(this.path).size >= this.bytes;
    } catch {
      return false;
    }
  }

  /** Frees its space for the database (returns false when it was not there). */
  release(): boolean {
    const was = this.inPlace;
    rmSync(this.path, { force: true });
    return was;
  }

  /** Writes the reserve when free space allows; true when it is in place afterwards. */
  ensure(): boolean {
    if (this.bytes === 0 || this.inPlace) return true;
    if (freeBytes(this.path) < 2 * this.bytes) return false;
    const tmp = `${this.path}.tmp`;
    let fd: number | null = null;
    try {
      // Real zeros, not a sparse file: the blocks must be taken now to be given back later.
      fd = openSync(tmp, 'w');
      for (let left = this.bytes; left > 0; left -= ZEROS.length) writeSync(fd, ZEROS, 0, Math.min(left, ZEROS.length));
      closeSync(fd);
      fd = null;
      renameSync(tmp, this.path);
      return true;
    } catch {
      if (fd !== null) closeSync(fd);
      rmSync(tmp, { force: true }); // the disk filled meanwhile: try again later
      return false;
    }
  }
}
