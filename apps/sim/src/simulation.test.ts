import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseSimArgs } from './config';
import { Simulation } from './simulation';

describe('spontaneous changes', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('are made at the rate asked even when the ticks that make them come late (a busy machine)', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const config = parseSimArgs(['--password', 'x', '--lights', '1000', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--changes-per-second', '10000'], {});
    const simulation = new Simulation(config, 'instance', []);
    // Each light switched is two changes of the store: the light, and the label counting the lights on.
    let switched = 0;
    simulation.store.onChange(() => (switched += 0.5));
    simulation.start();
    // On time: a tick every 5 ms, 50 lights switched each.
    vi.advanceTimersByTime(100);
    expect(switched).toBe(1_000);
    // The next tick, due 5 ms later, runs 45 ms later: it switches the lights of those 45 ms.
    switched = 0;
    const now = performance.now();
    vi.spyOn(performance, 'now').mockReturnValue(now + 45);
    vi.advanceTimersByTime(5);
    expect(switched).toBe(450);
    simulation.stop();
  });
});
