// The kept self-signed certificate: made once, kept, and renewed at start when it would expire
// within 30 days (a new key and fingerprint, which pinning clients must trust again); a
// certificate that is not self-signed is never replaced.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintOf, loadCertificate, RENEW_WITHIN_DAYS } from './index';

const DAY_MS = 86_400_000;

function expiryOf(pem: string): number {
  return Date.parse(new X509Certificate(pem).validTo);
}

describe('the kept certificate', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'riohub-cert-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('is made on first start, for over two years, and kept as it is by the next', async () => {
    const first = await loadCertificate(folder, '127.0.0.1');
    expect(first.renewed).toBeUndefined();
    expect(expiryOf(first.cert) - Date.now()).toBeGreaterThan(800 * DAY_MS);
    const again = await loadCertificate(folder, '127.0.0.1');
    expect(again.cert).toBe(first.cert);
    expect(again.renewed).toBeUndefined();
  });

  it(`renews a self-signed certificate that expires within ${RENEW_WITHIN_DAYS} days, and says its new fingerprint`, async () => {
    const soon = await generate([{ name: 'commonName', value: 'riohub' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notBeforeDate: new Date(Date.now() - 800 * DAY_MS),
      notAfterDate: new Date(Date.now() + 5 * DAY_MS),
    });
    writeFileSync(join(folder, 'key.pem'), soon.private, { mode: 0o600 });
    writeFileSync(join(folder, 'cert.pem'), soon.cert);

    const renewed = await loadCertificate(folder, '127.0.0.1');
    expect(renewed.renewed).toEqual({ previousFingerprint: fingerprintOf(soon.cert), previousExpiry: expiryOf(soon.cert) });
    expect(fingerprintOf(renewed.cert)).not.toBe(fingerprintOf(soon.cert));
    expect(expiryOf(renewed.cert) - Date.now()).toBeGreaterThan(800 * DAY_MS);
    // Kept for the next start, which keeps it.
    expect(readFileSync(join(folder, 'cert.pem'), 'utf8')).toBe(renewed.cert);
    expect(readFileSync(join(folder, 'key.pem'), 'utf8')).toBe(renewed.key);
    expect((await loadCertificate(folder, '127.0.0.1')).renewed).toBeUndefined();
  });

  it('leaves a certificate that is not self-signed alone, however close its expiry', async () => {
    const issued = await generate([{ name: 'commonName', value: 'Some CA' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      clientCertificate: { cn: 'riohub', notAfterDate: new Date(Date.now() + 5 * DAY_MS) },
    });
    if (!issued.clientcert || !issued.clientprivate) throw new Error('selfsigned made no issued certificate');
    writeFileSync(join(folder, 'key.pem'), issued.clientprivate, { mode: 0o600 });
    writeFileSync(join(folder, 'cert.pem'), issued.clientcert);
    const kept = await loadCertificate(folder, '127.0.0.1');
    expect(kept.renewed).toBeUndefined();
    expect(kept.cert).toBe(issued.clientcert);
  });
});
