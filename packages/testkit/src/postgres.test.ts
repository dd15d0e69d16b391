// The throwaway PostgreSQL server of the tests: a port taken before it binds does not fail the run,
// and a start that fails for another reason says that reason.
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startPostgres } from './postgres';

async function takePort(): Promise<[Server, number]> {
  const taken = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => taken.once('listening', resolve));
  return [taken, (taken.address() as { port: number }).port];
}

describe('a test PostgreSQL server', () => {
  it('starts on another free port when its port is taken before it binds, and answers there', async () => {
    const [taken, port] = await takePort();
    try {
      const cluster = await startPostgres({ port });
      try {
        expect(cluster.port).not.toBe(port);
        expect(cluster.url()).toContain(`:${cluster.port}/`);
        const client = new pg.Client({ connectionString: cluster.url() });
        await client.connect();
        try {
          expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
        } finally {
          await client.end();
        }
      } finally {
        await cluster.close();
      }
    } finally {
      taken.close();
    }
  });

  it("judges a failed start by that start's own log lines: another cause after a taken port is said at once, not retried", async () => {
    const [taken, port] = await takePort();
    const cluster = await startPostgres({ port }).finally(() => taken.close());
    try {
      await cluster.stop();
      // A setting the server refuses: its next start fails for a reason that is not the port.
      appendFileSync(join(cluster.dataDir, 'postgresql.auto.conf'), 'no_such_setting = 1\n');
      const failure = await cluster.start().then(() => undefined, (error: unknown) => error as Error);
      expect(failure?.message).toMatch(/its log:\n(.*\n)*.*no_such_setting/);
      expect(failure?.message).not.toMatch(/could not bind|already in use/i);
      // Tried once: the server said so once.
      expect(readFileSync(join(cluster.dataDir, '..', 'server.log'), 'utf8').match(/no_such_setting/g)).toHaveLength(1);
    } finally {
      await cluster.close();
    }
  });
});
