/**
 * A Remote I/O server on loopback whose every answer a test writes itself (`handler`): for what
 * the simulator would never send, such as an oversized state, a NUL character or pages held
 * back. Over HTTPS with a certificate of its own by default, as a remote is; over plain HTTP
 * when asked. Pass it to `addSim` as it is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCertificate } from '@riohub/certificate';

export interface ScriptedRemote {
  url: string;
  /** Its certificate (PEM), to pin; `undefined` over plain HTTP. */
  certificate: string | undefined;
  /** Closes it, dropping the connections it holds (a held poll among them). */
  close(): Promise<void>;
}

export async function startScriptedRemote(handler: RequestListener, transport: 'https' | 'http' = 'https'): Promise<ScriptedRemote> {
  const folder = transport === 'https' ? mkdtempSync(join(tmpdir(), 'riohub-scripted-remote-')) : undefined;
  const certificate = folder === undefined ? undefined : await loadCertificate(folder, '127.0.0.1', 'scripted-remote');
  const server = certificate ? createHttpsServer({ key: certificate.key, cert: certificate.cert }, handler) : createHttpServer(handler);
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    url: `${transport}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    certificate: certificate?.cert,
    async close() {
      server.closeAllConnections();
      await new Promise((closed) => server.close(closed));
      if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
    },
  };
}
