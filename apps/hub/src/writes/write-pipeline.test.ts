// The pipeline's order against a store that takes its time: a write is stored as `sending` before
// it is sent and settled after; two writes to one name are logged in the order they were sent;
// what changes while a write is being recorded (its remote refuses control, is deleted) is
// checked again before sending. On the store of the run (SQLite, or PostgreSQL).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ok, type Result, type WriteRecord } from '@riohub/hub-api';
import type { Write, WriteResult } from '@riohub/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageHealth } from '../db/storage-health';
import type { Store } from '../db/store';
import { HubEventBus } from '../hub-events';
import type { RemoteLink } from '../links/remote-link';
import { openTestStore } from '../testing/test-store';
import { PointTree } from '../tree/point-tree';
import { controlRefusedReason, WritePipeline } from './write-pipeline';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

/** The store, with `afterCommit` run once each transaction (the writes' records) is stored and before the pipeline hears of it. */
function slowStore(store: Store, afterCommit: () => Promise<void>): Store {
  return {
    kind: store.kind,
    location: store.location,
    all: (sql, params) => store.all(sql, params),
    get: (sql, params) => store.get(sql, params),
    values: (sql, params) => store.values(sql, params),
    run: (sql, params) => store.run(sql, params),
    transaction: async (work) => {
      const result = await store.transaction(work);
      await afterCommit();
      return result;
    },
    isStorageError: (error) => store.isStorageError(error),
    describeStorageError: (error) => store.describeStorageError(error),
    close: () => store.close(),
  } as Store;
}

