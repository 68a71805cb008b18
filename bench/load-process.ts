import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { track } from './workdir.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Runs the load generator (bench/load.ts) in a process of its own and returns its JSON line. */
export function load(spec: object): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, [join(HERE, 'load.js'), JSON.stringify(spec)], { stdio: ['pipe', 'pipe', 'inherit'] }));
    let out = '';
    child.stdout!.on('data', (d) => { out += d; });
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`load exited ${code}`))));
  });
}
