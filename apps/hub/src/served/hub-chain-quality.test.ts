// A site's outage is visible at every level of a chain (PROTOCOL.md part B, `quality`): simulator →
// site hub → region hub → top hub, each a real process over real HTTPS. One chain for every case,
// which each leave as they found it: all live, every level equal to the simulator.
import { waitForConvergence, waitUntil, type Snapshot } from '@riohub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLL_TIMEOUT_MS } from '../links/remote-client';
import { CHAIN_SIM_ARGS, startChain, type Chain, type ChainLevel } from './chain-processes';

/** An outage shows at a level within one poll timeout, plus margin for three levels on two shared cores. */
const STALE_BOUND_MS = POLL_TIMEOUT_MS + 15_000;
/** A recovery: the link's backoff after a short outage (a few seconds), a full read, and margin. */
const CONVERGENCE_BOUND_MS = POLL_TIMEOUT_MS + 45_000;
const CASE_TIMEOUT_MS = 30_000 + STALE_BOUND_MS + CONVERGENCE_BOUND_MS;

/** `virtual.2` is stale at the simulator itself from the start (its own server below is "unreachable"). */
const SIM_ARGS = [...CHAIN_SIM_ARGS, '--stale', 'virtual.2'];

/** The level's own point about the level below it (`<prefix>connection`) is the hub's, not the simulator's. */
const ownPoint = (level: ChainLevel) => (key: string) => key === `io:${level.prefix}connection`;

/** Polls `test` until it holds; `what` is read when it times out, so it may name what is left. */

/** The keys of a level's tree that are live, of the simulator's points (its own point aside). */
function live(level: ChainLevel, tree: Snapshot): string[] {
  return [...tree].filter(([key, point]) => !ownPoint(level)(key) && !point.stale).map(([key]) => key);
}

