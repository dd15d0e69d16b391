/**
 * What the simulator keeps between runs in its data folder: the TLS certificate (generated on
 * first start, then kept so a hub can pin it), the instance id, and the logger history.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

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

export interface Certificate {
  key: string;
  cert: string;
}

/** The kept certificate, or a new self-signed one for localhost, the loopback addresses and `host`. */
export async function loadCertificate(folder: string, host: string): Promise<Certificate> {
  const keyFile = join(folder, 'key.pem');
  const certFile = join(folder, 'cert.pem');
  if (existsSync(keyFile) && existsSync(certFile)) {
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
  }
  const names = new Set(['localhost', '127.0.0.1', '::1', host]);
  const altNames = [...names]
    .filter((name) => name !== '0.0.0.0' && name !== '::')
    .map((name) => (isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name }));
  const notBeforeDate = new Date(Date.now() - 3600_000);
  const pems = await generate([{ name: 'commonName', value: 'riohub-sim' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 825 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  writeFileSync(certFile, pems.cert);
  return { key: pems.private, cert: pems.cert };
}
