/** Reconnection delays: doubling from `min` to `max`, with jitter so a PBX restart is not stampeded. */
export class Backoff {
  private attempt = 0;

  constructor(private readonly minMs = 500, private readonly maxMs = 30_000) {}

  next(): number {
    const base = Math.min(this.maxMs, this.minMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }

  reset(): void {
    this.attempt = 0;
  }
}
