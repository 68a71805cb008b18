/**
 * A Kamailio lab on loopback, for the Kamailio test suite and benchmark: `cidgate serve` with its
 * HTTP API and its evapi engine connecting to the Kamailios' evapi ports, Kamailio 5.6 running the
 * shipped dialplan/kamailio/kamailio.cfg (only ports and cidgate's URL given, as -A defines; the
 * async mode by default, the HTTP one with `httpMode`), a SIPp UAS playing the carrier and SIPp
 * UACs playing the PBX. Every process gets ports found at runtime and files in its own directory, and is stopped
 * by its own id.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { EXAMPLE_CONFIG, PACKAGE_ROOT } from '../src/paths.js';
import { freePort, freeUdpPort, waitForPort } from './ports.js';

export const KAMAILIO_CFG = join(PACKAGE_ROOT, 'dialplan', 'kamailio', 'kamailio.cfg');
export const CARRIER_SCENARIO = join(PACKAGE_ROOT, 'dialplan', 'sip', 'carrier.xml');
export const PBX_SCENARIO = join(PACKAGE_ROOT, 'test', 'heavy', 'kamailio', 'pbx-uac.xml');
const CLI = join(PACKAGE_ROOT, 'bin', 'cidgate.js');

export function hasProgram(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL after `graceMs`; `group` signals the whole process group it leads. */
async function stopChild(child: ChildProcess, group = false, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const signal = (s: NodeJS.Signals) => {
    try { if (group) process.kill(-child.pid!, s); else child.kill(s); } catch { /* already gone */ }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  if (group) signal('SIGKILL'); // children the main process left behind
}

// ---------------------------------------------------------------------------------------------
// cidgate

export interface Cidgate {
  readonly url: string;
  readonly config: string;
  readonly db: string;
  stop(): Promise<void>;
  /** SIGSTOP: the kernel still accepts connections, nothing answers (a hung service). */
  pause(): void;
  resume(): void;
  attempts(): Record<string, unknown>[];
}

/**
 * Writes the example config with the HTTP API on `port`, no FastAGI/Event Socket listener, and
 * the evapi engine connecting to `evapiPorts` (the Kamailios to come: it reconnects until they listen).
 */
export function cidgateConfig(dir: string, port: number, evapiPorts: number[] = []): { config: string; db: string } {
  const doc = parse(readFileSync(EXAMPLE_CONFIG, 'utf8')) as Record<string, any>;
  doc.asterisk.fastagi.enabled = false;
  doc.freeswitch.outbound.enabled = false;
  doc.http = { host: '127.0.0.1', port, allowDecisionTime: true };
  doc.log = { level: 'warn' };
  if (evapiPorts.length > 0) {
    doc.kamailio = { evapi: { enabled: true, endpoints: evapiPorts.map((p) => `127.0.0.1:${p}`), reconnectMaxMs: 500, allowDecisionTime: true } };
  }
  const config = join(dir, 'cidgate.yaml');
  writeFileSync(config, stringify(doc));
  return { config, db: join(dir, 'cidgate.db') };
}

export async function startCidgate(dir: string, port: number, evapiPorts: number[] = []): Promise<Cidgate> {
  const { config, db } = existsSync(join(dir, 'cidgate.yaml')) ? { config: join(dir, 'cidgate.yaml'), db: join(dir, 'cidgate.db') } : cidgateConfig(dir, port, evapiPorts);
  const log = openSync(join(dir, 'cidgate.log'), 'a');
  const child = spawn(process.execPath, [CLI, 'serve', '--config', config, '--db', db], { stdio: ['ignore', log, log] });
  const url = `http://127.0.0.1:${port}`;
  await waitForPort(port, 20_000);
  return {
    url, config, db,
    stop: () => stopChild(child),
    pause: () => { child.kill('SIGSTOP'); },
    resume: () => { child.kill('SIGCONT'); },
    attempts: () => {
      const r = spawnSync(process.execPath, [CLI, 'attempts', '--config', config, '--db', db], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`cidgate attempts failed: ${r.stderr}`);
      return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Kamailio

export interface Kamailio {
  readonly port: number;
  readonly log: string;
  /** Async mode: resolves once cidgate's evapi engine has connected `count` times (reconnections count). */
  engineConnected(count?: number, timeoutMs?: number): Promise<void>;
  alive(): boolean;
  stop(): Promise<void>;
}

export interface KamailioOptions {
  sipPort: number;
  carrierPort: number;
  cidgateUrl: string;
  /** More -A defines, e.g. CIDGATE_FAIL_OPEN_CAMPAIGNS="^customer$". */
  defines?: string[];
  /** Another configuration file (the benchmark's baseline); default: the shipped one. */
  cfg?: string;
  /** The simple blocking mode (cidgate-http.cfg); default: the async one over evapi. */
  httpMode?: boolean;
  /** Async mode: Kamailio's evapi port (one of cidgate's endpoints); start waits until cidgate connects. */
  evapiPort?: number;
}

/** Kamailio in the foreground, in its own process group, runtime dir and log file under `dir`. */
export async function startKamailio(dir: string, o: KamailioOptions): Promise<Kamailio> {
  const run = join(dir, `kamailio-${o.sipPort}`);
  mkdirSync(run, { recursive: true });
  const log = join(run, 'kamailio.log');
  const out = openSync(log, 'a');
  const args = [
    '-f', o.cfg ?? KAMAILIO_CFG, '-DD', '-E', '-Y', run, '-P', join(run, 'kamailio.pid'),
    '-A', `SIP_LISTEN=udp:127.0.0.1:${o.sipPort}`,
    '-A', `CARRIER="127.0.0.1:${o.carrierPort}"`,
    '-A', `CIDGATE_HTTPCON="cidgate=>${o.cidgateUrl}"`,
    '-A', 'CIDGATE_FORWARD_AT',
    '-A', `CIDGATE_EVAPI_BIND="127.0.0.1:${o.evapiPort ?? await freePort()}"`,
    ...(o.httpMode ? ['-A', 'CIDGATE_HTTP_MODE'] : []),
    ...(o.defines ?? []).flatMap((d) => ['-A', d]),
  ];
  const child = spawn('kamailio', args, { stdio: ['ignore', out, out], detached: true });
  const end = Date.now() + 20_000;
  while (!(await sipOptions(o.sipPort, 300))) {
    if (child.exitCode !== null || Date.now() > end) {
      await stopChild(child, true);
      throw new Error(`Kamailio did not start:\n${readFileSync(log, 'utf8').slice(-3000)}`);
    }
  }
  if (o.evapiPort !== undefined) await engineConnected(log, 1, end);
  return {
    port: o.sipPort, log,
    engineConnected: (count = 1, timeoutMs = 10_000) => engineConnected(log, count, Date.now() + timeoutMs),
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: () => stopChild(child, true),
  };
}

async function engineConnected(log: string, count: number, end: number): Promise<void> {
  while ((readFileSync(log, 'utf8').match(/cidgate: engine connected/g) ?? []).length < count) {
    if (Date.now() > end) throw new Error(`cidgate's evapi engine did not connect:\n${readFileSync(log, 'utf8').slice(-3000)}`);
    await sleep(50);
  }
}

/** Sends datagrams to 127.0.0.1:port from a socket of its own; resolves with the first reply, or null. */
export function udpExchange(port: number, messages: (Buffer | string)[], timeoutMs: number, from = '127.0.0.1'): Promise<string | null> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const done = (v: string | null) => { clearTimeout(timer); s.close(); resolve(v); };
    const timer = setTimeout(() => done(null), timeoutMs);
    s.on('message', (m) => done(String(m)));
    s.on('error', () => done(null));
    s.bind(0, from, () => {
      const local = s.address().port;
      for (const m of messages) s.send(typeof m === 'string' ? m.replaceAll('{local}', `${from}:${local}`) : m, port, '127.0.0.1');
    });
  });
}

/** An OPTIONS keepalive; true when Kamailio answers 200. */
export async function sipOptions(port: number, timeoutMs = 1000): Promise<boolean> {
  const tag = Math.random().toString(36).slice(2);
  const options = [
    `OPTIONS sip:127.0.0.1:${port} SIP/2.0`, `Via: SIP/2.0/UDP {local};branch=z9hG4bK${tag};rport`,
    `From: <sip:lab@127.0.0.1>;tag=${tag}`, `To: <sip:127.0.0.1:${port}>`, `Call-ID: ${tag}@lab`, 'CSeq: 1 OPTIONS',
    'Max-Forwards: 70', 'Content-Length: 0', '', '',
  ].join('\r\n');
  const reply = await udpExchange(port, [options], timeoutMs);
  return reply?.startsWith('SIP/2.0 200') ?? false;
}

// ---------------------------------------------------------------------------------------------
// SIPp

export interface SipMessage {
  readonly direction: 'sent' | 'received';
  /** When SIPp logged it, in milliseconds (local clock). */
  readonly atMs: number;
  readonly startLine: string;
  /** Header names in lower case; repeated headers keep every value. */
  readonly headers: Map<string, string[]>;
  readonly raw: string;
}

export const header = (m: SipMessage, name: string): string | undefined => m.headers.get(name.toLowerCase())?.[0];

/** A SIPp -trace_msg log, message by message. */
export function parseSippLog(file: string): SipMessage[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'latin1');
  const messages: SipMessage[] = [];
  // Each message follows a line of dashes and the time it was sent or received.
  const parts = text.split(/^-{20,} (\S+ \S+)$/m);
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const atMs = Date.parse(parts[i]!.replace(' ', 'T'));
    const chunk = parts[i + 1]!;
    const lines = chunk.replace(/^\s+/, '').split(/\r?\n/);
    const what = lines.shift() ?? '';
    const direction = /received/.test(what) ? 'received' : /sent/.test(what) ? 'sent' : null;
    if (!direction) continue;
    while (lines[0] === '') lines.shift();
    const startLine = lines.shift() ?? '';
    const headers = new Map<string, string[]>();
    for (const line of lines) {
      if (line === '') break;
      const colon = line.indexOf(':');
      if (colon < 1) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
    }
    messages.push({ direction, atMs, startLine, headers, raw: chunk });
  }
  return messages;
}

