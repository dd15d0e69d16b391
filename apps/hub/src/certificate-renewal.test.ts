// A hub that runs for months: its kept self-signed certificate comes close to expiry while it
// runs (here: the kept files are replaced by one that expires in three days, as time would make
// them), and the next connection is served a renewed one, without a restart.
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fingerprintOf, makeSelfSigned } from '@riohub/certificate';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type TestHub } from './testing/test-hub';

/** The fingerprint of the certificate the hub serves to a new TLS connection. */
function servedFingerprint(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe('a self-signed certificate close to expiry while the hub runs', () => {
  let hub: TestHub | undefined;
  afterEach(() => hub?.close());

  it('is renewed once and served to the next connection, with the new fingerprint in the log', async () => {
    const log: { level: number; msg: string; fingerprint?: string }[] = [];
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line.trim()) log.push(JSON.parse(line) as (typeof log)[number]);
        done();
      },
    });
    // Checked every millisecond: a renewal outlasts the interval, as on a busy machine, and is not
    // started again from the same expiring files meanwhile.
    hub = await startTestHub(undefined, { tls: true, certificateCheckMs: 1, logStream });
    const first = await servedFingerprint(hub.url);
    expect(first).toBe(fingerprintOf(hub.running.certificate as string));
    const expiring = await makeSelfSigned('127.0.0.1', 'riohub', new Date(Date.now() + 3 * 86_400_000));
    writeFileSync(join(hub.dataDir, 'key.pem'), expiring.key, { mode: 0o600 });
    writeFileSync(join(hub.dataDir, 'cert.pem'), expiring.cert);
    const renewed = await eventually(() => servedFingerprint((hub as TestHub).url), (served) => served !== first && served !== fingerprintOf(expiring.cert));
    expect(renewed).toBe(fingerprintOf(readFileSync(join(hub.dataDir, 'cert.pem'), 'utf8')));
    // Later checks find the renewed files and leave them: renewed once.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await servedFingerprint(hub.url)).toBe(renewed);
    expect(log.filter((line) => line.msg.includes('renewed while running'))).toEqual([
      expect.objectContaining({ level: 40, fingerprint: renewed, previousFingerprint: fingerprintOf(expiring.cert) }),
    ]);
  });
});
