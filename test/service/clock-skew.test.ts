import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ClockSkewMonitor } from '../../src/service/clock-skew.js';

function capture() {
  const lines: { level: string; obj: Record<string, unknown> }[] = [];
  const at = (level: string) => (obj: Record<string, unknown>) => { lines.push({ level, obj }); };
  return { lines, log: { warn: at('warn'), info: at('info'), debug: at('debug'), error: at('error') } as never };
}

describe('clock skew monitor: this node against the database server', () => {
  it('measures against the middle of the round trip; gauge in seconds; warns once beyond the bound; readiness beyond ten times', async () => {
    let local = 1_000_000;
    let serverAhead = 0;
    const { lines, log } = capture();
    const registry = new Registry();
    // Each clock read advances 10 ms: a 10 ms round trip, the server read half-way.
    const monitor = new ClockSkewMonitor(async () => local + 5 + serverAhead, 100, log, registry, () => (local += 10));
    expect(monitor.check()).toEqual({ ok: true, detail: 'not measured yet' });
    serverAhead = -2_000; // this node 2 s ahead
    expect(await monitor.measure()).toBe(2_000);
    expect(await registry.getSingleMetricAsString('cidgate_clock_skew_seconds')).toMatch(/cidgate_clock_skew_seconds 2$/m);
    expect(lines.filter((l) => l.obj.code === 'CLOCK_SKEW')).toHaveLength(1);
    expect(monitor.check()).toMatchObject({ ok: false, detail: expect.stringContaining('+2.000 s') });
    await monitor.measure();
    expect(lines.filter((l) => l.obj.code === 'CLOCK_SKEW')).toHaveLength(1); // once per spell
    serverAhead = 1_000; // 1 s behind: warned, still ready at exactly ten times the bound
    expect(await monitor.measure()).toBe(-1_000);
    expect(monitor.check().ok).toBe(true);
    serverAhead = 100;
    await monitor.measure();
    expect(lines.some((l) => l.obj.event === 'clock-skew-ended')).toBe(true);
  });

  it('a failed measure keeps the last one', async () => {
    const { log } = capture();
    let fail = false;
    const monitor = new ClockSkewMonitor(async () => { if (fail) throw new Error('down'); return 0; }, 100, log, undefined, () => 50);
    expect(await monitor.measure()).toBe(50);
    fail = true;
    expect(await monitor.measure()).toBe(50);
  });
});
