import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { AsteriskChannel } from '../../bench/asterisk-channel.js';

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

export interface FakeCallOptions {
  readonly env: Buffer[];
  /** Send an unsolicited HANGUP this many ms after the environment (the caller hangs up). */
  readonly hangupAfterMs?: number;
  /** Delay before each answer, ms. */
  readonly answerDelayMs?: number;
  /** func_strings loaded (default true, as on every standard Asterisk). */
  readonly funcStrings?: boolean;
}

/**
 * Plays Asterisk's side of one FastAGI session like res_agi does: sends the environment in the
 * captured chunks, runs each command line through Asterisk's parsers (asterisk-channel.ts: SET/GET
 * VARIABLE, EXEC Set/MSet, ARRAY(), 510 for unknown commands, the two-read 520 usage), may send an
 * unsolicited HANGUP, and on the server's close sends HANGUP and closes, as Asterisk 22 does.
 * res_agi reads commands with a buffered fgets and then waits on the socket: a second line that came
 * in the same read stays unread (`pipelined`) until more bytes arrive, as the capture shows.
 * Every command line is kept, so a test sees an injected one.
 */
export class FakeAsteriskCall {
  readonly commands: string[] = [];
  readonly channel: AsteriskChannel;
  readonly received: Buffer[] = [];
  /** A command sat unread behind another one of the same read: the server wrote several at once. */
  pipelined = false;
  hangupsSent = 0;
  error: Error | null = null;
  private socket!: net.Socket;
  readonly done: Promise<void>;

  constructor(port: number, private readonly opts: FakeCallOptions) {
    this.channel = new AsteriskChannel({ funcStrings: opts.funcStrings ?? true, callerId: '0612345678' });
    this.done = new Promise((resolve) => {
      this.socket = net.connect(port, '127.0.0.1', () => this.start());
      let pending = '';
      this.socket.on('data', (d: Buffer) => {
        this.received.push(d);
        pending += d.toString('latin1');
        // One fgets per wake-up: one line answered; whatever follows waits for the next read.
        const nl = pending.indexOf('\n');
        if (nl === -1) return;
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        this.commands.push(line);
        if (pending.includes('\n')) this.pipelined = true;
        void this.answer(line);
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

  /** The channel variables written so far. */
  get variables(): ReadonlyMap<string, string> {
    return this.channel.variables;
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
    for (const write of this.channel.command(line)) this.socket.write(write);
  }

  write(data: Buffer | string): void {
    this.socket.write(data);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
