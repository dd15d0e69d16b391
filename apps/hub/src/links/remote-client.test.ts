import { ERROR_CODES } from '@riohub/hub-api';
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
