/**
 * Remote entries in the store. The password column is read only to open a link, never returned; it
 * is stored sealed (db/secret-box.ts) under the remote's name.
 */
import type { RemoteSettings } from '@riohub/hub-api';
import { SecretBox, SecretUnreadableError } from '../db/secret-box';
import { secretBoxOf, type Store, type StoreKind } from '../db/store';

/** What a remote shows when its stored password was sealed under another key. */
export const PASSWORD_UNREADABLE = 'stored password cannot be decrypted: enter it again';

export interface StoredRemote {
  settings: RemoteSettings;
  /** Empty when there is none, or when it cannot be decrypted (then `passwordError` says so). */
  password: string;
  passwordError?: string;
  /** Created by `--demo`: its port and certificate follow the demo simulators. */
  demo: boolean;
}

interface Row {
  settings: string;
  password: string;
  demo: number;
}

/** The associated data a remote's password is sealed with. */
function place(name: string): string {
  return `remote:${name}`;
}

/**
 * The `ORDER BY` of the remotes as they are listed: by creation, those created within one
 * millisecond in the order they were inserted (SQLite's rowid, PostgreSQL's `seq`: it has no rowid).
 */
export function remotesOrder(kind: StoreKind): string {
  return kind === 'postgres' ? 'created_at, seq' : 'created_at, rowid';
}

export class RemoteRepo {
  constructor(
    private readonly store: Store,
    /** Told, and waited for, once an entry inserted, changed or deleted here is stored: the fleet's copy of the entries follows. */
    private readonly changed: () => Promise<void> = async () => {},
  ) {}

  async list(): Promise<StoredRemote[]> {
    const rows = await this.store.all<Row>(`SELECT settings, password, demo FROM remotes ORDER BY ${remotesOrder(this.store.kind)}`);
    return rows.map((row) => this.fromRow(row));
  }

  async get(name: string): Promise<StoredRemote | undefined> {
    const row = await this.store.get<Row>('SELECT settings, password, demo FROM remotes WHERE name = ?', [name]);
    return row && this.fromRow(row);
  }

  async insert(settings: RemoteSettings, password: string, demo = false): Promise<void> {
    await this.store.run('INSERT INTO remotes (name, settings, password, demo, created_at) VALUES (?, ?, ?, ?, ?)', [
      settings.name,
      JSON.stringify(settings),
      this.seal(settings.name, password),
      demo ? 1 : 0,
      Date.now(),
    ]);
    await this.changed();
  }

  async update(settings: RemoteSettings, password: string | undefined): Promise<void> {
    if (password === undefined) {
      await this.store.run('UPDATE remotes SET settings = ? WHERE name = ?', [JSON.stringify(settings), settings.name]);
    } else {
      await this.store.run('UPDATE remotes SET settings = ?, password = ? WHERE name = ?', [JSON.stringify(settings), this.seal(settings.name, password), settings.name]);
    }
    await this.changed();
  }

  async delete(name: string): Promise<boolean> {
    const deleted = (await this.store.run('DELETE FROM remotes WHERE name = ?', [name])).changes > 0;
    if (deleted) await this.changed();
    return deleted;
  }

  /** Seals the passwords stored in plain text by an earlier version, in one transaction; returns how many. */
  async sealPlainPasswords(): Promise<number> {
    // What the entries say does not change (only how their passwords are stored): no one is told.
    return this.store.transaction(async (tx) => {
      const rows = await tx.all<{ name: string; password: string }>('SELECT name, password FROM remotes');
      const plain = rows.filter((row) => row.password !== '' && !SecretBox.isSealed(row.password));
      for (const row of plain) await tx.run('UPDATE remotes SET password = ? WHERE name = ?', [this.seal(row.name, row.password), row.name]);
      return plain.length;
    });
  }

  private seal(name: string, password: string): string {
    return secretBoxOf(this.store).seal(password, place(name));
  }

  private fromRow(row: Row): StoredRemote {
    const settings = JSON.parse(row.settings) as RemoteSettings;
    const demo = row.demo === 1;
    try {
      const password = SecretBox.isSealed(row.password) ? secretBoxOf(this.store).open(row.password, place(settings.name)) : row.password;
      return { settings, password, demo };
    } catch (error) {
      if (!(error instanceof SecretUnreadableError)) throw error;
      return { settings, password: '', passwordError: PASSWORD_UNREADABLE, demo };
    }
  }
}
