import type { OutcomeStatus } from '../store/store.js';
import { dialStatusOutcome } from './agi-request.js';

/** An AMI event as asterisk-manager delivers it: lower-cased keys, string values. */
export type AmiEvent = Readonly<Record<string, unknown>>;

export interface AmiOutcome {
  readonly uniqueId: string;
  readonly status: OutcomeStatus;
  readonly hangupCause: number | null;
  readonly durationSeconds: number;
}

interface Dial {
  status: OutcomeStatus;
  answeredAt: number | null;
  destChannel: string;
  destCause: number | null;
}

/** Bounds the state kept for calls whose Hangup never arrives (AMI reconnect, filtered events). */
const MAX_TRACKED = 50_000;

/**
 * Turns AMI's event stream into one outcome per dialing channel. `DialEnd` on the channel that ran
 * the AGI (its Uniqueid is agi_uniqueid) gives the dial status; that channel's `Hangup` closes the
 * attempt. The Q.850 cause is the far leg's when it has one (for a Local channel, either half of
 * the pair: `…;1` is dialed, `…;2` carries the real cause), else the dialing channel's own.
 */
export class AmiOutcomeTracker {
  private readonly dials = new Map<string, Dial>();
  /** Dialed channel name → the dialing channel's Uniqueid, to credit the far leg's cause. */
  private readonly byDest = new Map<string, string>();

  constructor(private readonly now: () => number = Date.now) {}

  get tracked(): number {
    return this.dials.size;
  }

  /** Feeds one event; returns an outcome when an attempt's channel has hung up. */
  handle(event: AmiEvent): AmiOutcome | null {
    const name = str(event.event).toLowerCase();
    if (name === 'dialend') this.onDialEnd(event);
    else if (name === 'hangup') return this.onHangup(event);
    return null;
  }

  private onDialEnd(e: AmiEvent): void {
    const uniqueId = str(e.uniqueid);
    const destChannel = str(e.destchannel);
    const dialStatus = str(e.dialstatus);
    if (!uniqueId || !dialStatus) return;
    const status = dialStatusOutcome(dialStatus);
    const known = this.dials.get(uniqueId);
    // Dial may try several destinations; an answer wins over the others' statuses.
    if (known && known.status === 'answered') return;
    if (this.dials.size >= MAX_TRACKED) this.evictOldest();
    this.dials.set(uniqueId, {
      status, answeredAt: status === 'answered' ? this.now() : null, destChannel, destCause: known?.destCause ?? null,
    });
    if (destChannel) this.byDest.set(localPairBase(destChannel), uniqueId);
  }

  private onHangup(e: AmiEvent): AmiOutcome | null {
    const uniqueId = str(e.uniqueid);
    const cause = causeOf(e.cause);
    const dial = this.dials.get(uniqueId);
    if (!dial) {
      // A far leg hanging up: remember its cause for the channel that dialed it.
      const dialer = this.byDest.get(localPairBase(str(e.channel)));
      const d = dialer ? this.dials.get(dialer) : undefined;
      if (d && cause !== null && cause !== 0 && d.destCause === null) d.destCause = cause;
      return null;
    }
    this.dials.delete(uniqueId);
    this.byDest.delete(localPairBase(dial.destChannel));
    const duration = dial.answeredAt === null ? 0 : Math.max(0, Math.round((this.now() - dial.answeredAt) / 1000));
    return { uniqueId, status: dial.status, hangupCause: dial.destCause ?? cause, durationSeconds: duration };
  }

  private evictOldest(): void {
    const oldest = this.dials.keys().next().value;
    if (oldest === undefined) return;
    const d = this.dials.get(oldest);
    this.dials.delete(oldest);
    if (d) this.byDest.delete(localPairBase(d.destChannel));
  }
}

/** `Local/x@ctx-00000008;1` and `…;2` are one Local channel pair. */
function localPairBase(channel: string): string {
  return channel.startsWith('Local/') ? channel.replace(/;[12]$/, '') : channel;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '';
}

function causeOf(v: unknown): number | null {
  const n = Number.parseInt(str(v), 10);
  return Number.isInteger(n) && n >= 0 && n < 256 ? n : null;
}
