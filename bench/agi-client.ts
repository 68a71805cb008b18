import net from 'node:net';
import { AsteriskChannel } from './asterisk-channel.js';

let seq = 0;

/** A FastAGI environment block as Asterisk 22 sends it (two reads), for a call to `callee`. */
export function agiEnv(callee: string, args: readonly string[] = ['prospecting', 'consent=1', 'consent_anytime=1']): [string, string] {
  const id = `${process.pid}.${seq++}`;
  return [
    'agi_network: yes\nagi_network_script: check\nagi_request: agi://127.0.0.1/check\n'
    + `agi_channel: PJSIP/agent-0001-${id}\nagi_language: en\nagi_type: PJSIP\nagi_uniqueid: ${id}\n`
    + 'agi_version: GIT-22-22.0.0-pre1-541-g69535d4837\nagi_callerid: 0612345678\nagi_calleridname: Agent Smith\n'
    + 'agi_callingpres: 0\nagi_callingani2: 0\nagi_callington: 0\nagi_callingtns: 0\nagi_dnid: unknown\n'
    + 'agi_rdnis: unknown\nagi_context: outbound\n',
    `agi_extension: ${callee}\nagi_priority: 1\nagi_enhanced: 0.0\nagi_accountcode: \nagi_threadid: 140334535009984\n`
    + `${args.map((a, i) => `agi_arg_${i + 1}: ${a}\n`).join('')}\n`,
  ];
}

export interface AgiOutcome {
  /** The call's agi_uniqueid. */
  readonly uniqueId: string;
  /** Connect to the server's close, ns. */
  readonly ns: bigint;
  /** The channel variables the server set, through Asterisk's parsers. */
  readonly variables: ReadonlyMap<string, string>;
  readonly error: string | null;
}

/**
 * Plays Asterisk's side of one FastAGI session: the environment in two writes, each command run
 * through Asterisk's parsers and answered as Asterisk does, HANGUP when the server closes. `hold` never answers (an open, stuck session).
 */
export function agiSession(port: number, callee: string, opts: { hold?: boolean; timeoutMs?: number; args?: readonly string[] } = {}): Promise<AgiOutcome> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const channel = new AsteriskChannel({ callerId: '0612345678' });
    const s = net.connect(port, '127.0.0.1');
    s.setNoDelay(true);
    let buf = '';
    let error: string | null = null;
    if (opts.timeoutMs) s.setTimeout(opts.timeoutMs, () => { error = 'timeout'; s.destroy(); });
    const env = agiEnv(callee, opts.args);
    const uniqueId = /agi_uniqueid: (\S+)/.exec(env[0])![1]!;
    s.on('connect', () => { for (const c of env) s.write(c); });
    s.on('data', (d) => {
      if (opts.hold) return;
      buf += d.toString('latin1');
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        for (const answer of channel.command(buf.slice(0, nl))) s.write(answer);
        buf = buf.slice(nl + 1);
      }
    });
    s.on('end', () => { if (s.writable) s.end('HANGUP\n'); });
    s.on('error', (err: NodeJS.ErrnoException) => { error = err.code ?? err.message; });
    s.on('close', () => resolve({ uniqueId, ns: process.hrtime.bigint() - t0, variables: channel.variables, error }));
  });
}

export function randomCallee(): string {
  return `014${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`;
}