describe('write pipeline', () => {
  let dataDir: string;
  let store: Store;
  let tree: PointTree;
  let pipeline: WritePipeline | undefined;
  /** The values sent, in order, with the status their record had when they were. */
  let sent: { value: string; storedAs: string | undefined }[];
  let exists: boolean;

  const link = {
    async write(_kind: 'io' | 'ui', writes: Write[]): Promise<Result<WriteResult>> {
      for (const [name, value] of writes) {
        const row = await store.get<{ status: string }>('SELECT status FROM writes WHERE name = ? AND new_value = ? ORDER BY id DESC', [`site.${name}`, value]);
        sent.push({ value, storedAs: row?.status });
      }
      return ok(typeof answer === 'function' ? answer(writes) : answer);
    },
  } as unknown as RemoteLink;
  /** What the remote answers each write (every remote shares the link). */
  let answer: WriteResult | ((writes: Write[]) => WriteResult);

  function pipelineOn(on: Store): WritePipeline {
    pipeline = new WritePipeline(on, new StorageHealth(on, quiet), tree, new HubEventBus(), {
      link: () => (exists ? link : undefined),
      connection: () => 'online',
      exists: () => exists,
    }, quiet);
    return pipeline;
  }

  async function log(): Promise<WriteRecord[]> {
    return (await (pipeline as WritePipeline).history(10)).reverse();
  }

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'riohub-write-pipeline-'));
    store = await openTestStore(dataDir);
    tree = new PointTree();
    tree.set('io', 'site.light.1', '0', 'site');
    sent = [];
    exists = true;
    answer = { ok: true };
  });
  afterEach(async () => {
    pipeline?.stop();
    pipeline = undefined;
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores a write as sending before it sends it, then applied, then confirmed when its value comes back', async () => {
    const writes = pipelineOn(store);
    const result = await writes.writeOne({ name: 'site.light.1', value: '1' }, { user: 'ann', via: 'rest' });
    expect(result).toMatchObject({ ok: true, data: { status: 'applied', user: 'ann' } });
    expect(sent).toEqual([{ value: '1', storedAs: 'sending' }]);
    expect((await log()).map((record) => record.status)).toEqual(['applied']);

    tree.set('io', 'site.light.1', '1', 'site');
    writes.observe('io', 'site.light.1', '1');
    await expect.poll(async () => (await log()).map((record) => record.status)).toEqual(['confirmed']);
  });

  it('confirms each of two writes to one name whose value comes back, the first too, and only those', async () => {
    const writes = pipelineOn(store);
    // Two operators switch one light on and off before the remote's next poll answer.
    await writes.writeOne({ name: 'site.light.1', value: '1' }, { user: 'ann', via: 'rest' });
    await writes.writeOne({ name: 'site.light.1', value: '0' }, { user: 'bob', via: 'dashboard' });
    await writes.writeOne({ name: 'site.light.1', value: '7' }, { user: 'cy', via: 'dashboard' });
    // The poll reports 1, then 0; 7 never comes back (a later change replaced it at the remote).
    for (const value of ['1', '0']) {
      tree.set('io', 'site.light.1', value, 'site');
      writes.observe('io', 'site.light.1', value);
    }
    await expect.poll(async () => (await log()).map(({ newValue, status }) => [newValue, status])).toEqual([
      ['1', 'confirmed'],
      ['0', 'confirmed'],
      ['7', 'applied'],
    ]);
  });

  it('settles each name by what a hub below names in its refusal: applied with a partly applied, with the others with a not applied', async () => {
    tree.set('io', 'site.light.2', '0', 'site');
    const writes = pipelineOn(store);
    const origin = { user: 'remote API client 127.0.0.1', via: 'remote-io' } as const;
    answer = { ok: false, error: 'partly applied', names: ['light.2'], reasons: { 'light.2': 'lobby is offline' } };
    expect(await writes.writeMany('io', [['site.light.1', '1'], ['site.light.2', '1']], origin)).toMatchObject({ ok: false, error: 'partly applied', names: ['site.light.2'] });
    expect((await log()).map(({ name, status }) => [name, status])).toEqual([['site.light.1', 'applied'], ['site.light.2', 'refused']]);

    answer = { ok: false, error: 'not applied', names: ['light.2'], reasons: { 'light.2': 'lobby is offline' } };
    expect(await writes.writeMany('io', [['site.light.1', '0'], ['site.light.2', '0']], origin)).toEqual({
      ok: false,
      error: 'not applied',
      names: ['site.light.2'],
      reasons: { 'site.light.2': 'site refused the write: not applied: light.2 (lobby is offline)' },
    });
    expect((await log()).slice(2).map(({ name, status, error }) => [name, status, error])).toEqual([
      ['site.light.1', 'refused', 'site applied none of the write: other names of it were refused there'],
      ['site.light.2', 'refused', 'site refused the write: not applied: light.2 (lobby is offline)'],
    ]);
  });

  it('names, in a partly applied answer, every name that was not applied, those refused only with the others below too', async () => {
    tree.set('io', 'other.light.1', '0', 'other');
    tree.set('io', 'other.light.2', '0', 'other');
    const writes = pipelineOn(store);
    // site applies its one name; other, a hub, refuses light.1 and so applies neither of its two.
    answer = (sent) => (sent.length === 1 ? { ok: true } : { ok: false, error: 'not applied', names: ['light.1'], reasons: { 'light.1': 'lobby is offline' } });
    const result = await writes.writeMany('io', [['site.light.1', '1'], ['other.light.1', '1'], ['other.light.2', '1']], { user: 'remote API client 127.0.0.1', via: 'remote-io' });
    // A hub above reads the names a partly applied leaves out as applied: other.light.2 must be named.
    expect(result).toMatchObject({ ok: false, error: 'partly applied', names: ['other.light.1', 'other.light.2'] });
    expect((await log()).map(({ name, status }) => [name, status])).toEqual([
      ['site.light.1', 'applied'],
      ['other.light.1', 'refused'],
      ['other.light.2', 'refused'],
    ]);
  });

  it('logs two writes to one name in the order it sends them, however long each takes to store', async () => {
    let first = true;
    const writes = pipelineOn(
      slowStore(store, async () => {
        // The first write's record takes longer to come back than the second's.
        const slow = first;
        first = false;
        if (slow) await new Promise((resolve) => setTimeout(resolve, 50));
      }),
    );
    await Promise.all([
      writes.writeOne({ name: 'site.light.1', value: '1' }, { user: 'ann', via: 'rest' }),
      writes.writeOne({ name: 'site.light.1', value: '2' }, { user: 'bob', via: 'dashboard' }),
    ]);
    expect(sent.map(({ value }) => value)).toEqual(['1', '2']);
    expect((await log()).map(({ user, newValue }) => [user, newValue])).toEqual([
      ['ann', '1'],
      ['bob', '2'],
    ]);
  });

  it('does not send a write whose remote refused control while it was being recorded', async () => {
    const writes = pipelineOn(
      slowStore(store, async () => {
        tree.setRemoteReadOnly('site', controlRefusedReason('site'));
      }),
    );
    const result = await writes.writeOne({ name: 'site.light.1', value: '1' }, { user: 'ann', via: 'rest' });
    expect(result).toMatchObject({ ok: false, error: { code: 'read-only', message: `site.light.1 is read only: ${controlRefusedReason('site')}: nothing was sent` } });
    expect(sent).toEqual([]);
    expect(await log()).toMatchObject([{ status: 'refused', error: `site.light.1 is read only: ${controlRefusedReason('site')}` }]);
  });

  it('does not send a write whose remote was deleted while it was being recorded', async () => {
    const writes = pipelineOn(
      slowStore(store, async () => {
        exists = false;
      }),
    );
    const result = await writes.writeMany('io', [['site.light.1', '1']], { user: 'remote API client 10.0.0.9', via: 'remote-io' });
    expect(result).toEqual({ ok: false, error: 'not applied', names: ['site.light.1'], reasons: { 'site.light.1': 'no datapoint site.light.1' } });
    expect(sent).toEqual([]);
    expect(await log()).toMatchObject([{ status: 'refused', via: 'remote-io' }]);
  });
});
