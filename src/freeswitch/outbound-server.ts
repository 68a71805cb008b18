import { randomUUID } from 'node:crypto';
import type net from 'node:net';
import type { Logger } from '../log.js';
import { formatNumber, type NumberFormat } from '../numbers/phone.js';
import type { Gateway } from '../service/gateway.js';
import { Listener, type ListenerOptions } from '../service/listener.js';
import type { Recorded } from '../store/store.js';
import { EslConnection } from './esl-connection.js';
import { command, executeApp, safeArg } from './esl-protocol.js';
import { outboundRequest } from './outbound-request.js';

export interface OutboundOptions extends ListenerOptions {
  readonly idleTimeoutMs: number;
/** How numbers are written to the PBX; default: the gateway's current config (follows a reload). */
  readonly callerIdFormat?: NumberFormat;
  /** FreeSWITCH cause name for blocked calls (CALL_REJECTED = Q.850 21). */
  readonly hangupCause: string;
  /** Played to the agent before a blocked call is hung up; null for none. */
  readonly blockMessage: string | null;
}

/** The channel variables set on every call, then effective_caller_id_number when rewriting. */
export function channelVariables(r: Recorded, format: NumberFormat): [string, string][] {
  const d = r.decision;
  const vars: [string, string][] = [
    ['cidgate_action', d.action],
    ['cidgate_callerid', d.callerId ? formatNumber(d.callerId, format) : ''],
    ['cidgate_reason', d.reasons.join(',')],
    ['cidgate_retry_at', d.retryAt?.toISOString() ?? ''],
    ['cidgate_attempt', r.attemptId === null ? '' : String(r.attemptId)],
  ];
  // The bridged leg presents the A-leg's effective_caller_id_number (shown in the fixtures).
  if (d.action === 'rewrite' && d.callerId) vars.push(['effective_caller_id_number', formatNumber(d.callerId, format)]);
  return vars;
}

/**
 * FreeSWITCH's `socket 127.0.0.1:8084 async full`: per call, connect, decide, set the variables
 * (waiting for the last application's CHANNEL_EXECUTE_COMPLETE, since +OK only means queued),
 * then either let the dialplan go on (`resume`, `exit`) or hang the channel up with the
 * configured cause — an XML dialplan cannot test a variable set in the same extension.
 */
export class EslOutboundServer {
  private readonly listener: Listener;

  constructor(private readonly opts: OutboundOptions, private readonly gateway: Gateway, private readonly log: Logger) {
    this.listener = new Listener(opts, log, (socket) => void this.session(socket));
  }

  listen() {
    return this.listener.listen();
  }

  close(graceMs: number) {
    return this.listener.close(graceMs);
  }

  get sessions(): number {
    return this.listener.sessions;
  }

  private async session(socket: net.Socket): Promise<void> {
    const conn = new EslConnection(socket, this.opts.idleTimeoutMs);
    let uniqueId: string | null = null;
    try {
      const [connected] = await conn.send(command('connect'));
      const request = outboundRequest(connected!.headers);
      uniqueId = request.pbx?.uniqueId ?? null;
      await conn.send(command('myevents'), command('linger'));
      const result = await this.gateway.check(request, { record: true });

      const vars = channelVariables(result, this.opts.callerIdFormat ?? this.gateway.config.raw.callerId.format);
      const uuids = vars.map(() => randomUUID());
      const lastDone = conn.waitForEvent(
        (e) => e.get('Event-Name') === 'CHANNEL_EXECUTE_COMPLETE' && e.get('Application-UUID') === uuids[uuids.length - 1],
        this.opts.idleTimeoutMs,
      );
      lastDone.catch(() => undefined);
      const replies = await conn.send(...vars.map(([name, value], i) => executeApp('set', `${name}=${safeArg(value)}`, uuids[i]!)));
      const refused = replies.filter((r) => !r.text.startsWith('+OK'));
      if (refused.length > 0) this.log.warn({ event: 'esl-command-refused', uniqueId, replies: refused.map((r) => r.text) }, 'FreeSWITCH refused a command');
      await lastDone;

      if (result.decision.action === 'block') {
        if (this.opts.blockMessage) await this.play(conn, this.opts.blockMessage);
        // +OK only queues the hangup: wait until the channel is down before letting go of it.
        const hungUp = conn.waitForEvent((e) => e.get('Event-Name') === 'CHANNEL_HANGUP', this.opts.idleTimeoutMs);
        hungUp.catch(() => undefined);
        await conn.send(command('sendmsg', { 'call-command': 'hangup', 'hangup-cause': this.opts.hangupCause }));
        await hungUp;
      } else {
        await conn.send(command('resume'));
      }
      await conn.send(command('exit'));
      conn.end();
    } catch (err) {
      this.log.warn({ event: 'esl-session-error', uniqueId, err: { message: (err as Error).message } }, 'Event Socket session closed');
      conn.destroy();
    }
  }

  /** Early media to the agent (`pre_answer`, then `playback`), waiting until the sound has played. */
  private async play(conn: EslConnection, sound: string): Promise<void> {
    const uuid = randomUUID();
    const played = conn.waitForEvent(
      (e) => e.get('Event-Name') === 'CHANNEL_EXECUTE_COMPLETE' && e.get('Application-UUID') === uuid, this.opts.idleTimeoutMs,
    );
    played.catch(() => undefined);
    await conn.send(executeApp('pre_answer', '', randomUUID()), executeApp('playback', safeArg(sound), uuid));
    await played;
  }
}
