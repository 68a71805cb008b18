/** One consent event of the consumer being erased (instants in ms). */
export interface ErasedConsentEvent {
  readonly id: number;
  readonly at: number;
  readonly kind: 'given' | 'revoked';
}

/** A counted prospecting attempt about the consumer: `kept` when it still carries the number, else pseudonymised. */
export interface ErasedAttempt {
  readonly at: number;
  readonly kept: boolean;
}

export interface ConsentErasurePlan {
  readonly keep: readonly number[];
  readonly pseudonymise: readonly number[];
  readonly remove: readonly number[];
  /**
   * Where a pseudonymised consent ended: the instant of the event after it, which stays with the
   * number or goes. Written as the pseudonym's own revocation, so the pseudonym's record says when
   * that consent stopped covering calls.
   */
  readonly pseudonymEnds: readonly number[];
}

/**
 * What an erasure does with one consumer's consent events, given in the order they took effect
 * (by instant, a revocation after a consent given at the same instant) once the consent in force
 * was revoked. A consent given covers the attempts made from it until the next event: it stays with
 * the number while one of those attempts does (the proof the law asks for), takes the pseudonym when
 * only pseudonymised ones do (the proof follows its calls, pointing to no one), and goes otherwise.
 * A revocation follows the consent it ended, except the last event (the withdrawal in force), which
 * stays: without it an older consent imported again would count.
 */
export function planConsentErasure(events: readonly ErasedConsentEvent[], attempts: readonly ErasedAttempt[]): ConsentErasurePlan {
  const fate = new Map<number, 'keep' | 'pseudonymise' | 'remove'>();
  const pseudonymEnds: number[] = [];
  events.forEach((e, i) => {
    const next = events[i + 1];
    if (e.kind === 'given') {
      const covered = attempts.filter((a) => a.at >= e.at && (next === undefined || a.at < next.at));
      fate.set(e.id, covered.some((a) => a.kept) ? 'keep' : covered.length > 0 ? 'pseudonymise' : 'remove');
      return;
    }
    const ended = events[i - 1];
    const endedFate = ended?.kind === 'given' ? fate.get(ended.id)! : 'remove';
    fate.set(e.id, next === undefined ? 'keep' : endedFate);
  });
  events.forEach((e, i) => {
    const next = events[i + 1];
    if (fate.get(e.id) === 'pseudonymise' && e.kind === 'given' && next && fate.get(next.id) !== 'pseudonymise') pseudonymEnds.push(next.at);
  });
  const having = (f: string) => events.filter((e) => fate.get(e.id) === f).map((e) => e.id);
  return { keep: having('keep'), pseudonymise: having('pseudonymise'), remove: having('remove'), pseudonymEnds };
}
