import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { track } from './workdir.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Runs the load generator (bench/load.ts) in a process of its own and returns its last JSON line (the result); `onLine` gets every line as it comes. */
export function load(spec: object, onLine?: (line: Record<string, unknown>) => void): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, [join(HERE, 'load.js'), JSON.stringify(spec)], { stdio: ['pipe', 'pipe', 'inherit'] }));
    let out = '';
    let last = '';
    child.stdout!.on('data', (d) => {
      const lines = (out + d).split('\n');
      out = lines.pop()!;
      for (const line of lines.filter(Boolean)) {
        last = line;
        onLine?.(JSON.parse(line) as Record<string, unknown>);
      }
    });
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(last || out)) : reject(new Error(`load exited ${code}`))));
  });
}
