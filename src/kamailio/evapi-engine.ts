import net from 'node:net';
import { errorCode } from '../errors.js';
import { answerDecision, answerOutcome } from '../http/decisions.js';
import { HttpError, toHttpError } from '../http/errors.js';
import type { Logger } from '../log.js';
import { Reconnector } from '../service/backoff.js';
import type { Gateway } from '../service/gateway.js';
import { OUTCOME_RECEIVED, decisionAnswer, errorAnswer, parseEvapiRequest, type EvapiRequest } from './evapi-message.js';
import { EvapiProtocolError, NetstringParser, netstring } from './evapi-protocol.js';

export interface EvapiEngineOptions {
  /** `host:port` of each Kamailio's evapi socket. */
  readonly endpoints: readonly string[];
  readonly reconnectMaxMs: number;
  readonly maxMessageBytes: number;
  readonly allowDecisionTime: boolean;
}

/** One Kamailio: its socket while connected, reconnected with backoff when lost. */
class EvapiLink {
  socket: net.Socket | null = null;
  connected = false;
  readonly reconnect: Reconnector;

  constructor(readonly host: string, readonly port: number, private readonly engine: EvapiEngine, maxMs: number) {
    this.reconnect = new Reconnector(() => this.connect(), (retryInMs) => engine.log.warn({ event: 'evapi-disconnected', host, port, retryInMs }, 'Kamailio evapi disconnected, reconnecting'), { maxMs });
  }

  /** Resolves once this attempt is connected or has failed (the backoff goes on either way). */
  connect(): Promise<void> {
    return new Promise((settled) => {
      const socket = net.connect(this.port, this.host);
      const parser = new NetstringParser(this.engine.opts.maxMessageBytes);
      this.socket = socket;
      socket.setNoDelay(true);
      socket.once('connect', () => {
        this.connected = true;
        this.reconnect.succeeded();
        this.engine.log.info({ event: 'evapi-connected', host: this.host, port: this.port }, 'connected to Kamailio evapi');
        settled();
      });
      socket.on('data', (chunk) => {
        let frames: Buffer[];
        try {
          frames = parser.push(chunk);
        } catch (err) {
          this.engine.protocolError(err as EvapiProtocolError, this);
          socket.destroy(); // a broken frame cannot be resynchronised: reconnect
          return;
        }
        for (const frame of frames) this.engine.handle(frame, this);
      });
      socket.on('error', (err) => {
        this.engine.log.warn({ event: 'evapi-error', code: errorCode(err, 'PEER_CONNECTION_FAILED'), host: this.host, port: this.port, err: { message: err.message } }, 'Kamailio evapi connection error');
      });
      socket.once('close', () => {
        this.connected = false;
        if (this.socket === socket) this.socket = null;
        this.reconnect.lost();
        settled();
      });
    });
  }

  send(text: string): void {
    if (this.socket?.writable) this.socket.write(netstring(text));
  }
}

/**
 * cidgate as Kamailio's evapi engine (dialplan/kamailio/cidgate.cfg): Kamailio suspends each
 * outbound INVITE and sends it here; the answer, computed exactly as `POST /v1/decisions` computes
 * it, resumes the transaction. No SIP worker waits: a slow or absent cidgate only ends in the
 * config's timeout. Outcomes arrive the same way and are recorded as `POST /v1/outcomes` records them.
 */
export class EvapiEngine {
  private readonly links: EvapiLink[];
  private readonly inFlight = new Set<Promise<void>>();
  decided = 0;
  outcomes = 0;
  protocolErrors = 0;

  constructor(readonly opts: EvapiEngineOptions, private readonly gateway: Gateway, readonly log: Logger) {
    this.links = opts.endpoints.map((e) => {
      const colon = e.lastIndexOf(':');
      return new EvapiLink(e.slice(0, colon), Number(e.slice(colon + 1)), this, opts.reconnectMaxMs);
    });
  }

  /** Connects to every endpoint once; one that is down is retried with backoff, it does not fail the start. */
  async open(): Promise<void> {
    await Promise.all(this.links.map((l) => l.connect()));
  }

  /** Every configured Kamailio is connected (readiness, `cidgate_adapter_connected`). */
  connected(): boolean {
    return this.links.every((l) => l.connected);
  }

  /** No reconnection from now on; answers in flight get up to `graceMs`, then the sockets close. */
  async stop(graceMs: number): Promise<void> {
    for (const l of this.links) l.reconnect.stop();
    if (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => { timer = setTimeout(r, graceMs); })]);
      clearTimeout(timer);
    }
    for (const l of this.links) l.socket?.end();
  }

  handle(frame: Buffer, link: EvapiLink): void {
    let request: EvapiRequest;
    try {
      request = parseEvapiRequest(frame);
    } catch (err) {
      this.protocolError(err as EvapiProtocolError, link);
      return;
    }
    // An outcome is acknowledged at once: Kamailio's evapi socket has Nagle on, and without data
    // coming back its next INVITE would wait for this side's delayed ACK (~20-40 ms, measured).
    if (request.type === 'outcome') link.send(OUTCOME_RECEIVED);
    const work = request.type === 'decide' ? this.decide(request.id, request.call, link) : this.outcome(request.outcome);
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Logged with its code; a message that carried a transaction id is answered, so Kamailio refuses the call now. */
  protocolError(err: EvapiProtocolError, link: EvapiLink): void {
    this.protocolErrors++;
    const id = typeof err.context.id === 'string' ? err.context.id : null;
    this.log.warn({ event: 'evapi-protocol-error', code: err.code, host: link.host, port: link.port, id, err: { message: err.message } }, 'Kamailio evapi: bad message');
    if (id) link.send(errorAnswer(id, 400, err.code));
  }

  private async decide(id: string, call: unknown, link: EvapiLink): Promise<void> {
    try {
      const body = await answerDecision(this.gateway, call, this.opts.allowDecisionTime);
      this.decided++;
      link.send(decisionAnswer(id, body));
    } catch (err) {
      const e = toHttpError(err);
      if (e.status >= 500) this.log.error({ event: 'evapi-decision-failed', code: errorCode(err), id, err: { message: (err as Error).message } }, 'Kamailio evapi: decision failed');
      else this.log.warn({ event: 'evapi-invalid-request', code: e.code, field: e.field, id, err: { message: e.message } }, 'Kamailio evapi: request refused');
      link.send(errorAnswer(id, e.status, e.code, e.field));
    }
  }

  private async outcome(body: unknown): Promise<void> {
    try {
      await answerOutcome(this.gateway, body);
      this.outcomes++;
    } catch (err) {
      const e = toHttpError(err);
      const level = e instanceof HttpError && e.code === 'ATTEMPT_NOT_FOUND' ? 'info' : 'warn';
      this.log[level]({ event: 'evapi-outcome-refused', code: e.code, field: e.field, err: { message: e.message } }, 'Kamailio evapi: outcome not recorded');
    }
  }
}
