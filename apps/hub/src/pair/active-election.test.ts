// The election's fence on a real PostgreSQL: a deposed hub's transaction that passed its fence
// just before a takeover commits before the new active hub acts, or not at all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../db/database';
import { SecretBox } from '../db/secret-box';
import type { Store } from '../db/store';
import { eventually } from '../testing/test-hub';
import { testDatabase, type TestDatabase } from '../testing/test-store';
import { ActiveElection, NotActiveError } from './active-election';

const quiet = { info: () => {}, warn: () => {} };

describe('the active hub election', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function sharedDatabase(): Promise<{ store: Store; url: string }> {
    const database: TestDatabase = await testDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'riohub-election-'));
    const store = await openStore(dir, database.database, new SecretBox(Buffer.alloc(32, 7)));
    cleanups.push(async () => {
      await store.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    });
    return { store, url: database.database as string };
  }

  function election(url: string, heartbeatMs = 100): ActiveElection {
    const made = new ActiveElection(url, { heartbeatMs, sessionTimeoutMs: 5_000, logger: quiet });
    cleanups.push(() => made.stop());
    return made;
  }

  it('lets a takeover act only once the deposed hub’s fenced transaction has ended, and fences that hub out from then on', async () => {
    const { store, url } = await sharedDatabase();
    const first = election(url);
    await first.start();
    expect(first.state.active).toBe(true);
    const second = election(url);
    await second.start();
    expect(second.state.active).toBe(false);

    // The first hub fences a transaction, then stalls in it (a hang between its check and its commit).
    let finish: () => void = () => {};
    const stalled = new Promise<void>((resolve) => (finish = resolve));
    // Whatever fails below, the transaction ends, so that the store can close.
    cleanups.push(async () => finish());
    let committedAt = 0;
    let fenced = false;
    const deposedWrite = store
      .transaction(async (tx) => {
        // Not ended by the server for idling while the test looks on, however slow the machine.
        await tx.run('SET LOCAL idle_in_transaction_session_timeout = 60000');
        await first.fence(tx);
        await tx.run("INSERT INTO meta (key, value) VALUES ('deposed-write', 'committed')");
        fenced = true;
        await stalled;
      })
      .then(() => (committedAt = Date.now()));
    await eventually(async () => fenced, (done) => done);

    // Its lock session ends (stopped here, so that it does not take the lock again): the second
    // hub takes the lock, and its raise of the epoch waits for the fenced transaction.
    await first.stop();
    await eventually(
      async () => (await store.get<{ n: number }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'riohub election' AND wait_event_type = 'Lock'"))?.n ?? 0,
      (n) => n === 1,
      15_000,
    );
    expect(second.state.active).toBe(false);

    // Its commit is sent only now: the second hub cannot act before this moment.
    const releasedAt = Date.now();
    finish();
    await deposedWrite;
    await eventually(async () => second.state, (state) => state.active, 15_000);
    expect(committedAt).toBeGreaterThan(0);
    expect(second.state.since).toBeGreaterThanOrEqual(releasedAt);

    // Whatever the deposed hub tries from now on is refused.
    await expect(store.transaction((tx) => first.fence(tx))).rejects.toBeInstanceOf(NotActiveError);
    await expect(store.transaction((tx) => second.fence(tx))).resolves.toBeUndefined();
  });

  it('refuses the fence of a hub that still believes it is active once the epoch was raised, and the hub stands by', async () => {
    const { store, url } = await sharedDatabase();
    // No heartbeat before the fence: only the database can tell it.
    const unaware = election(url, 60_000);
    await unaware.start();
    await expect(store.transaction((tx) => unaware.fence(tx))).resolves.toBeUndefined();
    await store.run("UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'active_epoch'");
    expect(unaware.state.active).toBe(true);
    await expect(store.transaction((tx) => unaware.fence(tx))).rejects.toBeInstanceOf(NotActiveError);
    expect(unaware.state.active).toBe(false);
  });
});
