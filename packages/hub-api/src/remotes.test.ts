import { describe, expect, it } from 'vitest';
import { compareRemotes, DEFAULT_REMOTE_OPTIONS, fleetState, type Connection } from './remotes';

function remote(name: string, connection: Connection, clockDelta?: number) {
  return { name, options: DEFAULT_REMOTE_OPTIONS, status: { connection, points: 0, unsupported: [], ...(clockDelta === undefined ? {} : { clockDelta }) } };
}

describe('the fleet order', () => {
  it('puts offline, then failing (a clock past its drift), then disabled or inactive, then online; by name within each', () => {
    const fleet = [
      remote('alpha', 'online'),
      remote('zulu', 'offline'),
      remote('bravo', 'online', DEFAULT_REMOTE_OPTIONS.drift + 1),
      remote('delta', 'inactive'),
      remote('charlie', 'disabled'),
      remote('echo', 'offline'),
      remote('foxtrot', 'online', -DEFAULT_REMOTE_OPTIONS.drift),
    ];
    expect(fleet.sort(compareRemotes).map((r) => `${r.name}:${fleetState(r)}`)).toEqual([
      'echo:offline',
      'zulu:offline',
      'bravo:failing',
      'charlie:disabled',
      'delta:disabled',
      'alpha:online',
      'foxtrot:online',
    ]);
  });
});
