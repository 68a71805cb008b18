import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { until } from '../helpers.js';
import { startServe, writeConfig } from '../http/serve-process.js';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../bench/ports.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'cidgate.js');


async function busyPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  return { port: (s.address() as net.AddressInfo).port, release: () => new Promise((r) => s.close(() => r())) };
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

/** Resolves with the exit code (or signal), or 'still running' after `ms`. */
function exitWithin(exited: Promise<number | string>, ms: number): Promise<number | string> {
  return Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), ms).unref())]);
}

describe('serve lifecycle (real child processes)', { timeout: 60_000 }, () => {
  it('SIP enabled with drachtio-server down: SIGTERM stops everything and the process exits 0', async () => {
    const port = await freePort();
    const s = await startServe({ env: { CIDGATE_DRACHTIO_SECRET: 'cymru' }, overrides: { sip: { drachtio: { port } } } });
    await new Promise((r) => setTimeout(r, 500)); // drachtio-srf is retrying meanwhile
    s.proc.kill('SIGTERM');
    const code = await exitWithin(s.exited, 10_000);
    if (code === 'still running') s.proc.kill('SIGKILL');
    expect(code).toBe(0);
    expect(s.stderr()).not.toMatch(/unexpected error|AssertionError/);
    expect(s.lines.some((l) => l.includes('"event":"stopped"'))).toBe(true);
  });

  it('a listener that cannot bind: everything opened is closed, one line names it, exit 2', async () => {
    const fastagi = await freePort();
    const busy = await busyPort();
    try {
      const { config, db } = writeConfig({ asterisk: { fastagi: { enabled: true, port: fastagi } }, freeswitch: { outbound: { enabled: true, port: busy.port } } });
      const proc = spawn(process.execPath, [BIN, 'serve', '--config', config, '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      proc.stderr.on('data', (d) => { stderr += d; });
      const exited = new Promise<number | string>((r) => proc.once('exit', (c, sig) => r(c ?? sig ?? -1)));
      const code = await exitWithin(exited, 15_000);
      if (code === 'still running') proc.kill('SIGKILL');
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^cidgate: LISTEN_FAILED: freeswitch: cannot listen on 127\\.0\\.0\\.1:${busy.port}: .*EADDRINUSE`))]);
      expect(await connects(fastagi)).toBe(false);
    } finally {
      await busy.release();
    }
  });

  it('SIGTERM during warm-up: the start is abandoned, nothing is opened, exit 0', async () => {
    const fastagi = await freePort();
    const campaigns: Record<string, unknown> = {};
    for (let i = 0; i < 1500; i++) campaigns[`c${i}`] = { purpose: 'service', dialing: 'manual', pool: ['0199000001'] };
    const { config, db } = writeConfig({ campaigns, asterisk: { fastagi: { enabled: true, port: fastagi } } });
    const proc = spawn(process.execPath, [BIN, 'serve', '--config', config, '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise<number | string>((r) => proc.once('exit', (c, sig) => r(c ?? sig ?? -1)));
    await new Promise<void>((resolve) => proc.stdout.on('data', (d) => {
      out += d;
      if (out.includes('"event":"warming-up"')) resolve();
    }));
    proc.kill('SIGTERM');
    const code = await exitWithin(exited, 10_000);
    if (code === 'still running') proc.kill('SIGKILL');
    expect(code).toBe(0);
    expect(out).not.toContain('"event":"started"');
    expect(out).toContain('"event":"stopped"');
    expect(await connects(fastagi)).toBe(false);
  });

  it('200 hung sessions on FastAGI and Event Socket: all listeners share one grace period, then the process exits 0', async () => {
    const [fastagi, freeswitch] = [await freePort(), await freePort()];
    const s = await startServe({ overrides: {
      asterisk: { fastagi: { enabled: true, port: fastagi, idleTimeoutMs: 60_000 } },
      freeswitch: { outbound: { enabled: true, port: freeswitch, idleTimeoutMs: 60_000 } },
    } });
    const sockets: net.Socket[] = [];
    for (let i = 0; i < 200; i++) {
      const c = net.connect(i % 2 ? fastagi : freeswitch, '127.0.0.1');
      c.on('error', () => undefined);
      sockets.push(c);
    }
    await Promise.all(sockets.map((c) => new Promise((r) => (c.readyState === 'open' ? r(null) : c.once('connect', r)))));
    // A client's 'connect' comes from the kernel's accept queue: wait until serve has taken all 200.
    const inFlight = /cidgate_sessions_in_flight\{adapter="fastagi"\} 100\b[\s\S]*cidgate_sessions_in_flight\{adapter="freeswitch"\} 100\b|cidgate_sessions_in_flight\{adapter="freeswitch"\} 100\b[\s\S]*cidgate_sessions_in_flight\{adapter="fastagi"\} 100\b/;
    await until(async () => inFlight.test(await (await fetch(`${s.url}/metrics`)).text()), 10_000);
    const t0 = performance.now();
    s.proc.kill('SIGTERM');
    const code = await exitWithin(s.exited, 15_000);
    const seconds = (performance.now() - t0) / 1000;
    if (code === 'still running') s.proc.kill('SIGKILL');
    for (const c of sockets) c.destroy();
    expect(code).toBe(0);
    // One 5 s grace shared by both listeners (each in turn took 10–12 s); generous for a loaded machine.
    expect(seconds).toBeLessThan(9);
    expect(s.lines.some((l) => l.includes('"event":"stopped"'))).toBe(true);
  });
});
