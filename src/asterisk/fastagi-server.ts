import type net from 'node:net';
import type { Logger } from '../log.js';
import { formatNumber, type NumberFormat } from '../numbers/phone.js';
import type { Gateway } from '../service/gateway.js';
import { Listener, type ListenerOptions } from '../service/listener.js';
import type { Recorded } from '../store/store.js';
import { setVariable } from './agi-protocol.js';
import { parseAgiRequest } from './agi-request.js';
import { AgiSession } from './agi-session.js';

export interface FastAgiOptions extends ListenerOptions {
  readonly idleTimeoutMs: number;
  readonly callerIdFormat: NumberFormat;
}

/** The channel variables the dialplan reads, in the order they are set. */
export function agiVariables(r: Recorded, format: NumberFormat): [string, string][] {
  const d = r.decision;
  const vars: [string, string][] = [];
  if (d.action === 'rewrite' && d.callerId) vars.push(['CALLERID(num)', formatNumber(d.callerId, format)]);
  vars.push(
    ['CIDGATE_ACTION', d.action],
    ['CIDGATE_CALLERID', d.callerId ? formatNumber(d.callerId, format) : ''],
    ['CIDGATE_REASON', d.reasons.join(',')],
    ['CIDGATE_RETRY_AT', d.retryAt?.toISOString() ?? ''],
    ['CIDGATE_ATTEMPT', r.attemptId === null ? '' : String(r.attemptId)],
  );
  return vars;
}

/**
 * The FastAGI service: `check` decides and sets the channel variables (it never hangs up: the
 * dialplan does), `outcome` records what a hangup handler reports.
 */
export class FastAgiServer {
  private readonly listener: Listener;

  constructor(private readonly opts: FastAgiOptions, private readonly gateway: Gateway, private readonly log: Logger) {
    this.listener = new Listener(opts, log, (socket) => void this.session(socket));
  }

  listen() {
    return this.listener.listen();
  }

  close(graceMs: number) {
    return this.listener.close(graceMs);
  }

  private async session(socket: net.Socket): Promise<void> {
    const session = new AgiSession(socket, { idleTimeoutMs: this.opts.idleTimeoutMs });
    const peer = socket.remoteAddress;
    try {
      const request = parseAgiRequest(await session.env);
      if (request.ignored.length > 0) this.log.warn({ event: 'agi-args-ignored', ignored: request.ignored }, 'unknown AGI arguments ignored');
      if (request.script === 'outcome') {
        if (request.uniqueId) {
          await this.gateway.recordOutcome({ pbxUniqueId: request.uniqueId }, { ...request.outcome, at: new Date() });
        }
      } else {
        const result = await this.gateway.check(request.call, { record: true });
        for (const [name, value] of agiVariables(result, this.opts.callerIdFormat)) {
          const answer = await session.command(setVariable(name, value));
          if (answer.code !== 200) this.log.warn({ event: 'agi-command-failed', code: answer.code, name, uniqueId: request.call.pbx?.uniqueId }, 'AGI command not accepted');
        }
        if (session.hungUp && result.attemptId !== null && !result.replayed) {
          // The caller hung up while we decided: the attempt stays counted, and its outcome is known.
          await this.gateway.recordOutcome({ attemptId: result.attemptId }, { status: 'cancelled', hangupCause: 16, durationSeconds: 0, at: new Date() });
        }
      }
      session.end();
    } catch (err) {
      this.log.warn({ event: 'agi-session-error', peer, err: { message: (err as Error).message } }, 'FastAGI session closed');
      session.end();
    }
  }
}
