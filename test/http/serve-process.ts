import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { parse, stringify } from 'yaml';
import { EXAMPLE_CONFIG } from '../../src/paths.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'cidgate.js');

type Tree = { [key: string]: unknown };

function merge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? merge(b as Tree, v as Tree) : v;
  }
  return out;
}

/** The directories writeConfig made, removed once the test file is done (whoever started serve on them). */
const written: string[] = [];
afterAll(() => { for (const dir of written.splice(0)) rmSync(dir, { recursive: true, force: true }); });

/**
 * The example config with the PBX listeners off and the HTTP API on a free port, plus `overrides`
 * (deep-merged), written to a new directory with its database.
 */
export function writeConfig(overrides: Tree = {}): { dir: string; config: string; db: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cidgate-serve-'));
  written.push(dir);
  const base = merge(parse(readFileSync(EXAMPLE_CONFIG, 'utf8')) as Tree, {
    asterisk: { fastagi: { enabled: false } },
    freeswitch: { outbound: { enabled: false } },
    http: { port: 0, allowDecisionTime: true },
  });
  const config = join(dir, 'cidgate.yaml');
  writeFileSync(config, stringify(merge(base, overrides)));
  return { dir, config, db: join(dir, 'cidgate.db') };
}

export interface Served {
  readonly proc: ChildProcess;
  /** The `started` log line's ports. */
  readonly ports: Record<string, number>;
  readonly url: string;
  readonly config: string;
  readonly db: string;
  /** Every stdout line so far (pino JSON). */
  readonly lines: string[];
  readonly stderr: () => string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<number | string>;
}

/** Runs `cidgate serve` (the built dist/) as a child process and waits for its `started` line. */
export async function startServe(opts: { overrides?: Tree; env?: NodeJS.ProcessEnv; config?: string; db?: string; dir?: string; cwd?: string; args?: string[] } = {}): Promise<Served> {
  const written = opts.config ? { dir: opts.dir ?? '', config: opts.config, db: opts.db! } : { ...writeConfig(opts.overrides), ...(opts.db ? { db: opts.db } : {}) };
  const proc = spawn(process.execPath, [BIN, 'serve', '--config', written.config, '--db', written.db, ...opts.args ?? []], {
    env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd,
  });
  const lines: string[] = [];
  let stderr = '';
  let buffered = '';
  proc.stderr!.on('data', (d) => { stderr += d; });
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const started = new Promise<Record<string, number>>((resolve, reject) => {
    proc.stdout!.on('data', (d) => {
      buffered += d;
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (line.includes('"event":"started"')) resolve((JSON.parse(line) as { ports: Record<string, number> }).ports);
      }
    });
    void exited.then((code) => reject(new Error(`serve exited (${code}) before starting: ${stderr}`)));
  });
  const ports = await started;
  return {
    proc, ports, url: `http://127.0.0.1:${ports.http}`, config: written.config, db: written.db, lines, exited,
    stderr: () => stderr,
    async stop() {
      proc.kill('SIGTERM');
      const code = await exited;
      if (!opts.config && written.dir) rmSync(written.dir, { recursive: true, force: true });
      return code;
    },
  };
}

/** POSTs JSON (or a raw string) and returns the status and parsed body. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: 'POST', headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
