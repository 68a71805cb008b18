/**
 * Load generator, run in its own process: plays the PBX's side of FastAGI (as Asterisk 22 in
 * the shared fixtures: the environment block in two chunks, `200 result=1` to every command (LEN() reads 7),
 * HANGUP when the server closes) or of the FreeSWITCH outbound Event Socket (the connect reply,
 * command replies, CHANNEL_EXECUTE_COMPLETE for every application, the bye), or a CRM posting to the
 * HTTP API (`POST /v1/decisions` over keep-alive connections). Prints one JSON line.
 *
 *   node dist/bench/load.js '{"protocol":"agi","port":4573,"mode":"closed","concurrency":200,"seconds":5}'
 */
import http from 'node:http';
import net from 'node:net';
import { agiEnv, randomCallee } from './agi-client.js';
import { summarize } from './stats.js';

interface LoadSpec {
  protocol: 'agi' | 'esl' | 'http';
  port: number;
  mode: 'closed' | 'open' | 'hold';
  concurrency?: number;
  rate?: number;
  seconds?: number;
  sessions?: number;
  /** Open loop: also report each window of this many seconds, and print `{"window":k}` as window k begins (0: the run, after the warm-up). */
  windowSeconds?: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
let seq = 0;
function eslConnectReply(): string {
  const uuid = `bench-${process.pid}-${seq++}`;
  return 'Event-Name: CHANNEL_DATA\nCore-UUID: 8b0fe945-de10-4d6e-bfc4-861cd611213b\nChannel-Direction: inbound\n'
    + 'Caller-Caller-ID-Name: Agent\nCaller-Caller-ID-Number: 0612345678\n'
    + `Caller-Destination-Number: ${randomCallee()}\nChannel-Name: loopback/bench-b\nUnique-ID: ${uuid}\n`
    + 'Answer-State: ringing\nvariable_cidgate_campaign: prospecting\nvariable_cidgate_consent: 1\nvariable_cidgate_consent_anytime: 1\n'
    + 'variable_current_application_data: 127.0.0.1%3A8084%20async%20full\nvariable_current_application: socket\n'
    + 'Content-Type: command/reply\nReply-Text: %2BOK%0A\nSocket-Mode: async\nControl: full\n\n';
}

const OK = 'Content-Type: command/reply\nReply-Text: +OK\n\n';

function event(name: string, appUuid: string): string {
  const body = `Event-Name: ${name}\nApplication: set\nApplication-UUID: ${appUuid}\nApplication-Response: _none_\n\n`;
  return `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-plain\n\n${body}`;
}

/** Keep-alive connections, as a CRM or a web dialer's backend holds them: one per request in flight. */
const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(spec.concurrency ?? 50, 64) });

/** One `POST /v1/decisions`; resolves with its latency (ns), or -1 on an error or a non-200 answer. */
function decisionRequest(): Promise<bigint> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const body = JSON.stringify({ campaign: 'prospecting', from: '0612345678', to: randomCallee(), consent: true, consentAnytime: true });
    const req = http.request({ host: '127.0.0.1', port: spec.port, path: '/v1/decisions', method: 'POST', agent, timeout: 30_000,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? process.hrtime.bigint() - t0 : -1n));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(-1n));
    req.end(body);
  });
}

/** One session; resolves with its latency (ns) from connect to the server's close, or -1 on error. */
function session(hold = false): Promise<bigint> {
  if (spec.protocol === 'http') return decisionRequest();
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const s = net.connect(spec.port, '127.0.0.1');
    s.setNoDelay(true);
    let buf = '';
    let failed = false;
    // A session stuck for 30 s counts as an error rather than stalling the run.
    if (!hold) s.setTimeout(30_000, () => { failed = true; s.destroy(); });
    s.on('connect', () => {
      if (spec.protocol === 'agi') for (const c of agiEnv(randomCallee())) s.write(c);
    });
    s.on('data', (d) => {
      if (hold) return;
      buf += d.toString('latin1');
      if (spec.protocol === 'agi') {
        let nl: number;
        while ((nl = buf.indexOf('\n')) !== -1) {
          // func_strings is loaded, as on every standard Asterisk: LEN() reads back.
          s.write(buf.startsWith('GET VARIABLE LEN(') ? '200 result=1 (7)\n' : '200 result=1\n');
          buf = buf.slice(nl + 1);
        }
        return;
      }
      let end: number;
      while ((end = buf.indexOf('\n\n')) !== -1) {
        const cmd = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const first = cmd.slice(0, cmd.indexOf('\n') === -1 ? cmd.length : cmd.indexOf('\n'));
        if (first === 'connect') s.write(eslConnectReply());
        else if (first === 'exit') { s.write('Content-Type: command/reply\nReply-Text: +OK bye\n\n'); s.end(); }
        else if (first === 'sendmsg') {
          const uuid = /Event-UUID: (.*)/.exec(cmd)?.[1];
          s.write(OK);
          if (/call-command: hangup/.test(cmd)) s.write(event('CHANNEL_HANGUP', 'none'));
          else if (uuid) s.write(event('CHANNEL_EXECUTE_COMPLETE', uuid));
        } else s.write(OK);
      }
    });
    s.on('end', () => { if (spec.protocol === 'agi' && s.writable) s.end('HANGUP\n'); });
    s.on('error', () => { failed = true; });
    s.on('close', () => resolve(failed ? -1n : process.hrtime.bigint() - t0));
  });
}

