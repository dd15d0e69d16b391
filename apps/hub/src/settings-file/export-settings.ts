/**
 * `riohub export-config`: the hub's settings as a settings file for `--config`, read straight
 * from its store without its key, so that no password is ever decrypted, let alone printed.
 * Each password is named as an environment variable to set (`passwordEnv`). Safe while the hub
 * runs (a read-only connection beside it).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RemoteSettings, User } from '@riohub/hub-api';
import { CommandError } from '@riohub/cli';
import Database from 'better-sqlite3';
import { Document } from 'yaml';
import { DATABASE_FILE } from '../db/database';
import { PostgresStore } from '../db/postgres-store';
import { postgresUrlFault } from '../db/postgres-url';
import { SqliteStore } from '../db/sqlite-store';
import { readMeta, type Store } from '../db/store';
import { remotesOrder } from '../remotes/remote-repo';

/**
 * The variable each exported remote's password is named by: `REMOTE_LOBBY_PASSWORD`. Names that
 * differ only by `-` and `_` (`site-a`, `site_a`) would share one, and each remote would get the
 * other's password: the first in `names` keeps it, each other one gets the first number no other
 * remote's name gives (`REMOTE_SITE_A_2_PASSWORD`, `_3` …).
 */
export function remotePasswordVariables(names: readonly string[]): Map<string, string> {
  const stemOf = (name: string) => `REMOTE_${name.toUpperCase().replaceAll('-', '_')}`;
  const reserved = new Set(names.map(stemOf));
  const given = new Set<string>();
  const variables = new Map<string, string>();
  for (const name of names) {
    let stem = stemOf(name);
    if (given.has(stem)) {
      let number = 2;
      while (reserved.has(`${stem}_${number}`) || given.has(`${stem}_${number}`)) number++;
      stem = `${stem}_${number}`;
    }
    given.add(stem);
    variables.set(name, `${stem}_PASSWORD`);
  }
  return variables;
}

export const SERVED_API_PASSWORD_VARIABLE = 'SERVED_API_PASSWORD';
export const MQTT_PASSWORD_VARIABLE = 'MQTT_PASSWORD';

/**
 * The settings of the hub whose store is PostgreSQL's at `database` (a `postgres://` URL), else
 * the SQLite file in `dataDir`. The store is only read: neither made nor migrated.
 */
export async function exportSettings(dataDir: string, database?: string, now = new Date()): Promise<string> {
  const onPostgres = database !== undefined && database !== '' && database !== 'sqlite';
  const fault = onPostgres ? postgresUrlFault(database) : undefined;
  if (fault) throw new CommandError(`--database: ${fault}`);
  const store = onPostgres ? await PostgresStore.open(database, { max: 1, applicationName: 'riohub export-config' }) : openSqliteReadOnly(dataDir);
  try {
    return await exportStoredSettings(store, onPostgres ? store.location : dataDir, now);
  } catch (error) {
    // A database that is damaged, unreachable or not a hub's: one line that says so, as any other refusal.
    throw new CommandError(`cannot read the settings in ${store.location}: ${storeFault(error)}`, { cause: error });
  } finally {
    await store.close();
  }
}

function openSqliteReadOnly(dataDir: string): SqliteStore {
  const file = join(dataDir, DATABASE_FILE);
  if (!existsSync(file)) throw new CommandError(`no hub data in ${dataDir} (give the hub's --data folder)`);
  return new SqliteStore(new Database(file, { readonly: true, fileMustExist: true }), file);
}

/** Why the settings could not be read: the database's own words, or that it holds no hub's tables. */
function storeFault(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // SQLite's and PostgreSQL's words for a table that is not there.
  return /^no such table|^relation "[^"]*" does not exist/.test(message) ? 'it holds no riohub database' : message;
}

/** The settings in `store` as a settings file; `from` names where they were read, in its heading. */
export async function exportStoredSettings(store: Store, from: string, now = new Date()): Promise<string> {
  const stored = (await store.all<{ settings: string }>(`SELECT settings FROM remotes ORDER BY ${remotesOrder(store.kind)}`)).map(
    (row) => JSON.parse(row.settings) as RemoteSettings,
  );
  const variables = remotePasswordVariables(stored.map((settings) => settings.name));
  const remotes = stored.map((settings) => remoteEntry(settings, variables.get(settings.name) as string));
  // In the order of their names' bytes, as SQLite sorts them (PostgreSQL's "C" collation; its default is the locale's).
  const users = await store.all<User>(`SELECT name, role FROM users ORDER BY name${store.kind === 'postgres' ? ' COLLATE "C"' : ''}`);
  const served = await readMeta(store, 'served_api');
  const mqtt = await readMeta(store, 'mqtt');
  const doc = new Document({
    remotes,
    users: users.map(({ name, role }) => ({ name, role })),
    ...(served ? { servedApi: servedEntry(served) } : {}),
    ...(mqtt ? { mqtt: mqttEntry(mqtt) } : {}),
  });
  doc.commentBefore = [
    ` riohub settings, exported from ${from} at ${now.toISOString()}, for: riohub --config <this file>`,
    ' No password is in it: set each passwordEnv variable named below (or give a passwordFile instead).',
    ' Users keep their passwords; a user new to the hub it is applied to needs passwordEnv or passwordFile.',
    ' Entries not in the file are left alone; "prune: true" deletes them.',
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}

/** Every field and option, the password as the variable to set. */
function remoteEntry(settings: RemoteSettings, passwordEnv: string): Record<string, unknown> {
  return {
    name: settings.name,
    enabled: settings.enabled,
    host: settings.host,
    port: settings.port,
    tls: settings.tls,
    // Pinned without one: trust on first use, which the file keeps once an admin has trusted one.
    ...(settings.tls === 'pin' && settings.fingerprint !== '' ? { fingerprint: settings.fingerprint } : {}),
    passwordEnv,
    options: { ...settings.options },
  };
}

function servedEntry(stored: string): Record<string, unknown> {
  const settings = JSON.parse(stored) as { password?: string; address?: string; control?: boolean; ioFilter?: string; uiFilter?: string };
  return {
    ...(settings.address === undefined ? {} : { address: settings.address }),
    ...(settings.control === undefined ? {} : { control: settings.control }),
    ...(settings.ioFilter === undefined ? {} : { ioFilter: settings.ioFilter }),
    ...(settings.uiFilter === undefined ? {} : { uiFilter: settings.uiFilter }),
    ...(settings.password ? { passwordEnv: SERVED_API_PASSWORD_VARIABLE } : {}),
  };
}

/** The bridge's settings as stored, the password as the variable to set. */
function mqttEntry(stored: string): Record<string, unknown> {
  const { password, ...settings } = JSON.parse(stored) as Record<string, unknown> & { password?: string };
  return { ...settings, ...(password ? { passwordEnv: MQTT_PASSWORD_VARIABLE } : {}) };
}
