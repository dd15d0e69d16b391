// The PostgreSQL store against a real server (the PostgreSQL pass only): what it does when the
// server cuts a connection the hub holds, and how it numbers placeholders.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore } from '../testing/test-store';
import { numberPlaceholders } from './postgres-store';
import type { Store } from './store';

describe('the PostgreSQL store', () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'riohub-postgres-store-'));
    store = await openTestStore(dir);
    expect(store.kind).toBe('postgres');
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('survives the server ending the connection of an open transaction: the transaction fails as a storage failure, and the next statement works', async () => {
    const failed = await store
      .transaction(async (tx) => {
        await tx.run("INSERT INTO meta (key, value) VALUES ('cut', 'before')");
        await tx.run('SELECT pg_terminate_backend(pg_backend_pid())');
      })
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(Error);
    expect(store.isStorageError(failed)).toBe(true);
    // The process is still here (an unheard 'error' event would have ended it), and nothing of the transaction stayed.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await store.get("SELECT value FROM meta WHERE key = 'cut'")).toBeUndefined();
    await store.run("INSERT INTO meta (key, value) VALUES ('after', 'ok')");
    expect(await store.get("SELECT value FROM meta WHERE key = 'after'")).toEqual({ value: 'ok' });
  });

  it('finds no row for a text with a NUL character, which PostgreSQL cannot hold, as SQLite finds none', async () => {
    await store.run("INSERT INTO meta (key, value) VALUES ('a', 'b')");
    expect(await store.get('SELECT value FROM meta WHERE key = ?', ['a\u0000'])).toBeUndefined();
    expect(await store.all('SELECT value FROM meta WHERE key = ?', ['a\u0000b'])).toEqual([]);
  });

  it("numbers `?` as $1, $2… but not inside strings, quoted names or comments", () => {
    expect(numberPlaceholders(`SELECT "a?" , 'it''s ?', ? -- what?\n, ?`)).toBe(`SELECT "a?" , 'it''s ?', $1 -- what?\n, $2`);
  });
});
