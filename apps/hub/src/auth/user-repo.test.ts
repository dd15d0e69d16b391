// The last admin on the store itself (SQLite, and PostgreSQL in its pass): two changes made at
// once, as two requests or two hubs of a pair make them, cannot both go through and leave no admin.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../db/store';
import { openTestStore } from '../testing/test-store';
import { UserRepo } from './user-repo';

describe('UserRepo and the last admin', () => {
  let dataDir: string;
  let store: Store;
  let users: UserRepo;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'riohub-users-'));
    store = await openTestStore(dataDir);
    users = new UserRepo(store);
    await users.create('ada', 'admin', 'first-admin-pw');
    await users.create('bob', 'admin', 'second-admin-pw');
    // Connections open and waiting (PostgreSQL's pool): the changes below run side by side, not
    // one after the other while a second connection is made.
    await Promise.all([1, 2, 3].map(() => store.get('SELECT 1 AS one')));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const admins = async () => (await users.list()).filter((user) => user.role === 'admin').map((user) => user.name);

  it('demotes one of two admins demoted at once, and refuses the other', async () => {
    const outcomes = await Promise.all([users.update('ada', { role: 'operator' }), users.update('bob', { role: 'viewer' })]);
    expect(outcomes.sort()).toEqual(['done', 'last admin']);
    expect(await admins()).toHaveLength(1);
  });

  it('deletes one of two admins deleted at once, and refuses the other', async () => {
    const outcomes = await Promise.all([users.delete('ada'), users.delete('bob')]);
    expect(outcomes.sort()).toEqual(['done', 'last admin']);
    expect(await admins()).toHaveLength(1);
  });

  it('lets a demotion and a deletion of the two admins at once leave one of them admin', async () => {
    const outcomes = await Promise.all([users.update('ada', { role: 'viewer' }), users.delete('bob')]);
    expect(outcomes.sort()).toEqual(['done', 'last admin']);
    expect(await admins()).toHaveLength(1);
  });

  it('changes the last admin’s password, and tells a missing user apart', async () => {
    expect(await users.delete('bob')).toBe('done');
    expect(await users.update('ada', { password: 'a-new-password' })).toBe('done');
    expect(await users.update('ada', { role: 'admin' })).toBe('done');
    expect(await users.update('nobody', { role: 'viewer' })).toBe('missing');
    expect(await users.delete('nobody')).toBe('missing');
    expect(await users.authenticate('ada', 'a-new-password')).toEqual({ name: 'ada', role: 'admin' });
  });
});