/** What a run reports; sessions and errors at least. */
type Run = { sessions: number; errors: number } & Record<string, unknown>;

async function closedLoop(): Promise<Run> {
  const samples: bigint[] = [];
  let errors = 0;
  const end = Date.now() + (spec.seconds ?? 5) * 1000;
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: spec.concurrency ?? 50 }, async () => {
    while (Date.now() < end && (spec.sessions === undefined || samples.length + errors < spec.sessions)) {
      const ns = await session();
      if (ns < 0n) errors++;
      else samples.push(ns);
    }
  }));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { sessions: samples.length, errors, sessionsPerSecond: Math.round(samples.length / seconds), latencyMs: summarize(samples) };
}

async function openLoop(windowSeconds?: number): Promise<Run> {
  const rate = spec.rate ?? 1000;
  const total = Math.round(rate * (spec.seconds ?? 5));
  const perWindow = windowSeconds ? Math.round(rate * windowSeconds) : total;
  // A session counts in the window it was started in.
  const windows = Array.from({ length: Math.ceil(total / perWindow) }, () => ({ samples: [] as bigint[], errors: 0 }));
  const running: Promise<void>[] = [];
  const start = Date.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (windowSeconds && i % perWindow === 0) process.stdout.write(`${JSON.stringify({ window: i / perWindow })}\n`);
    const w = windows[Math.floor(i / perWindow)]!;
    running.push(session().then((ns) => { if (ns < 0n) w.errors++; else w.samples.push(ns); }));
  }
  await Promise.all(running);
  const all = windows.flatMap((w) => w.samples);
  const errors = windows.reduce((n, w) => n + w.errors, 0);
  // Each half of the run's windows as one sample set: a half's p99 (hundreds of thousands of sessions) shows a trend, a window's swings.
  const half = Math.ceil(windows.length / 2);
  const byWindow = windowSeconds ? {
    windows: windows.map((w) => ({ sessions: w.samples.length, errors: w.errors, latencyMs: summarize(w.samples) })),
    halves: [windows.slice(0, half), windows.slice(half)].map((ws) => summarize(ws.flatMap((w) => w.samples))),
  } : {};
  return { offeredRate: rate, sessions: all.length, errors, latencyMs: summarize(all), ...byWindow };
}

/** Opens `sessions` sessions that never answer, reports, then waits for a line on stdin to close them. */
async function hold(): Promise<object> {
  const n = spec.sessions ?? 1000;
  const sockets: Promise<bigint>[] = [];
  for (let i = 0; i < n; i++) sockets.push(session(true));
  await new Promise((r) => setTimeout(r, 1000));
  process.stdout.write(`${JSON.stringify({ holding: n })}\n`);
  await new Promise((r) => process.stdin.once('data', r));
  return { held: n };
}

/** This process's own warm-up (JIT, sockets) at the same load, not recorded: a cold generator measures itself. */
async function warmUp(): Promise<number> {
  const seconds = spec.seconds;
  spec.seconds = Math.min(1, (seconds ?? 5) / 4);
  const r = spec.mode === 'closed' ? await closedLoop() : spec.mode === 'open' ? await openLoop() : null;
  spec.seconds = seconds;
  return r ? r.sessions + r.errors : 0;
}

const run = spec.mode === 'closed' ? closedLoop : spec.mode === 'open' ? () => openLoop(spec.windowSeconds) : hold;
// The warm-up's sessions are reported too, so that the server's CPU time can be divided by every session it served.
warmUp().then(async (warmUpSessions) => {
  process.stdout.write(`${JSON.stringify({ ...(await run()), warmUpSessions })}\n`);
  process.exit(0);
});
