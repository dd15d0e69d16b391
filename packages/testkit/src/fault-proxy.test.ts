// The fault proxy over real loopback sockets: an HTTP upstream for byte-exact faults, and a real
// simulator behind TLS terminated with its own certificate, as the hub's fault tests use it.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FaultProxy, oversizedState } from './fault-proxy';
import { RioTestClient } from './rio-client';
import { spawnSim, type SimProcess } from '@riohub/sim-launcher';

const BIG = 'a'.repeat(100_000);

interface Upstream {
  server: http.Server;
  port: number;
  requests: number;
  /** Answers every held `/slow` request. */
  release(): void;
}

async function startUpstream(): Promise<Upstream> {
  const held: http.ServerResponse[] = [];
  const upstream: Upstream = {
    server: http.createServer((request, response) => {
      upstream.requests++;
      if (request.url === '/slow') return void held.push(response);
      response.setHeader('content-type', 'text/plain');
      response.end(request.url === '/big' ? BIG : 'hello');
    }),
    port: 0,
    requests: 0,
    release: () => held.splice(0).forEach((response) => response.end('late')),
  };
  await new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve));
  upstream.port = (upstream.server.address() as net.AddressInfo).port;
  return upstream;
}

interface Exchange {
  data: Buffer;
  /** How the connection ended: a clean end, or an error code. */
  outcome: 'end' | string;
  chunks: number;
}

/** One request on a raw socket; resolves when the connection ends or `timeoutMs` passes (`'open'`). */
function exchange(port: number, path: string, timeoutMs = 10_000, onOpen?: (socket: net.Socket) => void): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let outcome: string | undefined;
    const finish = (how: string) => {
      outcome ??= how;
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(chunks), outcome, chunks: chunks.length });
    };
    const timer = setTimeout(() => finish('open'), timeoutMs);
    socket.on('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n`);
      onOpen?.(socket);
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => finish('end'));
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
  });
}

function bodyOf(data: Buffer): string {
  const text = data.toString('latin1');
  return text.slice(text.indexOf('\r\n\r\n') + 4);
}

