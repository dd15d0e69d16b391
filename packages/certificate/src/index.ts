/**
 * A self-signed certificate kept in a folder (made on first start, renewed when it is loaded and it
 * would expire within 30 days), and SHA-256 fingerprints.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

export interface Certificate {
  key: string;
  cert: string;
  /**
   * Set when the kept self-signed certificate was about to expire and this one replaced it: its
   * fingerprint differs, so clients that pinned the old one must trust the new one.
   */
  renewed?: { previousFingerprint: string; previousExpiry: number };
}

/** A kept self-signed certificate expiring within this many days is replaced at start. */
export const RENEW_WITHIN_DAYS = 30;
const DAY_MS = 86_400_000;
/** How long a new certificate is valid: 825 days, the longest browsers accept. */
const VALID_DAYS = 825;

/**
 * The kept certificate, or a new self-signed one for localhost, the loopback addresses and `host`
 * (also when the kept one is self-signed and expires within RENEW_WITHIN_DAYS days). A certificate
 * that is not self-signed, put there by hand, is kept whatever its expiry.
 */
export async function loadCertificate(folder: string, host: string, commonName = 'riohub'): Promise<Certificate> {
  const keyFile = join(folder, 'key.pem');
  const certFile = join(folder, 'cert.pem');
  let previous: X509Certificate | undefined;
  if (existsSync(keyFile) && existsSync(certFile)) {
    const kept = { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
    const x509 = new X509Certificate(kept.cert);
    // Its own issuer, signed by its own key (checkIssued would also ask for a CA's key usage).
    const selfSigned = x509.issuer === x509.subject && x509.verify(x509.publicKey);
    if (!selfSigned || Date.parse(x509.validTo) - Date.now() > RENEW_WITHIN_DAYS * DAY_MS) return kept;
    previous = x509;
  }
  const pems = await makeSelfSigned(host, commonName);
  writeFileSync(keyFile, pems.key, { mode: 0o600 });
  writeFileSync(certFile, pems.cert);
  return previous ? { ...pems, renewed: { previousFingerprint: previous.fingerprint256, previousExpiry: Date.parse(previous.validTo) } } : pems;
}

/**
 * A new self-signed certificate for localhost, the loopback addresses and `host`, valid from an
 * hour ago for VALID_DAYS days (or until `notAfter`).
 */
export async function makeSelfSigned(host: string, commonName: string, notAfter?: Date): Promise<Certificate> {
  const names = new Set(['localhost', '127.0.0.1', '::1', host]);
  const altNames = [...names]
    .filter((name) => name !== '0.0.0.0' && name !== '::')
    .map((name) => (isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name }));
  const notBeforeDate = new Date(Date.now() - 3600_000);
  // Loaded when a certificate is made, not with every process that imports this package: its
  // X.509 library is some 250 modules, a quarter of what a hub on plain HTTP would load at start.
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: notAfter ?? new Date(notBeforeDate.getTime() + VALID_DAYS * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/** The SHA-256 fingerprint of a PEM certificate, as Node reports it (`AB:CD:…`). */
export function fingerprintOf(certificatePem: string): string {
  return new X509Certificate(certificatePem).fingerprint256;
}
