import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { EXAMPLE_CONFIG, PACKAGE_ROOT } from '../src/paths.js';
import { agiSession, randomCallee, type AgiOutcome } from './agi-client.js';
import { track } from './workdir.js';

/** The example config with FastAGI on `port`, the HTTP API on a port the OS picks, the Event Socket listener off. */
export function soakConfig(dir: string, port: number): string {
  const config = join(dir, `soak-${port}.yaml`);
  const example = readFileSync(EXAMPLE_CONFIG, 'utf8').replace('port: 4573', `port: ${port}`)
    .replace(/freeswitch:\n  outbound:[^]*?enabled: true/, (m) => m.replace('enabled: true', 'enabled: false'));
  writeFileSync(config, `${example}\nhttp:\n  port: 0\n`);
  return config;
}

/** `cidgate serve` in its own process; its log lines go to `logFile` (or nowhere). */
export function startServe(config: string, db: string, logFile = '/dev/null'): ChildProcess {
  const out = openSync(logFile, 'a');
  return track(spawn(process.execPath, [join(PACKAGE_ROOT, 'bin', 'cidgate.js'), 'serve', '--config', config, '--db', db], { stdio: ['ignore', out, 'inherit'] }));
}

export async function stopServe(server: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const stopped = new Promise((r) => server.once('close', r));
  server.kill(signal);
  await stopped;
}

/** Asterisk's hangup handler reporting an answered call: `AGI(agi://…/outcome,dialstatus=ANSWER,…)`. True when cidgate took it and closed. */
export function outcomeSession(port: number, uniqueId: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let failed = false;
    s.setTimeout(5_000, () => { failed = true; s.destroy(); });
    s.on('connect', () => s.write(`agi_network: yes\nagi_network_script: outcome\nagi_uniqueid: ${uniqueId}\nagi_arg_1: dialstatus=ANSWER\nagi_arg_2: answeredtime=42\nagi_arg_3: hangupcause=16\n\n`));
    s.on('data', () => undefined);
    s.on('end', () => s.end());
    s.on('error', () => { failed = true; });
    s.on('close', () => resolve(!failed));
  });
}

/**
 * Drives FastAGI decisions: `concurrency` sessions back to back (closed loop) or, with `rate`, that
 * many new sessions a second whatever the answers' speed (open loop, at most 5,000 in flight).
 */
export async function drive(port: number, until: () => boolean, load: { rate?: number; concurrency: number }, each: (r: AgiOutcome, startedAt: number) => void): Promise<number> {
  let sessions = 0;
  const one = async () => {
    sessions++;
    const startedAt = Date.now();
    const r = await agiSession(port, randomCallee(), { timeoutMs: 5000 });
    each(r, startedAt);
    if (r.error === 'ECONNREFUSED') await new Promise((res) => setTimeout(res, 20));
  };
  if (!load.rate) {
    await Promise.all(Array.from({ length: load.concurrency }, async () => { while (!until()) await one(); }));
    return sessions;
  }
  const inFlight = new Set<Promise<void>>();
  const t0 = performance.now();
  let launched = 0;
  while (!until()) {
    const due = Math.floor(((performance.now() - t0) * load.rate) / 1000);
    while (launched < due && inFlight.size < 5_000) {
      launched++;
      const p = one().finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(inFlight);
  return sessions;
}