async function udpPortTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => resolve(true));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(false)));
  });
}

export interface Carrier {
  readonly port: number;
  /** Everything the carrier received and sent so far. */
  messages(): SipMessage[];
  stop(): Promise<void>;
}

/** A SIPp UAS playing the carrier: by default the shipped scenario (rings, answers, waits for the BYE). */
export async function startCarrier(dir: string, port: number, trace = true, scenario = CARRIER_SCENARIO): Promise<Carrier> {
  const file = join(dir, `carrier-${port}.log`);
  const args = ['-sf', scenario, '-i', '127.0.0.1', '-p', String(port), '-nostdin', '-max_socket', '4096'];
  if (trace) args.push('-trace_msg', '-message_file', file);
  const child = spawn('sipp', args, { stdio: 'ignore', cwd: dir });
  const end = Date.now() + 10_000;
  while (!(await udpPortTaken(port))) {
    if (child.exitCode !== null || Date.now() > end) throw new Error('SIPp carrier did not start');
    await sleep(20);
  }
  return { port, messages: () => parseSippLog(file), stop: () => stopChild(child) };
}

export interface PbxCall {
  from: string;
  to: string;
  campaign: string;
  /** Decision time for cidgate (X-Cidgate-At), empty for now. */
  at?: string;
  consent?: string;
  agent?: string;
}