describe('quality across a three-level chain', () => {
  let chain: Chain;

  beforeAll(async () => {
    chain = await startChain(SIM_ARGS);
    await valuesConverged();
  }, CASE_TIMEOUT_MS);

  afterAll(async () => {
    await chain?.close();
  });

  /** Every level holds exactly the simulator's values, nothing stale that is live at the simulator. */
  async function valuesConverged(): Promise<void> {
    for (const level of chain.levels) {
      await waitForConvergence(() => chain.simState(level.prefix), () => chain.tree(level), { timeoutMs: CONVERGENCE_BOUND_MS, ignore: ownPoint(level) });
    }
  }

  /** Every level holds exactly the simulator's values, stale exactly where the simulator says so. */
  async function allConverged(): Promise<void> {
    await valuesConverged();
    for (const level of chain.levels) {
      const [source, mirror] = [await chain.simState(level.prefix), await chain.tree(level)];
      const staleAtSim = [...source].filter(([, point]) => point.stale).map(([key]) => key);
      const staleHere = [...mirror].filter(([, point]) => point.stale).map(([key]) => key);
      expect(staleHere, `stale at ${level.name}`).toEqual(staleAtSim);
    }
  }

  /** Waits until every point of the simulator is stale at `level`. */
  async function allStale(level: ChainLevel): Promise<void> {
    let left: string[] = [];
    await waitUntil(
      async () => {
        const tree = await chain.tree(level);
        left = live(level, tree);
        return tree.size > 1 && left.length === 0;
      },
      STALE_BOUND_MS,
      () => `every point stale at ${level.name} (live: ${left.join(', ')})`,
    );
  }

  /** A write of `name` at a level, refused: the error's code and message. */
  async function refusedWrite(level: ChainLevel, name: string, value: string): Promise<{ code: string; message: string; status?: string }> {
    const { body } = await level.admin.call<unknown>('POST', '/api/writes', { name, value });
    if (body.ok) throw new Error(`the write of ${name} at ${level.name} was accepted`);
    return { code: body.error.code, message: body.error.message, ...(body.error.record ? { status: body.error.record.status } : {}) };
  }

  it('shows a point stale at the simulator itself stale at every level, and ok at every level once it is ok again', async () => {
    for (const level of chain.levels) {
      expect((await chain.tree(level)).get(`io:${level.prefix}virtual.2`)?.stale, level.name).toBe(true);
      expect((await chain.tree(level)).get(`io:${level.prefix}virtual.1`)?.stale, level.name).toBe(false);
    }
    const top = chain.level('top');
    const refused = await refusedWrite(top, `${top.prefix}virtual.2`, 'x');
    expect(refused.code).toBe('point-stale');
    expect(refused.message).toBe('region.site.lobby.virtual.2 is stale: the server that owns it, below region, is unreachable: nothing was sent');

    chain.sim.child.kill('SIGUSR2');
    for (const level of chain.levels) {
      await waitUntil(async () => (await chain.tree(level)).get(`io:${level.prefix}virtual.2`)?.stale === false, STALE_BOUND_MS, `virtual.2 ok at ${level.name}`);
    }
    const written = await top.admin.data<{ status: string }>('POST', '/api/writes', { name: `${top.prefix}virtual.2`, value: 'written from the top' });
    expect(['applied', 'confirmed']).toContain(written.status);
    await waitUntil(async () => (await chain.simState(''))?.get('io:virtual.2')?.value === 'written from the top', STALE_BOUND_MS, 'the write at the simulator');

    chain.sim.child.kill('SIGUSR2');
    await allConverged();
    expect((await chain.tree(top)).get(`io:${top.prefix}virtual.2`)).toEqual({ value: 'written from the top', stale: true });
  }, CASE_TIMEOUT_MS);

  it('shows the stopped simulator\'s points stale at every level, refuses a write at every level with why, and converges on its exact values when it is back', async () => {
    const [site, region, top] = chain.levels as [ChainLevel, ChainLevel, ChainLevel];
    const lightBefore = (await chain.simState('')).get('io:dummy.light.1')?.value;
    await chain.killSim();
    for (const level of chain.levels) await allStale(level);
    expect((await site.admin.point('lobby.connection', 'hub')).value).toBe('offline');
    expect((await top.admin.point('region.site.lobby.connection', 'io')).value).toBe('offline');
    // Only the simulator's points: the hubs are up, so their own points say so and are live.
    expect(await top.admin.point('region.site.connection', 'io')).toMatchObject({ value: 'online', state: 'ok' });
    expect(await top.admin.point('region.connection', 'hub')).toMatchObject({ value: 'online', state: 'ok' });

    const next = lightBefore === '1' ? '0' : '1';
    expect(await refusedWrite(top, 'region.site.lobby.dummy.light.1', next)).toEqual({
      code: 'point-stale',
      message: 'region.site.lobby.dummy.light.1 is stale: the server that owns it, below region, is unreachable: nothing was sent',
      status: 'refused',
    });
    expect(await refusedWrite(region, 'site.lobby.dummy.light.1', next)).toEqual({
      code: 'point-stale',
      message: 'site.lobby.dummy.light.1 is stale: the server that owns it, below site, is unreachable: nothing was sent',
      status: 'refused',
    });
    expect(await refusedWrite(site, 'lobby.dummy.light.1', next)).toMatchObject({ code: 'remote-offline', message: 'lobby is offline: nothing was sent' });

    await chain.restartSim();
    await allConverged();
    // Nothing was queued: the refused writes never reached the simulator.
    expect((await chain.simState('')).get('io:dummy.light.1')?.value).toBe(lightBefore);
    expect((await top.admin.point('region.site.lobby.connection', 'io')).value).toBe('online');
  }, CASE_TIMEOUT_MS);

  it('shows the killed site hub\'s points stale at the two levels above, refuses a write at the top with why, and converges when it is back', async () => {
    const [, region, top] = chain.levels as [ChainLevel, ChainLevel, ChainLevel];
    await chain.killSite();
    for (const level of [region, top]) await allStale(level);
    expect((await region.admin.point('site.connection', 'hub')).value).toBe('offline');
    expect(await top.admin.point('region.site.connection', 'io')).toMatchObject({ value: 'offline', state: 'ok' });
    // The site hub's own point about the simulator, as the region last heard it, is stale too.
    expect(await top.admin.point('region.site.lobby.connection', 'io')).toMatchObject({ value: 'online', state: 'stale' });

    expect(await refusedWrite(top, 'region.site.lobby.dummy.dimmer.1', '42')).toEqual({
      code: 'point-stale',
      message: 'region.site.lobby.dummy.dimmer.1 is stale: the server that owns it, below region, is unreachable: nothing was sent',
      status: 'refused',
    });
    expect(await refusedWrite(region, 'site.lobby.dummy.dimmer.1', '42')).toMatchObject({ code: 'remote-offline', message: 'site is offline: nothing was sent' });

    await chain.restartSite();
    await allConverged();
    // Nothing was queued: the refused writes never reached the simulator.
    expect((await chain.simState('')).get('io:dummy.dimmer.1')?.value).not.toBe('42');
    expect(await top.admin.point('region.site.connection', 'io')).toMatchObject({ value: 'online', state: 'ok' });
  }, CASE_TIMEOUT_MS);
});
