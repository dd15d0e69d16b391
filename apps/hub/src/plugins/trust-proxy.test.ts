// Behind a reverse proxy (--trust-proxy): real requests carrying X-Forwarded-For, -Host and -Proto,
// as a TLS-terminating proxy on this machine sends them. The client's address (sign-in throttle,
// audit), the host checked against DNS rebinding and cross-site requests, and the Secure cookie
// follow them; without --trust-proxy, or from a proxy not listed, the same headers change nothing.
import type { AuditRecord } from '@riohub/hub-api';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestHub, type TestHub } from '../testing/test-hub';

const PUBLIC_NAME = 'hub.example.com';
const CLIENT = '198.51.100.23';

/** What the proxy adds to a browser's request for https://hub.example.com/…. */
const FORWARDED = { 'x-forwarded-for': CLIENT, 'x-forwarded-host': PUBLIC_NAME, 'x-forwarded-proto': 'https' };

async function signIn(hub: TestHub, headers: Record<string, string>): Promise<{ status: number; cookie: string | undefined; body: string }> {
  const response = await request(`${hub.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ name: 'admin', password: ADMIN_PASSWORD }),
  });
  const setCookie = response.headers['set-cookie'];
  return { status: response.statusCode, cookie: Array.isArray(setCookie) ? setCookie[0] : setCookie, body: await response.body.text() };
}

async function lastSignInAddress(hub: TestHub): Promise<string | undefined> {
  const records = await hub.admin.data<AuditRecord[]>('GET', '/api/audit?filter=session.sign-in');
  return records.find((record) => record.action === 'session.sign-in')?.address;
}

describe('--trust-proxy loopback', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub(undefined, { trustProxy: 'loopback', allowedHosts: [PUBLIC_NAME] });
  });
  afterAll(() => hub.close());

  it("signs in a browser's request from the proxy's public name: the origin checked against X-Forwarded-Host, a Secure cookie for X-Forwarded-Proto https, the forwarded client in the audit", async () => {
    const answer = await signIn(hub, { ...FORWARDED, origin: `https://${PUBLIC_NAME}` });
    expect(answer.status).toBe(200);
    expect(answer.cookie).toMatch(/^riohub_session=/);
    expect(answer.cookie?.split(';').map((part) => part.trim().toLowerCase())).toContain('secure');
    expect(await lastSignInAddress(hub)).toBe(CLIENT);
  });

  it('refuses a page of another site behind the proxy, and a name the hub does not answer to', async () => {
    const crossSite = await signIn(hub, { ...FORWARDED, origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body).toContain('another site');
    const rebound = await signIn(hub, { ...FORWARDED, 'x-forwarded-host': 'evil.example', origin: 'https://evil.example' });
    expect(rebound.status).toBe(421);
    expect(rebound.body).toContain('--allowed-hosts evil.example');
  });

  it('sets no Secure cookie when the proxy says the browser came over plain HTTP', async () => {
    const answer = await signIn(hub, { ...FORWARDED, 'x-forwarded-proto': 'http', origin: `http://${PUBLIC_NAME}` });
    expect(answer.status).toBe(200);
    expect(answer.cookie?.split(';').map((part) => part.trim().toLowerCase())).not.toContain('secure');
  });
});

describe('forwarded headers without a trusted proxy', () => {
  it('believes none of them without --trust-proxy: the origin is compared with Host, the address is the socket’s', async () => {
    const hub = await startTestHub(undefined, { allowedHosts: [PUBLIC_NAME] });
    try {
      const refused = await signIn(hub, { ...FORWARDED, origin: `https://${PUBLIC_NAME}` });
      expect(refused.status).toBe(403);
      const plain = await signIn(hub, FORWARDED);
      expect(plain.status).toBe(200);
      expect(plain.cookie?.split(';').map((part) => part.trim().toLowerCase())).not.toContain('secure');
      expect(await lastSignInAddress(hub)).toBe('127.0.0.1');
    } finally {
      await hub.close();
    }
  });

  it('believes none of them from a proxy that is not the one listed', async () => {
    const hub = await startTestHub(undefined, { trustProxy: '10.0.0.5', allowedHosts: [PUBLIC_NAME] });
    try {
      expect((await signIn(hub, { ...FORWARDED, origin: `https://${PUBLIC_NAME}` })).status).toBe(403);
      expect((await signIn(hub, FORWARDED)).status).toBe(200);
      expect(await lastSignInAddress(hub)).toBe('127.0.0.1');
    } finally {
      await hub.close();
    }
  });
});
