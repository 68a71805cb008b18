import type net from 'node:net';
import type { BufferBudget } from '../service/buffer-budget.js';
import { EslParser, EslProtocolError, parsePlainEvent, type EslMessage, type Headers } from './esl-protocol.js';

/** Shared: every session ends with a close, no stack trace captured per call. */
const CONNECTION_CLOSED = new EslProtocolError('connection closed');

export interface EslReply {
  readonly headers: Headers;
  /** `Reply-Text` of a command/reply, or the body of an api/response. */
  readonly text: string;
}

type EventListener = (event: Headers) => void;

/**
 * One Event Socket connection, either side: commands are answered in order (command/reply or
 * api/response), plain events go to listeners, a disconnect notice is remembered. Any protocol
 * error or a closed socket fails what is pending; nothing throws out of a socket callback.
 */
export class EslConnection {
  private readonly parser = new EslParser();
  private readonly pending: { resolve: (r: EslReply) => void; reject: (e: Error) => void }[] = [];
  private readonly listeners = new Set<EventListener>();
  private closedError: Error | null = null;
  /** `Content-Disposition` of the last text/disconnect-notice: `linger` or `disconnect`. */
  disconnectNotice: string | null = null;
  onAuthRequest: (() => void) | null = null;
  readonly closed: Promise<void>;

  /** `budget`: shared with the other sessions, what this one buffers counts towards it. */
  constructor(private readonly socket: net.Socket, idleTimeoutMs: number | null, private readonly budget: BufferBudget | null = null) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    if (idleTimeoutMs !== null) socket.setTimeout(idleTimeoutMs, () => this.fail(new EslProtocolError('idle timeout')));
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const m of this.parser.push(chunk)) this.dispatch(m);
      } catch (err) {
        this.fail(err as Error);
        return;
      }
      this.budget?.update(this, this.parser.pendingBytes);
    });
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(CONNECTION_CLOSED));
  }

  /** Writes one command (or several pipelined) and resolves with each reply, in order. */
  send(...commands: string[]): Promise<EslReply[]> {
    if (this.closedError) return Promise.reject(this.closedError);
    const replies = commands.map(() => new Promise<EslReply>((resolve, reject) => this.pending.push({ resolve, reject })));
    this.socket.write(commands.join(''));
    return Promise.all(replies);
  }

  /** Resolves with the first event matching `test`, or rejects after `timeoutMs` or on close. */
  waitForEvent(test: (e: Headers) => boolean, timeoutMs: number): Promise<Headers> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      const done = (err: Error | null, event?: Headers) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        this.socket.off('close', onClose);
        if (err) reject(err);
        else resolve(event!);
      };
      const listener: EventListener = (e) => { if (test(e)) done(null, e); };
      const onClose = () => done(this.closedError ?? CONNECTION_CLOSED);
      const timer = setTimeout(() => done(new EslProtocolError('timed out waiting for an event')), timeoutMs);
      this.listeners.add(listener);
      this.socket.once('close', onClose);
    });
  }

  onEvent(listener: EventListener): void {
    this.listeners.add(listener);
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private dispatch(m: EslMessage): void {
    const type = m.headers.get('Content-Type');
    if (type === 'command/reply' || type === 'api/response') {
      const next = this.pending.shift();
      if (!next) throw new EslProtocolError('reply with no command pending', { type });
      next.resolve({ headers: m.headers, text: type === 'api/response' ? m.body.toString('utf8') : m.headers.get('Reply-Text') ?? '' });
    } else if (type === 'text/event-plain') {
      const event = parsePlainEvent(m.body);
      for (const l of [...this.listeners]) l(event);
    } else if (type === 'text/disconnect-notice') {
      this.disconnectNotice = m.headers.get('Content-Disposition') ?? 'disconnect';
    } else if (type === 'auth/request') {
      this.onAuthRequest?.();
    }
    // Other types (log/data, text/event-json…) are not subscribed to; ignored if they come.
  }

  /** Closed by the shared budget: this connection buffered the most when all went over it. */
  evict(err: Error): void {
    this.fail(err);
  }

  private fail(err: Error): void {
    this.budget?.release(this);
    if (!this.closedError) this.closedError = err;
    for (const p of this.pending.splice(0)) p.reject(this.closedError);
    if (!this.socket.destroyed) this.socket.destroy();
  }
}
