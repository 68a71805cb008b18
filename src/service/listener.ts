import net from 'node:net';
import { CidgateError, errorCode } from '../errors.js';
import type { Logger } from '../log.js';

/** The kernel caps it at net.core.somaxconn. */
const LISTEN_BACKLOG = 4096;

export interface ListenerOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Peer addresses allowed to connect; empty allows any. */
  readonly allow: readonly string[];
  readonly maxSessions: number;
}

/**
 * A TCP listener with the protections every PBX-facing port needs: an allow-list of peers, a
 * ceiling on concurrent sessions (excess refused with a log line), and a bounded graceful close.
 */
export class Listener {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly allow: ReadonlySet<string>;

  constructor(private readonly opts: ListenerOptions, private readonly log: Logger, onSession: (socket: net.Socket) => void) {
    this.allow = new Set(opts.allow);
    this.server = net.createServer({ noDelay: true }, (socket) => {
      const peer = socket.remoteAddress ?? '';
      if (this.allow.size > 0 && !this.allow.has(peer)) {
        this.log.warn({ event: 'refused', listener: opts.name, peer, why: 'peer not in allow list' }, 'connection refused');
        socket.destroy();
        return;
      }
      if (this.sockets.size >= opts.maxSessions) {
        this.log.warn({ event: 'refused', listener: opts.name, peer, why: 'too many sessions', max: opts.maxSessions }, 'connection refused');
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      onSession(socket);
    });
    this.server.on('error', (err) => this.log.error({ code: errorCode(err, 'LISTEN_FAILED'), listener: opts.name, err: { message: err.message } }, 'listener error'));
  }

  listen(): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      const { name, host, port } = this.opts;
      const fail = (err: Error) => reject(new CidgateError('LISTEN_FAILED', [name, `${host}:${port}`, err.message], { name, host, port }));
      this.server.once('error', fail);
      // A PBX opens many sessions at once (a dialer's burst): a deep accept queue, not SYN retries.
      this.server.listen({ port: this.opts.port, host: this.opts.host, backlog: LISTEN_BACKLOG }, () => {
        this.server.off('error', fail);
        resolve(this.server.address() as net.AddressInfo);
      });
    });
  }

  /** Sessions open now. */
  get sessions(): number {
    return this.sockets.size;
  }

  /** Stops accepting, lets open sessions finish for up to `graceMs`, then cuts the rest. */
  async close(graceMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const deadline = performance.now() + graceMs; // monotonic: a stepped wall clock must not stretch it
    while (this.sockets.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

/** A PBX-facing server: one Listener, each accepted connection handed to `session`. */
export abstract class SessionServer {
  private readonly listener: Listener;

  constructor(opts: ListenerOptions, log: Logger) {
    this.listener = new Listener(opts, log, (socket) => void this.session(socket));
  }

  listen(): Promise<net.AddressInfo> {
    return this.listener.listen();
  }

  /** Stops accepting, lets open sessions finish for up to `graceMs`, then cuts the rest. */
  close(graceMs: number): Promise<void> {
    return this.listener.close(graceMs);
  }

  get sessions(): number {
    return this.listener.sessions;
  }

  /** Runs one session to its end; never rejects (errors are logged and the socket closed). */
  protected abstract session(socket: net.Socket): Promise<void>;
}
