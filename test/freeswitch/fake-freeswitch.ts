import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

export const FS_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'freeswitch-1.10');

/** The exact chunks of one direction of a capture: byte counts from NAME.txt, bytes from NAME.*.raw. */
export function captured(name: string, dir: 'fs-to-node' | 'node-to-fs'): Buffer[] {
  const raw = readFileSync(join(FS_FIXTURES, `${name}.${dir}.raw`));
  const txt = readFileSync(join(FS_FIXTURES, `${name}.txt`), 'utf8');
  const re = dir === 'fs-to-node' ? /^<<<<< \[[^\]]+\] RECV from FreeSWITCH \((\d+) bytes\)/gm : /^>>>>> \[[^\]]+\] SEND to FreeSWITCH \((\d+) bytes\)/gm;
  const chunks: Buffer[] = [];
  let at = 0;
  for (const m of txt.matchAll(re)) {
    const n = Number(m[1]);
    chunks.push(raw.subarray(at, at + n));
    at += n;
  }
  if (at !== raw.length) throw new Error(`${name}: chunk sizes add up to ${at}, raw has ${raw.length}`);
  return chunks;
}

/** Splits a captured read into its messages (header block, then Content-Length bytes). */
function messages(chunk: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < chunk.length) {
    const end = chunk.indexOf('\n\n', at);
    const head = chunk.toString('latin1', at, end);
    const len = Number(/Content-Length: (\d+)/.exec(head)?.[1] ?? 0);
    out.push(chunk.subarray(at, end + 2 + len));
    at = end + 2 + len;
  }
  return out;
}

const enc = (s: string) => encodeURIComponent(s);

/** A captured event with some of its headers replaced, its Content-Length recomputed. */
function rewriteEvent(message: Buffer, replace: Record<string, string>): Buffer {
  const text = message.toString('utf8');
  const split = text.indexOf('\n\n');
  let body = text.slice(split + 2);
  for (const [k, v] of Object.entries(replace)) body = body.replace(new RegExp(`^${k}: .*$`, 'm'), `${k}: ${enc(v)}`);
  const bytes = Buffer.byteLength(body);
  return Buffer.from(`Content-Length: ${bytes}\nContent-Type: text/event-plain\n\n${body}`);
}

const continueIn = captured('outbound-continue', 'fs-to-node');
const hangupIn = captured('outbound-hangup', 'fs-to-node');
const closeIn = captured('outbound-close', 'fs-to-node');
const CONNECT_REPLY = continueIn[0]!;
const MYEVENTS_REPLY = continueIn[1]!;
const LINGER_REPLY_WITH_PARK = continueIn[2]!; // the reply and CHANNEL_PARK in one read
const OK = Buffer.from('Content-Type: command/reply\nReply-Text: +OK\n\n');
const [EXECUTE, EXECUTE_COMPLETE] = messages(continueIn.find((c) => c.includes('CHANNEL_EXECUTE_COMPLETE') && c.includes('Application: set'))!);
const HANGUP_EVENTS = hangupIn.find((c) => c.includes('CHANNEL_HANGUP_COMPLETE'))!;
const LINGER_NOTICE = hangupIn.find((c) => c.includes('Content-Disposition: linger'))!;
const EXIT_REPLY = continueIn[continueIn.length - 1]!; // +OK bye and the disconnect notice
const CLOSE_NOTICE = closeIn[closeIn.length - 1]!;

/** mod_dptools base_set (`set`): the name ends at the first `=` (else `,`); an empty value unsets the variable. */
export function baseSet(variables: Map<string, string>, data: string): void {
  let sep = data.indexOf('=');
  if (sep === -1) sep = data.indexOf(',');
  const name = sep === -1 ? data : data.slice(0, sep);
  const value = sep === -1 ? '' : data.slice(sep + 1);
  if (value === '') variables.delete(name);
  else variables.set(name, value);
}

/** mod_dptools multiset: `^^X` picks the separator X (a space by default); each piece is a base_set. */
export function multiset(variables: Map<string, string>, data: string): void {
  let arg = data;
  let delim = ' ';
  if (arg.startsWith('^^')) { delim = arg[2] ?? ''; arg = arg.slice(3); }
  // switch_separate_string: with a space, runs of spaces separate once.
  const pieces = delim === ' ' ? arg.split(/ +/).filter((p) => p !== '') : arg.split(delim);
  for (const piece of pieces) baseSet(variables, piece);
}

export interface FakeFsCallOptions {
  /** Channel variables added to the channel data (as the dialplan's `set` would). */
  readonly variables?: Record<string, string>;
  /** Caller ID and destination, replacing the captured 0612345678 → 0145678901. */
  readonly callerId?: string;
  readonly destination?: string;
  /** The caller hangs up right after the linger reply, while cidgate decides (cause NORMAL_CLEARING). */
  readonly callerHangsUp?: boolean;
}

/**
 * FreeSWITCH 1.10 running `socket … async full` for one call, as captured: the captured connect,
 * myevents and linger replies byte for byte; `sendmsg` answered +OK at once and queued: each
 * application (`set`, `multiset` as mod_dptools parses them) run ~20 ms after the previous one and
 * reported by CHANNEL_EXECUTE / CHANNEL_EXECUTE_COMPLETE (Application-UUID = the Event-UUID sent,
 * as FreeSWITCH does), several events per read with one split across reads; a queued hangup runs
 * after the applications before it, then the captured hangup events and the linger notice; `exit` answered with the captured bye; a close from the server answered like the close
 * capture. The dialplan then continues unless the channel was hung up.
 */
