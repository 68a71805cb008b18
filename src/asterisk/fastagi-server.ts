import type net from 'node:net';
import type { Logger } from '../log.js';
import { formatNumber, type NumberFormat } from '../numbers/phone.js';
import type { Gateway } from '../service/gateway.js';
import { sessionBuffers, type BufferBudget } from '../service/buffer-budget.js';
import { SessionServer, type ListenerOptions } from '../service/listener.js';
import type { Recorded } from '../store/store.js';
import { msetVariables, setVariables } from './agi-protocol.js';
import { parseAgiRequest } from './agi-request.js';
import { AgiSession } from './agi-session.js';
import { errorCode } from '../errors.js';

/**
 * How an Asterisk takes every variable in one command: `array` (SET VARIABLE ARRAY(…), func_strings)
 * or `mset` (EXEC MSet, built in). A missing ARRAY() fails silently (`200 result=1`, nothing set), so
 * the first session from each Asterisk reads LEN(), also from func_strings: `200 result=1 (7)` when
 * the module is loaded, `200 result=0` when not.
 */
type SetMode = 'array' | 'mset';
const FUNC_STRINGS_PROBE = 'GET VARIABLE LEN(cidgate)\n';

export interface FastAgiOptions extends ListenerOptions {
  readonly idleTimeoutMs: number;
  /** How numbers are written to the PBX; default: the gateway's current config (follows a reload). */
  readonly callerIdFormat?: NumberFormat;
  /** What all sessions may buffer together; default: the process's, shared with the Event Socket listener. */
  readonly bufferBudget?: BufferBudget;
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
export class FastAgiServer extends SessionServer {
  /** Per Asterisk (peer address): learned at its first session. */
  private readonly setModes = new Map<string, SetMode>();

  constructor(private readonly opts: FastAgiOptions, private readonly gateway: Gateway, private readonly log: Logger) {
    super(opts, log);
  }

  protected async session(socket: net.Socket): Promise<void> {
    const session = new AgiSession(socket, { idleTimeoutMs: this.opts.idleTimeoutMs, budget: this.opts.bufferBudget ?? sessionBuffers });
    const peer = socket.remoteAddress ?? '';
    try {
      const request = parseAgiRequest(await session.env, { trunkCampaigns: this.gateway.config.raw.asterisk.trunkCampaigns });
      if (request.ignored.length > 0) this.log.warn({ event: 'agi-args-ignored', ignored: request.ignored }, 'unknown AGI arguments ignored');
      if (request.script === 'check' && request.invalidHints.length > 0) {
        this.log.warn({ event: 'pbx-hints-invalid', invalid: request.invalidHints }, 'invalid AGI hints ignored');
      }
      if (request.script === 'outcome') {
        if (request.uniqueId) {
          await this.gateway.recordOutcome({ pbxUniqueId: request.uniqueId }, { ...request.outcome, at: new Date() });
        }
      } else {
        const result = await this.gateway.check(request.call, { record: true });
        // One command, one round trip; Asterisk reads one line at a time, so never several in one write.
        const vars = agiVariables(result, this.opts.callerIdFormat ?? this.gateway.config.callerIdFormat);
        const mode = this.setModes.get(peer) ?? await this.probeSetMode(session, peer);
        const answer = await session.command(mode === 'array' ? setVariables(vars) : msetVariables(vars));
        // SET VARIABLE answers result=1; EXEC answers the application's result (0), -2 when it is missing.
        if (answer.code !== 200 || answer.result !== (mode === 'array' ? '1' : '0')) {
          this.log.warn({ event: 'agi-command-failed', code: answer.code, result: answer.result, mode, uniqueId: request.call.pbx?.uniqueId }, 'AGI command not accepted');
        }
        if (session.hungUp && result.attemptId !== null && !result.replayed) {
          // The caller hung up while we decided: Dial() never ran, so no call was placed to the consumer.
          // Not an attempt (the law counts calls placed); kept in the audit trail as cancelled-before-dial.
          await this.gateway.recordOutcome({ attemptId: result.attemptId }, { status: 'cancelled-before-dial', hangupCause: 16, durationSeconds: 0, at: new Date() });
        }
      }
      session.end();
    } catch (err) {
      this.log.warn({ event: 'agi-session-error', peer, code: errorCode(err), err: { message: (err as Error).message } }, 'FastAGI session closed');
      session.end();
    }
  }

  private async probeSetMode(session: AgiSession, peer: string): Promise<SetMode> {
    const probe = await session.command(FUNC_STRINGS_PROBE);
    const mode: SetMode = probe.code === 200 && probe.result === '1' && probe.data === '7' ? 'array' : 'mset';
    if (mode === 'mset') this.log.warn({ event: 'agi-no-func-strings', peer }, 'func_strings not loaded in Asterisk: variables set with MSet');
    this.setModes.set(peer, mode);
    return mode;
  }
}
