import type net from 'node:net';
import type { BufferBudget } from '../service/buffer-budget.js';
import { AgiProtocolError, EnvReader, LineSplitter, ResponseReader, type AgiResponse } from './agi-protocol.js';

// Every session ends one of these two ways: shared errors, no stack trace captured per call.
const SESSION_ENDED = new AgiProtocolError('session ended');
const CONNECTION_CLOSED = new AgiProtocolError('connection closed');

export interface AgiSessionOptions {
  /** A session silent for this long is closed. */
  readonly idleTimeoutMs: number;
  /** Shared with the other sessions: what this one buffers counts towards it. */
  readonly budget?: BufferBudget;
}

/**
 * One FastAGI connection: reads the environment block, then lets the handler send commands one
 * at a time and await their answers. Notes an unsolicited HANGUP (the caller hung up) and keeps
 * going, since Asterisk still answers. Any protocol error, an idle timeout or a closed socket
 * ends the session and fails whatever command was pending; it never throws out of a socket event.
 */
export class AgiSession {
  hungUp = false;
  private readonly splitter = new LineSplitter();
  private readonly envReader = new EnvReader();
  private readonly responses = new ResponseReader();
  private pending: { resolve: (r: AgiResponse) => void; reject: (e: Error) => void } | null = null;
  private closedError: Error | null = null;
  private envResolve!: (env: ReadonlyMap<string, string>) => void;
  private envReject!: (e: Error) => void;
  readonly env: Promise<ReadonlyMap<string, string>>;
  private readonly budget: BufferBudget | null;

  constructor(private readonly socket: net.Socket, opts: AgiSessionOptions) {
    this.budget = opts.budget ?? null;
    this.env = new Promise((resolve, reject) => { this.envResolve = resolve; this.envReject = reject; });
    this.env.catch(() => undefined);
    socket.setTimeout(opts.idleTimeoutMs, () => this.fail(new AgiProtocolError('idle timeout')));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(CONNECTION_CLOSED));
  }

  /** Sends one command line and resolves with Asterisk's answer. */
  command(line: string): Promise<AgiResponse> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (this.pending) return Promise.reject(new AgiProtocolError('a command is already pending'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(line);
    });
  }

  /** Ends the session from our side; Asterisk then continues the dialplan. */
  end(): void {
    if (!this.closedError) this.closedError = SESSION_ENDED;
    this.socket.end();
  }

  private onData(chunk: Buffer): void {
    try {
      for (const line of this.splitter.push(chunk)) this.onLine(line);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    this.budget?.update(this, this.splitter.pendingBytes + this.envReader.size + this.responses.pendingBytes);
  }

  /** Closed by the shared budget: this session buffered the most when all went over it. */
  evict(err: Error): void {
    this.fail(err);
  }

  private onLine(line: string): void {
    if (!this.envReader.complete) {
      if (this.envReader.push(line)) this.envResolve(this.envReader.env);
      return;
    }
    const answer = this.responses.push(line);
    if (answer === 'hangup') this.hungUp = true;
    else if (answer !== null) {
      const pending = this.pending;
      if (!pending) throw new AgiProtocolError('answer with no command pending', { line: line.slice(0, 80) });
      this.pending = null;
      pending.resolve(answer);
    }
  }

  /** Closes the session for good, failing the environment wait and any pending command. */
  private fail(err: Error): void {
    this.budget?.release(this);
    if (!this.closedError) this.closedError = err;
    this.envReject(this.closedError);
    const pending = this.pending;
    this.pending = null;
    pending?.reject(this.closedError);
    if (!this.socket.destroyed) this.socket.destroy();
  }
}
