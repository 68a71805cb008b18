/** Time is injected everywhere, so every rule can be tested at its edges. */
export interface Clock {
  now(): Date;
  /**
   * True for the host's running clock ("now"): a store whose server keeps a clock every node shares
   * (PostgreSQL) decides live calls on that one instead. A pinned clock (tests, --at) always decides.
   */
  readonly live?: boolean;
}

export const systemClock: Clock = { now: () => new Date(), live: true };

export function fixedClock(at: Date | string): Clock {
  const instant = new Date(at);
  return { now: () => new Date(instant) };
}
