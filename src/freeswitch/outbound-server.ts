import { randomUUID } from 'node:crypto';
import type net from 'node:net';
import type { Logger } from '../log.js';
import { formatNumber, type NumberFormat } from '../numbers/phone.js';
import type { Gateway } from '../service/gateway.js';
import { sessionBuffers, type BufferBudget } from '../service/buffer-budget.js';
import { SessionServer, type ListenerOptions } from '../service/listener.js';
import type { Recorded } from '../store/store.js';
import { EslConnection } from './esl-connection.js';
import { command, executeApp, safeArg } from './esl-protocol.js';
import { outboundRequest } from './outbound-request.js';
import { errorCode } from '../errors.js';

export interface OutboundOptions extends ListenerOptions {
  readonly idleTimeoutMs: number;
  /** How numbers are written to the PBX; default: the gateway's current config (follows a reload). */
  readonly callerIdFormat?: NumberFormat;
  /** FreeSWITCH cause name for blocked calls (CALL_REJECTED = Q.850 21). */
  readonly hangupCause: string;
  /** Played to the agent before a blocked call is hung up; null for none. */
  readonly blockMessage: string | null;
  /** What all sessions may buffer together; default: the process's, shared with the FastAGI listener. */
  readonly bufferBudget?: BufferBudget;
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
 * FreeSWITCH's `socket 127.0.0.1:8084 async full`: per call, connect, decide, then ONE `sendmsg`
 * running `multiset` with every variable (`name=value` separated by spaces: safeArg leaves none in a
 * value; an empty value unsets the variable, as `set` does). On allow or rewrite it waits for that
 * application's CHANNEL_EXECUTE_COMPLETE (+OK only means queued), then `resume` and `exit`. On block
 * the hangup is sent with it — FreeSWITCH runs a channel's queued messages in order, so the variables
 * are set first — and cidgate waits for CHANNEL_HANGUP, then exits: an XML dialplan cannot test a
 * variable set in the same extension.
 */
export class EslOutboundServer extends SessionServer {
  constructor(private readonly opts: OutboundOptions, private readonly gateway: Gateway, private readonly log: Logger) {
    super(opts, log);
  }

  protected async session(socket: net.Socket): Promise<void> {
    const conn = new EslConnection(socket, this.opts.idleTimeoutMs, this.opts.bufferBudget ?? sessionBuffers);
    let uniqueId: string | null = null;
    /** The decision until cidgate sends resume: the channel cannot be bridged before. */
    let notDialled: Recorded | null = null;
    try {
      const [connected] = await conn.send(command('connect'));
      const { call: request, invalidHints } = outboundRequest(connected!.headers);
      if (invalidHints.length > 0) this.log.warn({ event: 'pbx-hints-invalid', invalid: invalidHints }, 'invalid channel variable hints ignored');
      uniqueId = request.pbx?.uniqueId ?? null;
      // The caller may hang up while cidgate decides (its events can share a read with the linger reply).
      let hangUp!: () => void;
      const hungUp = new Promise<void>((resolve) => { hangUp = resolve; });
      conn.onEvent((e) => { if (e.get('Event-Name') === 'CHANNEL_HANGUP') hangUp(); });
      await conn.send(command('myevents'), command('linger'));
      const result = await this.gateway.check(request, { record: true });
      notDialled = result;

      const vars = channelVariables(result, this.opts.callerIdFormat ?? this.gateway.config.callerIdFormat);
      const setUuid = randomUUID();
      const multiset = executeApp('multiset', vars.map(([name, value]) => `${name}=${safeArg(value)}`).join(' '), setUuid);
      if (result.decision.action === 'block') {
        const hungUp = this.waitFor(conn, 'CHANNEL_HANGUP');
        const messages = [multiset];
        if (this.opts.blockMessage) messages.push(executeApp('pre_answer', '', randomUUID()), executeApp('playback', safeArg(this.opts.blockMessage), randomUUID()));
        messages.push(command('sendmsg', { 'call-command': 'hangup', 'hangup-cause': this.opts.hangupCause }));
        this.checkReplies(await conn.send(...messages), uniqueId);
        await hungUp;
        await conn.send(command('exit'));
      } else {
        const executed = this.waitFor(conn, 'CHANNEL_EXECUTE_COMPLETE', setUuid);
        this.checkReplies(await conn.send(multiset), uniqueId);
        // A hung-up channel runs no more applications: its multiset never completes.
        const gone = await Promise.race([executed.then(() => false), hungUp.then(() => true)]);
        if (gone) {
          await this.recordNotDialled(notDialled);
          notDialled = null;
          await conn.send(command('exit'));
        } else {
          notDialled = null;
          await conn.send(command('resume'), command('exit'));
        }
      }
      conn.end();
    } catch (err) {
      // Closed (disconnect notice) before the resume: the dialplan never went on to bridge the call.
      if (conn.disconnectNotice !== null) await this.recordNotDialled(notDialled);
      this.log.warn({ event: 'esl-session-error', uniqueId, code: errorCode(err), err: { message: (err as Error).message } }, 'Event Socket session closed');
      conn.destroy();
    }
  }

  /**
   * The channel hung up before resume: the call was never placed to the consumer, so it is not an
   * attempt; kept in the audit trail as cancelled-before-dial (a blocked call never counted).
   */
  private async recordNotDialled(r: Recorded | null): Promise<void> {
    if (!r || r.attemptId === null || r.replayed || r.decision.action === 'block') return;
    await this.gateway.recordOutcome({ attemptId: r.attemptId }, { status: 'cancelled-before-dial', hangupCause: 16, durationSeconds: 0, at: new Date() });
  }

  /** The first event of this name (and Application-UUID), or a rejection after the idle timeout or on close. */
  private waitFor(conn: EslConnection, name: string, appUuid?: string): Promise<unknown> {
    const event = conn.waitForEvent(
      (e) => e.get('Event-Name') === name && (appUuid === undefined || e.get('Application-UUID') === appUuid), this.opts.idleTimeoutMs,
    );
    event.catch(() => undefined);
    return event;
  }

  private checkReplies(replies: readonly { text: string }[], uniqueId: string | null): void {
    const refused = replies.filter((r) => !r.text.startsWith('+OK'));
    if (refused.length > 0) this.log.warn({ event: 'esl-command-refused', uniqueId, replies: refused.map((r) => r.text) }, 'FreeSWITCH refused a command');
  }
}
