/** Remote entries in SQLite. The password column is read only to open a link, never returned. */
import type { RemoteSettings } from '@riohub/hub-api';
import type { HubDatabase } from '../db/database';

export interface StoredRemote {
  settings: RemoteSettings;
  password: string;
  /** Created by `--demo`: its port and certificate follow the demo simulators. */
  demo: boolean;
}

interface Row {
  settings: string;
  password: string;
  demo: number;
}

export class RemoteRepo {
  constructor(private readonly db: HubDatabase) {}

  list(): StoredRemote[] {
    const rows = this.db.prepare('SELECT settings, password, demo FROM remotes ORDER BY created_at, rowid').all() as Row[];
    return rows.map(fromRow);
  }

  get(name: string): StoredRemote | undefined {
    const row = this.db.prepare('SELECT settings, password, demo FROM remotes WHERE name = ?').get(name) as Row | undefined;
    return row && fromRow(row);
  }

  insert(settings: RemoteSettings, password: string, demo = false): void {
    this.db
      .prepare('INSERT INTO remotes (name, settings, password, demo, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(settings.name, JSON.stringify(settings), password, demo ? 1 : 0, Date.now());
  }

  update(settings: RemoteSettings, password: string | undefined): void {
    if (password === undefined) {
      this.db.prepare('UPDATE remotes SET settings = ? WHERE name = ?').run(JSON.stringify(settings), settings.name);
    } else {
      this.db
        .prepare('UPDATE remotes SET settings = ?, password = ? WHERE name = ?')
        .run(JSON.stringify(settings), password, settings.name);
    }
  }

  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM remotes WHERE name = ?').run(name).changes > 0;
  }
}

function fromRow(row: Row): StoredRemote {
  return { settings: JSON.parse(row.settings) as RemoteSettings, password: row.password, demo: row.demo === 1 };
}
