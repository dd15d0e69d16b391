import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ERROR_CODES } from '@riohub/hub-api';
import { waitUntil } from '@riohub/testkit';
import { describe, expect, it } from 'vitest';
import { LinkError, RemoteClient } from './remote-client';

describe('a request that cannot be made', () => {
  it('fails as a link error at once, with nothing left armed, when a value cannot go in a URL', async () => {
    // Nothing listens on port 1: a request that left would fail differently (nothing listens).
    const client = new RemoteClient({ host: '127.0.0.1', port: 1, tls: 'http', fingerprint: '' }, 'password');
    try {
      const write = client.write('io', [['dummy.light.1', '\ud800']]);
      await expect(write).rejects.toBeInstanceOf(LinkError);
      await expect(write).rejects.toMatchObject({ code: ERROR_CODES.CONNECTION_FAILED, message: expect.stringContaining('URI malformed') as unknown });
    } finally {
      await client.close();
    }
  });
});

describe('requests stopped by their signal', () => {
  it('stops every request in flight with the signal that is aborted, and none other, however many came and went before', async () => {
    // A remote that holds every request until told to answer it (a list of no loggers).
    const held: ServerResponse[] = [];
    const server = createServer((_request, response) => void held.push(response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new RemoteClient({ host: '127.0.0.1', port, tls: 'http', fingerprint: '' }, 'password');
    const answerAll = () => {
      for (const response of held.splice(0)) response.writeHead(200, { 'content-type': 'application/json' }).end('{"hsycologs":[]}');
    };
    const heldCount = (count: number) => waitUntil(async () => held.length === count, 10_000, `${count} requests held`);
    const aborted = { message: expect.stringMatching(/aborted/i) as unknown };
    try {
      const stopped = new AbortController();
      const other = new AbortController();
      // Requests answered before, each with the signal: nothing they left behind may stop a later one.
      for (let i = 0; i < 3; i++) {
        const done = client.readLoggers(stopped.signal);
        await heldCount(1);
        answerAll();
        expect(await done).toEqual([]);
      }
      const first = client.readLoggers(stopped.signal);
      const second = client.readLoggers(stopped.signal);
      const kept = client.readLoggers(other.signal);
      let keptSettled = false;
      void kept.finally(() => (keptSettled = true)).catch(() => undefined);
      await heldCount(3);
      stopped.abort();
      await expect(first).rejects.toMatchObject(aborted);
      await expect(second).rejects.toMatchObject(aborted);
      // The abort stopped its requests as it was made: the other signal's would have been stopped by now.
      expect(keptSettled).toBe(false);
      answerAll();
      expect(await kept).toEqual([]);
      // A signal already aborted stops a request before it leaves.
      await expect(client.readLoggers(stopped.signal)).rejects.toMatchObject(aborted);
      expect(held).toHaveLength(0);
    } finally {
      await client.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