describe('fault proxy over plain TCP', () => {
  let upstream: Upstream;
  let proxy: FaultProxy;

  beforeAll(async () => {
    upstream = await startUpstream();
    proxy = await FaultProxy.start({ upstreamPort: upstream.port });
  });
  afterEach(() => {
    proxy.setMode({ kind: 'pass' });
    upstream.release();
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise((resolve) => upstream.server.close(resolve));
  });

  it('forwards both ways in pass mode', async () => {
    const result = await exchange(proxy.port, '/big');
    expect(result.outcome).toBe('end');
    expect(bodyOf(result.data)).toBe(BIG);
  });

  it('blackhole: reads the request and never answers, and stops an open connection mid-wait', async () => {
    proxy.setMode({ kind: 'blackhole' });
    const before = upstream.requests;
    const fresh = await exchange(proxy.port, '/big', 1_000);
    expect(fresh).toMatchObject({ outcome: 'open', chunks: 0 });
    expect(upstream.requests).toBe(before);

    proxy.setMode({ kind: 'pass' });
    const held = exchange(proxy.port, '/slow', 1_500);
    await waitFor(() => upstream.requests > before);
    proxy.setMode({ kind: 'blackhole' });
    upstream.release();
    expect(await held).toMatchObject({ outcome: 'open', chunks: 0 });
  });

  it('reset: forwards exactly N bytes of the answer, then a TCP reset', async () => {
    proxy.setMode({ kind: 'reset', afterBytes: 1000 });
    const result = await exchange(proxy.port, '/big');
    expect(result.outcome).toBe('ECONNRESET');
    expect(result.data.length).toBeLessThanOrEqual(1000);
    expect(result.data.toString('latin1')).toMatch(/^HTTP\/1\.1 200/);
  });

  it('truncate: forwards exactly N bytes of the answer, then closes cleanly', async () => {
    proxy.setMode({ kind: 'truncate', afterBytes: 1000 });
    const result = await exchange(proxy.port, '/big');
    expect(result).toMatchObject({ outcome: 'end' });
    expect(result.data.length).toBe(1000);
  });

  it('garbage: answers 200 with junk, without asking the upstream', async () => {
    proxy.setMode({ kind: 'garbage', body: 'not json at all' });
    const before = upstream.requests;
    const result = await exchange(proxy.port, '/big');
    expect(result.outcome).toBe('end');
    expect(result.data.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(bodyOf(result.data)).toBe('not json at all');
    expect(upstream.requests).toBe(before);
  });

  it('garbage switched on answers a request already waiting on the upstream', async () => {
    const before = upstream.requests;
    const held = exchange(proxy.port, '/slow');
    await waitFor(() => upstream.requests > before);
    proxy.setMode({ kind: 'garbage', body: 'junk' });
    const result = await held;
    expect(bodyOf(result.data)).toBe('junk');
  });

  it('oversized: a valid JSON state of exactly the asked size', async () => {
    const bytes = 3 * 1024 * 1024 + 17;
    proxy.setMode({ kind: 'oversized', bytes });
    const result = await exchange(proxy.port, '/');
    const body = bodyOf(result.data);
    expect(result.data.toString('latin1')).toContain(`content-length: ${bytes}\r\n`);
    expect(body.length).toBe(bytes);
    const state = JSON.parse(body) as { hsycostate: { timestamp: number; io: Record<string, string> } };
    // Megabyte values: a few datapoints, not millions of names.
    expect(Object.keys(state.hsycostate.io)).toEqual(['oversized.0', 'oversized.1', 'oversized.2']);
    expect(state.hsycostate.timestamp).toBeGreaterThan(0);
    // Every size from the smallest up is exact.
    for (const size of [70, 71, 90, 1000]) expect([...oversizedState(size)].join('').length).toBe(size);
  });

  it('oversized and chunked: the same state, with no length announced', async () => {
    const bytes = 1024 * 1024 + 5;
    proxy.setMode({ kind: 'oversized', bytes, chunked: true });
    const result = await exchange(proxy.port, '/');
    const head = result.data.toString('latin1').split('\r\n\r\n')[0] ?? '';
    expect(head).toContain('transfer-encoding: chunked');
    expect(head).not.toContain('content-length');
    // Undo the framing: hex size, CRLF, data, CRLF, … then a zero-size chunk.
    let rest = result.data.subarray(head.length + 4);
    const pieces: Buffer[] = [];
    for (;;) {
      const lineEnd = rest.indexOf('\r\n');
      const size = Number.parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
      if (size === 0) break;
      pieces.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      rest = rest.subarray(lineEnd + 2 + size + 2);
    }
    const body = Buffer.concat(pieces).toString('utf8');
    expect(body.length).toBe(bytes);
    expect(Object.keys((JSON.parse(body) as { hsycostate: { io: object } }).hsycostate.io).length).toBeGreaterThan(0);
  });

  it('trickle: the whole answer arrives, a few bytes at a time; pass releases the rest at once', async () => {
    proxy.setMode({ kind: 'trickle', bytesPerTick: 50, intervalMs: 5 });
    const slow = await exchange(proxy.port, '/slow-not-held-hello');
    expect(bodyOf(slow.data)).toBe('hello');
    expect(slow.chunks).toBeGreaterThan(2);

    proxy.setMode({ kind: 'trickle', bytesPerTick: 10, intervalMs: 50 });
    let received = 0;
    const big = exchange(proxy.port, '/big', 10_000, (socket) => socket.on('data', (chunk: Buffer) => (received += chunk.length)));
    await waitFor(() => received > 0);
    expect(received).toBeLessThan(BIG.length);
    proxy.setMode({ kind: 'pass' });
    const result = await big;
    expect(result.outcome).toBe('end');
    expect(bodyOf(result.data)).toBe(BIG);
  });

  it('closes the client connection when the upstream goes away, and refuses nothing else meanwhile', async () => {
    const before = upstream.requests;
    const held = exchange(proxy.port, '/slow');
    await waitFor(() => upstream.requests > before);
    upstream.server.closeAllConnections();
    const result = await held;
    expect(result.outcome).not.toBe('open');
    expect(result.data.length).toBe(0);
    expect((await exchange(proxy.port, '/')).outcome).toBe('end');
  });
});

describe('fault proxy terminating TLS in front of a real simulator', () => {
  const PASSWORD = 'proxy-pw';
  let sim: SimProcess;
  let proxy: FaultProxy;
  let client: RioTestClient;

  beforeAll(async () => {
    sim = await spawnSim(['--password', PASSWORD, '--lights', '2', '--dimmers', '1', '--shutters', '0', '--sensors', '0', '--virtuals', '0']);
    const cert = sim.certificate as string;
    proxy = await FaultProxy.start({ upstreamPort: Number(new URL(sim.url).port), tls: { cert, key: readFileSync(join(sim.dataDir, 'key.pem'), 'utf8') } });
    // The client trusts exactly the simulator's certificate: the proxy shows it that one.
    client = new RioTestClient(proxy.url, cert);
  });
  afterAll(async () => {
    await client?.close();
    await proxy?.close();
    await sim?.stop('SIGKILL');
  });

  it('passes the simulator through, then serves each fault over the same TLS', async () => {
    const direct = new RioTestClient(sim.url, sim.certificate);
    const expected = (await direct.get(`/x/rioget?1*1*${PASSWORD}`)).body;
    await direct.close();
    expect((await client.get(`/x/rioget?1*1*${PASSWORD}`)).body).toBe(expected);

    proxy.setMode({ kind: 'garbage' });
    const garbage = await client.get(`/x/rioget?1*1*${PASSWORD}`);
    expect(garbage.status).toBe(200);
    expect(() => JSON.parse(garbage.body) as unknown).toThrow();

    proxy.setMode({ kind: 'reset', afterBytes: 40 });
    await expect(client.get(`/x/rioget?1*1*${PASSWORD}`)).rejects.toThrow();

    proxy.setMode({ kind: 'pass' });
    expect((await client.get(`/x/rioget?1*1*${PASSWORD}`)).body).toBe(expected);
  });
});

async function waitFor(test: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