export interface PbxRun {
  /** SIPp's exit status: 0 when every call ran its scenario to the end (refused ones included). */
  readonly status: number | null;
  readonly messages: SipMessage[];
  /** Per answered call, milliseconds from the INVITE to the 200 OK, and when the 200 came (ms since SIPp started). */
  readonly responseTimesMs: number[];
  readonly answeredAtMs: number[];
  readonly seconds: number;
}

export interface PbxOptions {
  kamailioPort: number;
  calls: PbxCall[];
  /** Source address of the PBX (127.0.0.2 plays an untrusted one). */
  ip?: string;
  /** Calls per second offered, and at most this many at once. */
  rate?: number;
  limit?: number;
  /** How long an answered call lasts before the PBX hangs up. */
  holdMs?: number;
  trace?: boolean;
  timeoutSeconds?: number;
}

/** One SIPp UAC run placing `calls` (each line of its injection file once) through Kamailio. */
export async function runPbx(dir: string, o: PbxOptions): Promise<PbxRun> {
  const port = await freeUdpPort();
  const work = mkdtempSync(join(dir, 'pbx-'));
  const inf = join(work, 'calls.csv');
  writeFileSync(inf, `SEQUENTIAL\n${o.calls.map((c) => `${c.from};${c.to};${c.campaign};${c.at ?? ''};${c.consent ?? ''};${c.agent ?? ''};`).join('\n')}\n`);
  const log = join(work, 'messages.log');
  const args = [
    `127.0.0.1:${o.kamailioPort}`, '-sf', PBX_SCENARIO, '-inf', inf, '-i', o.ip ?? '127.0.0.1', '-p', String(port),
    '-m', String(o.calls.length), '-r', String(o.rate ?? 10), '-l', String(o.limit ?? 100), '-d', String(o.holdMs ?? 200),
    '-nostdin', '-timeout', String(o.timeoutSeconds ?? 60), '-timeout_error', '-max_socket', '4096',
    '-trace_rtt', '-rtt_freq', '1', '-trace_err', '-default_behaviors', 'all,-abortunexp',
  ];
  if (o.trace ?? true) args.push('-trace_msg', '-message_file', log);
  const started = performance.now();
  const child = spawn('sipp', args, { stdio: 'ignore', cwd: work });
  const status = await new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const seconds = (performance.now() - started) / 1000;
  const rtt = readdirSync(work).find((f) => f.endsWith('_rtt.csv'));
  const rows = rtt ? readFileSync(join(work, rtt), 'utf8').split('\n').slice(1).filter(Boolean).map((l) => l.split(';').map(Number)) : [];
  return { status, messages: parseSippLog(log), responseTimesMs: rows.map((r) => r[1]!), answeredAtMs: rows.map((r) => r[0]!), seconds };
}

/** The final response the PBX got for each call, by Call-ID. */
export function finalResponses(run: PbxRun): Map<string, SipMessage> {
  const finals = new Map<string, SipMessage>();
  for (const m of run.messages) {
    const status = /^SIP\/2\.0 (\d{3})/.exec(m.startLine)?.[1];
    if (m.direction === 'received' && status && Number(status) >= 200 && / INVITE$/.test(header(m, 'cseq') ?? '')) {
      finals.set(header(m, 'call-id') ?? '', m);
    }
  }
  return finals;
}
