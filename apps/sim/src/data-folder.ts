/**
 * What the simulator keeps between runs in its data folder: the TLS certificate (see
 * @riohub/certificate), the instance id, and the logger history.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DataFolder {
  path: string;
  /** Removes the folder when it was a temporary one. */
  dispose(): void;
}

export function openDataFolder(path: string | undefined): DataFolder {
  if (path === undefined) {
    const temporary = mkdtempSync(join(tmpdir(), 'riohub-sim-'));
    return { path: temporary, dispose: () => rmSync(temporary, { recursive: true, force: true }) };
  }
  mkdirSync(path, { recursive: true });
  return { path, dispose: () => {} };
}

export function loadInstanceId(folder: string): string {
  const file = join(folder, 'instance-id');
  if (existsSync(file)) {
    const id = readFileSync(file, 'utf8').trim();
    if (id !== '') return id;
  }
  const id = randomUUID();
  writeFileSync(file, `${id}\n`);
  return id;
}
