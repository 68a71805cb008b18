import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log.js';
import { Lifecycle } from '../../src/service/lifecycle.js';
import type { Part, PartContext, PartFactory } from '../../src/service/parts/part.js';

function harness(parts: PartFactory[]) {
  const lines: Record<string, unknown>[] = [];
  const log = (o: Record<string, unknown>) => { lines.push(o); };
  const logger = { info: log, warn: log, error: log } as unknown as Logger;
  const lifecycle = new Lifecycle({ parts, logger, configPath: 'c.yaml', load: () => ({}) as never, context: {} as PartContext });
  return { lifecycle, invalid: () => lines.filter((l) => l.event === 'invalid-transition') };
}

function fake(name: string, events: string[], o: Partial<Part> = {}): PartFactory {
  return () => ({ name, open: () => { events.push(`open ${name}`); }, stop: (g) => { events.push(`stop ${name} ${g}`); }, ...o });
}

describe('the lifecycle\'s transitions', () => {
  it('a start failing halfway stops the parts opened, and ends stopped', async () => {
    const events: string[] = [];
    const { lifecycle } = harness([fake('a', events), fake('b', events, { open: () => { throw new Error('no'); } }), fake('c', events)]);
    await expect(lifecycle.start()).rejects.toThrow('no');
    expect(events).toEqual(['open a', 'stop a 0']);
    expect(lifecycle.state).toBe('stopped');
  });

  it('a drain stops every part with one shared grace; a second stop is logged and ignored', async () => {
    const events: string[] = [];
    const { lifecycle, invalid } = harness([fake('a', events), fake('b', events)]);
    await lifecycle.start();
    const first = lifecycle.stop();
    await lifecycle.stop();
    await first;
    expect(events).toEqual(['open a', 'open b', 'stop a 5000', 'stop b 5000']);
    expect(invalid()).toMatchObject([{ code: 'INVALID_TRANSITION', state: 'draining', transition: 'stop' }]);
  });

  it('a reload while starting or draining is logged and ignored', async () => {
    const { lifecycle, invalid } = harness([]);
    expect((await lifecycle.reload('SIGHUP')).ok).toBe(false);
    await lifecycle.start();
    void lifecycle.stop();
    expect((await lifecycle.reload('SIGHUP')).ok).toBe(false);
    expect(invalid().map((l) => l.state)).toEqual(['starting', 'draining']);
  });

  it('a reload swaps the config into the parts and returns to serving', async () => {
    const { lifecycle } = harness([() => ({ name: 'l', open: () => undefined, stop: () => undefined, reload: () => ({ rebound: ['l'] }) })]);
    await lifecycle.start();
    expect(await lifecycle.reload('http')).toMatchObject({ ok: true, rebound: ['l'] });
    expect(lifecycle.state).toBe('serving');
  });

  it('a reload asked for during another waits its turn: the parts never reload twice at once', async () => {
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const { lifecycle, invalid } = harness([() => ({
      name: 'l', open: () => undefined, stop: () => undefined,
      async reload() { events.push('reload in'); await gate; events.push('reload out'); return {}; },
    })]);
    await lifecycle.start();
    const first = lifecycle.reload('SIGHUP');
    const second = lifecycle.reload('http');
    expect(lifecycle.state).toBe('reloading');
    await Promise.resolve();
    release();
    expect((await first).ok).toBe(true);
    expect((await second).ok).toBe(true);
    expect(events).toEqual(['reload in', 'reload out', 'reload in', 'reload out']);
    expect(lifecycle.state).toBe('serving');
    expect(invalid()).toEqual([]);
  });

  it('a stop during a reload drains once the reload under way is done; a reload still waiting is dropped', async () => {
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const { lifecycle } = harness([fake('l', events, { async reload() { events.push('reload'); await gate; return {}; } })]);
    await lifecycle.start();
    const under = lifecycle.reload('SIGHUP');
    const waiting = lifecycle.reload('SIGHUP');
    while (!events.includes('reload')) await new Promise((resolve) => setImmediate(resolve));
    const stopped = lifecycle.stop();
    expect(lifecycle.state).toBe('draining');
    release();
    expect((await under).ok).toBe(true);
    expect((await waiting).ok).toBe(false);
    await stopped;
    expect(events).toEqual(['open l', 'reload', 'stop l 5000']);
    expect(lifecycle.state).toBe('stopped');
  });

  it('a stop during the start abandons it: what is open is stopped without grace, the rest never opens', async () => {
    const events: string[] = [];
    let stop!: () => Promise<void>;
    const { lifecycle } = harness([fake('a', events), fake('b', events, { open: () => { events.push('open b'); void stop(); } }), fake('c', events)]);
    stop = () => lifecycle.stop();
    await expect(lifecycle.start()).rejects.toThrow('stopped during start');
    expect(events).toEqual(['open a', 'open b', 'stop a 0', 'stop b 0']);
    expect(lifecycle.state).toBe('stopped');
  });
});
