import { spawn, type ChildProcess } from 'node:child_process';
import { PACKAGE_ROOT } from '../../src/paths.js';

/** Another process holding SQLite's write lock on `db` until `release`. */
export async function lockFromAnotherProcess(db: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', `
    const db = new (require('better-sqlite3'))(${JSON.stringify(db)});
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    process.stdin.once('data', () => { db.exec('COMMIT'); db.close(); process.exit(0); });
  `], { cwd: PACKAGE_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise((r) => child.stdout!.once('data', r));
  return child;
}

export async function release(child: ChildProcess): Promise<void> {
  const done = new Promise((r) => child.once('close', r));
  child.stdin!.end('go\n');
  await done;
}