export class FakeFreeSwitchCall {
  readonly commands: string[] = [];
  readonly variables = new Map<string, string>();
  hangupCause: string | null = null;
  exited = false;
  resumed = false;
  readonly uuid: string;
  readonly done: Promise<void>;
  private socket!: net.Socket;
  private appQueue: Promise<void> = Promise.resolve();

  constructor(port: number, private readonly opts: FakeFsCallOptions = {}) {
    this.uuid = /Unique-ID: (.*)/.exec(CONNECT_REPLY.toString('latin1'))![1]!;
    this.done = new Promise((resolve) => {
      this.socket = net.connect(port, '127.0.0.1');
      let buf = '';
      this.socket.on('data', (d) => {
        buf += d.toString('utf8');
        let end: number;
        while ((end = buf.indexOf('\n\n')) !== -1) {
          const cmd = buf.slice(0, end);
          buf = buf.slice(end + 2);
          this.commands.push(cmd);
          this.onCommand(cmd);
        }
      });
      this.socket.on('end', () => {
        if (!this.exited && this.socket.writable) this.socket.end(CLOSE_NOTICE);
      });
      this.socket.on('error', () => undefined);
      this.socket.on('close', () => resolve());
    });
  }

  /** What the bridged leg would present once the dialplan goes on; null when the call was hung up. */
  get presented(): string | null {
    if (this.hangupCause) return null;
    return this.variables.get('effective_caller_id_number') ?? this.opts.callerId ?? '0612345678';
  }

  private write(b: Buffer | string): void {
    if (this.socket.writable) this.socket.write(b);
  }

  private connectReply(): Buffer {
    let text = CONNECT_REPLY.toString('utf8');
    if (this.opts.callerId) text = text.replace(/^(Caller-Caller-ID-Number|Channel-Caller-ID-Number): .*$/gm, `$1: ${enc(this.opts.callerId)}`);
    if (this.opts.destination) text = text.replace(/^(Caller-Destination-Number|Channel-Destination-Number): .*$/gm, `$1: ${enc(this.opts.destination)}`);
    const extra = Object.entries(this.opts.variables ?? {}).map(([k, v]) => `variable_${k}: ${enc(v)}\n`).join('');
    return Buffer.from(text.replace('Content-Type: command/reply\n', `${extra}Content-Type: command/reply\n`));
  }

  private onCommand(cmd: string): void {
    const [first = '', ...lines] = cmd.split('\n');
    const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(': ')).toLowerCase(), l.slice(l.indexOf(': ') + 2)]));
    switch (first.trim()) {
      case 'connect': return this.write(this.connectReply());
      case 'myevents': return this.write(MYEVENTS_REPLY);
      case 'linger':
        this.write(LINGER_REPLY_WITH_PARK);
        if (this.opts.callerHangsUp) this.hangUp('NORMAL_CLEARING');
        return;
      case 'resume': this.resumed = true; return this.write(OK);
      case 'exit':
        this.exited = true;
        this.write(EXIT_REPLY);
        this.socket.end();
        return;
      case 'sendmsg': return this.sendmsg(headers);
      default: return this.write('Content-Type: command/reply\nReply-Text: -ERR command not found\n\n');
    }
  }

  /**
   * mod_event_socket in async mode queues every sendmsg on the channel and answers +OK at once;
   * the channel runs the queue in order (~20 ms later here): applications, then a hangup.
   */
  private sendmsg(h: Map<string, string>): void {
    this.write(OK);
    const command = h.get('call-command');
    const later = (run: () => void) => {
      this.appQueue = this.appQueue.then(() => new Promise((r) => setTimeout(r, 20))).then(run);
    };
    if (command === 'execute') {
      const app = h.get('execute-app-name') ?? '';
      const arg = h.get('execute-app-arg') ?? '';
      const appUuid = h.get('event-uuid') ?? randomUUID();
      later(() => {
        if (this.hangupCause) return; // a hung-up channel runs nothing more
        if (app === 'set') baseSet(this.variables, arg);
        if (app === 'multiset') multiset(this.variables, arg);
        const fields = { Application: app, 'Application-Data': arg, 'Application-UUID': appUuid, 'variable_current_application_data': arg };
        const bytes = Buffer.concat([rewriteEvent(EXECUTE!, fields), rewriteEvent(EXECUTE_COMPLETE!, fields)]);
        // One TCP read ends inside the second event, as in the capture.
        const cut = bytes.length - 700;
        this.write(bytes.subarray(0, cut));
        setTimeout(() => this.write(bytes.subarray(cut)), 2);
      });
    } else if (command === 'hangup') {
      const cause = h.get('hangup-cause') ?? 'NORMAL_CLEARING';
      later(() => this.hangUp(cause));
    }
  }

  /** The channel hangs up: the captured hangup events with this cause, then the linger notice. */
  private hangUp(cause: string): void {
    this.hangupCause = cause;
    const events = messages(HANGUP_EVENTS).map((m) => {
      const text = m.toString('utf8');
      const body = text.slice(text.indexOf('\n\n') + 2).replace(/CALL_REJECTED/g, cause);
      return Buffer.from(`Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-plain\n\n${body}`);
    });
    this.write(Buffer.concat(events));
    this.write(LINGER_NOTICE);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
