import AsteriskManager from 'asterisk-manager';
import { errorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { Gateway } from '../service/gateway.js';
import { Reconnector } from '../service/backoff.js';
import { AmiOutcomeTracker, type AmiEvent } from './ami-outcomes.js';

export interface AmiOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly secret: string;
}

/**
 * Records attempt outcomes from AMI (asterisk-manager does the wire protocol). Reconnection is
 * ours rather than the library's keepConnected (fixed 10–60 s steps, console output): doubling
 * backoff, JSON logs, and never a delay on decisions, which do not depend on AMI at all.
 */
export class AmiOutcomes {
  private readonly tracker: AmiOutcomeTracker;
  private readonly reconnect: Reconnector;
  private manager: InstanceType<typeof AsteriskManager> | null = null;
  /** Logged in and receiving events (readiness and metrics read it). */
  connected = false;
  recorded = 0;

  constructor(private readonly opts: AmiOptions, private readonly gateway: Gateway, private readonly log: Logger, now: () => number = Date.now) {
    this.tracker = new AmiOutcomeTracker(now);
    this.reconnect = new Reconnector(() => this.connect(), (delay) => {
      this.log.warn({ event: 'ami-disconnected', retryInMs: delay }, 'AMI disconnected, reconnecting');
    });
  }

  start(): void {
    const m = new AsteriskManager(undefined, this.opts.host, this.opts.user, this.opts.secret, true);
    this.manager = m;
    m.on('managerevent', (e) => this.onEvent(e as AmiEvent));
    m.on('close', () => this.onClose());
    m.on('error', (err) => this.log.warn({ event: 'ami-error', code: errorCode(err, 'PEER_CONNECTION_FAILED'), err: { message: (err as Error).message } }, 'AMI connection error'));
    this.connect();
  }

  private connect(): void {
    const m = this.manager;
    if (!m || this.reconnect.stopped) return;
    m.connect(this.opts.port, this.opts.host, () => {
      m.login((err) => {
        if (err) {
          this.log.error({ event: 'ami-login-failed', code: 'PEER_CONNECTION_FAILED', user: this.opts.user, host: this.opts.host }, 'AMI login refused (check user and secret)');
          m.disconnect();
          this.onClose();
          return;
        }
        this.reconnect.succeeded();
        this.connected = true;
        this.log.info({ event: 'ami-connected', host: this.opts.host, port: this.opts.port }, 'AMI connected');
      });
    });
  }

  private onClose(): void {
    this.connected = false;
    this.reconnect.lost();
  }

  private onEvent(event: AmiEvent): void {
    try {
      const outcome = this.tracker.handle(event);
      if (!outcome) return;
      const { uniqueId, ...rest } = outcome;
      void this.gateway.recordOutcome({ pbxUniqueId: uniqueId }, { ...rest, at: new Date() }).then((stored) => {
        if (stored) this.recorded++;
      });
    } catch (err) {
      this.log.warn({ event: 'ami-event-error', code: errorCode(err), err: { message: (err as Error).message } }, 'AMI event ignored');
    }
  }

  stop(): void {
    this.reconnect.stop();
    this.manager?.disconnect();
  }
}
