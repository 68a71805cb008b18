import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

export const ASTERISK_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'asterisk-22');

export interface WireEntry {
  readonly t: number;
  readonly dir: 'in' | 'out' | 'close';
  readonly data: string;
}

/** A FastAGI transcript captured from Asterisk 22: one entry per socket read or write, bytes in latin1. */
export function loadTranscript(name: string): WireEntry[] {
  return readFileSync(join(ASTERISK_FIXTURES, name), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as WireEntry);
}

/** The environment block exactly as Asterisk sent it: its chunks, in order. */
export function envChunks(name: string): Buffer[] {
  const entries = loadTranscript(name);
  const firstOut = entries.findIndex((e) => e.dir !== 'in');
  const chunks = entries.slice(0, firstOut).map((e) => Buffer.from(e.data, 'latin1'));
  // The caller-hangs-up capture has its HANGUP right after the block: that is not environment.
  return chunks.filter((c) => c.toString('latin1') !== 'HANGUP\n');
}

/** Replaces `agi_x: …` lines inside the captured chunks, keeping the chunk boundaries where they were. */
export function withEnv(chunks: Buffer[], replace: Record<string, string | null>): Buffer[] {
  const seen = new Set<string>();
  const out = chunks.map((chunk) => {
    const lines = chunk.toString('latin1').split('\n');
    const kept = lines.flatMap((line) => {
      const key = line.slice(0, line.indexOf(':'));
      if (!(key in replace)) return [line];
      seen.add(key);
      const v = replace[key];
      return v === null ? [] : [`${key}: ${v}`];
    });
    return kept.join('\n');
  });
  // Keys not in the capture go just before the closing empty line.
  const extra = Object.entries(replace).filter(([k, v]) => !seen.has(k) && v !== null).map(([k, v]) => `${k}: ${v}\n`).join('');
  const last = out.length - 1;
  out[last] = out[last]!.replace(/\n\n$/, `\n${extra}\n`);
  return out.map((s) => Buffer.from(s, 'latin1'));
}

/** Splits arguments the way res_agi's parse_args does: spaces outside quotes separate, `\` escapes. */
export function agiArgs(line: string): string[] {
  const args: string[] = [];
  let cur = '';
  let quoted = false;
  let escaped = false;
  let any = false;
  for (const ch of line) {
    if (escaped) { cur += ch; escaped = false; any = true; continue; }
    if (ch === '\\') { escaped = true; continue; }
    if (ch === '"') { quoted = !quoted; any = true; continue; }
    if ((ch === ' ' || ch === '\t') && !quoted) {
      if (any) args.push(cur);
      cur = ''; any = false;
      continue;
    }
    cur += ch; any = true;
  }
  if (any) args.push(cur);
  return args;
}

const USAGE_520 = ['520-Invalid command syntax.  Proper usage follows:\n', 'Sets a variable to the current channel.\n520 End of proper usage.\n'];

export interface FakeCallOptions {
  readonly env: Buffer[];
  /** Send an unsolicited HANGUP this many ms after the environment (the caller hangs up). */
  readonly hangupAfterMs?: number;
  /** Delay before each answer, ms. */
  readonly answerDelayMs?: number;
}

/**
 * Plays Asterisk's side of one FastAGI session like res_agi does: sends the environment in the
 * captured chunks, answers each command line (SET/GET VARIABLE with Asterisk's quoting, EXEC,
 * NOOP, 510 for unknown commands, the two-read 520 usage for missing arguments), may send an
 * unsolicited HANGUP, and on the server's close sends HANGUP and closes, as Asterisk 22 does.
 * Every command line is kept, so a test sees an injected one.
 */
export class FakeAsteriskCall {
  readonly commands: string[] = [];
  readonly variables = new Map<string, string>();
  readonly received: Buffer[] = [];
  hangupsSent = 0;
  error: Error | null = null;
  private socket!: net.Socket;
  readonly done: Promise<void>;

  constructor(port: number, private readonly opts: FakeCallOptions) {
    this.done = new Promise((resolve) => {
      this.socket = net.connect(port, '127.0.0.1', () => this.start());
      let pending = '';
      this.socket.on('data', (d: Buffer) => {
        this.received.push(d);
        pending += d.toString('latin1');
        let nl: number;
        while ((nl = pending.indexOf('\n')) !== -1) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          this.commands.push(line);
          void this.answer(line);
        }
      });
      this.socket.on('end', () => {
        // res_agi notices the closed socket and reports HANGUP before tearing down.
        if (!this.socket.destroyed) { this.hangup(); this.socket.end(); }
      });
      this.socket.on('close', () => resolve());
      // A refused or reset connection is what res_agi sees as AGISTATUS=FAILURE: the call goes on.
      this.socket.on('error', (err) => { this.error = err; });
    });
  }

  private start(): void {
    for (const chunk of this.opts.env) this.socket.write(chunk);
    if (this.opts.hangupAfterMs !== undefined) setTimeout(() => this.hangup(), this.opts.hangupAfterMs);
  }

  hangup(): void {
    if (this.socket.writable) { this.hangupsSent++; this.socket.write('HANGUP\n'); }
  }

  private async answer(line: string): Promise<void> {
    if (this.opts.answerDelayMs) await new Promise((r) => setTimeout(r, this.opts.answerDelayMs));
    if (!this.socket.writable) return;
    const [verb = '', sub = '', ...rest] = agiArgs(line);
    const cmd = `${verb} ${sub}`.toUpperCase();
    if (cmd === 'SET VARIABLE') {
      if (rest.length < 2) { for (const c of USAGE_520) this.socket.write(c); return; }
      this.variables.set(rest[0]!, rest[1]!);
      this.socket.write('200 result=1\n');
    } else if (cmd === 'GET VARIABLE') {
      const v = this.variables.get(rest[0] ?? sub);
      this.socket.write(v === undefined ? '200 result=0\n' : `200 result=1 (${v})\n`);
    } else if (verb.toUpperCase() === 'EXEC' || verb.toUpperCase() === 'NOOP') {
      this.socket.write('200 result=0\n');
    } else {
      this.socket.write('510 Invalid or unknown command\n');
    }
  }

  write(data: Buffer | string): void {
    this.socket.write(data);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
