// The throwaway PostgreSQL server of the tests: a port taken before it binds does not fail the run.
import { createServer } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startPostgres } from './postgres';

describe('a test PostgreSQL server', () => {
  it('starts on another free port when its port is taken before it binds, and answers there', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => taken.once('listening', resolve));
    const port = (taken.address() as { port: number }).port;
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
});
