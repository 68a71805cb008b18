import net from 'node:net';
import { errorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { Gateway } from '../service/gateway.js';
import { Reconnector } from '../service/backoff.js';
import type { AttemptKey, Outcome, OutcomeStatus } from '../store/store.js';
import { EslConnection } from './esl-connection.js';
import type { Headers } from './esl-protocol.js';

export interface EslInboundOptions {
  readonly host: string;
  readonly port: number;
  readonly password: string;
}

/** FreeSWITCH hangup causes → outcome, for calls that were not answered. */
const CAUSES: Readonly<Record<string, OutcomeStatus>> = {
  USER_BUSY: 'busy', NO_ANSWER: 'no-answer', NO_USER_RESPONSE: 'no-answer', ORIGINATOR_CANCEL: 'cancelled',
  CALL_REJECTED: 'rejected', NORMAL_CLEARING: 'cancelled',
};

/** One CHANNEL_HANGUP_COMPLETE → the attempt it closes and how it ended. */
export function hangupOutcome(e: Headers, at: Date): { key: AttemptKey; outcome: Outcome } | null {
  if (e.get('Event-Name') !== 'CHANNEL_HANGUP_COMPLETE') return null;
  const attempt = Number.parseInt(e.get('variable_cidgate_attempt') ?? '', 10);
  const uniqueId = e.get('Unique-ID');
  const key: AttemptKey | null = Number.isSafeInteger(attempt) && attempt > 0 ? { attemptId: attempt } : uniqueId ? { pbxUniqueId: uniqueId } : null;
  if (!key) return null;
  const billsec = Number.parseInt(e.get('variable_billsec') ?? '', 10);
  const answeredAt = e.get('Caller-Channel-Answered-Time') ?? '0';
  const answered = (Number.isFinite(billsec) && billsec > 0) || (answeredAt !== '0' && answeredAt !== '');
  const cause = e.get('Hangup-Cause') ?? e.get('variable_hangup_cause') ?? '';
  const q850 = Number.parseInt(e.get('variable_hangup_cause_q850') ?? '', 10);
  return {
    key,
    outcome: {
      status: answered ? 'answered' : CAUSES[cause] ?? 'failed',
      hangupCause: Number.isInteger(q850) && q850 >= 0 && q850 < 256 ? q850 : null,
      durationSeconds: Number.isFinite(billsec) && billsec >= 0 ? billsec : null,
      at,
    },
  };
}

/**
 * The inbound Event Socket client: authenticates, subscribes to CHANNEL_HANGUP_COMPLETE and
 * records each attempt's outcome once. Reconnects with backoff; decisions never wait on it.
 */
export class EslOutcomes {
  private readonly reconnect: Reconnector;
  private conn: EslConnection | null = null;
  /** Authenticated and subscribed (readiness and metrics read it). */
  connected = false;
  recorded = 0;

  constructor(private readonly opts: EslInboundOptions, private readonly gateway: Gateway, private readonly log: Logger) {
    this.reconnect = new Reconnector(() => this.start(), (delay) => {
      this.log.warn({ event: 'esl-inbound-disconnected', retryInMs: delay }, 'Event Socket disconnected, reconnecting');
    });
  }

  start(): void {
    if (this.reconnect.stopped) return;
    const socket = net.connect(this.opts.port, this.opts.host);
    const conn = new EslConnection(socket, null);
    this.conn = conn;
    conn.onAuthRequest = () => void this.authenticate(conn);
    conn.onEvent((e) => this.onEvent(e));
    socket.on('error', (err) => this.log.warn({ event: 'esl-inbound-error', code: errorCode(err, 'PEER_CONNECTION_FAILED'), err: { message: err.message } }, 'Event Socket connection error'));
    void conn.closed.then(() => {
      this.connected = false;
      this.reconnect.lost();
    });
  }

  private async authenticate(conn: EslConnection): Promise<void> {
    try {
      const [auth] = await conn.send(`auth ${this.opts.password.replace(/[\r\n]/g, '')}\n\n`);
      if (!auth!.text.startsWith('+OK')) {
        this.log.error({ event: 'esl-auth-failed', code: 'PEER_CONNECTION_FAILED', host: this.opts.host, port: this.opts.port }, 'Event Socket password refused');
        conn.destroy();
        return;
      }
      await conn.send('event plain CHANNEL_HANGUP_COMPLETE\n\n');
      this.reconnect.succeeded();
      this.connected = true;
      this.log.info({ event: 'esl-inbound-connected', host: this.opts.host, port: this.opts.port }, 'Event Socket connected');
    } catch (err) {
      this.log.warn({ event: 'esl-inbound-error', code: errorCode(err, 'PEER_CONNECTION_FAILED'), err: { message: (err as Error).message } }, 'Event Socket handshake failed');
      conn.destroy();
    }
  }

  private onEvent(e: Headers): void {
    const found = hangupOutcome(e, new Date());
    if (!found) return;
    void this.gateway.recordOutcome(found.key, found.outcome).then((stored) => { if (stored) this.recorded++; });
  }

  stop(): void {
    this.reconnect.stop();
    this.conn?.destroy();
  }
}
